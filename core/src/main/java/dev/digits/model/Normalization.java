package dev.digits.model;

/**
 * The one place that turns 8-bit grey levels into network input, used by training,
 * evaluation and serving alike. MNIST stores ink as 255 and paper as 0; the network sees
 * {@code value / 255}.
 */
public final class Normalization {

	private Normalization() {
	}

	/** Grey level 0..255 to the network's 0..1 input. */
	public static float normalize(int grey) {
		return grey / 255f;
	}

	/**
	 * Normalizes unsigned bytes {@code src[offset..offset+dst.length)} into {@code dst}.
	 */
	public static void normalize(byte[] src, int offset, float[] dst, int dstOffset, int length) {
		for (int i = 0; i < length; i++) {
			dst[dstOffset + i] = normalize(src[offset + i] & 0xFF);
		}
	}

}
