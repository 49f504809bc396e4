package dev.digits.preprocessing;

import java.time.Duration;
import java.util.Objects;

/**
 * The decoding budget applied to every upload, checked from the image's header before any
 * decoder allocates (see {@link ImageHeader}), and the rules that make an input a digit.
 *
 * @param maxWidth widest image accepted, in pixels (bounds every decoder's row buffers)
 * @param maxHeight tallest image accepted, in pixels
 * @param maxPixels largest {@code width * height}: a decompression bomb costs only its
 * header
 * @param maxDecodeBytes most memory one image may need to decode (heap and native,
 * estimated from the header: the input, row buffers, progressive JPEG coefficients, the
 * subsampled raster and the grey copies); above it the image is refused as too complex
 * @param maxFrames most frames a GIF may hold (only the first is decoded)
 * @param maxJpegScans most scans a JPEG may hold: the JDK decoder outputs the whole image
 * after every progressive scan, so each scan costs a full decode
 * @param timeBudget wall-clock time one image may take to decode and normalise
 * @param decodePixels pixels decoded at most: larger images are subsampled by an integer
 * step while decoding (the digit ends up 20 pixels tall, so 1 MP loses nothing that
 * matters)
 * @param minInkPixels fewest ink pixels (at least half as strong as the strongest ink) an
 * input must have; fewer means blank or a stray speck
 */
public record PreprocessingLimits(int maxWidth, int maxHeight, long maxPixels, long maxDecodeBytes, int maxFrames,
		int maxJpegScans, Duration timeBudget, long decodePixels, int minInkPixels) {

	/** 10,000: above the 8,064 pixels of a 48 MP phone sensor's long side. */
	public static final int DEFAULT_MAX_SIDE = 10_000;

	/**
	 * 25 megapixels: above the 12 MP of a typical phone photo and the 24 MP of most
	 * cameras.
	 */
	public static final long DEFAULT_MAX_PIXELS = 25_000_000L;

	/**
	 * 64 MB: a 25 MP baseline JPEG or 16-bit RGBA PNG needs about 25 MB (it is decoded
	 * subsampled); a progressive JPEG keeps every DCT coefficient (2 bytes per sample),
	 * so a 12 MP colour one (about 40 MB) passes and a 25 MP one (about 80 MB) does not.
	 */
	public static final long DEFAULT_MAX_DECODE_BYTES = 64L << 20;

	/**
	 * 100 frames: an animated GIF is not a digit, but a short one is decoded by its first
	 * frame.
	 */
	public static final int DEFAULT_MAX_FRAMES = 100;

	/**
	 * 32 scans: libjpeg's standard progressive script has 10 scans for colour and 6 for
	 * grey; encoders that optimise scans stay near that.
	 */
	public static final int DEFAULT_MAX_JPEG_SCANS = 32;

	/** 500 ms: a 25 MP photo decodes in about 50-300 ms here (docs/security.md). */
	public static final Duration DEFAULT_TIME_BUDGET = Duration.ofMillis(500);

	/** 1024 x 1024. */
	public static final long DEFAULT_DECODE_PIXELS = 1024L * 1024L;

	/**
	 * 10: the thinnest digit of the MNIST test set has 19 pixels at half strength or
	 * more, so real digits pass with a margin of two, while a lone speck (JPEG ringing,
	 * sensor noise, a stray tap on a canvas) is refused as blank.
	 */
	public static final int DEFAULT_MIN_INK_PIXELS = 10;

	public PreprocessingLimits {
		Objects.requireNonNull(timeBudget, "timeBudget");
		positive(maxWidth, "maxWidth");
		positive(maxHeight, "maxHeight");
		positive(maxPixels, "maxPixels");
		positive(maxDecodeBytes, "maxDecodeBytes");
		positive(maxFrames, "maxFrames");
		positive(maxJpegScans, "maxJpegScans");
		positive(timeBudget.toNanos(), "timeBudget");
		positive(decodePixels, "decodePixels");
		positive(minInkPixels, "minInkPixels");
	}

	public static PreprocessingLimits defaults() {
		return new PreprocessingLimits(DEFAULT_MAX_SIDE, DEFAULT_MAX_SIDE, DEFAULT_MAX_PIXELS, DEFAULT_MAX_DECODE_BYTES,
				DEFAULT_MAX_FRAMES, DEFAULT_MAX_JPEG_SCANS, DEFAULT_TIME_BUDGET, DEFAULT_DECODE_PIXELS,
				DEFAULT_MIN_INK_PIXELS);
	}

	public PreprocessingLimits withMaxPixels(long pixels) {
		return new PreprocessingLimits(maxWidth, maxHeight, pixels, maxDecodeBytes, maxFrames, maxJpegScans, timeBudget,
				decodePixels, minInkPixels);
	}

	public PreprocessingLimits withMaxDecodeBytes(long bytes) {
		return new PreprocessingLimits(maxWidth, maxHeight, maxPixels, bytes, maxFrames, maxJpegScans, timeBudget,
				decodePixels, minInkPixels);
	}

	public PreprocessingLimits withTimeBudget(Duration budget) {
		return new PreprocessingLimits(maxWidth, maxHeight, maxPixels, maxDecodeBytes, maxFrames, maxJpegScans, budget,
				decodePixels, minInkPixels);
	}

	private static void positive(long value, String name) {
		if (value <= 0) {
			throw new IllegalArgumentException(name + " must be positive, was " + value);
		}
	}

}
