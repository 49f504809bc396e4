package dev.digits.inference;

/**
 * One forward pass implementation, owned by one worker thread: not thread-safe.
 */
interface ForwardPass {

	/**
	 * @param input {@code n * 784} normalized pixels, row-major 28x28 per image
	 * @param n number of images, at most {@link #capacity()}
	 * @param output receives {@code n * 10} logits (the output layer before its softmax,
	 * which the caller applies: out-of-distribution scores need the logits themselves)
	 */
	void forward(float[] input, int n, float[] output);

	/** Frees what the pass holds (native buffers); it is not used again. */
	default void close() {
	}

	/**
	 * The softmax of {@code n} rows of logits, row by row, into {@code probabilities}:
	 * the output layer's activation, computed as DL4J does (shifted by the row's
	 * maximum).
	 */
	static void softmax(float[] logits, int n, float[] probabilities) {
		int classes = dev.digits.model.DigitNetwork.CLASSES;
		for (int i = 0; i < n; i++) {
			int at = i * classes;
			float max = Float.NEGATIVE_INFINITY;
			for (int k = 0; k < classes; k++) {
				max = Math.max(max, logits[at + k]);
			}
			float sum = 0;
			for (int k = 0; k < classes; k++) {
				float e = (float) Math.exp(logits[at + k] - max);
				probabilities[at + k] = e;
				sum += e;
			}
			for (int k = 0; k < classes; k++) {
				probabilities[at + k] /= sum;
			}
		}
	}

	/** The largest batch one call accepts. */
	int capacity();

	/**
	 * Bytes of the buffers this pass holds for its own use (activations); 0 when it keeps
	 * none.
	 */
	default long bufferBytes() {
		return 0;
	}

}
