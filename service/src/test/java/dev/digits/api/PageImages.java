package dev.digits.api;

import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Random;

import dev.digits.training.PhotoSynth;

/**
 * The same MNIST digit as the kinds of picture people give the page, for the
 * preprocessing parity test: each goes through the server's reframing path (crop, fit
 * 20x20, centre by mass), through polarity inversion, noise removal and transparency
 * compositing; the photos of paper through the search for the digit ({@code InkLocator}:
 * uneven light, ruled lines, the choice among groups of ink, two digits side by side).
 */
final class PageImages {

	private PageImages() {
	}

	/** The kinds of picture, and how each is made from a 28x28 digit (ink high). */
	enum Kind {

		/** The MNIST digit itself, 28x28: passes through unchanged on both sides. */
		MNIST("png"),
		/** Ten times larger, black ink on white: a drawing exported from a canvas. */
		LARGE_INVERTED("png"),
		/** Dark blue ink on noisy, light grey paper, off-centre in a 360x270 picture. */
		PAPER("png"),
		/**
		 * Black ink whose coverage is the alpha channel on transparent black: a canvas
		 * export.
		 */
		TRANSPARENT("png"),
		/** {@link #PAPER} as a JPEG (quality 0.9): two JPEG decoders meet. */
		PAPER_JPEG("jpeg"),
		/**
		 * A phone photo of the digit handwritten on ruled paper ({@link PhotoSynth}:
		 * lines, light, perspective, blur, noise), 300-700 pixels on its shorter side,
		 * stored losslessly: the photo as the server decodes it.
		 */
		RULED_PHOTO("png"),
		/** {@link #RULED_PHOTO} as the camera gives it: a JPEG (quality 0.45-0.95). */
		RULED_PHOTO_JPEG("jpeg"),
		/**
		 * Two digits side by side on ruled paper (a photo of "42"): the server says
		 * severalDigits.
		 */
		TWO_DIGITS_PHOTO("png"),
		/**
		 * The digit on squared paper, under a hard shadow, or on a sheet smaller than the
		 * frame, in turn, stored losslessly: pages held askew (their lines turned
		 * straight first) and half in shade (polarity and paper light).
		 */
		PAGE_PHOTO("png"),
		/**
		 * A small digit (8-16% of a 600-740 pixel shorter side: under a megapixel, so
		 * decoded whole on both sides) on a sheet smaller than the frame, stored
		 * losslessly: solid pieces of table at the frame left out.
		 */
		SMALL_SHEET_PHOTO("png");

		final String format;

		Kind(String format) {
			this.format = format;
		}

	}

	/**
	 * {@code digit} as a picture of {@code kind}; {@code other} is the second digit of a
	 * pair.
	 */
	static byte[] make(Kind kind, byte[] digit, byte[] other, long seed) {
		return switch (kind) {
			case MNIST -> HttpFixtures.greyPng(digit, 28, 28);
			case LARGE_INVERTED -> HttpFixtures.encode(largeInverted(digit), "png");
			case PAPER -> HttpFixtures.encode(onPaper(digit, seed), "png");
			case TRANSPARENT -> HttpFixtures.encode(transparent(digit), "png");
			case PAPER_JPEG -> jpeg(onPaper(digit, seed));
			case RULED_PHOTO -> HttpFixtures.encode(decode(ruledPhoto(digit, null, seed)), "png");
			case PAGE_PHOTO ->
				HttpFixtures.encode(decode(photo(digit, null, PAGES[(int) (seed % PAGES.length)], seed)), "png");
			case RULED_PHOTO_JPEG -> {
				byte[] photo = ruledPhoto(digit, null, seed);
				// the synthesiser stores a few photos as PNG: those become JPEGs here, at
				// its middle quality
				yield photo[0] == (byte) 0xFF ? photo : jpeg(decode(photo), 0.7f);
			}
			case TWO_DIGITS_PHOTO -> HttpFixtures.encode(decode(ruledPhoto(digit, other, seed)), "png");
			case SMALL_SHEET_PHOTO -> HttpFixtures.encode(
					decode(photo(digit, null, PhotoSynth.Condition.SHEET, seed, 600, 740, new double[] { 0.08, 0.16 })),
					"png");
		};
	}

	/**
	 * {@code digit} (and {@code other} beside it, when given) handwritten with a random
	 * pen on ruled paper and photographed, as {@link PhotoSynth} makes training photos;
	 * JPEG or PNG bytes.
	 */
	private static byte[] ruledPhoto(byte[] digit, byte[] other, long seed) {
		return photo(digit, other, PhotoSynth.Condition.RULED, seed);
	}

	private static final PhotoSynth.Condition[] PAGES = { PhotoSynth.Condition.SQUARED, PhotoSynth.Condition.SHADOW,
			PhotoSynth.Condition.SHEET };

	private static byte[] photo(byte[] digit, byte[] other, PhotoSynth.Condition condition, long seed) {
		return photo(digit, other, condition, seed, 300, 700, new double[] { 0.3, 0.75 });
	}

	private static byte[] photo(byte[] digit, byte[] other, PhotoSynth.Condition condition, long seed, int minSide,
			int maxSide, double[] inkShare) {
		Random random = new Random(seed);
		PhotoSynth.Pen pen = PhotoSynth.Pen.values()[random.nextInt(4)]; // not PRINT
		PhotoSynth.Ink ink = PhotoSynth.handwritten(unit(digit), 28 * (3 + 3 * random.nextDouble()), pen, random);
		if (other != null) {
			PhotoSynth.Ink second = PhotoSynth.handwritten(unit(other), ink.width(), pen, random);
			ink = PhotoSynth.sideBySide(ink, second, ink.width() / 5, random);
		}
		return PhotoSynth.photo(ink, condition, pen, minSide, maxSide, inkShare, random).bytes();
	}

	private static float[] unit(byte[] digit) {
		float[] unit = new float[digit.length];
		for (int i = 0; i < unit.length; i++) {
			unit[i] = (digit[i] & 0xFF) / 255f;
		}
		return unit;
	}

	private static BufferedImage decode(byte[] bytes) {
		try {
			return javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(bytes));
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	/**
	 * The digit scaled bilinearly to {@code size} x {@code size}, ink high, as a grey
	 * image.
	 */
	static BufferedImage scaled(byte[] digit, int size) {
		BufferedImage small = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
		small.getRaster().setDataElements(0, 0, 28, 28, digit);
		BufferedImage large = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
		Graphics2D g = large.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
		g.drawImage(small, 0, 0, size, size, null);
		g.dispose();
		return large;
	}

	private static BufferedImage largeInverted(byte[] digit) {
		BufferedImage image = scaled(digit, 280);
		byte[] levels = (byte[]) image.getRaster().getDataElements(0, 0, 280, 280, null);
		for (int i = 0; i < levels.length; i++) {
			levels[i] = (byte) (255 - (levels[i] & 0xFF));
		}
		image.getRaster().setDataElements(0, 0, 280, 280, levels);
		return image;
	}

	private static BufferedImage onPaper(byte[] digit, long seed) {
		Random random = new Random(seed);
		int width = 360;
		int height = 270;
		int size = 150;
		int left = 40 + random.nextInt(120);
		int top = 20 + random.nextInt(80);
		BufferedImage ink = scaled(digit, size);
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		int[] paper = { 205, 203, 196 };
		int[] pen = { 30, 40, 120 };
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				double coverage = 0;
				if (x >= left && x < left + size && y >= top && y < top + size) {
					coverage = ink.getRaster().getSample(x - left, y - top, 0) / 255.0;
				}
				int noise = (int) Math.round(random.nextGaussian() * 3);
				int rgb = 0;
				for (int c = 0; c < 3; c++) {
					int v = (int) Math.round(paper[c] * (1 - coverage) + pen[c] * coverage) + noise;
					rgb = (rgb << 8) | Math.max(0, Math.min(255, v));
				}
				image.setRGB(x, y, rgb);
			}
		}
		return image;
	}

	private static BufferedImage transparent(byte[] digit) {
		BufferedImage coverage = scaled(digit, 280);
		BufferedImage image = new BufferedImage(280, 280, BufferedImage.TYPE_INT_ARGB);
		Graphics2D g = image.createGraphics();
		g.setComposite(AlphaComposite.Clear);
		g.fillRect(0, 0, 280, 280);
		g.dispose();
		for (int y = 0; y < 280; y++) {
			for (int x = 0; x < 280; x++) {
				int alpha = coverage.getRaster().getSample(x, y, 0);
				image.setRGB(x, y, alpha << 24);
			}
		}
		return image;
	}

	private static byte[] jpeg(BufferedImage image) {
		return jpeg(image, 0.9f);
	}

	private static byte[] jpeg(BufferedImage image, float quality) {
		var writer = javax.imageio.ImageIO.getImageWritersByFormatName("jpeg").next();
		var out = new java.io.ByteArrayOutputStream();
		try (var stream = javax.imageio.ImageIO.createImageOutputStream(out)) {
			writer.setOutput(stream);
			var param = writer.getDefaultWriteParam();
			param.setCompressionMode(javax.imageio.ImageWriteParam.MODE_EXPLICIT);
			param.setCompressionQuality(quality);
			writer.write(null, new javax.imageio.IIOImage(image, null, null), param);
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		finally {
			writer.dispose();
		}
		return out.toByteArray();
	}

}
