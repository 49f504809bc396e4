package dev.digits.preprocessing;

import java.util.Objects;

/**
 * What a client sent for one image, before preprocessing: the bytes of an encoded image,
 * or numbers meant as a 28x28 grid. The transport (HTTP, a protocol adapter) only turns
 * its body into one of these; every rule about what makes a valid input lives in
 * {@link ImagePreprocessor}.
 */
public sealed interface Upload {

	/** An encoded image (PNG, JPEG, GIF, BMP), format sniffed from the bytes. */
	record Image(byte[] bytes) implements Upload {

		public Image {
			Objects.requireNonNull(bytes, "bytes");
		}

	}

	/**
	 * Pixel values, row-major 28x28, on {@code scale}. At most {@value #MAX_VALUES}
	 * values: readers stop at the first value past a valid grid and pass what they have,
	 * so the length is refused.
	 */
	record Pixels(double[] values, PixelScale scale) implements Upload {

		/**
		 * One more than a 28x28 grid: enough to tell "too many" without reading the rest.
		 */
		public static final int MAX_VALUES = 28 * 28 + 1;

		public Pixels {
			Objects.requireNonNull(values, "values");
			Objects.requireNonNull(scale, "scale");
			if (values.length > MAX_VALUES) {
				throw new IllegalArgumentException("at most " + MAX_VALUES + " values, got " + values.length);
			}
		}

	}

}
