package dev.digits.training;

import dev.digits.preprocessing.ImageEncoding;
import java.awt.BasicStroke;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import dev.digits.model.DigitNetwork;
import dev.digits.model.Normalization;
import dev.digits.preprocessing.ImagePreprocessor;
import dev.digits.preprocessing.Preprocessed;
import dev.digits.preprocessing.PreprocessingException;

/**
 * Examples that look like what clients send, made from MNIST digits and fonts and put
 * through the serving {@link ImagePreprocessor}, so that the network trains and is
 * evaluated on what it will see: handwritten digits photographed on paper
 * ({@link PhotoSynth}), clean uploads ({@link RealisticUploads}), printed digits,
 * low-resolution 8x8 scans, and non-digits of every {@link #NON_DIGIT_KINDS kind}.
 * <p>
 * Every example is a pure function of the random stream it is given; callers seed one
 * stream per example (training: from seed, epoch and index; evaluation: from a seed
 * training never uses).
 */
public final class SyntheticData {

	/** The label of a non-digit. */
	public static final int NOT_A_DIGIT = -1;

	/** Kinds of non-digit, in report order. */
	public static final List<String> NON_DIGIT_KINDS = List.of("letters", "symbols", "scribbles", "shapes", "textures",
			"two-digits", "empty-paper");

	/**
	 * Capital and small letters that do not look like a digit (no O, o, I, l, i, Z, z, S,
	 * s, B, b, G, g, q).
	 */
	public static final String LETTERS = "ACDEFHJKLMNPRTUVWXYacdefhjkmnprtuvwxy";

	/** Symbols people write or type that are not digits. */
	public static final String SYMBOLS = "+=?#%&@*$€<>~";

	/** A preprocessed example, or the reason the preprocessor refused it. */
	public record Example(float[] pixels, int label, String kind, String condition, boolean severalDigits,
			String refused) {

		public boolean accepted() {
			return this.pixels != null;
		}

	}

	private static final int N = DigitNetwork.PIXELS;

	private final Mnist.Split digits;

	private final List<Font> fonts;

	private final ImagePreprocessor preprocessor;

	private final int minSide;

	private final int maxSide;

	/**
	 * @param digits the MNIST images handwritten examples come from
	 * @param fonts the fonts printed digits, letters and symbols are drawn in
	 * @param minSide photos' shorter side is drawn from {@code [minSide, maxSide]} pixels
	 */
	public SyntheticData(Mnist.Split digits, List<Font> fonts, ImagePreprocessor preprocessor, int minSide,
			int maxSide) {
		this.digits = digits;
		this.fonts = fonts;
		this.preprocessor = preprocessor;
		this.minSide = minSide;
		this.maxSide = maxSide;
	}

	public Mnist.Split digits() {
		return this.digits;
	}

	/** MNIST image {@code index} as 0..1, ink high. */
	public float[] mnist(int index) {
		float[] digit = new float[N];
		Normalization.normalize(this.digits.pixels(), index * N, digit, 0, N);
		return digit;
	}

	public int label(int index) {
		return this.digits.labels()[index];
	}

	/**
	 * MNIST digit {@code index} handwritten on paper in {@code condition}, photographed.
	 */
	public Example photo(int index, PhotoSynth.Condition condition, Random random) {
		PhotoSynth.Pen pen = List
			.of(PhotoSynth.Pen.FINE, PhotoSynth.Pen.BALLPOINT, PhotoSynth.Pen.MARKER, PhotoSynth.Pen.PENCIL)
			.get(random.nextInt(4));
		PhotoSynth.Ink ink = PhotoSynth.handwritten(mnist(index), 28 * (3 + 3 * random.nextDouble()), pen, random);
		// MNIST's 28 px frame holds a 20 px digit: the frame is 1.4 times the digit
		PhotoSynth.Photo photo = PhotoSynth.photo(ink, condition, pen, this.minSide, this.maxSide,
				new double[] { 0.3, 0.75 }, random);
		return preprocess(photo.bytes(), label(index), "photo", condition.id() + "/" + pen.id());
	}

	/** A random condition, plain paper a little more often than the others. */
	public static PhotoSynth.Condition anyCondition(Random random) {
		PhotoSynth.Condition[] all = PhotoSynth.Condition.values();
		return random.nextInt(7) == 0 ? PhotoSynth.Condition.PLAIN : all[random.nextInt(all.length)];
	}

	/**
	 * MNIST digit {@code index} as one of the clean {@link RealisticUploads} kinds
	 * (canvases, scans).
	 */
	public Example cleanUpload(int index, String kind, Random random) {
		RealisticUploads.Encoded encoded = RealisticUploads.render(kind, mnist(index), random);
		return preprocess(encoded.bytes(), label(index), "clean", kind);
	}

	/**
	 * A printed digit in one of the fonts: on clean paper (a scan or a screenshot) or,
	 * with {@code photographed}, in a photo of paper.
	 */
	public Example printed(int digit, boolean photographed, Random random) {
		return printed(digit, photographed, 0, random);
	}

	/**
	 * A printed digit as {@link #printed(int, boolean, Random)}, drawn heavier than its
	 * font with an outline stroke of {@code stroke} times its height (0: the font's
	 * weight).
	 */
	public Example printed(int digit, boolean photographed, double stroke, Random random) {
		Upload upload = printedUpload(digit, photographed, stroke, random);
		return preprocess(upload.bytes(), digit, "printed", upload.condition());
	}

	/**
	 * The upload {@link #printed(int, boolean, Random)} preprocesses, and its condition.
	 */
	public Upload printedUpload(int digit, boolean photographed, Random random) {
		return printedUpload(digit, photographed, 0, random);
	}

	/**
	 * The upload {@link #printed(int, boolean, double, Random)} preprocesses, and its
	 * condition.
	 */
	public Upload printedUpload(int digit, boolean photographed, double stroke, Random random) {
		Font font = this.fonts.get(random.nextInt(this.fonts.size()));
		double height = 40 + 80 * random.nextDouble();
		PhotoSynth.Ink ink = PhotoSynth.text(font, String.valueOf(digit), height, -6 + 12 * random.nextDouble(),
				random.nextInt(4) == 0 ? -0.2 + 0.4 * random.nextDouble() : 0, 0, stroke * height, random);
		if (photographed) {
			PhotoSynth.Condition condition = anyCondition(random);
			PhotoSynth.Photo photo = PhotoSynth.photo(ink, condition, PhotoSynth.Pen.PRINT, this.minSide, this.maxSide,
					new double[] { 0.2, 0.55 }, random);
			return new Upload(photo.bytes(), "photo/" + condition.id());
		}
		return new Upload(clean(ink, random), "clean");
	}

	/** An encoded image as a client would send it, and how it was made. */
	public record Upload(byte[] bytes, String condition) {
	}

	/**
	 * MNIST digit {@code index} as a low-resolution scan: its ink box fitted into 8x8
	 * with 17 grey levels (as the UCI/scikit-learn digits are), enlarged 4-16 times
	 * (blocky or smooth), dark on light or light on dark, PNG.
	 */
	public Example lowResolution(int index, Random random) {
		byte[] png = lowResolutionPng(index, random);
		return preprocess(png, label(index), "low-resolution", "8x8");
	}

	/** The PNG {@link #lowResolution} preprocesses. */
	public byte[] lowResolutionPng(int index, Random random) {
		float[] digit = mnist(index);
		int[] box = inkBox(digit);
		int side = Math.max(box[2] - box[0], box[3] - box[1]);
		int x0 = (box[0] + box[2] - side) / 2;
		int y0 = (box[1] + box[3] - side) / 2;
		float[] square = new float[side * side];
		for (int y = 0; y < side; y++) {
			for (int x = 0; x < side; x++) {
				int sx = x0 + x;
				int sy = y0 + y;
				square[y * side + x] = (sx < 0 || sy < 0 || sx >= 28 || sy >= 28) ? 0 : digit[sy * 28 + sx];
			}
		}
		float[] small = RobustnessSets.areaDownscale(square, side, 8);
		int factor = 4 + random.nextInt(13);
		boolean dark = random.nextInt(4) != 0;
		boolean smooth = random.nextBoolean();
		int size = 8 * factor;
		int[] levels = new int[size * size];
		for (int y = 0; y < size; y++) {
			for (int x = 0; x < size; x++) {
				double v = smooth ? bilinear(small, 8, (x + 0.5) / factor - 0.5, (y + 0.5) / factor - 0.5)
						: small[(y / factor) * 8 + x / factor];
				// 17 levels, as the 8x8 UCI digits
				double q = Math.round(Math.min(1, Math.max(0, v)) * 16) / 16.0;
				levels[y * size + x] = (int) Math.round(dark ? 255 - 255 * q : 255 * q);
			}
		}
		return ImageEncoding.encode(ImageEncoding.grey8(size, size, levels), "png");
	}

	/**
	 * A non-digit of {@code kind} (one of {@link #NON_DIGIT_KINDS}), photographed on
	 * paper or, one time in four, on clean paper. {@code secondIndex} is the MNIST digit
	 * a {@code two-digits} example pairs with {@code index}.
	 */
	public Example nonDigit(String kind, int index, int secondIndex, Random random) {
		return nonDigit(kind, index, secondIndex, null, random);
	}

	/**
	 * A non-digit as {@link #nonDigit(String, int, int, Random)}, photographed in
	 * {@code condition} (null: one drawn by {@link #anyCondition}).
	 */
	public Example nonDigit(String kind, int index, int secondIndex, PhotoSynth.Condition condition, Random random) {
		return preprocess(nonDigitImage(kind, index, secondIndex, condition, random), NOT_A_DIGIT, "non-digit", kind);
	}

	/**
	 * The image {@link #nonDigit(String, int, int, PhotoSynth.Condition, Random)}
	 * preprocesses: a photo, or one time in four a clean scan.
	 */
	public byte[] nonDigitImage(String kind, int index, int secondIndex, PhotoSynth.Condition condition,
			Random random) {
		PhotoSynth.Pen pen = List
			.of(PhotoSynth.Pen.FINE, PhotoSynth.Pen.BALLPOINT, PhotoSynth.Pen.MARKER, PhotoSynth.Pen.PENCIL)
			.get(random.nextInt(4));
		int size = 60 + random.nextInt(80);
		PhotoSynth.Ink ink = switch (kind) {
			case "letters" -> {
				Font font = this.fonts.get(random.nextInt(this.fonts.size()));
				char c = LETTERS.charAt(random.nextInt(LETTERS.length()));
				boolean handwritten = random.nextBoolean();
				yield PhotoSynth.text(font, String.valueOf(c), size, -12 + 24 * random.nextDouble(),
						handwritten ? -0.25 + 0.5 * random.nextDouble() : 0, handwritten ? size * 0.03 : 0,
						handwritten ? 1 + size * 0.05 * random.nextDouble() : 0, random);
			}
			case "symbols" -> {
				Font font = this.fonts.get(random.nextInt(this.fonts.size()));
				String symbols = displayable(font, SYMBOLS);
				char c = symbols.charAt(random.nextInt(symbols.length()));
				yield PhotoSynth.text(font, String.valueOf(c), size, -10 + 20 * random.nextDouble(), 0,
						random.nextBoolean() ? size * 0.02 : 0, random.nextBoolean() ? 1 + size * 0.04 : 0, random);
			}
			case "scribbles" ->
				PhotoSynth.drawn(size, g -> RobustnessSets.scribble(pen(g, size, random), size, random));
			case "shapes" -> PhotoSynth.drawn(size, g -> RobustnessSets.shapes(pen(g, size, random), size, random));
			case "textures" -> PhotoSynth.drawn(size, g -> RobustnessSets
				.texture(new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_GRAY), g, size, random));
			case "two-digits" -> {
				double frame = 28 * (2 + 2 * random.nextDouble());
				PhotoSynth.Ink left = PhotoSynth.handwritten(mnist(index), frame, pen, random);
				PhotoSynth.Ink right = PhotoSynth.handwritten(mnist(secondIndex), frame, pen, random);
				// MNIST frames carry 4 px of margin a side: a negative gap brings the
				// digits closer
				int gap = (int) Math.round(frame * (-0.25 + 0.3 * random.nextDouble()));
				yield PhotoSynth.sideBySide(left, right, Math.max(-left.width() / 3, gap), random);
			}
			case "empty-paper" -> new PhotoSynth.Ink(new float[1], 1, 1);
			default -> throw new IllegalArgumentException("unknown non-digit kind " + kind);
		};
		if (random.nextInt(4) == 0 && !kind.equals("empty-paper")) {
			return clean(ink, random);
		}
		return PhotoSynth
			.photo(ink, condition != null ? condition : anyCondition(random), pen, this.minSide, this.maxSide,
					new double[] { 0.25, 0.7 }, random)
			.bytes();
	}

	private static Graphics2D pen(Graphics2D g, int size, Random random) {
		g.setStroke(new BasicStroke((float) (1.5 + size * 0.06 * random.nextDouble()), BasicStroke.CAP_ROUND,
				BasicStroke.JOIN_ROUND));
		return g;
	}

	private static String displayable(Font font, String characters) {
		StringBuilder out = new StringBuilder();
		for (char c : characters.toCharArray()) {
			if (font.canDisplay(c)) {
				out.append(c);
			}
		}
		return out.isEmpty() ? "+" : out.toString();
	}

	/**
	 * The ink, dark on light clean paper with a margin, as a PNG or a good JPEG (a scan,
	 * a screenshot).
	 */
	private static byte[] clean(PhotoSynth.Ink ink, Random random) {
		int margin = (int) (Math.max(ink.width(), ink.height()) * (0.1 + 0.6 * random.nextDouble()));
		int width = ink.width() + 2 * margin;
		int height = ink.height() + 2 * margin;
		int paper = 225 + random.nextInt(31);
		int inkLevel = random.nextInt(70);
		int[] levels = new int[width * height];
		java.util.Arrays.fill(levels, paper);
		for (int y = 0; y < ink.height(); y++) {
			for (int x = 0; x < ink.width(); x++) {
				float a = ink.alpha()[y * ink.width() + x];
				levels[(y + margin) * width + x + margin] = Math.round(paper + (inkLevel - paper) * a);
			}
		}
		BufferedImage image = ImageEncoding.grey8(width, height, levels);
		return random.nextBoolean() ? ImageEncoding.encode(image, "png") : ImageEncoding.jpeg(image, 0.9f);
	}

	/** {@code upload} through the preprocessing, labelled. */
	Example preprocess(Upload upload, int label, String kind) {
		return preprocess(upload.bytes(), label, kind, upload.condition());
	}

	private Example preprocess(byte[] bytes, int label, String kind, String condition) {
		try {
			Preprocessed p = this.preprocessor.fromImage(bytes);
			return new Example(p.pixels(), label, kind, condition, severalDigits(p), null);
		}
		catch (PreprocessingException ex) {
			return new Example(null, label, kind, condition, false, ex.reason().name().toLowerCase(Locale.ROOT));
		}
	}

	private static boolean severalDigits(Preprocessed p) {
		return p.severalDigits();
	}

	private static int[] inkBox(float[] digit) {
		int x0 = 28;
		int y0 = 28;
		int x1 = 0;
		int y1 = 0;
		for (int y = 0; y < 28; y++) {
			for (int x = 0; x < 28; x++) {
				if (digit[y * 28 + x] > 0.1f) {
					x0 = Math.min(x0, x);
					y0 = Math.min(y0, y);
					x1 = Math.max(x1, x + 1);
					y1 = Math.max(y1, y + 1);
				}
			}
		}
		return x1 <= x0 ? new int[] { 0, 0, 28, 28 } : new int[] { x0, y0, x1, y1 };
	}

	private static double bilinear(float[] img, int size, double x, double y) {
		int x0 = (int) Math.floor(x);
		int y0 = (int) Math.floor(y);
		double ax = x - x0;
		double ay = y - y0;
		return (1 - ay) * ((1 - ax) * px(img, size, x0, y0) + ax * px(img, size, x0 + 1, y0))
				+ ay * ((1 - ax) * px(img, size, x0, y0 + 1) + ax * px(img, size, x0 + 1, y0 + 1));
	}

	private static float px(float[] img, int size, int x, int y) {
		x = Math.max(0, Math.min(size - 1, x));
		y = Math.max(0, Math.min(size - 1, y));
		return img[y * size + x];
	}

}
