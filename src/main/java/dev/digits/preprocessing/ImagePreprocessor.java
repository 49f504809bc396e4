package dev.digits.preprocessing;

import java.util.Objects;

import dev.digits.model.DigitNetwork;

/**
 * Turns uploads into the normalised 28x28 input of the MNIST network, the way MNIST itself was made.
 * <p>
 * Images: the format is sniffed from the magic bytes; the header is checked against
 * {@link PreprocessingLimits#maxPixels()} before decoding; pixels become grey (transparency
 * composited onto the background that contrasts with the strokes); dark ink on light paper is
 * inverted so that ink is high; then an image that already is 28x28 passes through unchanged, and any
 * other is cropped to its ink, fitted into 20x20 and centred by mass in 28x28 (see {@link Framing}).
 * Pixel arrays are always 28x28 and get the same polarity rule and blank check.
 * <p>
 * Levels become network input only through {@link dev.digits.model.Normalization}, as in training.
 * Stateless apart from its limits and safe for concurrent use. Every failure is a
 * {@link PreprocessingException} with a message fit for the client.
 */
public final class ImagePreprocessor {

	private static final String PIXELS = "pixels";

	private final PreprocessingLimits limits;

	public ImagePreprocessor(PreprocessingLimits limits) {
		this.limits = Objects.requireNonNull(limits, "limits");
	}

	/**
	 * Decodes PNG, JPEG, GIF or BMP bytes (the format is sniffed from the magic bytes, not taken from
	 * any content type) into network input.
	 * @throws PreprocessingException for any upload that cannot become a digit
	 */
	public Preprocessed fromImage(byte[] bytes) {
		if (bytes == null || bytes.length == 0) {
			throw new PreprocessingException(Reason.UNDECODABLE, "The upload is empty: send the image's bytes.");
		}
		ImageFormat format = ImageFormat.sniff(bytes).orElseThrow(() -> unsupported(bytes));
		ImageDecoder.Decoded decoded = ImageDecoder.decode(bytes, format, this.limits.maxPixels());
		GreyImage grey = decoded.grey();
		Framing.Analysis analysis = Framing.analyse(grey, this.limits.minInkPixels());
		Framing.applyPolarity(grey, analysis);
		boolean framed = isFramed(grey);
		float[] pixels = framed ? Framing.passThrough(grey) : Framing.reframe(grey, analysis);
		return new Preprocessed(pixels, format.id(), decoded.width(), decoded.height(), analysis.inverted(), !framed);
	}

	/**
	 * 784 grey levels 0..255, row-major 28x28, ink dark or light (inverted when the border is the
	 * lighter side, as for images), passed through unchanged otherwise.
	 * @throws PreprocessingException {@link Reason#INVALID_PIXELS} for a wrong length or a level
	 * outside 0..255; {@link Reason#BLANK} for a blank image
	 */
	public Preprocessed fromGreyLevels(int[] grey) {
		checkLength(grey == null ? -1 : grey.length, "grey levels");
		byte[] levels = new byte[DigitNetwork.PIXELS];
		for (int i = 0; i < levels.length; i++) {
			if (grey[i] < 0 || grey[i] > 255) {
				throw invalid(i, Integer.toString(grey[i]), "grey levels must be whole numbers from 0 to 255");
			}
			levels[i] = (byte) grey[i];
		}
		GreyImage image = new GreyImage(DigitNetwork.WIDTH, DigitNetwork.HEIGHT, levels);
		Framing.Analysis analysis = Framing.analyse(image, this.limits.minInkPixels());
		Framing.applyPolarity(image, analysis);
		return new Preprocessed(Framing.passThrough(image), PIXELS, DigitNetwork.WIDTH, DigitNetwork.HEIGHT,
				analysis.inverted(), false);
	}

	/**
	 * 784 values in 0..1, row-major 28x28. Polarity and the blank check are decided on the values
	 * rounded to grey levels; the values themselves pass through unchanged ({@code 1 - v} if inverted).
	 * @throws PreprocessingException {@link Reason#INVALID_PIXELS} for a wrong length, NaN, an
	 * infinity or a value outside 0..1; {@link Reason#BLANK} for a blank image
	 */
	public Preprocessed fromUnitFloats(float[] values) {
		checkLength(values == null ? -1 : values.length, "values");
		byte[] levels = new byte[DigitNetwork.PIXELS];
		for (int i = 0; i < levels.length; i++) {
			float v = values[i];
			if (!(v >= 0f && v <= 1f)) {
				throw invalid(i, Float.toString(v), "values must be numbers from 0 to 1");
			}
			levels[i] = (byte) Math.round(v * 255f);
		}
		GreyImage image = new GreyImage(DigitNetwork.WIDTH, DigitNetwork.HEIGHT, levels);
		Framing.Analysis analysis = Framing.analyse(image, this.limits.minInkPixels());
		float[] pixels = new float[DigitNetwork.PIXELS];
		for (int i = 0; i < pixels.length; i++) {
			pixels[i] = analysis.inverted() ? 1f - values[i] : values[i];
		}
		return new Preprocessed(pixels, PIXELS, DigitNetwork.WIDTH, DigitNetwork.HEIGHT, analysis.inverted(), false);
	}

	private static boolean isFramed(GreyImage image) {
		return image.width() == DigitNetwork.WIDTH && image.height() == DigitNetwork.HEIGHT;
	}

	private static void checkLength(int length, String what) {
		if (length != DigitNetwork.PIXELS) {
			throw new PreprocessingException(Reason.INVALID_PIXELS,
					"Expected " + DigitNetwork.PIXELS + " " + what + " (28 x 28, row by row), got "
							+ ((length < 0) ? "none" : Integer.toString(length)) + ".");
		}
	}

	private static PreprocessingException invalid(int index, String value, String rule) {
		return new PreprocessingException(Reason.INVALID_PIXELS, "The value at index " + index + " (row "
				+ index / DigitNetwork.WIDTH + ", column " + index % DigitNetwork.WIDTH + ") is " + value + "; " + rule
				+ ".");
	}

	private static PreprocessingException unsupported(byte[] bytes) {
		String guess = ImageFormat.describeUnsupported(bytes);
		return new PreprocessingException(Reason.UNSUPPORTED_FORMAT, "Unsupported image format"
				+ ((guess != null) ? " (the upload looks like " + guess + ")" : "") + ": send a "
				+ ImageFormat.ACCEPTED + " image.");
	}

}
