package dev.digits.preprocessing;

import dev.digits.model.DigitNetwork;
import dev.digits.model.Normalization;

/**
 * Polarity, blank detection and MNIST-style framing of a grey image.
 * <p>
 * MNIST digits were made by fitting each digit's bounding box into 20x20 pixels, keeping
 * the aspect ratio, with anti-aliasing, then placing it in a 28x28 field so that its
 * centre of mass sits at the centre. Measured on the MNIST test set: long side of the ink
 * box 20 (19 for a few), centre of mass at (14.0, 14.0) in pixel-index coordinates.
 * {@link #reframe} does the same to an upload.
 */
final class Framing {

	static final int SIZE = DigitNetwork.WIDTH;

	/** Long side of the digit's box in the 28x28 field, as in MNIST. */
	static final int FIT = 20;

	/**
	 * Where the centre of mass goes, in pixel-index coordinates, as measured on MNIST.
	 */
	static final double CENTRE = 14.0;

	/**
	 * Least difference in grey levels between paper and the strongest ink (one eighth of
	 * the range): below it an image is uniform; JPEG noise on blank paper stays well
	 * under it.
	 */
	static final int MIN_CONTRAST = 32;

	/**
	 * The contrast must also stand this many noise deviations (estimated on the border)
	 * above the paper, so that a noisy photo of blank paper is not taken for a digit.
	 */
	static final double MIN_CONTRAST_IN_NOISE_DEVIATIONS = 8;

	/**
	 * Ink weaker than this fraction of the strongest ink is paper noise and is set to 0.
	 */
	static final double NOISE_FRACTION = 0.12;

	/** ... and so is ink within this many noise deviations of the paper. */
	static final double NOISE_DEVIATIONS = 4;

	/**
	 * Fraction of the ink mass that may fall outside each side of the box the digit is
	 * cropped to, so that a stray speck far from the digit does not stretch the box.
	 */
	static final double TRIM = 0.005;

	private Framing() {
	}

	/**
	 * What the grey levels say about the image.
	 *
	 * @param inverted whether the paper is lighter than the ink (the levels need
	 * {@code 255 - v})
	 * @param paper the paper level after polarity (ink is higher)
	 * @param contrast the strongest ink level minus {@code paper}, after polarity
	 * @param noise standard deviation of the paper, estimated from the border
	 */
	record Analysis(boolean inverted, int paper, int contrast, double noise) {
	}

	/**
	 * Decides polarity and refuses blank images.
	 * <p>
	 * The paper level is the median of the outermost frame of pixels; the ink is
	 * whichever extreme (the darkest or the lightest level) lies farther from it. Light
	 * paper (dark ink) means inverting. This agrees with "a light border means dark ink"
	 * on every ordinary image and also copes with grey paper in a dim photo.
	 * @throws PreprocessingException {@link Reason#BLANK} for a uniform image, or one
	 * with fewer than {@code minInkPixels} pixels of ink at least half as strong as the
	 * strongest ink
	 */
	static Analysis analyse(GreyImage image, int minInkPixels) {
		return analyse(image, minInkPixels, false);
	}

	/**
	 * As {@link #analyse(GreyImage, int)}; with {@code clean} (most of the image is one
	 * level, see {@link InkLocator#smallAndClean}) the paper is that level, the most
	 * frequent one, and has no noise, so a digit that fills the image up to its edges (an
	 * enlarged 8x8 scan) is not read from its border.
	 */
	static Analysis analyse(GreyImage image, int minInkPixels, boolean clean) {
		int[] all = new int[256];
		for (int i = 0; i < image.size(); i++) {
			all[image.level(i)]++;
		}
		int[] border = borderHistogram(image);
		int paper = clean ? mode(all) : median(border);
		double noise = clean ? 0 : 1.4826 * medianAbsoluteDeviation(border, paper);
		int darkest = 0;
		while (all[darkest] == 0) {
			darkest++;
		}
		int lightest = 255;
		while (all[lightest] == 0) {
			lightest--;
		}
		boolean inverted = paper - darkest > lightest - paper;
		int contrast = inverted ? paper - darkest : lightest - paper;
		if (contrast < MIN_CONTRAST) {
			throw new PreprocessingException(Reason.BLANK, "The image is blank: it is almost uniform (contrast "
					+ contrast + " of 255 grey levels), so there is no digit to recognise.");
		}
		if (contrast < MIN_CONTRAST_IN_NOISE_DEVIATIONS * noise) {
			throw new PreprocessingException(Reason.BLANK,
					"No ink strokes stand out from the paper: its noise (about " + Math.round(noise)
							+ " grey levels) is too strong for the darkest marks, so there is no digit to "
							+ "recognise.");
		}
		int half = (contrast + 1) / 2;
		int ink = 0;
		if (inverted) {
			for (int level = 0; level <= paper - half; level++) {
				ink += all[level];
			}
		}
		else {
			for (int level = paper + half; level <= 255; level++) {
				ink += all[level];
			}
		}
		if (ink < minInkPixels) {
			throw new PreprocessingException(Reason.BLANK, "The image is nearly blank: only " + ink
					+ " pixels look like ink (at least " + minInkPixels + " are needed to make a digit).");
		}
		return new Analysis(inverted, inverted ? 255 - paper : paper, contrast, noise);
	}

	/** Inverts the levels in place when the analysis says so, making ink high. */
	static void applyPolarity(GreyImage image, Analysis analysis) {
		if (analysis.inverted()) {
			byte[] levels = image.levels();
			for (int i = 0; i < levels.length; i++) {
				levels[i] = (byte) (255 - (levels[i] & 0xFF));
			}
		}
	}

	/**
	 * A 28x28 image, ink high, taken as already framed: every level normalised, nothing
	 * else.
	 */
	static float[] passThrough(GreyImage image) {
		float[] pixels = new float[DigitNetwork.PIXELS];
		for (int i = 0; i < pixels.length; i++) {
			pixels[i] = Normalization.normalize(image.level(i));
		}
		return pixels;
	}

	/**
	 * Frames an image (ink high) the way MNIST was made: removes the paper level and
	 * stretches the strongest ink to 255, sets faint noise to 0, crops to the ink's box,
	 * fits the box into 20x20 keeping its aspect ratio (area-averaging down, bilinear
	 * up), stretches again, and places it in 28x28 with its centre of mass at
	 * {@link #CENTRE}.
	 */
	static float[] reframe(GreyImage image, Analysis analysis) {
		return reframe(stretchedInk(image, analysis), image.width(), image.height());
	}

	/**
	 * Frames an ink map (row-major {@code width x height}, ink high, any positive scale,
	 * paper 0) the way MNIST was made: crops to the ink's box (less {@link #TRIM} of the
	 * mass per side), fits the box into 20x20 keeping its aspect ratio, stretches the
	 * strongest ink to 255 and places it in 28x28 with its centre of mass at
	 * {@link #CENTRE}.
	 */
	static float[] reframe(float[] ink, int width, int height) {
		int[] box = inkBox(ink, width, height);
		int boxWidth = box[2] - box[0];
		int boxHeight = box[3] - box[1];
		double scale = (double) FIT / Math.max(boxWidth, boxHeight);
		int fitWidth = Math.max(1, Math.min(FIT, (int) Math.round(boxWidth * scale)));
		int fitHeight = Math.max(1, Math.min(FIT, (int) Math.round(boxHeight * scale)));
		float[] cropped = new float[boxWidth * boxHeight];
		for (int y = 0; y < boxHeight; y++) {
			System.arraycopy(ink, (box[1] + y) * width + box[0], cropped, y * boxWidth, boxWidth);
		}
		float[] fitted = Resampler.resize(cropped, boxWidth, boxHeight, fitWidth, fitHeight);
		int[] levels = toLevels(fitted);
		return place(levels, fitWidth, fitHeight);
	}

	/**
	 * {@code (v - paper) * 255 / contrast}, clamped to 0..255, with noise below the floor
	 * set to 0.
	 */
	private static float[] stretchedInk(GreyImage image, Analysis analysis) {
		double floor = Math.max(NOISE_FRACTION * analysis.contrast(), NOISE_DEVIATIONS * analysis.noise());
		float gain = 255f / analysis.contrast();
		float[] ink = new float[image.size()];
		for (int i = 0; i < ink.length; i++) {
			int above = image.level(i) - analysis.paper();
			ink[i] = (above < floor) ? 0f : Math.min(255f, above * gain);
		}
		return ink;
	}

	/**
	 * The box {@code [x0, y0, x1, y1)} holding the ink, less at most {@link #TRIM} of the
	 * ink mass on each side.
	 */
	private static int[] inkBox(float[] ink, int width, int height) {
		double[] columns = new double[width];
		double[] rows = new double[height];
		// the same sums, added in the same order: the columns' a row at a time, the rows'
		// in locals, four rows side by side (one row's sum is a chain of dependent
		// additions, which four independent ones overlap)
		for (int y = 0; y < height; y++) {
			int row = y * width;
			for (int x = 0; x < width; x++) {
				columns[x] += ink[row + x];
			}
		}
		int y = 0;
		for (; y + 4 <= height; y += 4) {
			int r0 = y * width;
			int r1 = r0 + width;
			int r2 = r1 + width;
			int r3 = r2 + width;
			double s0 = 0;
			double s1 = 0;
			double s2 = 0;
			double s3 = 0;
			for (int x = 0; x < width; x++) {
				s0 += ink[r0 + x];
				s1 += ink[r1 + x];
				s2 += ink[r2 + x];
				s3 += ink[r3 + x];
			}
			rows[y] = s0;
			rows[y + 1] = s1;
			rows[y + 2] = s2;
			rows[y + 3] = s3;
		}
		for (; y < height; y++) {
			double sum = 0;
			for (int x = 0; x < width; x++) {
				sum += ink[y * width + x];
			}
			rows[y] = sum;
		}
		int[] horizontal = trimmedRange(columns);
		int[] vertical = trimmedRange(rows);
		return new int[] { horizontal[0], vertical[0], horizontal[1], vertical[1] };
	}

	private static int[] trimmedRange(double[] mass) {
		double total = 0;
		for (double m : mass) {
			total += m;
		}
		double allowance = TRIM * total;
		int start = 0;
		double dropped = mass[0];
		while (start < mass.length - 1 && (mass[start] == 0 || dropped <= allowance)) {
			start++;
			dropped += mass[start];
		}
		int end = mass.length - 1;
		dropped = mass[end];
		while (end > start && (mass[end] == 0 || dropped <= allowance)) {
			end--;
			dropped += mass[end];
		}
		return new int[] { start, end + 1 };
	}

	/**
	 * Rounds to levels 0..255, the strongest stretched to 255 (area-averaging thins
	 * strong strokes).
	 */
	private static int[] toLevels(float[] values) {
		float max = 0;
		for (float v : values) {
			max = Math.max(max, v);
		}
		int[] levels = new int[values.length];
		if (max <= 0) {
			return levels;
		}
		float gain = 255f / max;
		for (int i = 0; i < values.length; i++) {
			levels[i] = Math.min(255, Math.round(values[i] * gain));
		}
		return levels;
	}

	/**
	 * Places the fitted digit in 28x28 with its centre of mass at {@link #CENTRE}, kept
	 * inside.
	 */
	private static float[] place(int[] levels, int fitWidth, int fitHeight) {
		double mass = 0;
		double sumX = 0;
		double sumY = 0;
		for (int y = 0; y < fitHeight; y++) {
			for (int x = 0; x < fitWidth; x++) {
				int v = levels[y * fitWidth + x];
				mass += v;
				sumX += (double) v * x;
				sumY += (double) v * y;
			}
		}
		double centreX = (mass > 0) ? sumX / mass : (fitWidth - 1) / 2.0;
		double centreY = (mass > 0) ? sumY / mass : (fitHeight - 1) / 2.0;
		int left = clamp((int) Math.round(CENTRE - centreX), 0, SIZE - fitWidth);
		int top = clamp((int) Math.round(CENTRE - centreY), 0, SIZE - fitHeight);
		float[] pixels = new float[DigitNetwork.PIXELS];
		for (int y = 0; y < fitHeight; y++) {
			for (int x = 0; x < fitWidth; x++) {
				pixels[(top + y) * SIZE + left + x] = Normalization.normalize(levels[y * fitWidth + x]);
			}
		}
		return pixels;
	}

	private static int clamp(int value, int min, int max) {
		return Math.max(min, Math.min(max, value));
	}

	/**
	 * Histogram of the outermost frame of pixels (all of them for an image one pixel
	 * thin).
	 */
	private static int[] borderHistogram(GreyImage image) {
		int width = image.width();
		int height = image.height();
		int[] histogram = new int[256];
		for (int x = 0; x < width; x++) {
			histogram[image.level(x)]++;
			if (height > 1) {
				histogram[image.level((height - 1) * width + x)]++;
			}
		}
		for (int y = 1; y < height - 1; y++) {
			histogram[image.level(y * width)]++;
			if (width > 1) {
				histogram[image.level(y * width + width - 1)]++;
			}
		}
		return histogram;
	}

	/** The most frequent level (the lowest of equals). */
	static int mode(int[] histogram) {
		int mode = 0;
		for (int level = 1; level < histogram.length; level++) {
			if (histogram[level] > histogram[mode]) {
				mode = level;
			}
		}
		return mode;
	}

	private static int median(int[] histogram) {
		long count = 0;
		for (int c : histogram) {
			count += c;
		}
		long seen = 0;
		for (int level = 0; level < histogram.length; level++) {
			seen += histogram[level];
			if (2 * seen >= count) {
				return level;
			}
		}
		return histogram.length - 1;
	}

	private static int medianAbsoluteDeviation(int[] histogram, int median) {
		int[] deviations = new int[256];
		for (int level = 0; level < histogram.length; level++) {
			deviations[Math.abs(level - median)] += histogram[level];
		}
		return median(deviations);
	}

}
