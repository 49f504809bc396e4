package dev.digits.preprocessing;

/**
 * The slants of a page's printed lines (ruled or squared paper, a printed box), and the
 * ink map turned, or sheared, so that they run straight across and down.
 * <p>
 * {@link Lines} follows lines slanted by up to 1/8 (7 degrees) by itself; a phone held at
 * an angle, or a sheet lying askew on the table, slants them more, and the grid then
 * stays in the picture as ink around the digit. The slant is found from the ink mask's
 * projections: for each angle within {@link #MAX_DEGREES} of square, the mask's pixels
 * are counted along lines at that angle, across and down, in bands about a line's width;
 * a band holding at least {@link #LONG_SHARE} of the picture's extent is a long line, and
 * the angle whose long lines hold the most ink wins, for the lines across and the lines
 * down apart when each family has two or more long lines (a page seen at an angle: its
 * grid is sheared, not only turned), else for both at once. A digit's own strokes are
 * rarely that long, and never two parallel ones: at least {@link #MIN_LINES} long lines
 * must agree, and they must hold clearly more ink than at no turn at all, before the
 * picture is turned. The digit on the page turns with its lines, upright again as it was
 * written.
 * <p>
 * Cost: a few multiplications per ink sample (at most {@link #MAX_SAMPLES}), angle and
 * family (angles two degrees apart, then half a degree around the best; at most three
 * searches: each family, then both), and one bilinear pass into a map of the working
 * image's size.
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
	 * The slants of the page's lines in {@code mask}, in degrees (positive turns the x
	 * axis toward the y axis): of the lines across and of the lines down, {0, 0} when
	 * there are no long lines, or they are straight enough for {@link Lines}. They differ
	 * when the phone looked at the page at an angle (perspective shears a grid: its lines
	 * across and down turn by different angles) and each family holds two or more long
	 * lines; otherwise both are the one angle that puts the most ink in long lines.
	 * @param band width, in pixels, of the bands counted (about a line's width)
	 */
	static double[] estimate(byte[] mask, int width, int height, int band) {
		int count = 0;
		for (byte m : mask) {
			count += m;
		}
		double[] straight = { 0, 0 };
		if (count == 0) {
			return straight;
		}
		int step = Math.max(1, (count + MAX_SAMPLES - 1) / MAX_SAMPLES);
		int n = (count + step - 1) / step;
		float[] xs = new float[n];
		float[] ys = new float[n];
		int k = 0;
		int seen = 0;
		float cx = width / 2f;
		float cy = height / 2f;
		for (int i = InkGroups.nextMarked(mask, 0, mask.length); i < mask.length; i = InkGroups.nextMarked(mask, i + 1,
				mask.length)) {
			if (seen % step == 0 && k < n) {
				xs[k] = i % width - cx;
				ys[k] = i / width - cy;
				k++;
			}
			seen++;
		}
		// a square root, not Math.hypot, so that the page's port computes the same
		int diagonal = (int) Math.ceil(Math.sqrt((double) width * width + (double) height * height)) + 2;
		int bins = diagonal / band + 2;
		Projection projection = new Projection(xs, ys, k, band, new int[bins],
				// long lines are counted in samples: the share of the extent, thinned as
				// the pixels were
				new double[] { LONG_SHARE * width / step, LONG_SHARE * height / step });
		double[] none = projection.both(0, 0);
		// each family by its own two or more long lines; a family with fewer follows the
		// other (one long line may be the sheet's edge or a digit's stroke); with
		// neither,
		// both at the one angle that puts the most ink in long lines
		double[] own = { projection.bestAngle(0), projection.bestAngle(1) };
		boolean[] ruled = { projection.family(own[0], 0)[1] >= 2, projection.family(own[1], 1)[1] >= 2 };
		double[] slants;
		if (ruled[0] && ruled[1] && Math.abs(own[0] - own[1]) <= MAX_SHEAR_DEGREES) {
			slants = own;
		}
		else if (ruled[0] || ruled[1]) {
			double angle = ruled[0] ? own[0] : own[1];
			slants = new double[] { angle, angle };
		}
		else {
			double joint = projection.bestAngle(-1);
			slants = new double[] { joint, joint };
		}
		double[] best = projection.both(slants[0], slants[1]);
		boolean turn = Math.max(Math.abs(slants[0]), Math.abs(slants[1])) >= MIN_DEGREES && best[1] > 0
				&& best[0] > MIN_GAIN * none[0];
		return turn ? slants : straight;
	}

	/**
	 * Largest difference between the slants of the lines across and down that is taken
	 * for a page seen at an angle: a phone tilted 45 degrees from square above a page
	 * shears its grid by about 15 degrees at most in these photos.
	 */
	static final double MAX_SHEAR_DEGREES = 20;

	/**
	 * The ink samples' projections along lines at an angle. The searches look at many of
	 * the same angles (every family's coarse grid is the same, and the angle found is
	 * counted again), so each family's answer at each angle is kept: counted once, the
	 * same figures.
	 */
	record Projection(float[] xs, float[] ys, int n, int band, int[] counts, double[] needed,
			java.util.List<java.util.Map<Double, double[]>> counted) {

		Projection(float[] xs, float[] ys, int n, int band, int[] counts, double[] needed) {
			this(xs, ys, n, band, counts, needed,
					java.util.List.of(new java.util.HashMap<>(), new java.util.HashMap<>()));
		}

		/**
		 * The angle whose long lines of {@code family} (0 across, 1 down, -1 both at
		 * once) hold the most ink: every two degrees within {@link #MAX_DEGREES}, then
		 * half a degree around the best; 0 unless another angle holds more.
		 */
		double bestAngle(int family) {
			double bestDegrees = 0;
			double best = ink(0, family);
			for (double degrees = -MAX_DEGREES; degrees <= MAX_DEGREES; degrees += 2) {
				double ink = ink(degrees, family);
				if (ink > best) {
					best = ink;
					bestDegrees = degrees;
				}
			}
			double coarse = bestDegrees;
			for (double degrees = coarse - 1; degrees <= coarse + 1; degrees += 0.5) {
				if (degrees == coarse || Math.abs(degrees) > MAX_DEGREES) {
					continue;
				}
				double ink = ink(degrees, family);
				if (ink > best) {
					best = ink;
					bestDegrees = degrees;
				}
			}
			return bestDegrees;
		}

		private double ink(double degrees, int family) {
			return (family < 0) ? both(degrees, degrees)[0] : family(degrees, family)[0];
		}

		/**
		 * The ink in long lines across at {@code across} degrees and down at
		 * {@code down}, and 1 when those lines look like a page's, else 0.
		 */
		double[] both(double across, double down) {
			double[] a = family(across, 0);
			double[] d = family(down, 1);
			// a page's lines: three or more, or some each way (a box, squared paper); two
			// parallel strokes alone may be a digit's (a 4 and a 7 side by side)
			boolean page = a[1] + d[1] >= MIN_LINES || (a[1] > 0 && d[1] > 0);
			return new double[] { a[0] + d[0], page ? 1 : 0 };
		}

		/**
		 * The samples' ink in long lines of one family at {@code degrees}, and how many
		 * lines: family 0 runs across (the distance along the normal of lines at the
		 * angle), family 1 down (square to lines at the angle).
		 */
		double[] family(double degrees, int family) {
			return this.counted.get(family).computeIfAbsent(degrees, d -> count(d, family)).clone();
		}

		private double[] count(double degrees, int family) {
			double radians = Math.toRadians(degrees);
			float cos = (float) Math.cos(radians);
			float sin = (float) Math.sin(radians);
			int offset = this.counts.length / 2;
			java.util.Arrays.fill(this.counts, 0);
			for (int i = 0; i < this.n; i++) {
				float rho = (family == 0) ? this.ys[i] * cos - this.xs[i] * sin : this.xs[i] * cos + this.ys[i] * sin;
				int b = Math.max(0, Math.min(this.counts.length - 1, (int) Math.floor(rho / this.band) + offset));
				this.counts[b]++;
			}
			int[] c = this.counts;
			double ink = 0;
			int lines = 0;
			// a line may straddle two bands: a peak is a band and the larger of its
			// neighbours, at a local maximum, with little ink two bands away on either
			// side (a line is thin; a bold stroke or a blot fills many bands alike)
			for (int b = 2; b < c.length - 2; b++) {
				int v = c[b];
				if (v == 0 || v < c[b - 1] || v <= c[b + 1]) {
					continue;
				}
				boolean thin = (c[b - 1] >= c[b + 1]) ? c[b - 2] <= v / 4 && c[b + 2] <= v / 4
						: c[b - 2] <= v / 4 && (b + 3 >= c.length || c[b + 3] <= v / 4);
				int pair = v + Math.max(c[b - 1], c[b + 1]);
				if (thin && pair >= this.needed[family]) {
					ink += pair;
					lines++;
				}
			}
			return new double[] { ink, lines };
		}

	}

	/**
	 * {@code values} mapped (bilinear, 0 where the picture was not) so that lines across
	 * slanted by {@code across} degrees and lines down slanted by {@code down} run
	 * straight: output row {@code v} follows the direction {@code (cos a, sin a)} and
	 * column {@code u} the direction {@code (-sin d, cos d)} through the source, about
	 * the centre; with one angle both ways, the picture turned by it. The canvas keeps
	 * the picture's size, so that a line that crossed the picture still reaches its frame
	 * (which {@link Lines} takes as a sign of a line, not a stroke); the corners, far
	 * from where a digit is written, are cut.
	 */
	static float[] turn(float[] values, int width, int height, double across, double down) {
		double cosA = Math.cos(Math.toRadians(across));
		double sinA = Math.sin(Math.toRadians(across));
		double cosD = Math.cos(Math.toRadians(down));
		double sinD = Math.sin(Math.toRadians(down));
		float[] out = new float[width * height];
		double cx = width / 2.0;
		double cy = height / 2.0;
		for (int v = 0; v < height; v++) {
			double dv = v + 0.5 - cy;
			for (int u = 0; u < width; u++) {
				double du = u + 0.5 - cx;
				// the source point, in pixel-centre coordinates
				double x = cosA * du - sinD * dv + cx - 0.5;
				double y = sinA * du + cosD * dv + cy - 0.5;
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
