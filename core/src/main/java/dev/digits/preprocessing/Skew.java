package dev.digits.preprocessing;

/**
 * The slant of a page's printed lines (ruled or squared paper, a printed box), and the
 * ink map turned so that they run straight across and down.
 * <p>
 * {@link Lines} follows lines slanted by up to 1/8 (7 degrees) by itself; a phone held at
 * an angle, or a sheet lying askew on the table, slants them more, and the grid then
 * stays in the picture as ink around the digit. The slant is found from the ink mask's
 * projections: for each angle within {@link #MAX_DEGREES} of square, the mask's pixels
 * are counted along lines at that angle, across and down, in bands about a line's width;
 * a band holding at least {@link #LONG_SHARE} of the picture's extent is a long line, and
 * the angle whose long lines hold the most ink wins. A digit's own strokes are rarely
 * that long, and never two parallel ones: at least {@link #MIN_LINES} long lines must
 * agree, and they must hold clearly more ink than at no turn at all, before the picture
 * is turned. The digit on the page turns with its lines, upright again as it was written.
 * <p>
 * Cost: a few multiplications per ink pixel and angle (angles two degrees apart, then
 * half a degree around the best), and one bilinear pass into a map of the working image's
 * size.
 */
final class Skew {

	/** Largest slant looked for, in degrees either way. */
	static final double MAX_DEGREES = 20;

	/**
	 * Slant below which the picture is left as it is: {@link Lines} follows up to 7
	 * degrees, so at most a little more than half of that is left to it.
	 */
	static final double MIN_DEGREES = 4;

	/** Share of the picture's width (or height) a band's ink must reach to be a line. */
	static final double LONG_SHARE = 0.3;

	/**
	 * Long lines needed at the winning angle, unless there are some in both directions.
	 */
	static final int MIN_LINES = 3;

	/** How much more long-line ink the winning angle must hold than no turn at all. */
	static final double MIN_GAIN = 1.25;

	/** Most mask pixels looked at (every k-th beyond). */
	static final int MAX_SAMPLES = 12_000;

	private Skew() {
	}

	/**
	 * The slant of the page's lines in {@code mask}, in degrees (positive turns the x
	 * axis toward the y axis), or 0 when there are no long lines, or they are straight
	 * enough for {@link Lines}.
	 * @param band width, in pixels, of the bands counted (about a line's width)
	 */
	static double estimate(byte[] mask, int width, int height, int band) {
		int count = 0;
		for (byte m : mask) {
			count += m;
		}
		if (count == 0) {
			return 0;
		}
		int step = Math.max(1, (count + MAX_SAMPLES - 1) / MAX_SAMPLES);
		int n = (count + step - 1) / step;
		float[] xs = new float[n];
		float[] ys = new float[n];
		int k = 0;
		int seen = 0;
		float cx = width / 2f;
		float cy = height / 2f;
		for (int i = 0; i < mask.length; i++) {
			if (mask[i] != 0) {
				if (seen % step == 0 && k < n) {
					xs[k] = i % width - cx;
					ys[k] = i / width - cy;
					k++;
				}
				seen++;
			}
		}
		// a square root, not Math.hypot, so that the page's port computes the same
		int diagonal = (int) Math.ceil(Math.sqrt((double) width * width + (double) height * height)) + 2;
		int bins = diagonal / band + 2;
		int[] counts = new int[bins];
		// long lines are counted in samples: the share of the extent, thinned as the
		// pixels were
		double acrossNeeded = LONG_SHARE * width / step;
		double downNeeded = LONG_SHARE * height / step;
		double[] none = lineInk(xs, ys, k, 0, band, counts, acrossNeeded, downNeeded);
		double bestDegrees = 0;
		double[] best = none;
		for (double degrees = -MAX_DEGREES; degrees <= MAX_DEGREES; degrees += 2) {
			double[] ink = lineInk(xs, ys, k, degrees, band, counts, acrossNeeded, downNeeded);
			if (ink[0] > best[0]) {
				best = ink;
				bestDegrees = degrees;
			}
		}
		double coarse = bestDegrees;
		for (double degrees = coarse - 1; degrees <= coarse + 1; degrees += 0.5) {
			if (degrees == coarse || Math.abs(degrees) > MAX_DEGREES) {
				continue;
			}
			double[] ink = lineInk(xs, ys, k, degrees, band, counts, acrossNeeded, downNeeded);
			if (ink[0] > best[0]) {
				best = ink;
				bestDegrees = degrees;
			}
		}
		boolean turn = Math.abs(bestDegrees) >= MIN_DEGREES && best[1] > 0 && best[0] > MIN_GAIN * none[0];
		return turn ? bestDegrees : 0;
	}

	/**
	 * The samples' ink in long lines at {@code degrees}, across and down, and 1 when
	 * those lines look like a page's, else 0.
	 */
	private static double[] lineInk(float[] xs, float[] ys, int n, double degrees, int band, int[] counts,
			double acrossNeeded, double downNeeded) {
		double radians = Math.toRadians(degrees);
		float cos = (float) Math.cos(radians);
		float sin = (float) Math.sin(radians);
		int offset = counts.length / 2;
		double ink = 0;
		int[] lines = new int[2];
		for (int family = 0; family < 2; family++) {
			java.util.Arrays.fill(counts, 0);
			for (int i = 0; i < n; i++) {
				// across: the distance along the normal of lines at the angle; down: of
				// lines square to them
				float rho = (family == 0) ? ys[i] * cos - xs[i] * sin : xs[i] * cos + ys[i] * sin;
				int b = Math.max(0, Math.min(counts.length - 1, (int) Math.floor(rho / band) + offset));
				counts[b]++;
			}
			double needed = (family == 0) ? acrossNeeded : downNeeded;
			// a line may straddle two bands: a peak is a band and the larger of its
			// neighbours, at a local maximum, with little ink two bands away on either
			// side (a line is thin; a bold stroke or a blot fills many bands alike)
			for (int b = 2; b < counts.length - 2; b++) {
				int c = counts[b];
				if (c == 0 || c < counts[b - 1] || c <= counts[b + 1]) {
					continue;
				}
				boolean thin = (counts[b - 1] >= counts[b + 1]) ? counts[b - 2] <= c / 4 && counts[b + 2] <= c / 4
						: counts[b - 2] <= c / 4 && (b + 3 >= counts.length || counts[b + 3] <= c / 4);
				int pair = c + Math.max(counts[b - 1], counts[b + 1]);
				if (thin && pair >= needed) {
					ink += pair;
					lines[family]++;
				}
			}
		}
		// a page's lines: three or more, or some each way (a box, squared paper); two
		// parallel strokes alone may be a digit's (a 4 and a 7 side by side)
		boolean page = lines[0] + lines[1] >= MIN_LINES || (lines[0] > 0 && lines[1] > 0);
		return new double[] { ink, page ? 1 : 0 };
	}

	/**
	 * {@code values} turned by {@code -degrees} about the centre (bilinear, 0 where the
	 * picture was not), so that lines slanted by {@code degrees} run straight. The canvas
	 * keeps the picture's size, so that a line that crossed the picture still reaches its
	 * frame (which {@link Lines} takes as a sign of a line, not a stroke); the corners,
	 * far from where a digit is written, are cut.
	 */
	static float[] turn(float[] values, int width, int height, double degrees) {
		double radians = Math.toRadians(degrees);
		double cos = Math.cos(radians);
		double sin = Math.sin(radians);
		float[] out = new float[width * height];
		double cx = width / 2.0;
		double cy = height / 2.0;
		for (int v = 0; v < height; v++) {
			double dv = v + 0.5 - cy;
			for (int u = 0; u < width; u++) {
				double du = u + 0.5 - cx;
				// the source point, in pixel-centre coordinates
				double x = cos * du - sin * dv + cx - 0.5;
				double y = sin * du + cos * dv + cy - 0.5;
				int x0 = (int) Math.floor(x);
				int y0 = (int) Math.floor(y);
				if (x0 < -1 || y0 < -1 || x0 >= width || y0 >= height) {
					continue;
				}
				double fx = x - x0;
				double fy = y - y0;
				double top = (1 - fx) * at(values, width, height, x0, y0) + fx * at(values, width, height, x0 + 1, y0);
				double bottom = (1 - fx) * at(values, width, height, x0, y0 + 1)
						+ fx * at(values, width, height, x0 + 1, y0 + 1);
				out[v * width + u] = (float) ((1 - fy) * top + fy * bottom);
			}
		}
		return out;
	}

	private static float at(float[] values, int width, int height, int x, int y) {
		return (x < 0 || y < 0 || x >= width || y >= height) ? 0f : values[y * width + x];
	}

}
