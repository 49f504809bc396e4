package dev.digits.preprocessing;

/**
 * Finds the digit in a picture of paper, phone photos included, and returns its ink
 * alone, ready for {@link Framing#reframe(float[], int, int)}.
 * <p>
 * Steps, each a pure function of the previous one's arrays:
 * <ol>
 * <li><b>Working resolution</b>: the grey image is area-averaged down so that its long
 * side is at most {@link #WORKING_SIDE} pixels (smaller images keep their size).</li>
 * <li><b>Polarity</b> ({@link #darkInk}): the sign of the skew of a band-pass picture,
 * weighted toward the middle: dark narrow strokes on light paper, or the reverse; a
 * shadow's edge tips it neither way. A clean picture on pure white or black (a canvas
 * export) is read off its most frequent level instead. Levels are turned so that paper is
 * light.</li>
 * <li><b>Sheet</b> ({@link PaperSheet}): a sheet smaller than the frame, the convex hull
 * of the largest light region; when the ink outside it is dense (a table's grain, a
 * narrow band of table along the frame, not paper in a shadow) it is taken out after
 * binarisation.</li>
 * <li><b>Illumination</b> ({@link PaperLight}): the paper's level under every pixel, a
 * grey-level closing by a square wider than a stroke (made at half the resolution),
 * divides the image: ink strength {@code (paper - v) / paper} is 1 for black ink on paper
 * and 0 for paper, in shadow or not, and a shadow's edge is no ink.</li>
 * <li><b>Binarisation</b>: Otsu's threshold over the pixels above the noise floor (the
 * median plus some deviations, estimated by the median absolute deviation), halved, and
 * never below the floor.</li>
 * <li><b>Skew</b> ({@link Skew}): a page whose lines are turned by more than the line
 * finder follows (up to 20 degrees) is turned straight, ink map and mask; a page seen at
 * an angle, whose lines across and down slant differently, is sheared straight by
 * both.</li>
 * <li><b>Lines</b> ({@link Lines}): long, thin, nearly horizontal or vertical structures
 * (ruled and squared paper, a printed box, the sheet's edge) are taken out; strokes that
 * cross them are kept.</li>
 * <li><b>Components</b> ({@link InkGroups}): connected ink, specks dropped, fragments of
 * one digit joined, the digit chosen by mass and nearness to the centre, away from the
 * frame where possible.</li>
 * </ol>
 * <b>Memory</b>: every array is bounded by the working resolution, at most 512 x 512
 * pixels (a 12 MP photo, decoded at about 1 MP, works at 512 x 384 = 196,608 pixels). The
 * arrays (float maps for grey, ink and output; int maps for labels, line owners and flood
 * stacks; several byte masks) add up to roughly 40-50 bytes a working pixel, so on the
 * order of 10 MB at the limit. This is an estimate from the array sizes, not checked by a
 * test.
 */
final class InkLocator {

	/** Long side of the working image, in pixels. */
	static final int WORKING_SIDE = 512;

	/**
	 * Ink strength a pixel must exceed the paper noise by, whatever the noise (1/25 of
	 * black).
	 */
	static final float MIN_FLOOR = 0.04f;

	/** Noise floor in deviations of the paper's noise above its median. */
	static final float FLOOR_DEVIATIONS = 4f;

	/**
	 * An image is clean when at least {@link #CLEAN_SHARE} of it lies within this many
	 * levels of its mode.
	 */
	static final int CLEAN_SPREAD = 3;

	static final double CLEAN_SHARE = 0.4;

	/**
	 * Clean images whose long side is shorter than this many pixels have no lines
	 * removed.
	 */
	static final int SMALL_CLEAN_SIDE = 200;

	/**
	 * Clean images at most this many pixels on their long side (a canvas export, an
	 * enlarged 8x8 scan) hold nothing but the digit: {@link ImagePreprocessor} frames all
	 * of their ink, as MNIST was made, without looking for lines or choosing among pieces
	 * (a blocky 8x8 digit falls apart into pieces).
	 */
	static final int SMALL_IMAGE_SIDE = 320;

	/** Whether {@code image} is small and clean (see {@link #SMALL_IMAGE_SIDE}). */
	static boolean smallAndClean(GreyImage image) {
		if (Math.max(image.width(), image.height()) > SMALL_IMAGE_SIDE) {
			return false;
		}
		int[] histogram = levelHistogram(image);
		// pure paper: white or black, as drawn by a program or a scanner's white point,
		// over at least a
		// tenth of the image (a photo's paper is never one exact level)
		int mode = Framing.mode(histogram);
		return purePaper(histogram, mode, image.size()) && !shaded(image, histogram, mode);
	}

	/**
	 * Whether the most frequent level {@code mode} of a {@code size}-pixel image's level
	 * {@code histogram} is pure white or black, over {@link #SMALL_CLEAN_SHARE} of it.
	 */
	static boolean purePaper(int[] histogram, int mode, int size) {
		int nearMode = 0;
		for (int level = Math.max(0, mode - CLEAN_SPREAD); level <= Math.min(255, mode + CLEAN_SPREAD); level++) {
			nearMode += histogram[level];
		}
		return (mode <= PURE || mode >= 255 - PURE) && nearMode >= SMALL_CLEAN_SHARE * size;
	}

	/**
	 * Whether {@link #shadedShare} reaches {@link #MAX_SHADED_SHARE}. Shaded pixels are
	 * some of those off the paper and short of a stroke's body, which the image's level
	 * {@code histogram} counts, so when those are fewer the answer is no without the
	 * dilation (a canvas with sharp edges; the dilation is about a third of a smooth
	 * canvas's preprocessing time).
	 */
	static boolean shaded(GreyImage image, int[] histogram, int paper) {
		int between = 0;
		for (int level = 0; level < histogram.length; level++) {
			int off = Math.abs(level - paper);
			if (off > CLEAN_SPREAD && off < STROKE_LEVELS) {
				between += histogram[level];
			}
		}
		return (double) between / image.size() >= MAX_SHADED_SHARE && shadedShare(image, paper) >= MAX_SHADED_SHARE;
	}

	/**
	 * Share of a small clean image that may be shaded paper, not ink, at most: a
	 * twentieth. A phone photo whose light paper is clipped to pure white over part of
	 * the frame passes the pure-paper test, but the rest of its paper shades off from
	 * that white far from any stroke; framed as a canvas, that shade is taken for faint
	 * ink and the digit shrinks to a corner of its frame. Clean images hold no more than
	 * 3% of such pixels (canvases, scans, enlarged 8x8 digits: their faint levels are the
	 * strokes' edges), clipped photos about 10% or more (ShadedShares in the tools' test
	 * sources measures both).
	 */
	static final double MAX_SHADED_SHARE = 0.05;

	/** Levels this far from the paper are a stroke's body, not its edge or a shade. */
	static final int STROKE_LEVELS = 64;

	/**
	 * Pixels this far from a stroke's body are not its edge: an enlarged 8x8 digit's
	 * smooth edges reach 12 pixels.
	 */
	static final int EDGE_RADIUS = 12;

	/**
	 * The share of {@code image}'s pixels off the paper level {@code paper} (by more than
	 * {@link #CLEAN_SPREAD}) but short of a stroke's body ({@link #STROKE_LEVELS}), and
	 * farther than {@link #EDGE_RADIUS} from any stroke's body.
	 */
	static double shadedShare(GreyImage image, int paper) {
		int n = image.size();
		byte[] body = new byte[n];
		for (int i = 0; i < n; i++) {
			body[i] = (byte) ((Math.abs(image.level(i) - paper) >= STROKE_LEVELS) ? 1 : 0);
		}
		byte[] nearBody = InkGroups.dilate(body, image.width(), image.height(), EDGE_RADIUS);
		int shaded = 0;
		for (int i = 0; i < n; i++) {
			int off = Math.abs(image.level(i) - paper);
			if (off > CLEAN_SPREAD && off < STROKE_LEVELS && nearBody[i] == 0) {
				shaded++;
			}
		}
		return (double) shaded / n;
	}

	/** Levels within this of black or white count as pure paper. */
	static final int PURE = 8;

	/**
	 * Share of pure paper a small image needs to be clean: a tenth. A bold digit enlarged
	 * from an 8x8 scan (smooth or blocky) leaves as little as 12% of its square pure
	 * paper, and 7% of 300 such scans (at a quarter) went to the photo path, which takes
	 * their strokes for paper and found no ink; the paper level must still be the most
	 * frequent one, which a photo's noisy paper never is.
	 */
	static final double SMALL_CLEAN_SHARE = 0.1;

	/**
	 * At least {@link #CLEAN_SHARE} of the pixels within {@link #CLEAN_SPREAD} levels of
	 * the mode.
	 */
	private static boolean clean(int[] histogram, int pixels) {
		int mode = Framing.mode(histogram);
		int nearMode = 0;
		for (int level = Math.max(0, mode - CLEAN_SPREAD); level <= Math.min(255, mode + CLEAN_SPREAD); level++) {
			nearMode += histogram[level];
		}
		return nearMode >= CLEAN_SHARE * pixels;
	}

	/**
	 * Least contrast, in grey levels, between the paper and the farthest extreme: below
	 * it the image is uniform.
	 */
	static final int MIN_CONTRAST = 32;

	/**
	 * On a clean picture (a canvas, a screenshot) of dark ink on light paper, ink
	 * covering this share of it or more is not a digit: a digit drawn on a pad or written
	 * on a page leaves most of it paper (a bold 8 filling a 280 px pad covers about a
	 * fifth).
	 */
	static final double MAX_INK_SHARE = 0.4;

	/**
	 * On a clean picture that is mostly dark, light pixels along this share of its edges
	 * or more mean a light page under dark ink (a pad scribbled over), not light ink on
	 * dark paper (whose edges are dark).
	 */
	static final double PAGE_EDGE_SHARE = 0.15;

	/**
	 * A clean picture mostly this dark with too little light left to be a digit is a page
	 * of ink, not a blank one.
	 */
	static final double INKED_PAGE_SHARE = 0.9;

	/**
	 * A digit is longer than this many stroke widths (an MNIST 1 is about five, the
	 * boldest canvas digit of the realistic uploads 2.2); a dot (1) or a short dash is
	 * not.
	 */
	static final double MIN_STROKE_WIDTHS = 1.6;

	private InkLocator() {
	}

	/**
	 * The chosen digit's ink.
	 *
	 * @param ink {@code width x height} strengths 0..255, ink high, 0 outside the digit
	 * @param inverted whether the picture had dark ink on light paper
	 * @param severalDigits whether two or more digit-sized groups of ink stand side by
	 * side
	 */
	record Located(float[] ink, int width, int height, boolean inverted, boolean severalDigits) {
	}

	static int[] workingSize(int width, int height) {
		int longSide = Math.max(width, height);
		if (longSide <= WORKING_SIDE) {
			return new int[] { width, height };
		}
		double scale = (double) WORKING_SIDE / longSide;
		return new int[] { Math.max(1, (int) Math.round(width * scale)),
				Math.max(1, (int) Math.round(height * scale)) };
	}

	/**
	 * @param minInkPixels fewest ink pixels a digit needs at the image's own resolution
	 * (scaled down with the working resolution)
	 * @param deadline {@link System#nanoTime()} past which the work is abandoned
	 * @throws PreprocessingException {@link Reason#BLANK} when no digit's ink is found,
	 * {@link Reason#TIMEOUT} past the deadline
	 */
	static Located locate(GreyImage image, int minInkPixels, long deadline) {
		Steps steps = steps(image, minInkPixels, deadline);
		float[] out = new float[steps.ink().length];
		byte[] digit = steps.digit();
		for (int i = InkGroups.nextMarked(digit, 0, out.length); i < out.length; i = InkGroups.nextMarked(digit, i + 1,
				out.length)) {
			out[i] = 255f * Math.min(1f, steps.ink()[i]);
		}
		return new Located(out, steps.width(), steps.height(), steps.inverted(), steps.groups().severalDigits());
	}

	/**
	 * What each step of {@link #locate} made, at the working resolution: the ink
	 * strengths (turned straight when the page was askew, by {@code slant} degrees across
	 * and down), their mask, the lines found in it, the chosen group and the digit grown
	 * from it; {@code sheetInk}, when a sheet smaller than the frame was found, the
	 * shares of ink outside it and on it before the table was taken out
	 * ({@link PaperSheet#inkShares}). For a look at where a photo goes wrong.
	 */
	record Steps(int width, int height, boolean inverted, double[] slant, double[] sheetInk, float[] ink, byte[] mask,
			Lines lines, InkGroups groups, byte[] digit) {
	}

	static Steps steps(GreyImage image, int minInkPixels, long deadline) {
		int[] size = workingSize(image.width(), image.height());
		int width = size[0];
		int height = size[1];
		float[] grey = areaDownscale(image, width, height, false);
		int[] histogram = levelHistogram(grey);
		int median = quantile(histogram, 0.5);
		int darkest = quantile(histogram, 0);
		int lightest = quantile(histogram, 1);
		int contrast = Math.max(median - darkest, lightest - median);
		if (contrast < MIN_CONTRAST) {
			throw new PreprocessingException(Reason.BLANK,
					"The image is blank: it is almost uniform (its darkest and " + "lightest levels are within "
							+ contrast + " grey levels of the paper), so no ink strokes were found.");
		}
		// a clean picture on pure white or black (a canvas export, a screenshot, a scan
		// with its white point set): most of it is that one level, the paper, so polarity
		// is read off it as MNIST framing always did. Any other picture, an evenly lit
		// photo included, is judged by the skew of its band-pass (darkInk): a half-shaded
		// page's most frequent level is the shade, and its lit paper the farthest
		// extreme.
		boolean clean = clean(histogram, grey.length);
		double darkShare = darkShare(histogram, grey.length);
		float[] unturned = grey;
		double lightEdges = lightEdgeShare(i -> (int) unturned[i], width, height);
		int borderPaper = Framing.mode(histogram);
		boolean inverted;
		if (clean && (borderPaper <= PURE || borderPaper >= 255 - PURE)) {
			inverted = borderPaper - darkest > lightest - borderPaper;
		}
		else {
			Boolean dark = darkInk(grey, width, height);
			int low = quantile(histogram, 0.001);
			int high = quantile(histogram, 0.999);
			inverted = (dark != null) ? dark
					: (median - low) > (high - median) || ((median - low) == (high - median) && median > 127);
		}
		// the ink-shape rules judge pictures on pure white or black (a pad, a
		// screenshot);
		// a shade is not ink
		boolean pure = clean && (borderPaper <= PURE || borderPaper >= 255 - PURE);
		if (pure) {
			checkCoverage(darkShare, lightEdges, inverted);
		}
		if (!inverted) {
			// paper light: light ink on dark paper is turned
			for (int i = 0; i < grey.length; i++) {
				grey[i] = 255 - grey[i];
			}
		}
		check(deadline);
		boolean pageOfInk = pure && !inverted && inkedPage(darkShare);

		// the paper under every pixel, clean or not: a clean picture's paper may still be
		// in part shadowed (its most frequent level the lit or the shaded paper), and the
		// shade is no ink
		byte[] sheet = pure ? null : PaperSheet.region(grey, width, height);
		float[] ink = PaperLight.inkStrength(grey, width, height);
		grey = null;
		check(deadline);

		float[] noise = noise(ink);
		float floor = Math.max(noise[0] + FLOOR_DEVIATIONS * noise[1], noise[0] + MIN_FLOOR);
		float threshold = Math.max(floor, 0.5f * otsu(ink, floor));
		byte[] mask = new byte[ink.length];
		int inkPixels = binarise(ink, threshold, mask);
		double[] sheetInk = (sheet == null) ? null : PaperSheet.inkShares(sheet, mask);
		if (PaperSheet.isTable(sheetInk)) {
			// the table round the sheet is no ink
			for (int i = 0; i < ink.length; i++) {
				if (sheet[i] == 0) {
					inkPixels -= mask[i];
					mask[i] = 0;
					ink[i] = 0;
				}
			}
		}
		double scale = (double) width * height / ((double) image.width() * image.height());
		int minInk = Math.max(1, (int) Math.round(minInkPixels * scale));
		if (inkPixels < minInk) {
			throw pageOfInk ? tooMuchInk(darkShare) : nearlyBlank(inkPixels, minInk);
		}
		check(deadline);

		// a page askew: turned so that its lines run straight for the line finder
		double[] slant = (clean && Math.max(width, height) < SMALL_CLEAN_SIDE) ? new double[2]
				: Skew.estimate(mask, width, height, Math.max(2, Lines.thickness(width, height) / 2));
		if (slant[0] != 0 || slant[1] != 0) {
			ink = Skew.turn(ink, width, height, slant[0], slant[1]);
			mask = new byte[ink.length];
			for (int i = 0; i < ink.length; i++) {
				mask[i] = (byte) ((ink[i] > threshold) ? 1 : 0);
			}
			check(deadline);
		}

		// a small clean image (an 8x8 scan enlarged, a small canvas) is the digit alone:
		// its bold strokes
		// span the frame like lines would
		Lines lines = clean && Math.max(width, height) < SMALL_CLEAN_SIDE ? Lines.none(width, height)
				: Lines.find(mask, width, height);
		check(deadline);

		InkGroups groups = InkGroups.choose(mask, lines, ink, width, height, threshold);
		check(deadline);
		if (groups.chosenPixels() < minInk) {
			throw pageOfInk ? tooMuchInk(darkShare) : nearlyBlank(groups.chosenPixels(), minInk);
		}
		byte[] own = groups.dilatedChosen(0);
		// the lines' own pixels and their anti-aliased edges stay out, the digit's
		// restored strokes in
		byte[] nearLines = InkGroups.dilate(lines.removed, width, height, 1);
		// the digit's faint edges: ink above the noise floor connected to it, within its
		// box grown by a tenth of its size (a blurred or scaled-up digit has edges wider
		// than any fixed dilation), the only pixels the growth looks at
		byte[] allowed = new byte[ink.length];
		int[] box = groups.growthBox(0.1);
		if (box != null) {
			for (int y = box[1]; y <= box[3]; y++) {
				for (int i = y * width + box[0]; i <= y * width + box[2]; i++) {
					allowed[i] = (byte) ((ink[i] > floor && (nearLines[i] == 0 || own[i] != 0)) ? 1 : 0);
				}
			}
		}
		byte[] digit = (box == null) ? new byte[ink.length] : groups.grow(allowed, box);
		if (pure) {
			checkNotADot(digit, width, height);
		}
		return new Steps(width, height, inverted, slant, sheetInk, ink, mask, lines, groups, digit);
	}

	/**
	 * Polarity from the skew of a band-pass picture: whether the ink is dark on light
	 * paper. The band-pass is a lightly smoothed picture less a strongly smoothed one
	 * (box filters: radius 1 once, and the {@link PaperLight#closingRadius closing
	 * radius} twice, so wider than a marker's stroke, made at half the resolution by
	 * {@link #halve}). A dark stroke narrower than the strong smoothing is a deep, narrow
	 * dip in it beside a shallow, wide rise on the paper around; a light stroke the
	 * reverse. A step in the light (a shadow's edge, the table round a sheet) is a dip
	 * and a rise of the same size, and paper noise goes both ways alike, so neither tips
	 * the sum of cubes, which is weighted toward the middle of the picture (a Gaussian of
	 * a quarter of each side). Null when the sum is 0 (a uniform picture).
	 */
	static Boolean darkInk(float[] grey, int width, int height) {
		// the strong smoothing keeps nothing finer than its square, so it is made at half
		// the resolution (a quarter of the work; a picture under 2 pixels across or down
		// at its own) and read back at the cell under each pixel
		int shift = (width < 2 || height < 2) ? 0 : 1;
		int coarseWidth = width >> shift;
		int coarseHeight = height >> shift;
		int r = Math.max(1, PaperLight.closingRadius(width, height) >> shift);
		float[] small = (shift == 0) ? grey : halve(grey, width, height);
		float[] coarse = boxBlur(boxBlur(small, coarseWidth, coarseHeight, r), coarseWidth, coarseHeight, r);
		float[] across = centreWeights(width);
		float[] down = centreWeights(height);
		// the light smoothing (the 3x3 mean, clipped at the edges) a row at a time, as
		// plain sums of neighbours: only the sum's sign is kept, so it need not be the
		// same to the bit as boxBlur's
		float[] columns = new float[width];
		float[] fine = new float[width];
		double sum = 0;
		for (int y = 0; y < height; y++) {
			fineRow(grey, width, height, y, columns, fine);
			double row = 0;
			int coarseRow = Math.min(coarseHeight - 1, y >> shift) * coarseWidth;
			for (int x = 0; x < width; x++) {
				double d = fine[x] - coarse[coarseRow + Math.min(coarseWidth - 1, x >> shift)];
				row += across[x] * d * d * d;
			}
			sum += down[y] * row;
		}
		return (sum == 0) ? null : sum < 0;
	}

	/**
	 * Row {@code y} of the 3x3 mean of {@code values} (the square clipped at the edges)
	 * into {@code fine}: the three rows' column sums into {@code columns}, then three
	 * neighbouring sums, each loop free of branches.
	 */
	static void fineRow(float[] values, int width, int height, int y, float[] columns, float[] fine) {
		int row = y * width;
		int above = (y > 0) ? row - width : row;
		int below = (y + 1 < height) ? row + width : row;
		float rows = 1 + ((y > 0) ? 1 : 0) + ((y + 1 < height) ? 1 : 0);
		// a missing row is the row itself, counted with weight 0
		float up = (y > 0) ? 1 : 0;
		float on = (y + 1 < height) ? 1 : 0;
		for (int x = 0; x < width; x++) {
			columns[x] = values[row + x] + up * values[above + x] + on * values[below + x];
		}
		if (width == 1) {
			fine[0] = columns[0] / rows;
			return;
		}
		float edge = 1f / (2 * rows);
		float inner = 1f / (3 * rows);
		fine[0] = (columns[0] + columns[1]) * edge;
		for (int x = 1; x < width - 1; x++) {
			fine[x] = (columns[x - 1] + columns[x] + columns[x + 1]) * inner;
		}
		fine[width - 1] = (columns[width - 2] + columns[width - 1]) * edge;
	}

	/**
	 * The mean of every 2 x 2 square of {@code values}, {@code width / 2 x height / 2}
	 * (an odd last column or row is left out).
	 */
	static float[] halve(float[] values, int width, int height) {
		int halfWidth = width / 2;
		int halfHeight = height / 2;
		float[] out = new float[halfWidth * halfHeight];
		for (int y = 0; y < halfHeight; y++) {
			int top = 2 * y * width;
			int bottom = top + width;
			int at = y * halfWidth;
			for (int x = 0; x < halfWidth; x++) {
				int i = 2 * x;
				out[at + x] = 0.25f
						* (values[top + i] + values[top + i + 1] + values[bottom + i] + values[bottom + i + 1]);
			}
		}
		return out;
	}

	/** A Gaussian of a quarter of {@code n}, centred. */
	private static float[] centreWeights(int n) {
		float[] w = new float[n];
		for (int i = 0; i < n; i++) {
			double d = (i + 0.5) / n - 0.5;
			w[i] = (float) Math.exp(-d * d / (2 * 0.25 * 0.25));
		}
		return w;
	}

	/**
	 * The mean of the {@code (2 radius + 1)^2} square around every pixel, the square
	 * clipped at the edges (running sums along rows, then down columns).
	 * <p>
	 * Every pixel's sum is made of the same additions in the same order as one running
	 * sum per row would make it, so the means are the same to the last bit; for speed
	 * eight rows are summed side by side (a running sum is a chain of dependent
	 * additions; eight independent chains overlap), and the divisions by the clipped
	 * square's size are done in a loop of their own, a row at a time.
	 */
	static float[] boxBlur(float[] values, int width, int height, int radius) {
		float[] across = new float[values.length];
		double[] counts = new double[width];
		for (int i = 0; i < width; i++) {
			counts[i] = windowSize(i, width, radius);
		}
		double[] sums = new double[ROWS_AT_ONCE * width];
		int y = 0;
		for (; y + ROWS_AT_ONCE <= height; y += ROWS_AT_ONCE) {
			rowSums(values, width, radius, y, ROWS_AT_ONCE, sums);
			divide(sums, counts, across, y * width, width, ROWS_AT_ONCE);
		}
		for (; y < height; y++) {
			rowSums(values, width, radius, y, 1, sums);
			divide(sums, counts, across, y * width, width, 1);
		}
		float[] out = new float[values.length];
		double[] down = new double[width];
		for (y = 0; y < Math.min(height, radius); y++) {
			for (int x = 0; x < width; x++) {
				down[x] += across[y * width + x];
			}
		}
		for (y = 0; y < height; y++) {
			int add = (y + radius < height) ? (y + radius) * width : -1;
			int subtract = (y - radius - 1 >= 0) ? (y - radius - 1) * width : -1;
			double count = windowSize(y, height, radius);
			int row = y * width;
			if (add >= 0 && subtract >= 0) {
				for (int x = 0; x < width; x++) {
					double sum = down[x] + across[add + x];
					sum -= across[subtract + x];
					down[x] = sum;
					out[row + x] = (float) (sum / count);
				}
			}
			else if (add >= 0) {
				for (int x = 0; x < width; x++) {
					double sum = down[x] + across[add + x];
					down[x] = sum;
					out[row + x] = (float) (sum / count);
				}
			}
			else if (subtract >= 0) {
				for (int x = 0; x < width; x++) {
					double sum = down[x] - across[subtract + x];
					down[x] = sum;
					out[row + x] = (float) (sum / count);
				}
			}
			else {
				for (int x = 0; x < width; x++) {
					out[row + x] = (float) (down[x] / count);
				}
			}
		}
		return out;
	}

	/** Rows a box mean sums side by side (independent chains of additions overlap). */
	private static final int ROWS_AT_ONCE = 8;

	/** How many of {@code 0..n-1} lie within {@code radius} of {@code i}. */
	private static int windowSize(int i, int n, int radius) {
		return Math.min(n - 1, i + radius) - Math.max(0, i - radius) + 1;
	}

	/**
	 * The running sums along {@code rows} rows (1 or {@link #ROWS_AT_ONCE}) from
	 * {@code y}, each row's window sum at every x into {@code sums} (row after row),
	 * added and taken away in the order of one running sum per row.
	 */
	private static void rowSums(float[] values, int width, int radius, int y, int rows, double[] sums) {
		if (rows == 1) {
			int row = y * width;
			double sum = 0;
			for (int x = 0; x < Math.min(width, radius); x++) {
				sum += values[row + x];
			}
			for (int x = 0; x < width; x++) {
				if (x + radius < width) {
					sum += values[row + x + radius];
				}
				if (x - radius - 1 >= 0) {
					sum -= values[row + x - radius - 1];
				}
				sums[x] = sum;
			}
			return;
		}
		int r0 = y * width;
		int r1 = r0 + width;
		int r2 = r1 + width;
		int r3 = r2 + width;
		int r4 = r3 + width;
		int r5 = r4 + width;
		int r6 = r5 + width;
		int r7 = r6 + width;
		double s0 = 0;
		double s1 = 0;
		double s2 = 0;
		double s3 = 0;
		double s4 = 0;
		double s5 = 0;
		double s6 = 0;
		double s7 = 0;
		for (int x = 0; x < Math.min(width, radius); x++) {
			s0 += values[r0 + x];
			s1 += values[r1 + x];
			s2 += values[r2 + x];
			s3 += values[r3 + x];
			s4 += values[r4 + x];
			s5 += values[r5 + x];
			s6 += values[r6 + x];
			s7 += values[r7 + x];
		}
		for (int x = 0; x < width; x++) {
			int in = x + radius;
			if (in < width) {
				s0 += values[r0 + in];
				s1 += values[r1 + in];
				s2 += values[r2 + in];
				s3 += values[r3 + in];
				s4 += values[r4 + in];
				s5 += values[r5 + in];
				s6 += values[r6 + in];
				s7 += values[r7 + in];
			}
			int outX = x - radius - 1;
			if (outX >= 0) {
				s0 -= values[r0 + outX];
				s1 -= values[r1 + outX];
				s2 -= values[r2 + outX];
				s3 -= values[r3 + outX];
				s4 -= values[r4 + outX];
				s5 -= values[r5 + outX];
				s6 -= values[r6 + outX];
				s7 -= values[r7 + outX];
			}
			sums[x] = s0;
			sums[width + x] = s1;
			sums[2 * width + x] = s2;
			sums[3 * width + x] = s3;
			sums[4 * width + x] = s4;
			sums[5 * width + x] = s5;
			sums[6 * width + x] = s6;
			sums[7 * width + x] = s7;
		}
	}

	/**
	 * {@code out[at + r width + x] = sums[r width + x] / counts[x]} for the {@code rows}
	 * rows of {@code sums}.
	 */
	private static void divide(double[] sums, double[] counts, float[] out, int at, int width, int rows) {
		for (int r = 0; r < rows; r++) {
			int from = r * width;
			int to = at + from;
			for (int x = 0; x < width; x++) {
				out[to + x] = (float) (sums[from + x] / counts[x]);
			}
		}
	}

	/** The share of a histogram's pixels darker than mid-grey. */
	static double darkShare(int[] histogram, int pixels) {
		long dark = 0;
		for (int level = 0; level < 128; level++) {
			dark += histogram[level];
		}
		return (double) dark / pixels;
	}

	/**
	 * Polarity, blank check and the ink-shape rules for a small clean picture (a canvas
	 * export, which {@link ImagePreprocessor} frames whole): as
	 * {@link Framing#analyse(GreyImage, int, boolean)}, and a picture at least
	 * {@link #SMALL_CLEAN_SIDE} on its long side (a drawing pad, not an enlarged 8x8
	 * scan, whose bold digit may fill most of it) is refused when its ink is a dot or
	 * covers too much of it.
	 */
	static Framing.Analysis analyseCanvas(GreyImage image, int minInkPixels) {
		if (Math.max(image.width(), image.height()) < SMALL_CLEAN_SIDE) {
			return Framing.analyse(image, minInkPixels, true);
		}
		int[] histogram = new int[256];
		for (int i = 0; i < image.size(); i++) {
			histogram[image.level(i)]++;
		}
		double darkShare = darkShare(histogram, image.size());
		Framing.Analysis analysis;
		try {
			analysis = Framing.analyse(image, minInkPixels, true);
		}
		catch (PreprocessingException ex) {
			throw (ex.reason() == Reason.BLANK && inkedPage(darkShare)) ? tooMuchInk(darkShare) : ex;
		}
		checkCoverage(darkShare, lightEdgeShare(image::level, image.width(), image.height()), analysis.inverted());
		byte[] mask = new byte[image.size()];
		int half = (analysis.contrast() + 1) / 2;
		for (int i = 0; i < mask.length; i++) {
			int level = analysis.inverted() ? 255 - image.level(i) : image.level(i);
			mask[i] = (byte) ((level - analysis.paper() >= half) ? 1 : 0);
		}
		checkNotADot(mask, image.width(), image.height());
		return analysis;
	}

	/**
	 * Mostly dark with some light left: a page of ink when too little light is left to be
	 * a digit (an all-dark picture is blank, not inked).
	 */
	private static boolean inkedPage(double darkShare) {
		return darkShare >= INKED_PAGE_SHARE && darkShare < 1;
	}

	/**
	 * Refuses a clean picture covered in ink: dark ink over {@link #MAX_INK_SHARE} of
	 * light paper, or a mostly dark picture whose edges show a light page.
	 */
	static void checkCoverage(double darkShare, double lightEdges, boolean darkInk) {
		if (darkInk && darkShare >= MAX_INK_SHARE || !darkInk && darkShare > 0.5 && lightEdges >= PAGE_EDGE_SHARE) {
			throw tooMuchInk(darkShare);
		}
	}

	/** The share of the outermost pixels lighter than mid-grey. */
	static double lightEdgeShare(java.util.function.IntUnaryOperator level, int width, int height) {
		int light = 0;
		int edge = 0;
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				if (y == 0 || y == height - 1 || x == 0 || x == width - 1) {
					edge++;
					if (level.applyAsInt(y * width + x) >= 128) {
						light++;
					}
				}
			}
		}
		return edge == 0 ? 0 : (double) light / edge;
	}

	/**
	 * Refuses ink that is a dot or a short dash (a tap on a pad): its box's long side is
	 * under {@link #MIN_STROKE_WIDTHS} times the widest stroke in it (twice the largest
	 * distance from ink to paper, by a 3-4 chamfer distance transform over the box).
	 */
	static void checkNotADot(byte[] mask, int width, int height) {
		int x0 = width;
		int y0 = height;
		int x1 = -1;
		int y1 = -1;
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				if (mask[y * width + x] != 0) {
					x0 = Math.min(x0, x);
					x1 = Math.max(x1, x);
					y0 = Math.min(y0, y);
					y1 = Math.max(y1, y);
				}
			}
		}
		if (x1 < 0) {
			return;
		}
		// the box with a margin of paper, so that ink at its edge is one step from paper
		int w = x1 - x0 + 3;
		int h = y1 - y0 + 3;
		int[] d = new int[w * h];
		int far = Integer.MAX_VALUE / 2;
		for (int y = 1; y < h - 1; y++) {
			for (int x = 1; x < w - 1; x++) {
				d[y * w + x] = mask[(y0 + y - 1) * width + x0 + x - 1] != 0 ? far : 0;
			}
		}
		for (int y = 1; y < h - 1; y++) {
			for (int x = 1; x < w - 1; x++) {
				int i = y * w + x;
				if (d[i] != 0) {
					d[i] = Math.min(d[i], Math.min(Math.min(d[i - 1] + 3, d[i - w] + 3),
							Math.min(d[i - w - 1] + 4, d[i - w + 1] + 4)));
				}
			}
		}
		int deepest = 0;
		for (int y = h - 2; y >= 1; y--) {
			for (int x = w - 2; x >= 1; x--) {
				int i = y * w + x;
				if (d[i] != 0) {
					d[i] = Math.min(d[i], Math.min(Math.min(d[i + 1] + 3, d[i + w] + 3),
							Math.min(d[i + w + 1] + 4, d[i + w - 1] + 4)));
					deepest = Math.max(deepest, d[i]);
				}
			}
		}
		double strokeWidth = 2.0 * deepest / 3.0;
		int longSide = Math.max(x1 - x0 + 1, y1 - y0 + 1);
		if (longSide < MIN_STROKE_WIDTHS * strokeWidth) {
			throw new PreprocessingException(Reason.NOT_A_DIGIT,
					String.format(java.util.Locale.ROOT,
							"Not a digit: the ink is a dot or a short dash (%d px long, %.1f stroke widths at the "
									+ "working resolution), too small to be a digit.",
							longSide, longSide / strokeWidth));
		}
	}

	private static PreprocessingException tooMuchInk(double darkShare) {
		return new PreprocessingException(Reason.NOT_A_DIGIT, String.format(java.util.Locale.ROOT,
				"Not a digit: ink covers %.0f%% of the picture, too much for one digit (a digit leaves most of the "
						+ "page blank).",
				100 * darkShare));
	}

	private static PreprocessingException nearlyBlank(int found, int needed) {
		return new PreprocessingException(Reason.BLANK,
				"The image is nearly blank: no ink strokes were found (only " + found
						+ " pixels look like ink at the working resolution, at least " + needed
						+ " are needed to make a digit).");
	}

	/** Sets {@code mask} where {@code ink} exceeds {@code threshold}; the count set. */
	private static int binarise(float[] ink, float threshold, byte[] mask) {
		int count = 0;
		for (int i = 0; i < ink.length; i++) {
			mask[i] = (byte) ((ink[i] > threshold) ? 1 : 0);
			count += mask[i];
		}
		return count;
	}

	private static void check(long deadline) {
		if (System.nanoTime() > deadline) {
			throw ImagePreprocessor.timeout();
		}
	}

	/**
	 * The level below which {@code fraction} of the pixels lie (0: the darkest present,
	 * 1: the lightest).
	 */
	static int quantile(int[] histogram, double fraction) {
		long count = 0;
		for (int c : histogram) {
			count += c;
		}
		long target = Math.max(1, (long) Math.ceil(fraction * count));
		long seen = 0;
		for (int level = 0; level < histogram.length; level++) {
			seen += histogram[level];
			if (seen >= target) {
				return level;
			}
		}
		return histogram.length - 1;
	}

	/**
	 * Area-averages the image down to {@code width x height} (or copies it at its size),
	 * row by row so that only one intermediate row is held; {@code flip} turns levels
	 * {@code v} into {@code 255 - v}.
	 * @throws IllegalArgumentException when asked to enlarge
	 */
	static float[] areaDownscale(GreyImage image, int width, int height, boolean flip) {
		int sourceWidth = image.width();
		int sourceHeight = image.height();
		if (width > sourceWidth || height > sourceHeight) {
			throw new IllegalArgumentException(
					"downscales only: " + sourceWidth + "x" + sourceHeight + " to " + width + "x" + height);
		}
		float[] out = new float[width * height];
		if (width == sourceWidth && height == sourceHeight) {
			for (int i = 0; i < out.length; i++) {
				int v = image.level(i);
				out[i] = flip ? 255 - v : v;
			}
			return out;
		}
		double ratioX = (double) sourceWidth / width;
		double ratioY = (double) sourceHeight / height;
		// each source column's first output column and its share of it (the rest goes to
		// the next)
		int[] firstColumn = new int[sourceWidth];
		float[] share = new float[sourceWidth];
		for (int x = 0; x < sourceWidth; x++) {
			int i = Math.min(width - 1, (int) (x / ratioX));
			firstColumn[x] = i;
			double end = Math.min(x + 1, (i + 1) * ratioX);
			share[x] = (float) ((end - x) / ratioX);
		}
		float[] restShare = new float[sourceWidth];
		for (int x = 0; x < sourceWidth; x++) {
			float rest = (float) (1.0 / ratioX) - share[x];
			// the last column's rest has nowhere to go (rounding): it is dropped
			restShare[x] = (rest > 1e-6f && firstColumn[x] + 1 < width) ? rest : 0f;
		}
		byte[] levels = image.levels();
		float[] row = new float[width + 1];
		for (int y = 0; y < sourceHeight; y++) {
			java.util.Arrays.fill(row, 0f);
			int offset = y * sourceWidth;
			// the source columns go to their output columns in order (a column's first
			// output column is its predecessor's or the next one): the two output columns
			// being summed are kept in locals, each sum the same additions in the same
			// order as the row's own would be, without a store and load per addition
			int column = 0;
			float current = 0f;
			float next = 0f;
			for (int x = 0; x < sourceWidth; x++) {
				int v = levels[offset + x] & 0xFF;
				float level = flip ? 255 - v : v;
				int i = firstColumn[x];
				if (i != column) {
					row[column] = current;
					current = next;
					next = 0f;
					column = i;
				}
				current += share[x] * level;
				next += restShare[x] * level;
			}
			row[column] = current;
			row[column + 1] = next;
			int j = Math.min(height - 1, (int) (y / ratioY));
			double end = Math.min(y + 1, (j + 1) * ratioY);
			float first = (float) ((end - y) / ratioY);
			float rest = (float) (1.0 / ratioY) - first;
			int at = j * width;
			for (int i = 0; i < width; i++) {
				out[at + i] += first * row[i];
			}
			if (rest > 1e-6f && j + 1 < height) {
				at += width;
				for (int i = 0; i < width; i++) {
					out[at + i] += rest * row[i];
				}
			}
		}
		return out;
	}

	/**
	 * The median of the ink strengths (the paper's own level, a little above 0) and the
	 * standard deviation of the paper's noise from their median absolute deviation, at a
	 * resolution of 1/1024.
	 */
	static float[] noise(float[] ink) {
		int bins = 2048;
		// four histograms filled in turn and added up, as levelHistogram's
		int[] counts = new int[4 * bins];
		int n = ink.length;
		int i = 0;
		for (; i + 4 <= n; i += 4) {
			counts[bin(ink[i], bins)]++;
			counts[bins + bin(ink[i + 1], bins)]++;
			counts[2 * bins + bin(ink[i + 2], bins)]++;
			counts[3 * bins + bin(ink[i + 3], bins)]++;
		}
		for (; i < n; i++) {
			counts[bin(ink[i], bins)]++;
		}
		int[] histogram = quarters(counts, bins);
		int median = binQuantile(histogram, 0.5);
		int[] deviations = new int[bins];
		for (int b = 0; b < bins; b++) {
			deviations[Math.abs(b - median)] += histogram[b];
		}
		int mad = binQuantile(deviations, 0.5);
		return new float[] { (median - bins / 2) / 1024f, 1.4826f * mad / 1024f };
	}

	private static int bin(float v, int bins) {
		// Math.round(v * 1024f): the float plus 0.5 is exact in double, its floor the
		// rounding
		return Math.max(0, Math.min(bins - 1, (int) Math.floor(v * 1024f + 0.5d) + bins / 2));
	}

	/** How many pixels of {@code image} have each grey level. */
	static int[] levelHistogram(GreyImage image) {
		int[] histogram = new int[256];
		for (int i = 0; i < image.size(); i++) {
			histogram[image.level(i)]++;
		}
		return histogram;
	}

	/**
	 * How many of {@code values} round to each grey level 0..255 (those below counted at
	 * 0, those above at 255).
	 */
	static int[] levelHistogram(float[] values) {
		// four histograms filled in turn and added up: neighbouring pixels mostly share a
		// level, and one histogram's count would be stored and loaded again at every
		// pixel; four independent counts overlap
		int[] counts = new int[4 * 256];
		int n = values.length;
		int i = 0;
		for (; i + 4 <= n; i += 4) {
			counts[level(values[i])]++;
			counts[256 + level(values[i + 1])]++;
			counts[2 * 256 + level(values[i + 2])]++;
			counts[3 * 256 + level(values[i + 3])]++;
		}
		for (; i < n; i++) {
			counts[level(values[i])]++;
		}
		return quarters(counts, 256);
	}

	/**
	 * The sum of the four histograms of {@code bins} bins one after another in
	 * {@code counts}.
	 */
	private static int[] quarters(int[] counts, int bins) {
		int[] histogram = new int[bins];
		for (int b = 0; b < bins; b++) {
			histogram[b] = counts[b] + counts[bins + b] + counts[2 * bins + b] + counts[3 * bins + b];
		}
		return histogram;
	}

	/**
	 * Math.round(v) clamped to 0..255, the same for every float: v + 0.5 is exact in
	 * double for every level that rounds above 0, and its floor is the rounding.
	 */
	private static int level(float v) {
		return Math.max(0, Math.min(255, (int) (v + 0.5d)));
	}

	private static int binQuantile(int[] histogram, double fraction) {
		long count = 0;
		for (int c : histogram) {
			count += c;
		}
		long seen = 0;
		for (int b = 0; b < histogram.length; b++) {
			seen += histogram[b];
			if (2 * seen >= count * 2 * fraction) {
				return b;
			}
		}
		return histogram.length - 1;
	}

	/**
	 * Otsu's threshold over the strengths above {@code floor} (the floor when there are
	 * none).
	 */
	static float otsu(float[] ink, float floor) {
		int bins = 256;
		int[] histogram = new int[bins];
		long count = 0;
		float span = 1f - floor;
		if (span <= 0) {
			return floor;
		}
		for (float v : ink) {
			if (v > floor) {
				histogram[Math.min(bins - 1, (int) ((Math.min(v, 1f) - floor) / span * bins))]++;
				count++;
			}
		}
		if (count == 0) {
			return floor;
		}
		double total = 0;
		for (int b = 0; b < bins; b++) {
			total += (double) b * histogram[b];
		}
		double sumBelow = 0;
		long below = 0;
		double best = -1;
		int bestBin = 0;
		for (int b = 0; b < bins; b++) {
			below += histogram[b];
			if (below == 0) {
				continue;
			}
			long above = count - below;
			if (above == 0) {
				break;
			}
			sumBelow += (double) b * histogram[b];
			double meanBelow = sumBelow / below;
			double meanAbove = (total - sumBelow) / above;
			double between = (double) below * above * (meanBelow - meanAbove) * (meanBelow - meanAbove);
			if (between > best) {
				best = between;
				bestBin = b;
			}
		}
		return floor + (bestBin + 1) * span / bins;
	}

}
