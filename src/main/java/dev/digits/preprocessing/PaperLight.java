package dev.digits.preprocessing;

/**
 * Removes uneven light: estimates the level of the paper under every pixel and divides by it.
 * <p>
 * The paper's level of each block of about 1/32 of the long side (at least 8 pixels) is a high
 * percentile of its pixels (ink covers less than a tenth of most blocks). A grey-level closing over
 * neighbouring blocks (the largest of the 5x5 blocks around, then the smallest) replaces blocks that
 * lie inside a thick marker stroke by the paper around them, while keeping the edge of a shadow or
 * of the table where it is (a plain largest-of-neighbours filter would move it by two blocks, turning a
 * band of shadow into ink). The block levels are then smoothed (3x3 mean) and interpolated
 * bilinearly to every pixel.
 * <p>
 * Ink strength is {@code (paper - v) / max(paper, half the median paper)}: 1 for black ink, 0 for
 * paper whether lit or in shadow, and a dark table far from the sheet is its own paper (0), without
 * its noise being amplified by a division by a small level.
 */
final class PaperLight {

	/** Percentile of each block taken as its paper level. */
	static final double PAPER_PERCENTILE = 0.9;

	/** Radius, in blocks, of the closing. */
	static final int CLOSING_RADIUS = 2;

	private PaperLight() {
	}

	static int blockSize(int width, int height) {
		return Math.max(8, (Math.max(width, height) + 31) / 32);
	}

	/** Ink strengths, signed (paper noise goes both ways), of the paper-light levels {@code grey}. */
	static float[] inkStrength(float[] grey, int width, int height) {
		int block = blockSize(width, height);
		int columns = (width + block - 1) / block;
		int rows = (height + block - 1) / block;
		float[] levels = new float[columns * rows];
		int[] histogram = new int[256];
		for (int by = 0; by < rows; by++) {
			for (int bx = 0; bx < columns; bx++) {
				java.util.Arrays.fill(histogram, 0);
				int count = 0;
				for (int y = by * block; y < Math.min(height, (by + 1) * block); y++) {
					for (int x = bx * block; x < Math.min(width, (bx + 1) * block); x++) {
						histogram[Math.max(0, Math.min(255, Math.round(grey[y * width + x])))]++;
						count++;
					}
				}
				levels[by * columns + bx] = InkLocator.quantile(histogram, PAPER_PERCENTILE);
			}
		}
		float[] closed = close(levels, columns, rows);
		float[] smooth = mean3(closed, columns, rows);
		float[] sorted = smooth.clone();
		java.util.Arrays.sort(sorted);
		float typical = sorted[sorted.length / 2];
		float least = Math.max(1f, 0.5f * typical);
		// bilinear weights per column computed once; per row, the two block rows blended first
		int[] left = new int[width];
		int[] right = new int[width];
		float[] towardRight = new float[width];
		for (int x = 0; x < width; x++) {
			double fx = Math.max(0, Math.min(columns - 1, (x + 0.5) / block - 0.5));
			left[x] = Math.min((int) fx, Math.max(0, columns - 2));
			right[x] = Math.min(columns - 1, left[x] + 1);
			towardRight[x] = (float) (fx - left[x]);
		}
		float[] blended = new float[columns];
		float[] ink = new float[width * height];
		for (int y = 0; y < height; y++) {
			double fy = Math.max(0, Math.min(rows - 1, (y + 0.5) / block - 0.5));
			int y0 = Math.min((int) fy, Math.max(0, rows - 2));
			int y1 = Math.min(rows - 1, y0 + 1);
			float wy = (float) (fy - y0);
			for (int bx = 0; bx < columns; bx++) {
				blended[bx] = smooth[y0 * columns + bx] * (1 - wy) + smooth[y1 * columns + bx] * wy;
			}
			int row = y * width;
			for (int x = 0; x < width; x++) {
				float wx = towardRight[x];
				float paper = blended[left[x]] * (1 - wx) + blended[right[x]] * wx;
				ink[row + x] = (paper - grey[row + x]) / Math.max(paper, least);
			}
		}
		return ink;
	}

	/** Grey-level closing of block levels: the largest of the 5x5 blocks around, then the smallest. */
	static float[] close(float[] levels, int columns, int rows) {
		return filter(filter(levels, columns, rows, CLOSING_RADIUS, true), columns, rows, CLOSING_RADIUS, false);
	}

	/** Separable largest ({@code max}) or smallest of the {@code (2r+1)^2} neighbours, edges clamped. */
	private static float[] filter(float[] values, int columns, int rows, int radius, boolean max) {
		float[] across = new float[values.length];
		for (int y = 0; y < rows; y++) {
			for (int x = 0; x < columns; x++) {
				float best = values[y * columns + x];
				for (int k = Math.max(0, x - radius); k <= Math.min(columns - 1, x + radius); k++) {
					float v = values[y * columns + k];
					best = max ? Math.max(best, v) : Math.min(best, v);
				}
				across[y * columns + x] = best;
			}
		}
		float[] out = new float[values.length];
		for (int y = 0; y < rows; y++) {
			for (int x = 0; x < columns; x++) {
				float best = across[y * columns + x];
				for (int k = Math.max(0, y - radius); k <= Math.min(rows - 1, y + radius); k++) {
					float v = across[k * columns + x];
					best = max ? Math.max(best, v) : Math.min(best, v);
				}
				out[y * columns + x] = best;
			}
		}
		return out;
	}

	private static float[] mean3(float[] values, int columns, int rows) {
		float[] out = new float[values.length];
		for (int y = 0; y < rows; y++) {
			for (int x = 0; x < columns; x++) {
				float sum = 0;
				int n = 0;
				for (int dy = -1; dy <= 1; dy++) {
					for (int dx = -1; dx <= 1; dx++) {
						int yy = y + dy;
						int xx = x + dx;
						if (yy >= 0 && yy < rows && xx >= 0 && xx < columns) {
							sum += values[yy * columns + xx];
							n++;
						}
					}
				}
				out[y * columns + x] = sum / n;
			}
		}
		return out;
	}

}
