package dev.digits.preprocessing;

/**
 * Finds a sheet of paper that does not fill the frame, so that the table round it is no
 * ink.
 * <p>
 * On the picture with paper light, lightly smoothed, Otsu's level splits the light from
 * the dark; the sheet is the largest 4-connected light region, and the region it covers
 * is its convex hull (a sheet, even seen at an angle, is convex: the hull takes in its
 * digit, its lines and the shade on it). A picture has a sheet only when the two levels
 * are far apart, the region is large and something is left outside it, nearly all of it
 * dark (not paper cut off by a bold stroke that reaches the frame).
 * <p>
 * Outside the hull there is either a table or paper in a hard shadow (a shadow's lit side
 * is convex too). After the light is divided away ({@link PaperLight}) paper in shadow is
 * paper again, with at most its lines and a digit on it, while a table is not: its grain
 * and the narrow bands of it along the frame come out as dense ink. So the outside is
 * taken out only when much more of it is ink than of the sheet ({@link #isTable}).
 * <p>
 * Cost: a box blur, one pass labelling runs of light pixels along the rows, and the
 * hull's rows over the working image (at most 512 x 512): a float map and a byte map of
 * its size, and four ints a run.
 */
final class PaperSheet {

	/**
	 * Least gap between the light and the dark class means, as a share of the light's.
	 */
	static final double MIN_GAP = 0.3;

	/** Least share of the picture the sheet covers. */
	static final double MIN_SHEET = 0.25;

	/** Least share of the picture left outside the sheet. */
	static final double MIN_OUTSIDE = 0.02;

	/** Least share of the outside that is darker than Otsu's level. */
	static final double MIN_DARK_OUTSIDE = 0.8;

	/** Least share of the outside that is ink for it to be a table. */
	static final double MIN_TABLE_INK = 0.3;

	/** ... and how many times the sheet's own share of ink it must be. */
	static final double TABLE_INK_RATIO = 3;

	private PaperSheet() {
	}

	/**
	 * The sheet's region (1 inside its convex hull), or null when the picture shows no
	 * sheet smaller than the frame.
	 * @param grey paper-light levels, {@code width x height}
	 */
	static byte[] region(float[] grey, int width, int height) {
		int n = width * height;
		float[] smooth = InkLocator.boxBlur(grey, width, height, 2);
		int[] histogram = InkLocator.levelHistogram(smooth);
		int level = otsuLevel(histogram);
		double[] means = classMeans(histogram, level);
		if (means[1] - means[0] < MIN_GAP * means[1]) {
			return null;
		}
		int[] first = new int[height];
		int[] last = new int[height];
		if (!largestLightRegion(smooth, level, width, height, first, last, MIN_SHEET * n)) {
			return null;
		}
		int[] spans = hullSpans(first, last, width, height);
		// a table, or paper in shadow, is dark all over: not paper cut off by a bold
		// stroke to the frame; only the outside's pixels are looked at
		int count = 0;
		int dark = 0;
		for (int y = 0; y < height; y++) {
			int from = spans[2 * y];
			int to = spans[2 * y + 1];
			int row = y * width;
			// an empty row's span is width, -1: all of it before the span
			count += Math.max(0, to - from + 1);
			for (int x = 0; x < from; x++) {
				dark += (smooth[row + x] <= level) ? 1 : 0;
			}
			for (int x = Math.max(from, to + 1); x < width; x++) {
				dark += (smooth[row + x] <= level) ? 1 : 0;
			}
		}
		if (n - count < MIN_OUTSIDE * n) {
			return null;
		}
		if (dark < MIN_DARK_OUTSIDE * (n - count)) {
			return null;
		}
		return fill(spans, width, height);
	}

	/**
	 * The shares of pixels set in {@code mask} outside {@code sheet} and on it, or null
	 * when either is empty; both hold 0 or 1 at every pixel (a {@link #region} and a
	 * binarised mask).
	 */
	static double[] inkShares(byte[] sheet, byte[] mask) {
		// counted by sums and products, without a branch (ints: at most 512 x 512
		// pixels)
		int inside = 0;
		int insideInk = 0;
		int ink = 0;
		for (int i = 0; i < mask.length; i++) {
			inside += sheet[i];
			insideInk += sheet[i] * mask[i];
			ink += mask[i];
		}
		int outsideInk = ink - insideInk;
		int outside = mask.length - inside;
		if (outside == 0 || inside == 0) {
			return null;
		}
		return new double[] { (double) outsideInk / outside, (double) insideInk / inside };
	}

	/**
	 * Whether the outside of a sheet is a table, by its {@link #inkShares}: at least
	 * {@link #MIN_TABLE_INK} of the outside is ink, and {@link #TABLE_INK_RATIO} times
	 * the sheet's share.
	 */
	static boolean isTable(double[] shares) {
		return shares != null && shares[0] >= MIN_TABLE_INK && shares[0] >= TABLE_INK_RATIO * shares[1];
	}

	/**
	 * The largest 4-connected region above {@code level} (the first in raster order among
	 * equals), by its rows' first and last pixels ({@code -1} in {@code first} for rows
	 * it does not reach); false when it has fewer than {@code least} pixels. Labels runs
	 * of light pixels along the rows and joins those that overlap in consecutive rows
	 * (union-find, the root the region's first run), so each pixel is looked at once.
	 */
	static boolean largestLightRegion(float[] smooth, int level, int width, int height, int[] first, int[] last,
			double least) {
		int capacity = Math.max(16, height * 4);
		int[] start = new int[capacity];
		int[] end = new int[capacity];
		int[] row = new int[capacity];
		int[] parent = new int[capacity];
		int runs = 0;
		int previousFrom = 0;
		int previousTo = 0;
		for (int y = 0; y < height; y++) {
			int from = runs;
			int offset = y * width;
			int k = previousFrom;
			int x = 0;
			while (x < width) {
				if (smooth[offset + x] <= level) {
					x++;
					continue;
				}
				int s = x;
				while (x < width && smooth[offset + x] > level) {
					x++;
				}
				if (runs == start.length) {
					int grown = start.length * 2;
					start = java.util.Arrays.copyOf(start, grown);
					end = java.util.Arrays.copyOf(end, grown);
					row = java.util.Arrays.copyOf(row, grown);
					parent = java.util.Arrays.copyOf(parent, grown);
				}
				int r = runs++;
				start[r] = s;
				end[r] = x;
				row[r] = y;
				parent[r] = r;
				// the previous row's runs overlapping [s, x): they share a column
				while (k < previousTo && end[k] <= s) {
					k++;
				}
				for (int j = k; j < previousTo && start[j] < x; j++) {
					int a = root(parent, j);
					int b = root(parent, r);
					if (a != b) {
						parent[Math.max(a, b)] = Math.min(a, b);
					}
				}
			}
			previousFrom = from;
			previousTo = runs;
		}
		long[] size = new long[runs];
		for (int r = 0; r < runs; r++) {
			size[root(parent, r)] += end[r] - start[r];
		}
		int best = -1;
		for (int r = 0; r < runs; r++) {
			if (parent[r] == r && (best < 0 || size[r] > size[best])) {
				best = r;
			}
		}
		if (best < 0 || size[best] < least) {
			return false;
		}
		java.util.Arrays.fill(first, -1);
		for (int r = 0; r < runs; r++) {
			if (root(parent, r) == best) {
				// a row's runs come in order along it
				int y = row[r];
				if (first[y] < 0) {
					first[y] = start[r];
				}
				last[y] = end[r] - 1;
			}
		}
		return true;
	}

	/** The root of {@code r}, halving the path on the way. */
	private static int root(int[] parent, int r) {
		while (parent[r] != r) {
			parent[r] = parent[parent[r]];
			r = parent[r];
		}
		return r;
	}

	/**
	 * The convex hull of the rows' spans (monotone chain over their end points), filled:
	 * 1 at pixel centres inside.
	 */
	static byte[] hull(int[] first, int[] last, int width, int height) {
		return fill(hullSpans(first, last, width, height), width, height);
	}

	/**
	 * 1 at the pixels of the rows' spans: {@code spans[2y]..spans[2y + 1]} in row
	 * {@code y}.
	 */
	private static byte[] fill(int[] spans, int width, int height) {
		byte[] inside = new byte[width * height];
		for (int y = 0; y < height; y++) {
			if (spans[2 * y] <= spans[2 * y + 1]) {
				java.util.Arrays.fill(inside, y * width + spans[2 * y], y * width + spans[2 * y + 1] + 1, (byte) 1);
			}
		}
		return inside;
	}

	/**
	 * The pixel centres inside the convex hull of the rows' spans (monotone chain over
	 * their end points), a span a row: {@code spans[2y]..spans[2y + 1]}, both within the
	 * row, or {@code width, -1} when the hull covers none of its pixel centres.
	 */
	static int[] hullSpans(int[] first, int[] last, int width, int height) {
		int rows = 0;
		for (int f : first) {
			if (f >= 0) {
				rows++;
			}
		}
		// the hull's vertices, pixel corners: (x, y) and (x + 1, y + 1) of each span's
		// ends
		long[] points = new long[rows * 4];
		int k = 0;
		for (int y = 0; y < height; y++) {
			if (first[y] >= 0) {
				points[k++] = pack(first[y], y);
				points[k++] = pack(first[y], y + 1);
				points[k++] = pack(last[y] + 1, y);
				points[k++] = pack(last[y] + 1, y + 1);
			}
		}
		java.util.Arrays.sort(points);
		long[] chain = new long[2 * points.length + 1];
		int size = 0;
		for (int pass = 0; pass < 2; pass++) {
			int base = size;
			for (int j = 0; j < points.length; j++) {
				long p = points[(pass == 0) ? j : points.length - 1 - j];
				while (size >= base + 2 && cross(chain[size - 2], chain[size - 1], p) <= 0) {
					size--;
				}
				chain[size++] = p;
			}
			size--;
		}
		int[] spans = new int[2 * height];
		for (int y = 0; y < height; y++) {
			double cy = y + 0.5;
			double left = Double.POSITIVE_INFINITY;
			double right = Double.NEGATIVE_INFINITY;
			for (int e = 0; e < size; e++) {
				long a = chain[e];
				long b = chain[(e + 1) % size];
				double ay = y(a);
				double by = y(b);
				if ((ay <= cy && by >= cy) || (by <= cy && ay >= cy)) {
					double x = (ay == by) ? Math.min(x(a), x(b)) : x(a) + (cy - ay) / (by - ay) * (x(b) - x(a));
					double x2 = (ay == by) ? Math.max(x(a), x(b)) : x;
					left = Math.min(left, x);
					right = Math.max(right, x2);
				}
			}
			int from = Math.max(0, (int) Math.ceil(left - 0.5));
			int to = Math.min(width - 1, (int) Math.floor(right - 0.5));
			spans[2 * y] = (from <= to) ? from : width;
			spans[2 * y + 1] = (from <= to) ? to : -1;
		}
		return spans;
	}

	private static long pack(int x, int y) {
		return ((long) x << 32) | (y & 0xFFFFFFFFL);
	}

	private static int x(long p) {
		return (int) (p >> 32);
	}

	private static int y(long p) {
		return (int) p;
	}

	private static long cross(long o, long a, long b) {
		return (long) (x(a) - x(o)) * (y(b) - y(o)) - (long) (y(a) - y(o)) * (x(b) - x(o));
	}

	/** Otsu's level over a 256-level histogram: the light class is above it. */
	static int otsuLevel(int[] histogram) {
		long count = 0;
		double total = 0;
		for (int b = 0; b < 256; b++) {
			count += histogram[b];
			total += (double) b * histogram[b];
		}
		double sumBelow = 0;
		long below = 0;
		double best = -1;
		int level = 0;
		for (int b = 0; b < 255; b++) {
			below += histogram[b];
			sumBelow += (double) b * histogram[b];
			long above = count - below;
			if (below == 0 || above == 0) {
				continue;
			}
			double d = sumBelow / below - (total - sumBelow) / above;
			double between = (double) below * above * d * d;
			if (between > best) {
				best = between;
				level = b;
			}
		}
		return level;
	}

	private static double[] classMeans(int[] histogram, int level) {
		double[] sum = new double[2];
		long[] count = new long[2];
		for (int b = 0; b < 256; b++) {
			int c = (b <= level) ? 0 : 1;
			sum[c] += (double) b * histogram[b];
			count[c] += histogram[b];
		}
		return new double[] { sum[0] / Math.max(1, count[0]), sum[1] / Math.max(1, count[1]) };
	}

}
