package dev.digits.preprocessing;

/**
 * Limits applied to every upload.
 *
 * @param maxPixels largest {@code width * height} an image header may announce; checked before any
 * pixel is decoded, so a decompression bomb costs only its header
 * @param minInkPixels fewest ink pixels (at least half as strong as the strongest ink) an input must
 * have; fewer means blank or a stray speck
 */
public record PreprocessingLimits(long maxPixels, int minInkPixels) {

	/**
	 * 25 megapixels: above the 12 MP of a typical phone photo and the 24 MP of most cameras. Decoding
	 * is memory-bounded anyway (large images are subsampled while decoding, see {@link ImagePreprocessor}).
	 */
	public static final long DEFAULT_MAX_PIXELS = 25_000_000L;

	/**
	 * 10: the thinnest digit of the MNIST test set has 19 pixels at half strength or more, so real
	 * digits pass with a margin of two, while a lone speck (JPEG ringing, sensor noise, a stray tap on a
	 * canvas) is refused as blank.
	 */
	public static final int DEFAULT_MIN_INK_PIXELS = 10;

	public PreprocessingLimits {
		if (maxPixels <= 0) {
			throw new IllegalArgumentException("maxPixels must be positive, was " + maxPixels);
		}
		if (minInkPixels <= 0) {
			throw new IllegalArgumentException("minInkPixels must be positive, was " + minInkPixels);
		}
	}

	public static PreprocessingLimits defaults() {
		return new PreprocessingLimits(DEFAULT_MAX_PIXELS, DEFAULT_MIN_INK_PIXELS);
	}

}
