package dev.fovea.engine.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import javax.imageio.IIOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Images made to exhaust the decoder or the preprocessing: forged sizes, extreme shapes, data that ends early.
 * Each must fail fast, with bounded memory, as an {@link ImageException} naming the limit and never a class name.
 */
class HostileImageTest {
    private static final long TEN_SECONDS = TimeUnit.SECONDS.toNanos(10);

    @Test
    void aThirtyByteLosslessWebpDeclaring7000x7000IsRefusedFast() throws Exception {
        byte[] webp = LosslessWebp.forged(7000, 7000, 5);
        assertThat(webp.length).isEqualTo(30);
        long start = System.nanoTime();
        assertThatThrownBy(() -> new ImageDecoder().decode(webp)).isInstanceOf(ImageException.class)
                .hasMessageStartingWith("cannot decode image");
        assertThat(System.nanoTime() - start).isLessThan(TEN_SECONDS);
        // with enough bytes for the reader's look-ahead it decodes zeros past the end: once 7+ minutes, now refused
        byte[] longer = LosslessWebp.forged(7000, 7000, 14);
        start = System.nanoTime();
        assertThatThrownBy(() -> new ImageDecoder().decode(longer)).isInstanceOf(ImageException.class)
                .hasMessageContaining("ends before the image does");
        assertThat(System.nanoTime() - start).isLessThan(TEN_SECONDS);
        // and the decoder still decodes the next image
        RgbImage ok = new ImageDecoder().decode(LosslessWebp.solid(40, 30, 0x336699));
        assertThat(new int[] {ok.at(39, 29, 0), ok.at(39, 29, 1), ok.at(39, 29, 2)}).containsExactly(0x33, 0x66, 0x99);
    }

    @Test
    void aValidLosslessWebpOfTheSameFewBytesStillDecodes() throws Exception {
        // a one-colour image spends no bits a pixel: a tiny file may honestly hold a large image
        RgbImage img = new ImageDecoder().decode(LosslessWebp.solid(1500, 1000, 0xFF8000));
        assertThat(img.width()).isEqualTo(1500);
        assertThat(new int[] {img.at(1499, 999, 0), img.at(1499, 999, 1), img.at(1499, 999, 2)})
                .containsExactly(0xFF, 0x80, 0x00);
    }

    @Test
    void aTimeLimitTheDeclaredSizeCannotMeetIsRefusedBeforeDecoding() {
        byte[] webp = LosslessWebp.solid(3000, 3000, 0);
        long start = System.nanoTime();
        assertThatThrownBy(() -> new ImageDecoder().decode(webp, Duration.ofMillis(20)))
                .isInstanceOf(ImageException.class).hasMessageContaining("3000×3000")
                .hasMessageContaining("limit of 20 ms");
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(2));
    }

    @Test
    void theStreamFailsEveryReadOnceTheDeadlineHasPassed() throws Exception {
        try (ImageBytesStream in = new ImageBytesStream(new byte[1 << 16], System.nanoTime() - 1, "3 s")) {
            assertThat(in.expired()).isTrue();
            assertThatThrownBy(() -> {
                for (int i = 0; i < 1 << 16; i++) {
                    in.read();
                }
            }).isInstanceOf(IIOException.class).hasMessageContaining("limit of 3 s");
        }
    }

    @ParameterizedTest
    @CsvSource({"50000, 1", "1, 30000", "26000, 1", "4001, 20"})
    void extremeAspectRatiosAreRefusedNamingTheLimitAndTheSize(int width, int height) throws Exception {
        byte[] png = png(new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB));
        long start = System.nanoTime();
        assertThatThrownBy(() -> new ImageDecoder().decode(png)).isInstanceOf(ImageException.class)
                .hasMessageContaining(width + "×" + height).hasMessageContaining("aspect ratio")
                .hasMessageContaining("200:1");
        assertThat(System.nanoTime() - start).isLessThan(TEN_SECONDS);
    }

    @Test
    void theWidestAllowedImageIsPreprocessedWithoutBuildingItsSquare() throws Exception {
        // 20000 × 100: its padded square would be 1.2 GB; the canvas is read, not drawn
        RgbImage wide = new ImageDecoder().decode(png(new BufferedImage(20_000, 100, BufferedImage.TYPE_INT_RGB)));
        ClipPreprocessor p = new ClipPreprocessor(32, new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        float[] pixels = p.apply(wide);
        float[] centred = p.apply(wide, ClipPreprocessor.Profile.CENTER_PAD);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(pixels).hasSize(3 * 32 * 32);
        assertThat(centred).hasSize(3 * 32 * 32);
        assertThat(allocated).as("bytes allocated by preprocessing").isLessThan(1L << 20);
    }

    @Test
    void preprocessingOnTheVirtualCanvasEqualsPaddingForReal() {
        RgbImage img = new RgbImage(30, 7, randomBytes(30 * 7 * 3));
        float[] mean = {0.48f, 0.45f, 0.4f};
        float[] std = {0.26f, 0.26f, 0.27f};
        ClipPreprocessor p = new ClipPreprocessor(12, mean, std);
        RgbImage square = img.placedOn(30, 30, 0, 0, new int[] {122, 116, 104});
        assertThat(p.apply(img)).containsExactly(p.apply(square));
        int[] fill = {Math.round(mean[0] * 255), Math.round(mean[1] * 255), Math.round(mean[2] * 255)};
        RgbImage centred = img.placedOn(30, 30, 0, 11, fill);
        assertThat(p.apply(img, ClipPreprocessor.Profile.CENTER_PAD))
                .containsExactly(p.apply(centred, ClipPreprocessor.Profile.CENTER_PAD));
    }

    @Test
    void aPngTooSmallToHoldItsDeclaredPixelsIsRefusedBeforeDecoding() {
        byte[] png = pngHeader(7000, 7000, deflate(new byte[64]));
        assertThatThrownBy(() -> new ImageDecoder().decode(png)).isInstanceOf(ImageException.class)
                .hasMessageContaining("too small to hold the 7000×7000 PNG");
    }

    @Test
    void headerSizesNearTheIntLimitDoNotOverflow() {
        ImageLimits limits = ImageLimits.defaults();
        assertThatThrownBy(() -> limits.check(Integer.MAX_VALUE, Integer.MAX_VALUE))
                .isInstanceOf(ImageException.class).hasMessageContaining("exceeds the limit of 50000000 pixels");
        assertThatThrownBy(() -> limits.check(65_536, 65_536)).hasMessageContaining("65536×65536");
        assertThatThrownBy(() -> limits.check(0, 5)).hasMessageContaining("no pixels");
        assertThatThrownBy(() -> new ImageLimits(Long.MAX_VALUE, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pixel limit");
        assertThatThrownBy(() -> new RgbImage(1, 1, new byte[3]).placedOn(100_000, 100_000, 0, 0, new int[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too large");
    }

    @Test
    void truncatedFilesOfEveryFormatAreOneClearErrorWithoutAClassName() throws Exception {
        BufferedImage img = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 48; y++) {
            for (int x = 0; x < 64; x++) {
                img.setRGB(x, y, x * 4 << 16 | y * 5 << 8 | (x ^ y));
            }
        }
        for (String format : new String[] {"png", "jpeg", "gif", "bmp"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ImageIO.write(img, format, out);
            byte[] whole = out.toByteArray();
            for (int cut : new int[] {whole.length / 4, whole.length / 2, whole.length - 3}) {
                byte[] part = Arrays.copyOf(whole, cut);
                try {
                    new ImageDecoder().decode(part);
                } catch (ImageException e) {
                    assertThat(e.getMessage()).as(format + " cut at " + cut)
                            .doesNotContain("java.").doesNotContain("Exception");
                }
            }
        }
        byte[] webp = LosslessWebp.solid(64, 48, 0x102030);
        for (int cut = 12; cut < webp.length; cut++) {
            byte[] part = Arrays.copyOf(webp, cut);
            long start = System.nanoTime();
            try {
                new ImageDecoder().decode(part);
            } catch (ImageException e) {
                assertThat(e.getMessage()).doesNotContain("java.").doesNotContain("Exception");
            }
            assertThat(System.nanoTime() - start).isLessThan(TEN_SECONDS);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new java.util.Random(7).nextBytes(b);
        return b;
    }

    private static byte[] png(BufferedImage img) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] raw) {
        Deflater d = new Deflater();
        d.setInput(raw);
        d.finish();
        byte[] buf = new byte[raw.length + 64];
        int n = d.deflate(buf);
        d.end();
        return Arrays.copyOf(buf, n);
    }

    /** An 8-bit RGB PNG header for width × height with {@code idat} as its only data. */
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
