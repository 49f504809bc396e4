package dev.digits.inference;

/**
 * One forward pass implementation, owned by one worker thread: not thread-safe.
 */
interface ForwardPass {

	/**
	 * @param input {@code n * 784} normalized pixels, row-major 28x28 per image
	 * @param n number of images, at most {@link #capacity()}
	 * @param output receives {@code n * 10} softmax probabilities
	 */
	void forward(float[] input, int n, float[] output);

	/** Frees what the pass holds (native buffers); it is not used again. */
	default void close() {
	}

	/** The largest batch one call accepts. */
	int capacity();

}
