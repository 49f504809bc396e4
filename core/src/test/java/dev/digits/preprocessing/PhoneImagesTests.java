package dev.digits.preprocessing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.digits.preprocessing.TestImages.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;

/** What phones and browsers send: JPEGs turned by their EXIF orientation, and WebP. */
class PhoneImagesTests {

	private final ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessingLimits.defaults());

	/**
	 * An upright "7" photographed in each of the eight EXIF orientations (the stored
	 * pixels turned the way a camera stores them, the tag saying how to turn them back)
	 * comes out as the upright one.
	 */
	@ParameterizedTest
	@ValueSource(ints = { 1, 2, 3, 4, 5, 6, 7, 8 })
	void jpegsAreTurnedUprightByTheirExifOrientation(int orientation) {
		BufferedImage upright = HostileImages.digitImage(240, 320, BufferedImage.TYPE_BYTE_GRAY);
		Preprocessed expected = preprocessor.fromImage(TestImages.jpeg(upright, 0.95f));
		BufferedImage stored = stored(upright, orientation);
		Preprocessed turned = preprocessor.fromImage(withOrientation(TestImages.jpeg(stored, 0.95f), orientation));
		assertThat(turned.width()).isEqualTo(240);
		assertThat(turned.height()).isEqualTo(320);
		assertThat(TestImages.cosine(turned.pixels(), expected.pixels())).as("orientation %d", orientation)
			.isGreaterThan(0.99);
		if (orientation != 1) {
			// without the tag, the stored pixels are a different picture
			Preprocessed ignored = preprocessor.fromImage(TestImages.jpeg(stored, 0.95f));
			assertThat(TestImages.cosine(ignored.pixels(), expected.pixels())).isLessThan(0.9);
		}
	}

	@Test
	void exifReadingIsBoundedAndToleratesNonsense() {
		byte[] jpeg = TestImages.jpeg(HostileImages.digitImage(64, 64, BufferedImage.TYPE_BYTE_GRAY), 0.9f);
		for (byte[] exif : new byte[][] {
				"Exif\0\0MM\0*\u007f\u007f\u007f\u007f".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
				"Exif\0\0II*\0\b\0\0\0\u00ff\u00ff".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
				"NotExif".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1) }) {
			assertThat(preprocessor.fromImage(withApp1(jpeg, exif)).width()).isEqualTo(64);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "seven-lossy.webp", "seven-lossless.webp" })
	void webpIsAccepted(String file) throws IOException {
		Preprocessed p = preprocessor.fromImage(Files.readAllBytes(Path.of("core/src/test/resources/webp", file)));
		assertThat(p.format()).isEqualTo("webp");
		assertThat(p.width()).isEqualTo(28);
		Preprocessed png = preprocessor.fromImage(Files.readAllBytes(Path.of("docs/examples/seven.png")));
		assertThat(TestImages.cosine(p.pixels(), png.pixels())).isGreaterThan(0.98);
	}

	@Test
	void aWebpCanvasWithTransparencyIsComposited() throws IOException {
		Preprocessed webp = preprocessor
			.fromImage(Files.readAllBytes(Path.of("core/src/test/resources/webp/three-canvas-alpha.webp")));
		Preprocessed png = preprocessor.fromImage(Files.readAllBytes(Path.of("docs/examples/three-canvas.png")));
		assertThat(webp.reframed()).isTrue();
		assertThat(TestImages.cosine(webp.pixels(), png.pixels())).isGreaterThan(0.97);
	}

	@Test
	void hostileWebpIsRefusedFromItsHeader() throws IOException {
		byte[] lossless = Files.readAllBytes(Path.of("core/src/test/resources/webp/seven-lossless.webp"));
		// VP8L with a 16384 x 16384 canvas in its header: full-size ARGB would be 1 GB
		byte[] huge = lossless.clone();
		long bits = (huge[21] & 0xFF) | (huge[22] & 0xFF) << 8 | (huge[23] & 0xFF) << 16
				| (long) (huge[24] & 0xFF) << 24;
		bits = (bits & ~((1L << 28) - 1)) | 0x3FFF | (0x3FFFL << 14);
		ByteBuffer.wrap(huge, 21, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt((int) bits);
		assertRefused(() -> preprocessor.fromImage(huge), Reason.TOO_MANY_PIXELS, "16384 x 16384");
		byte[] animated = Files.readAllBytes(Path.of("core/src/test/resources/webp/three-canvas-alpha.webp"));
		animated[20] |= 0x02;
		assertRefused(() -> preprocessor.fromImage(animated), Reason.UNSUPPORTED_FORMAT, "Animated WebP");
		assertRefused(() -> preprocessor.fromImage(java.util.Arrays.copyOf(lossless, 20)), Reason.UNDECODABLE, "WebP");
	}

	/**
	 * The pixels a camera stores for an upright scene when it writes {@code orientation}.
	 */
	static BufferedImage stored(BufferedImage upright, int orientation) {
		int w = upright.getWidth();
		int h = upright.getHeight();
		boolean swap = orientation >= 5;
		BufferedImage out = new BufferedImage(swap ? h : w, swap ? w : h, BufferedImage.TYPE_BYTE_GRAY);
		for (int y = 0; y < h; y++) {
			for (int x = 0; x < w; x++) {
				// where upright (x, y) is stored: the inverse of GreyImage.upright
				int sx;
				int sy;
				switch (orientation) {
					case 2 -> {
						sx = w - 1 - x;
						sy = y;
					}
					case 3 -> {
						sx = w - 1 - x;
						sy = h - 1 - y;
					}
					case 4 -> {
						sx = x;
						sy = h - 1 - y;
					}
					case 5 -> {
						sx = y;
						sy = x;
					}
					case 6 -> {
						sx = y;
						sy = w - 1 - x;
					} // shown turned a quarter clockwise
					case 7 -> {
						sx = h - 1 - y;
						sy = w - 1 - x;
					}
					case 8 -> {
						sx = h - 1 - y;
						sy = x;
					} // shown turned a quarter anticlockwise
					default -> {
						sx = x;
						sy = y;
					}
				}
				out.getRaster().setSample(sx, sy, 0, upright.getRaster().getSample(x, y, 0));
			}
		}
		return out;
	}

	/**
	 * The JPEG with an EXIF APP1 segment (big-endian TIFF, IFD0 with the orientation)
	 * after SOI.
	 */
	static byte[] withOrientation(byte[] jpeg, int orientation) {
		ByteBuffer exif = ByteBuffer.allocate(6 + 8 + 2 + 12 + 4);
		exif.put("Exif".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).put((byte) 0).put((byte) 0);
		exif.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8);
		exif.putShort((short) 1)
			.putShort((short) 0x0112)
			.putShort((short) 3)
			.putInt(1)
			.putShort((short) orientation)
			.putShort((short) 0);
		exif.putInt(0);
		return withApp1(jpeg, exif.array());
	}

	static byte[] withApp1(byte[] jpeg, byte[] payload) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(jpeg, 0, 2);
		out.write(0xFF);
		out.write(0xE1);
		out.write((payload.length + 2) >> 8);
		out.write((payload.length + 2) & 0xFF);
		out.writeBytes(payload);
		out.write(jpeg, 2, jpeg.length - 2);
		return out.toByteArray();
	}

}
