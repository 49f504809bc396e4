package dev.digits.preprocessing;

/**
 * Separable resizing of a float image: area-averaging (a box filter with exact fractional
 * coverage) where an axis shrinks, so thin strokes become grey rather than vanish, and
 * bilinear interpolation where it grows.
 */
final class Resampler {

	private Resampler() {
	}

	static float[] resize(float[] source, int sourceWidth, int sourceHeight, int width, int height) {
		Kernel horizontal = Kernel.of(sourceWidth, width);
		Kernel vertical = Kernel.of(sourceHeight, height);
		float[] wide = new float[width * sourceHeight];
		for (int y = 0; y < sourceHeight; y++) {
			horizontal.apply(source, y * sourceWidth, 1, wide, y * width, 1);
		}
		float[] result = new float[width * height];
		for (int x = 0; x < width; x++) {
			vertical.apply(wide, x, width, result, x, width);
		}
		return result;
	}

	/**
	 * For each output sample, the first input sample it reads and the weights of the
	 * inputs read.
	 */
	private record Kernel(int[] first, float[][] weights) {

		static Kernel of(int sourceLength, int length) {
			int[] first = new int[length];
			float[][] weights = new float[length][];
			double ratio = (double) sourceLength / length;
			for (int i = 0; i < length; i++) {
				if (length < sourceLength) {
					// output sample i covers the input interval [i * ratio, (i + 1) *
					// ratio)
					double start = i * ratio;
					double end = (i + 1) * ratio;
					int from = (int) Math.floor(start);
					int to = Math.min(sourceLength, (int) Math.ceil(end));
					first[i] = from;
					weights[i] = new float[to - from];
					for (int j = from; j < to; j++) {
						double overlap = Math.min(end, j + 1) - Math.max(start, j);
						weights[i][j - from] = (float) (overlap / ratio);
					}
				}
				else {
					// pixel centres aligned: output centre i + 0.5 maps to input (i +
					// 0.5) * ratio
					double at = Math.max(0, Math.min(sourceLength - 1, (i + 0.5) * ratio - 0.5));
					int from = Math.min((int) Math.floor(at), Math.max(0, sourceLength - 2));
					double fraction = at - from;
					first[i] = from;
					weights[i] = (sourceLength == 1) ? new float[] { 1f }
							: new float[] { (float) (1 - fraction), (float) fraction };
				}
			}
			return new Kernel(first, weights);
		}

		void apply(float[] source, int sourceOffset, int sourceStride, float[] target, int targetOffset,
				int targetStride) {
			for (int i = 0; i < this.first.length; i++) {
				float sum = 0;
				float[] w = this.weights[i];
				int at = sourceOffset + this.first[i] * sourceStride;
				for (int k = 0; k < w.length; k++) {
					sum += w[k] * source[at + k * sourceStride];
				}
				target[targetOffset + i * targetStride] = sum;
			}
		}

	}

}
