package dev.fovea.gateway.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fovea.gateway.ApiException;
import dev.fovea.gateway.GatewaySettings;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gateway's header checks on hostile images (no Quarkus: the loader alone): an image the encoders would
 * refuse for its size or shape is a 400 naming the limit before any encoder is called, decided from the header.
 */
class HostileImageLoaderTest {
    private static final long MAX_PIXELS = 50_000_000L;
    private static final int MAX_BYTES = 20 << 20;

    private static ImageLoader loader() {
        GatewaySettings settings = (GatewaySettings) Proxy.newProxyInstance(GatewaySettings.class.getClassLoader(),
                new Class<?>[] {GatewaySettings.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "maxImagePixels" -> MAX_PIXELS;
                    case "maxImageBytes" -> MAX_BYTES;
                    case "imageUrlHosts" -> Optional.empty();
                    case "imageFetchTimeout" -> Duration.ofSeconds(2);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return new ImageLoader(settings);
    }

    private static ImageSource dataUrl(byte[] bytes) {
        return new ImageSource(null, "data:image/png;base64," + Base64.getEncoder().encodeToString(bytes));
    }

    @ParameterizedTest
    @CsvSource({"50000, 1", "1, 30000", "26000, 1"})
    void extremeShapesAre400NamingTheAspectRatioLimit(int width, int height) throws Exception {
        ImageLoader images = loader();
        byte[] png = png(width, height);
        assertThat(png.length).isLessThan(4096);
        assertThatThrownBy(() -> images.load(dataUrl(png), 0)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.param()).isEqualTo("messages.image_url[0]");
            assertThat(e.getMessage()).contains(width + "×" + height).contains("aspect ratio").contains("200:1")
                    .doesNotContain("Exception").doesNotContain("java.");
        });
        // the loader still takes the next valid image
        assertThat(images.load(dataUrl(png(64, 48)), 1).width()).isEqualTo(64);
    }

    @Test
    void aHeaderOverThePixelLimitIs400FromTheHeaderAlone() {
        byte[] png = pngHeader(100_000, 100_000, new byte[0]);
        assertThatThrownBy(() -> loader().load(dataUrl(png), 2)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).contains("100000×100000").contains("limit of " + MAX_PIXELS + " pixels");
        });
    }

    @Test
    void aPngTooSmallForItsDeclaredSizeIs400() {
        byte[] png = pngHeader(7000, 7000, new byte[20]);
        assertThatThrownBy(() -> loader().load(dataUrl(png), 0)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).contains("too small to hold the 7000×7000 PNG");
        });
    }

    @Test
    void bytesThatAreNoImageAre400WithoutParserInternals() {
        for (byte[] junk : new byte[][] {"hello".getBytes(), {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A},
                {'R', 'I', 'F', 'F', 0, 0, 0, 0, 'W', 'E', 'B', 'P'}, {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF}}) {
            assertThatThrownBy(() -> loader().load(dataUrl(junk), 0)).isInstanceOfSatisfying(ApiException.class, e -> {
                assertThat(e.status()).isEqualTo(400);
                assertThat(e.getMessage()).startsWith("image 0: ").doesNotContain("Exception").doesNotContain("java.");
            });
        }
    }

    private static byte[] png(int width, int height) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }

    private static byte[] pngHeader(int width, int height, byte[] idat) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A});
        out.writeBytes(chunk("IHDR", ihdr.array()));
        out.writeBytes(chunk("IDAT", idat));
        out.writeBytes(chunk("IEND", new byte[0]));
        return out.toByteArray();
    }

    private static byte[] chunk(String type, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(type.getBytes());
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(type.getBytes()).put(data)
                .putInt((int) crc.getValue()).array();
    }
}
