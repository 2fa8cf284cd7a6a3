package dev.fovea.engine.vision;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageDecoderTest {

    /** 3 × 2: the top-left pixel red, top-right blue, the rest green. */
    private static BufferedImage marked(boolean indexed) {
        // GIF needs a palette image; the default 6×6×6 colour cube holds pure red, green and blue
        BufferedImage img = new BufferedImage(3, 2, indexed ? BufferedImage.TYPE_BYTE_INDEXED : BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 3; x++) {
                img.setRGB(x, y, 0x00FF00);
            }
        }
        img.setRGB(0, 0, 0xFF0000);
        img.setRGB(2, 0, 0x0000FF);
        return img;
    }

    private static byte[] encode(BufferedImage img, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(img, format, out)).as("writer for " + format).isTrue();
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"png", "bmp"})
    void losslessFormatsDecodeToTheSamePixels(String format) throws Exception {
        RgbImage img = new ImageDecoder().decode(encode(marked(format.equals("gif")), format));
        assertThat(img.width()).isEqualTo(3);
        assertThat(img.height()).isEqualTo(2);
        assertThat(new int[] {img.at(0, 0, 0), img.at(0, 0, 1), img.at(0, 0, 2)}).containsExactly(255, 0, 0);
        assertThat(new int[] {img.at(2, 0, 0), img.at(2, 0, 1), img.at(2, 0, 2)}).containsExactly(0, 0, 255);
        assertThat(new int[] {img.at(1, 1, 0), img.at(1, 1, 1), img.at(1, 1, 2)}).containsExactly(0, 255, 0);
    }

    @Test
    void gifDecodesItsFirstFrame() throws Exception {
        RgbImage img = new ImageDecoder().decode(encode(marked(true), "gif"));
        assertThat(img.width()).isEqualTo(3);
        assertThat(img.height()).isEqualTo(2);
        assertThat(new int[] {img.at(0, 0, 0), img.at(0, 0, 1), img.at(0, 0, 2)}).containsExactly(255, 0, 0);
        assertThat(new int[] {img.at(2, 0, 0), img.at(2, 0, 1), img.at(2, 0, 2)}).containsExactly(0, 0, 255);
        // (the JDK's own GIF writer drops the green of this palette image on the way out, so it is not checked)
    }

    @Test
    void webpReaderIsAvailable() {
        assertThat(ImageIO.getImageReadersByFormatName("webp").hasNext()).isTrue();
    }

    @Test
    void exifOrientationSixRotatesClockwise() throws Exception {
        BufferedImage big = new BufferedImage(40, 20, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 40; x++) {
                big.setRGB(x, y, x < 20 ? 0xFFFFFF : 0x000000); // left half white, right half black
            }
        }
        byte[] jpeg = withOrientation(encode(big, "jpeg"), 6);
        RgbImage img = new ImageDecoder().decode(jpeg);
        // rotated 90° clockwise: 20 wide, 40 tall, the stored left half (white) now on top
        assertThat(img.width()).isEqualTo(20);
        assertThat(img.height()).isEqualTo(40);
        assertThat(img.at(10, 5, 0)).isGreaterThan(200);
        assertThat(img.at(10, 35, 0)).isLessThan(50);
        assertThat(ExifOrientation.read(encode(big, "jpeg"))).isEqualTo(1);
    }

    @Test
    void orientationTransformsMoveTheMarkedCorner() {
        RgbImage img = new RgbImage(3, 2, new byte[18]);
        img.rgb()[0] = (byte) 255; // (0,0) red
        assertThat(ExifOrientation.apply(img, 3).at(2, 1, 0)).isEqualTo(255);
        assertThat(ExifOrientation.apply(img, 6).at(1, 0, 0)).isEqualTo(255); // top-right after a clockwise turn
        assertThat(ExifOrientation.apply(img, 8).at(0, 2, 0)).isEqualTo(255);
        assertThat(ExifOrientation.apply(img, 2).at(2, 0, 0)).isEqualTo(255);
    }

    @Test
    void aHeaderClaimingAHugeImageIsRefusedBeforeDecoding() {
        // a valid PNG signature and IHDR for 100000 × 100000 pixels, and no pixel data at all
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(100_000).putInt(100_000).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        byte[] png = concat(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}, chunk("IHDR", ihdr.array()));
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> new ImageDecoder().decode(png)).isInstanceOf(ImageException.class)
                .hasMessageContaining("100000×100000").hasMessageContaining("exceeds the limit");
        assertThat((System.nanoTime() - t0) / 1e9).isLessThan(5); // bounded: nothing was allocated for the pixels
    }

    @Test
    void garbageAndTruncatedFilesAreClearErrors() throws Exception {
        assertThatThrownBy(() -> new ImageDecoder().decode("hello".getBytes())).isInstanceOf(ImageException.class)
                .hasMessageContaining("not a supported image format");
        assertThatThrownBy(() -> new ImageDecoder().decode(new byte[0])).hasMessageContaining("empty");
        byte[] png = encode(marked(false), "png");
        assertThatThrownBy(() -> new ImageDecoder().decode(Arrays.copyOf(png, png.length / 2)))
                .isInstanceOf(ImageException.class).hasMessageContaining("cannot decode");
    }

    @Test
    void centerPadProfileCentresTheImageOnTheMeanColour() {
        float[] mean = {0.5f, 0.5f, 0.5f};
        float[] std = {0.5f, 0.5f, 0.5f};
        ClipPreprocessor p = new ClipPreprocessor(4, mean, std);
        byte[] white = new byte[4 * 2 * 3];
        Arrays.fill(white, (byte) 255);
        float[] centred = p.apply(new RgbImage(4, 2, white), ClipPreprocessor.Profile.CENTER_PAD);
        // rows 1 and 2 hold the image (normalized white = 1), rows 0 and 3 the mean (≈ 0)
        assertThat(centred[1 * 4 + 2]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(centred[0]).isCloseTo(0f, org.assertj.core.data.Offset.offset(0.01f));
        float[] topLeft = p.apply(new RgbImage(4, 2, white), ClipPreprocessor.Profile.LLAMACPP);
        assertThat(topLeft[0]).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThatThrownBy(() -> ClipPreprocessor.Profile.named("stretch")).hasMessageContaining("center-pad");
    }

    /** Inserts an APP1 EXIF segment with one IFD entry (Orientation) right after the JPEG's SOI marker. */
    private static byte[] withOrientation(byte[] jpeg, int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4);
        tiff.put(new byte[] {'M', 'M', 0, 42}).putInt(8).putShort((short) 1)
                .putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0)
                .putInt(0);
        byte[] payload = concat("Exif\0\0".getBytes(), tiff.array());
        ByteBuffer app1 = ByteBuffer.allocate(4 + payload.length).put((byte) 0xFF).put((byte) 0xE1)
                .putShort((short) (payload.length + 2)).put(payload);
        return concat(Arrays.copyOf(jpeg, 2), app1.array(), Arrays.copyOfRange(jpeg, 2, jpeg.length));
    }

    private static byte[] chunk(String type, byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(type.getBytes());
        crc.update(data);
        return ByteBuffer.allocate(12 + data.length).putInt(data.length).put(type.getBytes()).put(data)
                .putInt((int) crc.getValue()).array();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
