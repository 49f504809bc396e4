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
 * (the two along rows on the map transposed), over the working image halved
 * ({@link #paperLevel}). Memory (counted from the arrays): the paper's map at the working
 * size, two maps of half of it, three of a quarter and two strips, about 3 MB at 512 x
 * 512.
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
		float[] paper = paperLevel(grey, width, height);
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
	 * The paper's level under every pixel: the {@link #closing} by
	 * {@link #closingRadius}, made at half the resolution, a quarter of the work. The
	 * picture is first halved by the lightest of every 2 x 2 square (a thin stroke is
	 * lifted as the closing would lift it), closed by half the radius, rounded up, and
	 * read back at every pixel as the darkest of the two cells on each side of it across
	 * and down: at a step in the paper's light (a shadow's edge, the table round a sheet)
	 * the darker side's level, so that the step is never taken for ink a pixel wide, as
	 * the lighter cell read back on the dark side would be. Pictures under 2 pixels
	 * across or down are closed at their own size.
	 */
	static float[] paperLevel(float[] grey, int width, int height) {
		int radius = closingRadius(width, height);
		if (width < 2 || height < 2) {
			return closing(grey, width, height, radius);
		}
		int halfWidth = (width + 1) / 2;
		int halfHeight = (height + 1) / 2;
		// the lightest of each pair along the rows, then of each pair of those rows (an
		// odd last column or row is its own pair)
		float[] pairs = new float[height * halfWidth];
		int evenWidth = width & ~1;
		for (int y = 0; y < height; y++) {
			int row = y * width;
			int at = y * halfWidth;
			for (int x = 0; x < evenWidth; x += 2) {
				pairs[at + (x >> 1)] = Math.max(grey[row + x], grey[row + x + 1]);
			}
			if (evenWidth < width) {
				pairs[at + halfWidth - 1] = grey[row + width - 1];
			}
		}
		float[] half = new float[halfWidth * halfHeight];
		for (int y = 0; y < halfHeight; y++) {
			int top = 2 * y * halfWidth;
			int bottom = (2 * y + 1 < height) ? top + halfWidth : top;
			int at = y * halfWidth;
			for (int x = 0; x < halfWidth; x++) {
				half[at + x] = Math.max(pairs[top + x], pairs[bottom + x]);
			}
		}
		float[] closed = closing(half, halfWidth, halfHeight, (radius + 1) / 2);
		// the darker of the two cells either side of each column (x = 2c: cells c - 1 and
		// c; x = 2c + 1: c and c + 1), then of each row
		float[] across = new float[halfHeight * width];
		for (int y = 0; y < halfHeight; y++) {
			int from = y * halfWidth;
			int to = y * width;
			// x = 0 and the columns whose right cell is past the last read clamped cells;
			// between them both cells are inside
			int inside = Math.min(width, 2 * halfWidth - 1);
			across[to] = closed[from];
			for (int x = 1; x < inside; x++) {
				int c = (x - 1) >> 1;
				across[to + x] = Math.min(closed[from + c], closed[from + c + 1]);
			}
			for (int x = Math.max(1, inside); x < width; x++) {
				int c = (x - 1) >> 1;
				across[to + x] = Math.min(closed[from + Math.max(0, c)], closed[from + Math.min(halfWidth - 1, c + 1)]);
			}
		}
		float[] paper = new float[width * height];
		for (int y = 0; y < height; y++) {
			int c = (y - 1) >> 1;
			int above = Math.max(0, c) * width;
			int below = Math.min(halfHeight - 1, c + 1) * width;
			int row = y * width;
			for (int x = 0; x < width; x++) {
				paper[row + x] = Math.min(across[above + x], across[below + x]);
			}
		}
		return paper;
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
