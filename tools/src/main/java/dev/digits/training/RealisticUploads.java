package dev.digits.training;

import dev.digits.preprocessing.ImageEncoding;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;

/**
 * Realistic uploads made from MNIST-style digits: what web and mobile clients actually
 * send (photos of paper as JPEG, large canvases, transparent canvas PNGs, coloured ink,
 * 16-bit scans, palette GIFs, BMPs), each drawn from a 28x28 digit scaled up with bicubic
 * interpolation so that strokes look like pen strokes, not blocks. Deterministic for a
 * given seed. Used by the preprocessing tests and, through {@link RobustnessSets}, by the
 * model-quality evaluation.
 */
public final class RealisticUploads {

	/**
	 * One upload.
	 *
	 * @param name a file name, unique within one {@link #make} call
	 * @param kind one of {@link #kinds()}
	 * @param contentType the content type a client would declare
	 * @param bytes the encoded image
	 * @param label the digit drawn, 0..9
	 */
	public record Upload(String name, String kind, String contentType, byte[] bytes, int label) {

		@Override
		public String toString() {
			return "Upload[" + this.name + ", " + this.contentType + ", " + this.bytes.length + " bytes, label "
					+ this.label + "]";
		}

	}

	/**
	 * Dark ink on slightly grey, unevenly lit, noisy paper, as a colour JPEG of quality
	 * 0.7.
	 */
	public static final String JPEG_PAPER = "jpeg-paper";

	/**
	 * White digit on black filling a 280x280 grey PNG: the 28x28 digit scaled up ten
	 * times.
	 */
	public static final String LARGE_CANVAS = "large-canvas";

	/** A small black digit somewhere away from the centre of a 400x300 white RGB PNG. */
	public static final String OFF_CENTRE = "off-centre";

	/** Dark on light 280x280 grey PNG, rotated by -12..12 degrees. */
	public static final String ROTATED = "rotated";

	/**
	 * An HTML canvas export: black strokes as alpha over fully transparent rgba(0,0,0,0),
	 * 280x280.
	 */
	public static final String CANVAS_ALPHA = "canvas-alpha";

	/** Blue (ballpoint) ink on white, RGB PNG. */
	public static final String BLUE_INK = "blue-ink";

	/** Dark on light 16-bit grey PNG, as scanners write. */
	public static final String GREY_16 = "grey16";

	/** Black on white GIF with a 16-level grey palette. */
	public static final String PALETTE_GIF = "palette-gif";

	/** Black on white 24-bit BMP. */
	public static final String BMP = "bmp";

	private static final List<String> KINDS = List.of(JPEG_PAPER, LARGE_CANVAS, OFF_CENTRE, ROTATED, CANVAS_ALPHA,
			BLUE_INK, GREY_16, PALETTE_GIF, BMP);

	private static final int DIGIT = 28;

	private RealisticUploads() {
	}

	/** The kinds made for every digit, in the order {@link #make} makes them. */
	public static List<String> kinds() {
		return KINDS;
	}

	/**
	 * One upload per kind for each digit, digit by digit.
	 * @param digits 28x28 grey levels, row-major, ink high (as in the MNIST files)
	 * @param labels the digit each image shows, one per image
	 * @param seed makes every random choice (offsets, paper, noise, angles) reproducible
	 */
	public static List<Upload> make(List<byte[]> digits, byte[] labels, long seed) {
		Objects.requireNonNull(digits, "digits");
		Objects.requireNonNull(labels, "labels");
		if (digits.size() != labels.length) {
			throw new IllegalArgumentException(digits.size() + " digits but " + labels.length + " labels");
		}
		List<Upload> uploads = new ArrayList<>(digits.size() * KINDS.size());
		for (int i = 0; i < digits.size(); i++) {
			byte[] digit = digits.get(i);
			if (digit.length != DIGIT * DIGIT) {
				throw new IllegalArgumentException("digit " + i + " has " + digit.length + " pixels, not 784");
			}
			float[] ink = new float[digit.length];
			for (int p = 0; p < ink.length; p++) {
				ink[p] = (digit[p] & 0xFF) / 255f;
			}
			int label = labels[i];
			for (int k = 0; k < KINDS.size(); k++) {
				String kind = KINDS.get(k);
				Random random = new Random(seed * 0x9E3779B97F4A7C15L + i * 0x100000001B3L + k);
				Encoded encoded = render(kind, ink, random);
				String name = String.format(Locale.ROOT, "digit-%05d-%s.%s", i, kind, encoded.extension());
				String contentType = "image/" + encoded.extension().replace("jpg", "jpeg");
				uploads.add(new Upload(name, kind, contentType, encoded.bytes(), label));
			}
		}
		return uploads;
	}

	record Encoded(byte[] bytes, String extension) {
	}

	static Encoded render(String kind, float[] digit, Random random) {
		return switch (kind) {
			case JPEG_PAPER -> jpegPaper(digit, random);
			case LARGE_CANVAS -> largeCanvas(digit);
			case OFF_CENTRE -> offCentre(digit, random);
			case ROTATED -> rotated(digit, random);
			case CANVAS_ALPHA -> canvasAlpha(digit, random);
			case BLUE_INK -> blueInk(digit, random);
			case GREY_16 -> grey16(digit, random);
			case PALETTE_GIF -> paletteGif(digit, random);
			case BMP -> bmp(digit, random);
			default -> throw new IllegalArgumentException(kind);
		};
	}

	private static Encoded jpegPaper(float[] digit, Random random) {
		int size = 224;
		float[] ink = draw(digit, size, size, 8, jitter(random, 12), jitter(random, 12), 0);
		double paper = 200 + 30 * random.nextDouble();
		double light = 10 * random.nextDouble();
		int[] inkRgb = { 25 + random.nextInt(20), 25 + random.nextInt(20), 35 + random.nextInt(25) };
		double[] tint = { 1.0, 0.98, 0.93 };
		BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
		WritableRaster raster = image.getRaster();
		int[] rgb = new int[3];
		for (int y = 0; y < size; y++) {
			for (int x = 0; x < size; x++) {
				double lit = paper + light * (x + y) / (2.0 * size) - light / 2;
				double noise = 4 * random.nextGaussian();
				float a = ink[y * size + x];
				for (int c = 0; c < 3; c++) {
					rgb[c] = clamp(lit * tint[c] * (1 - a) + inkRgb[c] * a + noise);
				}
				raster.setPixel(x, y, rgb);
			}
		}
		return new Encoded(ImageEncoding.jpeg(image, 0.7f), "jpg");
	}

	private static Encoded largeCanvas(float[] digit) {
		float[] ink = draw(digit, 280, 280, 10, 0, 0, 0);
		int[] levels = new int[ink.length];
		for (int i = 0; i < ink.length; i++) {
			levels[i] = clamp(255 * ink[i]);
		}
		return new Encoded(ImageEncoding.encode(ImageEncoding.grey8(280, 280, levels), "png"), "png");
	}

	private static Encoded offCentre(float[] digit, Random random) {
		int width = 400;
		int height = 300;
		double scale = 3 + 2 * random.nextDouble();
		int box = (int) Math.ceil(DIGIT * scale);
		// a corner region: left or right third, top or bottom third
		int slackX = width / 3 - box / 3;
		int slackY = height / 3 - box / 3;
		int left = random.nextBoolean() ? random.nextInt(slackX) : width - box - random.nextInt(slackX);
		int top = random.nextBoolean() ? random.nextInt(slackY) : height - box - random.nextInt(slackY);
		double dx = left + box / 2.0 - width / 2.0;
		double dy = top + box / 2.0 - height / 2.0;
		float[] ink = draw(digit, width, height, scale, dx, dy, 0);
		return new Encoded(ImageEncoding.encode(rgbImage(width, height, ink, 0xFFFFFF, 0x101010), "png"), "png");
	}

	private static Encoded rotated(float[] digit, Random random) {
		double degrees = -12 + 24 * random.nextDouble();
		float[] ink = draw(digit, 280, 280, 10, jitter(random, 10), jitter(random, 10), Math.toRadians(degrees));
		int[] levels = new int[ink.length];
		for (int i = 0; i < ink.length; i++) {
			levels[i] = clamp(250 - 235 * ink[i]);
		}
		return new Encoded(ImageEncoding.encode(ImageEncoding.grey8(280, 280, levels), "png"), "png");
	}

	private static Encoded canvasAlpha(float[] digit, Random random) {
		float[] ink = draw(digit, 280, 280, 10, jitter(random, 25), jitter(random, 25), 0);
		BufferedImage image = new BufferedImage(280, 280, BufferedImage.TYPE_INT_ARGB);
		for (int i = 0; i < ink.length; i++) {
			int alpha = clamp(255 * ink[i]);
			image.setRGB(i % 280, i / 280, alpha << 24);
		}
		return new Encoded(ImageEncoding.encode(image, "png"), "png");
	}

	private static Encoded blueInk(float[] digit, Random random) {
		int blue = 0x102090 + random.nextInt(0x50) + (random.nextInt(0x30) << 8);
		float[] ink = draw(digit, 200, 200, 7, jitter(random, 15), jitter(random, 15), 0);
		return new Encoded(ImageEncoding.encode(rgbImage(200, 200, ink, 0xFFFFFF, blue), "png"), "png");
	}

	private static Encoded grey16(float[] digit, Random random) {
		float[] ink = draw(digit, 140, 140, 5, jitter(random, 8), jitter(random, 8), 0);
		double paper = 56000 + 8000 * random.nextDouble();
		int[] samples = new int[ink.length];
		for (int i = 0; i < ink.length; i++) {
			samples[i] = (int) Math.max(0, Math.min(65535, Math.round(paper * (1 - ink[i]) + 2000 * ink[i])));
		}
		return new Encoded(ImageEncoding.encode(ImageEncoding.grey16(140, 140, samples), "png"), "png");
	}

	private static Encoded paletteGif(float[] digit, Random random) {
		float[] ink = draw(digit, 112, 112, 4, jitter(random, 6), jitter(random, 6), 0);
		int levels = 16;
		byte[] grey = new byte[levels];
		for (int k = 0; k < levels; k++) {
			grey[k] = (byte) (255 - Math.round(k * 255f / (levels - 1)));
		}
		BufferedImage image = new BufferedImage(112, 112, BufferedImage.TYPE_BYTE_INDEXED,
				new IndexColorModel(4, levels, grey, grey, grey));
		WritableRaster raster = image.getRaster();
		for (int i = 0; i < ink.length; i++) {
			raster.setSample(i % 112, i / 112, 0, Math.round(ink[i] * (levels - 1)));
		}
		return new Encoded(ImageEncoding.encode(image, "gif"), "gif");
	}

	private static Encoded bmp(float[] digit, Random random) {
		float[] ink = draw(digit, 168, 168, 6, jitter(random, 10), jitter(random, 10), 0);
		return new Encoded(ImageEncoding.encode(rgbImage(168, 168, ink, 0xFFFFFF, 0x000000), "bmp"), "bmp");
	}

	/**
	 * The digit drawn on a {@code width x height} canvas: scaled by {@code scale} about
	 * its centre, rotated by {@code angle} radians, its centre moved by {@code (dx, dy)}
	 * from the canvas centre. Bicubic interpolation; ink 0..1.
	 */
	static float[] draw(float[] digit, int width, int height, double scale, double dx, double dy, double angle) {
		float[] ink = new float[width * height];
		double cos = Math.cos(angle);
		double sin = Math.sin(angle);
		double cx = width / 2.0 + dx;
		double cy = height / 2.0 + dy;
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				// inverse map: canvas pixel centre -> digit coordinates (pixel centres at
				// i + 0.5)
				double u = x + 0.5 - cx;
				double v = y + 0.5 - cy;
				double su = (cos * u + sin * v) / scale + DIGIT / 2.0 - 0.5;
				double sv = (-sin * u + cos * v) / scale + DIGIT / 2.0 - 0.5;
				ink[y * width + x] = (float) Math.max(0, Math.min(1, bicubic(digit, su, sv)));
			}
		}
		return ink;
	}

	/** Catmull-Rom bicubic sample of the 28x28 digit at {@code (x, y)}; zero outside. */
	private static double bicubic(float[] digit, double x, double y) {
		int x0 = (int) Math.floor(x);
		int y0 = (int) Math.floor(y);
		if (x0 < -2 || y0 < -2 || x0 > DIGIT || y0 > DIGIT) {
			return 0;
		}
		double fx = x - x0;
		double fy = y - y0;
		double sum = 0;
		for (int j = -1; j <= 2; j++) {
			double wy = cubic(j - fy);
			if (wy == 0) {
				continue;
			}
			for (int i = -1; i <= 2; i++) {
				sum += wy * cubic(i - fx) * at(digit, x0 + i, y0 + j);
			}
		}
		return sum;
	}

	/** Keys' cubic convolution kernel with a = -0.5 (Catmull-Rom). */
	private static double cubic(double t) {
		double d = Math.abs(t);
		if (d < 1) {
			return (1.5 * d - 2.5) * d * d + 1;
		}
		if (d < 2) {
			return ((-0.5 * d + 2.5) * d - 4) * d + 2;
		}
		return 0;
	}

	private static float at(float[] digit, int x, int y) {
		return (x < 0 || y < 0 || x >= DIGIT || y >= DIGIT) ? 0f : digit[y * DIGIT + x];
	}

	private static BufferedImage rgbImage(int width, int height, float[] ink, int paperRgb, int inkRgb) {
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
		WritableRaster raster = image.getRaster();
		int[] rgb = new int[3];
		for (int i = 0; i < ink.length; i++) {
			for (int c = 0; c < 3; c++) {
				int shift = 16 - 8 * c;
				int paper = paperRgb >> shift & 0xFF;
				int colour = inkRgb >> shift & 0xFF;
				rgb[c] = clamp(paper + (colour - paper) * ink[i]);
			}
			raster.setPixel(i % width, i / width, rgb);
		}
		return image;
	}

	private static double jitter(Random random, int pixels) {
		return (random.nextDouble() * 2 - 1) * pixels;
	}

	private static int clamp(double value) {
		return (int) Math.max(0, Math.min(255, Math.round(value)));
	}

}
