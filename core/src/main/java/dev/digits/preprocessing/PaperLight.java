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
 * comparisons per pixel whatever the radius), each down the columns a whole row at a time
 * (the two along rows on the map transposed: 5.5 ms for the closing of a 512 x 512
 * picture on a 2-core AMD EPYC, 6.75 ms with them along each row, best of 8 x 300 calls),
 * over the working image. Memory: two float maps of the working image's size and two
 * strips, about 2.5 MB in all.
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
		int[] histogram = InkLocator.levelHistogram(paper);
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
		// a max (or min) over the clipped square is one over its rows' and then
		// its columns' (either order), so the closing is min down columns (min
		// along rows (max along rows (max down columns))): the passes along rows
		// run down the columns of the transposed map, a strip of columns at a
		// time, where a pass along each row is a chain of dependent comparisons
		float[] a = grey.clone();
		float[] t = new float[grey.length];
		float[] forward = new float[STRIP * Math.max(width, height)];
		float[] backward = new float[forward.length];
		columns(a, forward, backward, width, height, radius, true);
		transpose(a, t, width, height);
		columns(t, forward, backward, height, width, radius, true);
		columns(t, forward, backward, height, width, radius, false);
		transpose(t, a, height, width);
		columns(a, forward, backward, width, height, radius, false);
		return a;
	}

	/**
	 * {@code dst}, {@code height x width}, becomes {@code src}, {@code width x height},
	 * transposed (in tiles of 16 x 16, so that neither is read or written a whole row
	 * apart at every step).
	 */
	static void transpose(float[] src, float[] dst, int width, int height) {
		int tile = 16;
		for (int y0 = 0; y0 < height; y0 += tile) {
			int y1 = Math.min(height, y0 + tile);
			for (int x0 = 0; x0 < width; x0 += tile) {
				int x1 = Math.min(width, x0 + tile);
				for (int y = y0; y < y1; y++) {
					int row = y * width;
					for (int x = x0; x < x1; x++) {
						dst[x * height + y] = src[row + x];
					}
				}
			}
		}
	}

	/**
	 * Columns that {@link #columns} takes together, so that its running extremes need two
	 * strips of {@code STRIP x height} floats rather than two maps of the picture's size
	 * (the speed is the same from 64 columns up).
	 */
	static final int STRIP = 128;

	/**
	 * The largest ({@code max}) or smallest of the {@code 2 radius + 1} values around
	 * every value of every column (clipped at the top and bottom), in place: van Herk /
	 * Gil-Werman, with running extremes down and up within segments of
	 * {@code 2 radius + 1} rows (any window spans at most two), a strip of {@link #STRIP}
	 * columns at a time and a whole row of the strip per step, so that memory is read row
	 * by row rather than a column's stride apart.
	 * @param forward scratch of at least {@code STRIP * height}
	 * @param backward scratch of at least {@code STRIP * height}
	 */
	private static void columns(float[] values, float[] forward, float[] backward, int width, int height, int radius,
			boolean max) {
		for (int x0 = 0; x0 < width; x0 += STRIP) {
			strip(values, forward, backward, width, height, radius, max, x0, Math.min(width, x0 + STRIP) - x0);
		}
	}

	/** {@link #columns} for the {@code n} columns from {@code x0}. */
	private static void strip(float[] values, float[] forward, float[] backward, int width, int height, int radius,
			boolean max, int x0, int n) {
		int w = 2 * radius + 1;
		int at = 0;
		for (int y = 0; y < height; y++) {
			int row = y * width + x0;
			int f = y * STRIP;
			if (at == 0) {
				System.arraycopy(values, row, forward, f, n);
			}
			else if (max) {
				for (int x = 0; x < n; x++) {
					forward[f + x] = Math.max(forward[f - STRIP + x], values[row + x]);
				}
			}
			else {
				for (int x = 0; x < n; x++) {
					forward[f + x] = Math.min(forward[f - STRIP + x], values[row + x]);
				}
			}
			at = (at == w - 1) ? 0 : at + 1;
		}
		at = (height - 1) % w;
		for (int y = height - 1; y >= 0; y--) {
			int row = y * width + x0;
			int f = y * STRIP;
			if (y == height - 1 || at == w - 1) {
				System.arraycopy(values, row, backward, f, n);
			}
			else if (max) {
				for (int x = 0; x < n; x++) {
					backward[f + x] = Math.max(backward[f + STRIP + x], values[row + x]);
				}
			}
			else {
				for (int x = 0; x < n; x++) {
					backward[f + x] = Math.min(backward[f + STRIP + x], values[row + x]);
				}
			}
			at = (at == 0) ? w - 1 : at - 1;
		}
		// fromAt: the window's first row's position within its segment, counted, not
		// divided for
		int fromAt = 0;
		for (int y = 0; y < height; y++) {
			int from = Math.max(0, y - radius);
			int to = Math.min(height - 1, y + radius);
			if (y - radius > 0) {
				fromAt = (fromAt == w - 1) ? 0 : fromAt + 1;
			}
			int row = y * width + x0;
			if (to - from <= w - 1 - fromAt) {
				// within one segment: the window starts it (clipped at 0) or ends with it
				// (clipped at the bottom)
				if (fromAt == 0) {
					System.arraycopy(forward, to * STRIP, values, row, n);
				}
				else {
					System.arraycopy(backward, from * STRIP, values, row, n);
				}
			}
			else {
				int b = from * STRIP;
				int f = to * STRIP;
				if (max) {
					for (int x = 0; x < n; x++) {
						values[row + x] = Math.max(backward[b + x], forward[f + x]);
					}
				}
				else {
					for (int x = 0; x < n; x++) {
						values[row + x] = Math.min(backward[b + x], forward[f + x]);
					}
				}
			}
		}
	}

}
