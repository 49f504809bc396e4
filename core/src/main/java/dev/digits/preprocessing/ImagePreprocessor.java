package dev.digits.preprocessing;

import java.util.Objects;

import dev.digits.model.DigitNetwork;

/**
 * Turns uploads into the normalised 28x28 input of the MNIST network, the way MNIST
 * itself was made.
 * <p>
 * Images: the format is sniffed from the magic bytes; the header is checked against the
 * decoding budget of {@link PreprocessingLimits} before decoding; pixels become grey
 * (transparency composited onto the background that contrasts with the strokes); dark ink
 * on light paper is inverted so that ink is high; then an image that already is 28x28
 * passes through unchanged, and in any other the digit is found ({@link InkLocator}:
 * uneven light divided away, ruled and squared paper lines, box sides and the table left
 * out, the most central digit chosen), cropped to its ink, fitted into 20x20 and centred
 * by mass in 28x28 (see {@link Framing}). Pixel arrays are always 28x28 and get the same
 * polarity rule and blank check.
 * <p>
 * Levels become network input only through {@link dev.digits.model.Normalization}, as in
 * training. Stateless apart from its limits and safe for concurrent use. Every failure is
 * a {@link PreprocessingException} with a message fit for the client.
 */
public final class ImagePreprocessor {

	private static final String PIXELS = "pixels";

	private final PreprocessingLimits limits;

	private final DecodeGate gate;

	/** With a gate of {@link DecodeGate#defaults(PreprocessingLimits)}. */
	public ImagePreprocessor(PreprocessingLimits limits) {
		this(limits, DecodeGate.defaults(limits));
	}

	/**
	 * @param gate admission to decoding, shared by every request of the server (memory
	 * budget and concurrent large decodes)
	 */
	public ImagePreprocessor(PreprocessingLimits limits, DecodeGate gate) {
		this.limits = Objects.requireNonNull(limits, "limits");
		this.gate = Objects.requireNonNull(gate, "gate");
	}

	public PreprocessingLimits limits() {
		return this.limits;
	}

	/**
	 * Decodes PNG, JPEG, GIF or BMP bytes (the format is sniffed from the magic bytes,
	 * not taken from any content type) into network input, within the decoding budget of
	 * {@link PreprocessingLimits}.
	 * @throws PreprocessingException for any upload that cannot become a digit, or that
	 * would cost more than the budget ({@link Reason#TOO_MANY_PIXELS},
	 * {@link Reason#TOO_COMPLEX}, {@link Reason#TIMEOUT} for an image of more than
	 * {@link PreprocessingLimits#decodePixels()}), or when decoding is at capacity or an
	 * image no larger than that ran out of its time budget, which on an idle core it
	 * cannot ({@link Reason#BUSY})
	 */
	public Preprocessed fromImage(byte[] bytes) {
		long deadline = System.nanoTime() + this.limits.timeBudget().toNanos();
		if (bytes == null || bytes.length == 0) {
			throw new PreprocessingException(Reason.UNDECODABLE, "The upload is empty: send the image's bytes.");
		}
		ImageFormat format = ImageFormat.sniff(bytes).orElseThrow(() -> unsupported(bytes));
		ImageHeader header = ImageHeader.inspect(bytes, format, this.limits);
		long needed = header.decodeBytes(bytes.length, this.limits.decodePixels());
		boolean large = header.pixels() > this.limits.decodePixels();
		try {
			return decodeAndFrame(bytes, format, header, needed, large, deadline);
		}
		catch (PreprocessingException ex) {
			if (ex.reason() == Reason.TIMEOUT && !large) {
				// an image of at most decodePixels decodes and is framed in tens of
				// milliseconds; past the budget the cores were busy elsewhere
				throw new PreprocessingException(Reason.BUSY,
						"The server was too busy to decode the image within the time allowed per image; retry shortly.");
			}
			throw ex;
		}
	}

	private Preprocessed decodeAndFrame(byte[] bytes, ImageFormat format, ImageHeader header, long needed,
			boolean large, long deadline) {
		ImageDecoder.Decoded decoded;
		try (DecodeGate.Permit permit = this.gate.admit(needed, large, deadline)) {
			decoded = ImageDecoder.decode(bytes, format, header, this.limits.decodePixels(), deadline);
			GreyImage grey = decoded.grey();
			if (isFramed(grey)) {
				Framing.Analysis analysis = Framing.analyse(grey, this.limits.minInkPixels());
				Framing.applyPolarity(grey, analysis);
				return new Preprocessed(Framing.passThrough(grey), format.id(), decoded.width(), decoded.height(),
						analysis.inverted(), false);
			}
			if (InkLocator.smallAndClean(grey)) {
				Framing.Analysis analysis = InkLocator.analyseCanvas(grey, this.limits.minInkPixels());
				Framing.applyPolarity(grey, analysis);
				return new Preprocessed(Framing.reframe(grey, analysis), format.id(), decoded.width(), decoded.height(),
						analysis.inverted(), true, false);
			}
			InkLocator.Located digit = InkLocator.locate(grey, this.limits.minInkPixels(), deadline);
			float[] pixels = Framing.reframe(digit.ink(), digit.width(), digit.height());
			if (System.nanoTime() > deadline) {
				throw timeout();
			}
			return new Preprocessed(pixels, format.id(), decoded.width(), decoded.height(), digit.inverted(), true,
					digit.severalDigits());
		}
	}

	/**
	 * Runs {@code rounds} photo-like and canvas-like images (a stroke on ruled, noisy,
	 * unevenly lit paper; a clean canvas) as PNG, JPEG, GIF and BMP through
	 * {@link #fromImage}, with a relaxed time budget and a gate of their own, so that the
	 * first requests of a fresh JVM do not pay for class loading and interpreted code (a
	 * cold JVM took longer than the 500 ms budget for its first photo on a loaded
	 * machine). Returns the images preprocessed.
	 */
	public int warmUp(int rounds) {
		ImagePreprocessor relaxed = new ImagePreprocessor(this.limits.withTimeBudget(java.time.Duration.ofSeconds(30)));
		int done = 0;
		for (int round = 0; round < rounds; round++) {
			for (java.awt.image.BufferedImage image : warmUpImages(round)) {
				for (String format : new String[] { "png", "jpeg", "gif", "bmp" }) {
					java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
					try {
						javax.imageio.ImageIO.write(image, format, out);
						relaxed.fromImage(out.toByteArray());
						done++;
					}
					catch (java.io.IOException | PreprocessingException ex) {
						// a warm-up image that fails still warmed the code it ran
					}
				}
			}
		}
		return done;
	}

	private static java.util.List<java.awt.image.BufferedImage> warmUpImages(int seed) {
		java.util.Random random = new java.util.Random(seed);
		java.awt.image.BufferedImage photo = new java.awt.image.BufferedImage(640, 480,
				java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
		for (int y = 0; y < 480; y++) {
			for (int x = 0; x < 640; x++) {
				int paper = 200 + x / 16 + (int) (6 * random.nextGaussian());
				int line = (y % 48 < 2) ? 40 : 0;
				int level = Math.max(0, Math.min(255, paper - line));
				photo.setRGB(x, y, (level - line / 2) << 16 | level << 8 | Math.min(255, level + line));
			}
		}
		java.awt.image.BufferedImage canvas = new java.awt.image.BufferedImage(280, 280,
				java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
		for (java.awt.image.BufferedImage image : java.util.List.of(photo, canvas)) {
			java.awt.Graphics2D g = image.createGraphics();
			g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
			if (image == canvas) {
				g.setColor(java.awt.Color.WHITE);
				g.fillRect(0, 0, 280, 280);
			}
			g.setColor(new java.awt.Color(20, 30, 90));
			g.setStroke(new java.awt.BasicStroke(image == canvas ? 18 : 7, java.awt.BasicStroke.CAP_ROUND,
					java.awt.BasicStroke.JOIN_ROUND));
			int cx = image.getWidth() / 2;
			int cy = image.getHeight() / 2;
			int r = image.getHeight() / 5;
			// a 7: a bar and a stem
			g.drawLine(cx - r, cy - r, cx + r, cy - r);
			g.drawLine(cx + r, cy - r, cx - r / 3, cy + r + random.nextInt(10));
			g.dispose();
		}
		return java.util.List.of(photo, canvas);
	}

	/** Preprocesses whatever the client sent. */
	public Preprocessed preprocess(Upload upload) {
		if (upload instanceof Upload.Image image) {
			return fromImage(image.bytes());
		}
		Upload.Pixels pixels = (Upload.Pixels) upload;
		return fromPixels(pixels.values(), pixels.scale());
	}

	/**
	 * 784 numbers on {@code scale}: whole grey levels 0..255, or unit values 0..1.
	 * @throws PreprocessingException {@link Reason#INVALID_PIXELS} for a wrong count, a
	 * value that is not finite, out of range, or (for grey levels) not a whole number;
	 * {@link Reason#BLANK}
	 */
	public Preprocessed fromPixels(double[] values, PixelScale scale) {
		checkLength(values.length, "values");
		switch (scale) {
			case GREY_LEVELS -> {
				int[] grey = new int[values.length];
				for (int i = 0; i < grey.length; i++) {
					double v = values[i];
					if (!(v >= 0 && v <= 255) || v != Math.rint(v)) {
						throw invalid(i, format(v),
								"with range \"0-255\" every value must be a whole number from 0 to 255");
					}
					grey[i] = (int) v;
				}
				return fromGreyLevels(grey);
			}
			case UNIT -> {
				float[] unit = new float[values.length];
				for (int i = 0; i < unit.length; i++) {
					if (!(values[i] >= 0 && values[i] <= 1)) {
						throw invalid(i, format(values[i]),
								"with range \"0-1\" every value must be a number from 0 to 1");
					}
					unit[i] = (float) values[i];
				}
				return fromUnitFloats(unit);
			}
			default -> throw new IllegalArgumentException(scale.toString());
		}
	}

	private static String format(double v) {
		return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
	}

	static PreprocessingException timeout() {
		return new PreprocessingException(Reason.TIMEOUT,
				"Decoding the image took longer than the time allowed per image; send a smaller or simpler image.");
	}

	/**
	 * 784 grey levels 0..255, row-major 28x28, ink dark or light (inverted when the
	 * border is the lighter side, as for images), passed through unchanged otherwise.
	 * @throws PreprocessingException {@link Reason#INVALID_PIXELS} for a wrong length or
	 * a level outside 0..255; {@link Reason#BLANK} for a blank image
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
	 * 784 values in 0..1, row-major 28x28. Polarity and the blank check are decided on
	 * the values rounded to grey levels; the values themselves pass through unchanged
	 * ({@code 1 - v} if inverted).
	 * @throws PreprocessingException {@link Reason#INVALID_PIXELS} for a wrong length,
	 * NaN, an infinity or a value outside 0..1; {@link Reason#BLANK} for a blank image
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
			throw new PreprocessingException(Reason.INVALID_PIXELS, "Expected " + DigitNetwork.PIXELS + " " + what
					+ " (28 x 28, row by row), got "
					+ ((length < 0) ? "none" : (length > DigitNetwork.PIXELS) ? "more" : Integer.toString(length))
					+ ".");
		}
	}

	private static PreprocessingException invalid(int index, String value, String rule) {
		return new PreprocessingException(Reason.INVALID_PIXELS,
				"The value at index " + index + " (row " + index / DigitNetwork.WIDTH + ", column "
						+ index % DigitNetwork.WIDTH + ") is " + value + "; " + rule + ".");
	}

	private static PreprocessingException unsupported(byte[] bytes) {
		String guess = ImageFormat.describeUnsupported(bytes);
		return new PreprocessingException(Reason.UNSUPPORTED_FORMAT,
				"Unsupported image format" + ((guess != null) ? " (the upload looks like " + guess + ")" : "")
						+ ": send a " + ImageFormat.ACCEPTED + " image.");
	}

}
