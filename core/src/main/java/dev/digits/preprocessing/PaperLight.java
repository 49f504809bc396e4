package dev.digits.preprocessing;

/**
 * Removes uneven light: estimates the level of the paper under every pixel and divides by
 * it.
 * <p>
 * The paper's level under each pixel is a grey-level closing of the picture (paper light,
 * ink dark) by a square of {@link #closingRadius} pixels on each side, about 1/16 of the
 * long side: the lightest level within the square around each pixel, then the darkest of
 * those. Strokes narrower than the square are lifted to the paper around them, while
 * anything wider, and every step or ramp in the paper's own brightness (the hard edge of
 * a shadow, the table round a sheet) is kept where it is, so that it is not ink.
 * Per-block estimates smoothed across blocks moved a shadow's edge by up to a block, and
 * the band between the two took about a third of the shadowed photos' digits.
 * <p>
 * Ink strength is {@code (paper - v) / max(paper, half the median paper)}: 1 for black
 * ink, 0 for paper whether lit or in shadow, and a dark table far from the sheet is its
 * own paper (0), without its noise being amplified by a division by a small level.
 * <p>
 * Cost: four passes of a running maximum or minimum (van Herk / Gil-Werman, three
 * comparisons per pixel whatever the radius; columns a whole row at a time) over the
 * working image, and three float maps of its size (about 2.4 MB at 512 x 384); measured
 * about 1-2 ms more than the block estimate for a 512 x 384 working image on a loaded
 * 2-core machine.
 */
final class PaperLight {

	private PaperLight() {
	}

	static int blockSize(int width, int height) {
		return Math.max(8, (Math.max(width, height) + 31) / 32);
	}

	/**
	 * Radius of the closing square: two blocks, about 1/16 of the long side and at least
	 * 16 pixels, so wider than a marker's stroke at the working resolution (a 512-pixel
	 * photo gets a 65-pixel square).
	 */
	static int closingRadius(int width, int height) {
		return 2 * blockSize(width, height);
	}

	/**
	 * Ink strengths, signed (paper noise goes both ways), of the paper-light levels
	 * {@code grey}.
	 */
	static float[] inkStrength(float[] grey, int width, int height) {
		float[] paper = closing(grey, width, height, closingRadius(width, height));
		int[] histogram = new int[256];
		for (float v : paper) {
			histogram[Math.max(0, Math.min(255, Math.round(v)))]++;
		}
		float least = Math.max(1f, 0.5f * InkLocator.quantile(histogram, 0.5));
		float[] ink = paper;
		for (int i = 0; i < ink.length; i++) {
			float p = paper[i];
			ink[i] = (p - grey[i]) / Math.max(p, least);
		}
		return ink;
	}

	/**
	 * Grey-level closing of {@code grey} by a square of side {@code 2 radius + 1}: the
	 * largest level within the square around each pixel, then the smallest of those (the
	 * square clipped at the edges).
	 */
	static float[] closing(float[] grey, int width, int height, int radius) {
		float[] a = new float[grey.length];
		float[] b = new float[grey.length];
		float[] c = new float[grey.length];
		float[] line = new float[width];
		float[] forward = new float[width];
		float[] backward = new float[width];
		float[] result = new float[width];
		rows(grey, a, width, height, radius, true, line, forward, backward, result);
		columns(a, b, c, width, height, radius, true);
		rows(a, b, width, height, radius, false, line, forward, backward, result);
		columns(b, a, c, width, height, radius, false);
		return b;
	}

	/** {@link #extreme} along every row of {@code src} into {@code dst}. */
	private static void rows(float[] src, float[] dst, int width, int height, int radius, boolean max, float[] line,
			float[] forward, float[] backward, float[] result) {
		for (int y = 0; y < height; y++) {
			System.arraycopy(src, y * width, line, 0, width);
			extreme(line, width, radius, max, forward, backward, result);
			System.arraycopy(result, 0, dst, y * width, width);
		}
	}

	/**
	 * {@link #extreme} down every column of {@code values}, in place, a whole row at a
	 * time (the running extremes in {@code forward} and {@code backward}, maps of the
	 * same size), so that memory is read row by row rather than a column's stride apart.
	 */
	private static void columns(float[] values, float[] forward, float[] backward, int width, int height, int radius,
			boolean max) {
		int w = 2 * radius + 1;
		int at = 0;
		for (int y = 0; y < height; y++) {
			int row = y * width;
			if (at == 0) {
				System.arraycopy(values, row, forward, row, width);
			}
			else if (max) {
				for (int x = 0; x < width; x++) {
					forward[row + x] = Math.max(forward[row - width + x], values[row + x]);
				}
			}
			else {
				for (int x = 0; x < width; x++) {
					forward[row + x] = Math.min(forward[row - width + x], values[row + x]);
				}
			}
			at = (at == w - 1) ? 0 : at + 1;
		}
		at = (height - 1) % w;
		for (int y = height - 1; y >= 0; y--) {
			int row = y * width;
			if (y == height - 1 || at == w - 1) {
				System.arraycopy(values, row, backward, row, width);
			}
			else if (max) {
				for (int x = 0; x < width; x++) {
					backward[row + x] = Math.max(backward[row + width + x], values[row + x]);
				}
			}
			else {
				for (int x = 0; x < width; x++) {
					backward[row + x] = Math.min(backward[row + width + x], values[row + x]);
				}
			}
			at = (at == 0) ? w - 1 : at - 1;
		}
		int fromAt = 0;
		for (int y = 0; y < height; y++) {
			int from = Math.max(0, y - radius);
			int to = Math.min(height - 1, y + radius);
			if (y - radius > 0) {
				fromAt = (fromAt == w - 1) ? 0 : fromAt + 1;
			}
			int row = y * width;
			if (to - from <= w - 1 - fromAt) {
				if (fromAt == 0) {
					System.arraycopy(forward, to * width, values, row, width);
				}
				else {
					System.arraycopy(backward, from * width, values, row, width);
				}
			}
			else {
				int b = from * width;
				int f = to * width;
				if (max) {
					for (int x = 0; x < width; x++) {
						values[row + x] = Math.max(backward[b + x], forward[f + x]);
					}
				}
				else {
					for (int x = 0; x < width; x++) {
						values[row + x] = Math.min(backward[b + x], forward[f + x]);
					}
				}
			}
		}
	}

	/**
	 * The largest ({@code max}) or smallest of {@code line[i - radius .. i + radius]},
	 * clipped to {@code [0, n)}, for every {@code i < n}, into {@code result}: van Herk /
	 * Gil-Werman, with running extremes forward and backward within segments of
	 * {@code 2 radius + 1} samples (any such window spans at most two segments).
	 */
	static void extreme(float[] line, int n, int radius, boolean max, float[] forward, float[] backward,
			float[] result) {
		int w = 2 * radius + 1;
		// each running pass segment by segment, its comparison chosen once (a choice per
		// sample kept the loops from compiling tight)
		for (int start = 0; start < n; start += w) {
			int end = Math.min(n, start + w);
			forward[start] = line[start];
			if (max) {
				for (int i = start + 1; i < end; i++) {
					forward[i] = Math.max(forward[i - 1], line[i]);
				}
			}
			else {
				for (int i = start + 1; i < end; i++) {
					forward[i] = Math.min(forward[i - 1], line[i]);
				}
			}
			backward[end - 1] = line[end - 1];
			if (max) {
				for (int i = end - 2; i >= start; i--) {
					backward[i] = Math.max(backward[i + 1], line[i]);
				}
			}
			else {
				for (int i = end - 2; i >= start; i--) {
					backward[i] = Math.min(backward[i + 1], line[i]);
				}
			}
		}
		// fromAt: the window's first sample's position within its segment, counted, not
		// divided for (a division per sample cost more than the comparisons)
		int fromAt = 0;
		for (int i = 0; i < n; i++) {
			int from = Math.max(0, i - radius);
			int to = Math.min(n - 1, i + radius);
			if (i - radius > 0) {
				fromAt = (fromAt == w - 1) ? 0 : fromAt + 1;
			}
			if (to - from <= w - 1 - fromAt) {
				// within one segment: the window starts it (clipped at 0) or ends with it
				// (clipped at n - 1)
				result[i] = (fromAt == 0) ? forward[to] : backward[from];
			}
			else {
				result[i] = max ? Math.max(backward[from], forward[to]) : Math.min(backward[from], forward[to]);
			}
		}
	}

}
