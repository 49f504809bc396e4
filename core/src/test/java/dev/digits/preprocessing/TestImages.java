package dev.digits.preprocessing;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;

/**
 * Makes the test images: digits drawn as anti-aliased pen strokes, and images of every
 * colour type encoded with ImageIO. Levels are ink maps, 0..255, ink high, row-major.
 */
final class TestImages {

	/**
	 * A "7" with a crossbar-free stem and a small foot, in unit coordinates (x right, y
	 * down).
	 */
	static final double[][] SEVEN = { { 0.15, 0.1 }, { 0.85, 0.1 }, { 0.45, 0.95 } };

	/** A "2": arc-like top, diagonal, base line. */
	static final double[][] TWO = { { 0.15, 0.3 }, { 0.35, 0.08 }, { 0.65, 0.08 }, { 0.82, 0.3 }, { 0.15, 0.92 },
			{ 0.88, 0.92 } };

	private TestImages() {
	}

	/**
	 * Ink of a polyline drawn with a round pen of {@code radius} pixels into a box of
	 * {@code boxWidth x boxHeight} placed at {@code (left, top)} on a
	 * {@code width x height} canvas, anti-aliased over one pixel.
	 */
	static int[] strokes(int width, int height, double[][] line, int left, int top, int boxWidth, int boxHeight,
			double radius) {
		int[] ink = new int[width * height];
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				double px = x + 0.5;
				double py = y + 0.5;
				double nearest = Double.MAX_VALUE;
				for (int i = 0; i + 1 < line.length; i++) {
					nearest = Math.min(nearest,
							distanceToSegment(px, py, left + line[i][0] * boxWidth, top + line[i][1] * boxHeight,
									left + line[i + 1][0] * boxWidth, top + line[i + 1][1] * boxHeight));
				}
				double coverage = Math.max(0, Math.min(1, radius + 0.5 - nearest));
				ink[y * width + x] = (int) Math.round(255 * coverage);
			}
		}
		return ink;
	}

	private static double distanceToSegment(double px, double py, double ax, double ay, double bx, double by) {
		double dx = bx - ax;
		double dy = by - ay;
		double lengthSquared = dx * dx + dy * dy;
		double along = (lengthSquared == 0) ? 0 : ((px - ax) * dx + (py - ay) * dy) / lengthSquared;
		double t = Math.max(0, Math.min(1, along));
		return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
	}

	/** A synthetic MNIST-like 28x28 digit: a "2" in a 20x20 box, centred, border 0. */
	/** A photo fixture of {@code /photos/} (see its README.md). */
	static byte[] photo(String name) throws java.io.IOException {
		try (java.io.InputStream in = TestImages.class.getResourceAsStream("/photos/" + name)) {
			return in.readAllBytes();
		}
	}

	static int[] digit28() {
		return strokes(28, 28, TWO, 4, 4, 20, 20, 1.3);
	}

	static int[] inverted(int[] ink) {
		int[] out = new int[ink.length];
		for (int i = 0; i < ink.length; i++) {
			out[i] = 255 - ink[i];
		}
		return out;
	}

	static byte[] asBytes(int[] levels) {
		byte[] out = new byte[levels.length];
		for (int i = 0; i < levels.length; i++) {
			out[i] = (byte) levels[i];
		}
		return out;
	}

	/** 8-bit grey, samples set through the raster (no colour conversion). */
	static BufferedImage grey8(int width, int height, int[] levels) {
		return dev.digits.preprocessing.ImageEncoding.grey8(width, height, levels);
	}

	/** 16-bit grey with the given 16-bit samples. */
	static BufferedImage grey16(int width, int height, int[] samples) {
		return dev.digits.preprocessing.ImageEncoding.grey16(width, height, samples);
	}

	/** 8-bit RGB, one colour for paper and one for ink, mixed by the ink level. */
	static BufferedImage rgb(int width, int height, int[] ink, int paperRgb, int inkRgb) {
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
		WritableRaster raster = image.getRaster();
		for (int i = 0; i < ink.length; i++) {
			int[] rgb = mix(paperRgb, inkRgb, ink[i]);
			raster.setPixel(i % width, i / width, rgb);
		}
		return image;
	}

	/**
	 * A canvas drawing: ink as the alpha of {@code inkRgb} over fully transparent black.
	 */
	static BufferedImage canvas(int width, int height, int[] ink, int inkRgb) {
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
		for (int i = 0; i < ink.length; i++) {
			int argb = (ink[i] == 0) ? 0 : (ink[i] << 24) | (inkRgb & 0xFFFFFF);
			image.setRGB(i % width, i / width, argb);
		}
		return image;
	}

	/** 8-bit grey plus alpha: grey level {@code grey} everywhere, ink as alpha. */
	static BufferedImage greyAlpha(int width, int height, int[] ink, int grey) {
		ColorModel model = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
				java.awt.Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
		WritableRaster raster = model.createCompatibleWritableRaster(width, height);
		for (int i = 0; i < ink.length; i++) {
			raster.setPixel(i % width, i / width, new int[] { grey, ink[i] });
		}
		return new BufferedImage(model, raster, false, null);
	}

	/**
	 * An indexed image: palette entry {@code k < levels} is grey
	 * {@code round(k * 255 / (levels - 1))} of ink (so entry 0 is paper, light or dark as
	 * asked); entry {@code levels}, when {@code transparentPaper}, is transparent black
	 * paper used wherever there is no ink.
	 */
	static BufferedImage indexed(int width, int height, int[] ink, int levels, boolean darkInk,
			boolean transparentPaper) {
		int entries = levels + (transparentPaper ? 1 : 0);
		byte[] r = new byte[entries];
		byte[] a = new byte[entries];
		for (int k = 0; k < levels; k++) {
			int inkLevel = Math.round(k * 255f / (levels - 1));
			r[k] = (byte) (darkInk ? 255 - inkLevel : inkLevel);
			a[k] = (byte) 255;
		}
		if (transparentPaper) {
			// black and fully transparent, like rgba(0,0,0,0): wrong if the alpha were
			// ignored
			r[levels] = 0;
			a[levels] = 0;
		}
		IndexColorModel model = transparentPaper ? new IndexColorModel(8, entries, r, r, r, levels)
				: new IndexColorModel(8, entries, r, r, r, a);
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED, model);
		WritableRaster raster = image.getRaster();
		for (int i = 0; i < ink.length; i++) {
			int k = Math.round(ink[i] * (levels - 1) / 255f);
			raster.setSample(i % width, i / width, 0, (transparentPaper && ink[i] == 0) ? levels : k);
		}
		return image;
	}

	static byte[] encode(BufferedImage image, String format) {
		return dev.digits.preprocessing.ImageEncoding.encode(image, format);
	}

	static byte[] jpeg(BufferedImage image, float quality) {
		return dev.digits.preprocessing.ImageEncoding.jpeg(image, quality);
	}

	/** {@code paper} blended towards {@code ink} by {@code level / 255}, as {r, g, b}. */
	static int[] mix(int paperRgb, int inkRgb, int level) {
		int[] out = new int[3];
		for (int c = 0; c < 3; c++) {
			int shift = 16 - 8 * c;
			int p = paperRgb >> shift & 0xFF;
			int k = inkRgb >> shift & 0xFF;
			out[c] = Math.round(p + (k - p) * level / 255f);
		}
		return out;
	}

	/** Cosine similarity of two vectors of equal length. */
	static double cosine(float[] a, float[] b) {
		double dot = 0;
		double na = 0;
		double nb = 0;
		for (int i = 0; i < a.length; i++) {
			dot += (double) a[i] * b[i];
			na += (double) a[i] * a[i];
			nb += (double) b[i] * b[i];
		}
		return dot / Math.sqrt(na * nb);
	}

	/** Centre of mass {x, y} of a 28x28 image, pixel-index coordinates. */
	static double[] centreOfMass(float[] pixels) {
		double mass = 0;
		double x = 0;
		double y = 0;
		for (int i = 0; i < pixels.length; i++) {
			mass += pixels[i];
			x += pixels[i] * (i % 28);
			y += pixels[i] * (i / 28);
		}
		return new double[] { x / mass, y / mass };
	}

	/**
	 * The box {x0, y0, x1, y1} (inclusive) of a mask's set pixels, rows {@code width}
	 * long.
	 */
	static int[] maskBox(byte[] mask, int width) {
		int[] box = { Integer.MAX_VALUE, Integer.MAX_VALUE, -1, -1 };
		for (int i = 0; i < mask.length; i++) {
			if (mask[i] != 0) {
				box[0] = Math.min(box[0], i % width);
				box[1] = Math.min(box[1], i / width);
				box[2] = Math.max(box[2], i % width);
				box[3] = Math.max(box[3], i / width);
			}
		}
		return box;
	}

	/** Bounding box {width, height} of the non-zero pixels of a 28x28 image. */
	static int[] inkBoxSize(float[] pixels) {
		int x0 = 28;
		int y0 = 28;
		int x1 = -1;
		int y1 = -1;
		for (int i = 0; i < pixels.length; i++) {
			if (pixels[i] > 0) {
				x0 = Math.min(x0, i % 28);
				x1 = Math.max(x1, i % 28);
				y0 = Math.min(y0, i / 28);
				y1 = Math.max(y1, i / 28);
			}
		}
		return new int[] { x1 - x0 + 1, y1 - y0 + 1 };
	}

	/**
	 * Asserts that {@code call} refuses its input for {@code reason}, with a message that
	 * names {@code messagePart} and no Java internals.
	 */
	static void assertRefused(Runnable call, Reason reason, String messagePart) {
		org.assertj.core.api.Assertions.assertThatExceptionOfType(PreprocessingException.class)
			.isThrownBy(call::run)
			.satisfies((ex) -> {
				org.assertj.core.api.Assertions.assertThat(ex.reason()).isEqualTo(reason);
				org.assertj.core.api.Assertions.assertThat(ex.getMessage())
					.contains(messagePart)
					.doesNotContain("Exception")
					.doesNotContain("java.");
			});
	}

}
