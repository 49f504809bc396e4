package dev.digits.preprocessing;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;

import dev.digits.model.Normalization;
import dev.digits.training.Mnist;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.digits.preprocessing.TestImages.canvas;
import static dev.digits.preprocessing.TestImages.centreOfMass;
import static dev.digits.preprocessing.TestImages.cosine;
import static dev.digits.preprocessing.TestImages.digit28;
import static dev.digits.preprocessing.TestImages.encode;
import static dev.digits.preprocessing.TestImages.grey16;
import static dev.digits.preprocessing.TestImages.grey8;
import static dev.digits.preprocessing.TestImages.greyAlpha;
import static dev.digits.preprocessing.TestImages.indexed;
import static dev.digits.preprocessing.TestImages.inkBoxSize;
import static dev.digits.preprocessing.TestImages.inverted;
import static dev.digits.preprocessing.TestImages.jpeg;
import static dev.digits.preprocessing.TestImages.rgb;
import static dev.digits.preprocessing.TestImages.strokes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.within;

class ImagePreprocessorTests {

	private final ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessingLimits.defaults());

	// ---- pass-through of images that already are 28x28
	// -------------------------------------------

	@Test
	void greyPngOf28x28PassesThroughBitForBit() {
		int[] digit = digit28();
		Preprocessed result = this.preprocessor.fromImage(encode(grey8(28, 28, digit), "png"));
		assertThat(result.pixels()).containsExactly(normalized(digit));
		assertThat(result.format()).isEqualTo("png");
		assertThat(result.width()).isEqualTo(28);
		assertThat(result.height()).isEqualTo(28);
		assertThat(result.inverted()).isFalse();
		assertThat(result.reframed()).isFalse();
	}

	@Test
	void everyGreyLevelPassesThroughUnchanged() {
		int[] ramp = new int[784];
		for (int level = 0; level < 256; level++) {
			// rows 2..11, columns 2..25, leaving a border of paper
			ramp[(2 + level / 24) * 28 + 2 + level % 24] = level;
		}
		Preprocessed result = this.preprocessor.fromImage(encode(grey8(28, 28, ramp), "png"));
		assertThat(result.pixels()).containsExactly(normalized(ramp));
	}

	@Test
	void darkInkOnLightPaperIsInverted() {
		int[] digit = digit28();
		Preprocessed result = this.preprocessor.fromImage(encode(grey8(28, 28, inverted(digit)), "png"));
		assertThat(result.inverted()).isTrue();
		assertThat(result.reframed()).isFalse();
		assertThat(result.pixels()).containsExactly(normalized(digit));
	}

	@Test
	void mnistTestDigitsPassThroughBitForBit() throws IOException {
		Path dir = Mnist.fromEnvironment();
		Assumptions.assumeTrue(dir != null,
				"MNIST_DIR is not set or holds no t10k-images-idx3-ubyte(.gz): skipping the MNIST pass-through check");
		Mnist.Split test = Mnist.loadTest(dir);
		for (int n = 0; n < 100; n++) {
			byte[] raw = test.image(n);
			int[] levels = new int[784];
			float[] expected = new float[784];
			for (int i = 0; i < 784; i++) {
				levels[i] = raw[i] & 0xFF;
				expected[i] = Normalization.normalize(raw[i] & 0xFF);
			}
			Preprocessed fromPng = this.preprocessor.fromImage(encode(grey8(28, 28, levels), "png"));
			assertThat(fromPng.pixels()).as("test digit %d from PNG", n).containsExactly(expected);
			assertThat(fromPng.inverted()).isFalse();
			assertThat(fromPng.reframed()).isFalse();
			assertThat(this.preprocessor.fromGreyLevels(levels).pixels()).as("test digit %d as grey levels", n)
				.containsExactly(expected);
			assertThat(this.preprocessor.fromUnitFloats(expected).pixels()).as("test digit %d as floats", n)
				.containsExactly(expected);
		}
	}

	// ---- every format and colour type
	// -------------------------------------------------------------

	@Test
	void sixteenBitGreyIsScaledTo8Bits() {
		int[] digit = digit28();
		int[] samples = Arrays.stream(digit).map((v) -> v * 257).toArray();
		Preprocessed result = this.preprocessor.fromImage(encode(grey16(28, 28, samples), "png"));
		assertThat(result.pixels()).containsExactly(normalized(digit));
	}

	@Test
	void sixteenBitGreyOfAnyResolutionIsReframed() {
		int[] ink = strokes(90, 70, TestImages.SEVEN, 30, 10, 40, 50, 4);
		int[] samples = Arrays.stream(ink).map((v) -> (255 - v) * 257 + 100).map((v) -> Math.min(v, 65535)).toArray();
		Preprocessed result = this.preprocessor.fromImage(encode(grey16(90, 70, samples), "png"));
		assertThat(result.inverted()).isTrue();
		assertThat(result.reframed()).isTrue();
		assertCentredAndFitted(result.pixels());
	}

	@Test
	void greyRgbIsItsOwnLuminance() {
		int[] digit = digit28();
		Preprocessed png = this.preprocessor.fromImage(encode(rgb(28, 28, digit, 0x000000, 0xFFFFFF), "png"));
		Preprocessed bmp = this.preprocessor.fromImage(encode(rgb(28, 28, digit, 0x000000, 0xFFFFFF), "bmp"));
		assertThat(png.pixels()).containsExactly(normalized(digit));
		assertThat(bmp.pixels()).containsExactly(normalized(digit));
		assertThat(bmp.format()).isEqualTo("bmp");
	}

	@Test
	void colourBecomesLuminance() {
		int[] ink = new int[784];
		Arrays.fill(ink, 3 * 28, 25 * 28, 255);
		// pure red ink on black: luminance round(0.299 * 255) = 76
		Preprocessed result = this.preprocessor.fromImage(encode(rgb(28, 28, ink, 0x000000, 0xFF0000), "png"));
		assertThat(result.pixels()[14 * 28 + 14]).isEqualTo(Normalization.normalize(76));
		assertThat(result.pixels()[0]).isZero();
	}

	@Test
	void blueInkOnWhiteIsInkOnBlack() {
		int[] ink = strokes(120, 120, TestImages.TWO, 20, 20, 80, 80, 5);
		Preprocessed blue = this.preprocessor.fromImage(encode(rgb(120, 120, ink, 0xFFFFFF, 0x1030C0), "png"));
		Preprocessed grey = this.preprocessor.fromImage(encode(grey8(120, 120, ink), "png"));
		assertThat(blue.inverted()).isTrue();
		assertThat(cosine(blue.pixels(), grey.pixels())).isGreaterThan(0.98);
	}

	@Test
	void transparentCanvasDrawingBecomesWhiteDigitOnBlack() {
		int[] ink = strokes(280, 280, TestImages.SEVEN, 40, 40, 200, 200, 10);
		Preprocessed canvas = this.preprocessor.fromImage(encode(canvas(280, 280, ink, 0x000000), "png"));
		Preprocessed opaque = this.preprocessor.fromImage(encode(grey8(280, 280, ink), "png"));
		assertThat(canvas.reframed()).isTrue();
		assertThat(canvas.pixels()).containsExactly(opaque.pixels());
		assertThat(canvas.pixels()[0]).isZero();
		assertCentredAndFitted(canvas.pixels());
	}

	@Test
	void lightStrokesOnTransparentAreCompositedOntoBlack() {
		int[] ink = strokes(140, 140, TestImages.SEVEN, 20, 20, 100, 100, 6);
		Preprocessed white = this.preprocessor.fromImage(encode(canvas(140, 140, ink, 0xFFFFFF), "png"));
		Preprocessed opaque = this.preprocessor.fromImage(encode(grey8(140, 140, ink), "png"));
		assertThat(white.inverted()).isFalse();
		assertThat(white.pixels()).containsExactly(opaque.pixels());
	}

	@Test
	void greyPlusAlphaIsComposited() {
		int[] digit = digit28();
		Preprocessed result = this.preprocessor.fromImage(encode(greyAlpha(28, 28, digit, 0), "png"));
		assertThat(result.inverted()).isTrue();
		assertThat(result.pixels()).containsExactly(normalized(digit));
	}

	@Test
	void paletteGifWithTransparentPaper() {
		int[] digit = digit28();
		byte[] gif = encode(indexed(28, 28, digit, 16, true, true), "gif");
		Preprocessed result = this.preprocessor.fromImage(gif);
		assertThat(result.format()).isEqualTo("gif");
		assertThat(result.reframed()).isFalse();
		assertThat(result.inverted()).isTrue();
		float[] pixels = result.pixels();
		for (int i = 0; i < 784; i++) {
			// 16 palette levels: within half a step of the drawn ink
			assertThat(pixels[i] * 255).as("pixel %d", i).isCloseTo(digit[i], within(255f / 15 / 2 + 0.5f));
		}
		assertThat(pixels[0]).isZero();
	}

	@Test
	void palettePngAndGifWithoutTransparency() {
		int[] digit = digit28();
		Preprocessed png = this.preprocessor.fromImage(encode(indexed(28, 28, digit, 256, false, false), "png"));
		Preprocessed gif = this.preprocessor.fromImage(encode(indexed(28, 28, digit, 256, true, false), "gif"));
		assertThat(png.pixels()).containsExactly(normalized(digit));
		assertThat(gif.inverted()).isTrue();
		assertThat(gif.pixels()).containsExactly(normalized(digit));
	}

	@Test
	void bmpOfAnySize() {
		int[] ink = strokes(64, 48, TestImages.TWO, 10, 4, 36, 40, 3);
		Preprocessed result = this.preprocessor.fromImage(encode(rgb(64, 48, ink, 0xF0F0F0, 0x202020), "bmp"));
		assertThat(result.format()).isEqualTo("bmp");
		assertThat(result.width()).isEqualTo(64);
		assertThat(result.height()).isEqualTo(48);
		assertThat(result.inverted()).isTrue();
		assertCentredAndFitted(result.pixels());
	}

	@Test
	void jpegOfDarkInkOnGreyNoisyPaper() {
		int width = 300;
		int height = 240;
		int[] ink = strokes(width, height, TestImages.SEVEN, 90, 40, 120, 160, 9);
		Random random = new Random(42);
		int[] photo = new int[ink.length];
		for (int i = 0; i < ink.length; i++) {
			double paper = 205 + 6 * random.nextGaussian();
			photo[i] = (int) Math.max(0, Math.min(255, Math.round(paper - (paper - 40) * ink[i] / 255.0)));
		}
		Preprocessed jpeg = this.preprocessor.fromImage(jpeg(grey8(width, height, photo), 0.7f));
		Preprocessed clean = this.preprocessor.fromImage(encode(grey8(width, height, ink), "png"));
		assertThat(jpeg.format()).isEqualTo("jpeg");
		assertThat(jpeg.inverted()).isTrue();
		assertCentredAndFitted(jpeg.pixels());
		assertThat(cosine(jpeg.pixels(), clean.pixels())).isGreaterThan(0.95);
	}

	@Test
	void colourJpeg() {
		int[] ink = strokes(160, 160, TestImages.TWO, 30, 30, 100, 100, 7);
		Preprocessed jpeg = this.preprocessor.fromImage(jpeg(rgb(160, 160, ink, 0xF4EEE0, 0x183060), 0.8f));
		Preprocessed clean = this.preprocessor.fromImage(encode(grey8(160, 160, ink), "png"));
		assertThat(cosine(jpeg.pixels(), clean.pixels())).isGreaterThan(0.95);
	}

	// ---- framing
	// ----------------------------------------------------------------------------------

	@Test
	void offCentreDigitOnLargeCanvasEndsUpCentred() {
		int[] ink = strokes(400, 300, TestImages.SEVEN, 290, 190, 60, 90, 5);
		Preprocessed result = this.preprocessor.fromImage(encode(grey8(400, 300, inverted(ink)), "png"));
		assertThat(result.reframed()).isTrue();
		assertThat(result.inverted()).isTrue();
		assertThat(result.width()).isEqualTo(400);
		assertThat(result.height()).isEqualTo(300);
		assertCentredAndFitted(result.pixels());
	}

	@Test
	void strongestInkIsFullStrength() {
		// faint pencil on grey paper: levels 150..190 only
		int[] ink = strokes(200, 200, TestImages.TWO, 40, 40, 120, 120, 6);
		int[] faint = Arrays.stream(ink).map((v) -> 190 - v * 40 / 255).toArray();
		float[] pixels = this.preprocessor.fromImage(encode(grey8(200, 200, faint), "png")).pixels();
		float max = 0;
		for (float v : pixels) {
			max = Math.max(max, v);
		}
		assertThat(max).isEqualTo(1f);
		assertCentredAndFitted(pixels);
	}

	@Test
	void tinyDigitIsScaledUp() {
		int[] ink = strokes(12, 16, TestImages.SEVEN, 1, 1, 10, 14, 1);
		Preprocessed result = this.preprocessor.fromImage(encode(grey8(12, 16, ink), "png"));
		assertThat(result.reframed()).isTrue();
		assertCentredAndFitted(result.pixels());
	}

	@Test
	void aStraySpeckDoesNotStretchTheBox() {
		int[] ink = strokes(300, 300, TestImages.SEVEN, 100, 100, 80, 100, 6);
		ink[5 * 300 + 5] = 255;
		ink[5 * 300 + 6] = 255;
		Preprocessed result = this.preprocessor.fromImage(encode(grey8(300, 300, ink), "png"));
		assertCentredAndFitted(result.pixels());
	}

	@Test
	void imagesAboveTheDecodeBudgetAreSubsampled() {
		int side = 2100;
		long budget = PreprocessingLimits.DEFAULT_DECODE_PIXELS;
		assertThat(header(1024, 1024).subsamplingStep(budget)).isEqualTo(1);
		assertThat(header(1025, 1024).subsamplingStep(budget)).isEqualTo(2);
		assertThat(header(5000, 5000).subsamplingStep(budget)).isEqualTo(5);
		assertThat(header(side, side).subsamplingStep(budget)).isEqualTo(3);
		int[] ink = strokes(side, side, TestImages.TWO, 700, 600, 600, 800, 40);
		Preprocessed result = this.preprocessor.fromImage(encode(grey8(side, side, ink), "png"));
		assertThat(result.width()).isEqualTo(side);
		assertThat(result.height()).isEqualTo(side);
		assertCentredAndFitted(result.pixels());
	}

	@Test
	void pixelsAreCopiedInAndOut() {
		Preprocessed result = this.preprocessor.fromGreyLevels(digit28());
		float[] pixels = result.pixels();
		pixels[0] = 0.5f;
		assertThat(result.pixels()[0]).isZero();
		assertThat(result).isEqualTo(this.preprocessor.fromGreyLevels(digit28()));
	}

	// ---- pixel arrays
	// -----------------------------------------------------------------------------

	@Test
	void greyLevelsPassThroughAndFollowThePolarityRule() {
		int[] digit = digit28();
		Preprocessed plain = this.preprocessor.fromGreyLevels(digit);
		Preprocessed inverse = this.preprocessor.fromGreyLevels(inverted(digit));
		assertThat(plain.pixels()).containsExactly(normalized(digit));
		assertThat(plain.inverted()).isFalse();
		assertThat(plain.format()).isEqualTo("pixels");
		assertThat(inverse.pixels()).containsExactly(normalized(digit));
		assertThat(inverse.inverted()).isTrue();
		assertThat(inverse.reframed()).isFalse();
	}

	@Test
	void unitFloatsPassThroughAndFollowThePolarityRule() {
		float[] values = normalized(digit28());
		float[] inverse = new float[784];
		for (int i = 0; i < 784; i++) {
			inverse[i] = 1f - values[i];
		}
		Preprocessed plain = this.preprocessor.fromUnitFloats(values);
		Preprocessed flipped = this.preprocessor.fromUnitFloats(inverse);
		assertThat(plain.pixels()).containsExactly(values);
		assertThat(plain.inverted()).isFalse();
		assertThat(flipped.inverted()).isTrue();
		for (int i = 0; i < 784; i++) {
			assertThat(flipped.pixels()[i]).isCloseTo(values[i], within(1e-6f));
		}
	}

	@ParameterizedTest
	@ValueSource(ints = { 0, 1, 783, 785, 28 })
	void greyLevelsOfTheWrongLengthAreRefused(int length) {
		assertRefused(() -> this.preprocessor.fromGreyLevels(new int[length]), Reason.INVALID_PIXELS, "784");
		assertRefused(() -> this.preprocessor.fromUnitFloats(new float[length]), Reason.INVALID_PIXELS, "784");
	}

	@Test
	void missingArraysAreRefused() {
		assertRefused(() -> this.preprocessor.fromGreyLevels(null), Reason.INVALID_PIXELS, "784");
		assertRefused(() -> this.preprocessor.fromUnitFloats(null), Reason.INVALID_PIXELS, "784");
	}

	@ParameterizedTest
	@ValueSource(ints = { -1, 256, Integer.MIN_VALUE, Integer.MAX_VALUE })
	void greyLevelsOutsideTheRangeAreRefused(int value) {
		int[] grey = digit28();
		grey[30] = value;
		assertRefused(() -> this.preprocessor.fromGreyLevels(grey), Reason.INVALID_PIXELS,
				"index 30 (row 1, column 2) is " + value);
	}

	@ParameterizedTest
	@ValueSource(floats = { Float.NaN, -0.01f, 1.01f, 256f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY })
	void floatsOutsideTheRangeAreRefused(float value) {
		float[] values = normalized(digit28());
		values[783] = value;
		assertRefused(() -> this.preprocessor.fromUnitFloats(values), Reason.INVALID_PIXELS, "index 783");
	}

	@Test
	void blankArraysAreRefused() {
		int[] zeros = new int[784];
		int[] white = new int[784];
		Arrays.fill(white, 255);
		assertRefused(() -> this.preprocessor.fromGreyLevels(zeros), Reason.BLANK, "blank");
		assertRefused(() -> this.preprocessor.fromGreyLevels(white), Reason.BLANK, "blank");
		assertRefused(() -> this.preprocessor.fromUnitFloats(new float[784]), Reason.BLANK, "blank");
	}

	// ---- refused images
	// ---------------------------------------------------------------------------

	@Test
	void emptyUploadIsUndecodable() {
		assertRefused(() -> this.preprocessor.fromImage(new byte[0]), Reason.UNDECODABLE, "empty");
		assertRefused(() -> this.preprocessor.fromImage(null), Reason.UNDECODABLE, "empty");
	}

	@Test
	void randomBytesAreUnsupported() {
		byte[] noise = new byte[4096];
		new Random(7).nextBytes(noise);
		noise[0] = 0x42; // not a magic byte of any accepted format
		assertRefused(() -> this.preprocessor.fromImage(noise), Reason.UNSUPPORTED_FORMAT,
				"PNG, JPEG, GIF, BMP or WebP");
	}

	@ParameterizedTest
	@ValueSource(strings = { "RIFF\0\0\0\0AVI LIST|", "II*\0\b\0\0\0|TIFF", "MM\0*\0\0\0\b|TIFF", "%PDF-1.7\n|PDF",
			"<svg xmlns=\"http://www.w3.org/2000/svg\"/>|SVG", "hello, world|", "BMW is a car, not a bitmap|",
			"\0\0\0\u0018ftypheic\0\0\0\0|HEIC", "GIF88a|" })
	void otherFormatsAreUnsupported(String example) {
		String[] parts = example.split("\\|", -1);
		byte[] bytes = parts[0].getBytes(StandardCharsets.ISO_8859_1);
		assertRefused(() -> this.preprocessor.fromImage(bytes), Reason.UNSUPPORTED_FORMAT, parts[1]);
	}

	@ParameterizedTest
	@ValueSource(strings = { "png", "jpeg", "gif", "bmp" })
	void truncatedImagesAreUndecodable(String format) {
		int[] ink = strokes(120, 90, TestImages.TWO, 30, 10, 60, 70, 4);
		byte[] whole = format.equals("jpeg") ? jpeg(grey8(120, 90, inverted(ink)), 0.9f)
				: encode(rgb(120, 90, ink, 0xFFFFFF, 0x000000), format);
		assertThat(this.preprocessor.fromImage(whole).format()).isEqualTo(format);
		for (double fraction : new double[] { 0.02, 0.1, 0.5, 0.9 }) {
			byte[] cut = Arrays.copyOf(whole, Math.max(3, (int) (whole.length * fraction)));
			assertRefused(() -> this.preprocessor.fromImage(cut), Reason.UNDECODABLE, "");
		}
	}

	@Test
	void corruptPngDataIsUndecodable() {
		byte[] png = encode(grey8(100, 100, strokes(100, 100, TestImages.TWO, 20, 20, 60, 60, 4)), "png");
		byte[] corrupt = png.clone();
		for (int i = 60; i < corrupt.length - 20; i++) {
			corrupt[i] = (byte) (corrupt[i] * 31 + 17);
		}
		assertRefused(() -> this.preprocessor.fromImage(corrupt), Reason.UNDECODABLE, "corrupt");
	}

	@Test
	void decompressionBombIsRefusedFromItsHeader() throws IOException {
		byte[] bomb = pngHeaderOnly(50_000, 50_000);
		assertThat(bomb.length).isLessThan(100);
		assertRefused(() -> this.preprocessor.fromImage(bomb), Reason.TOO_MANY_PIXELS, "50000 x 50000");
	}

	@Test
	void pixelLimitIsConfigurable() {
		ImagePreprocessor small = new ImagePreprocessor(PreprocessingLimits.defaults().withMaxPixels(28 * 28));
		assertThat(small.fromImage(encode(grey8(28, 28, digit28()), "png")).reframed()).isFalse();
		byte[] larger = encode(grey8(29, 28, strokes(29, 28, TestImages.TWO, 4, 4, 20, 20, 1.3)), "png");
		assertRefused(() -> small.fromImage(larger), Reason.TOO_MANY_PIXELS, "29 x 28");
	}

	@Test
	void zeroSizedImageIsUndecodable() throws IOException {
		byte[] empty = pngHeaderOnly(0, 10);
		assertRefused(() -> this.preprocessor.fromImage(empty), Reason.UNDECODABLE, "");
	}

	@Test
	void uniformImagesAreBlank() {
		for (int level : new int[] { 0, 128, 255 }) {
			int[] uniform = new int[300 * 200];
			Arrays.fill(uniform, level);
			assertRefused(() -> this.preprocessor.fromImage(encode(grey8(300, 200, uniform), "png")), Reason.BLANK,
					"uniform");
			assertRefused(() -> this.preprocessor.fromImage(jpeg(grey8(300, 200, uniform), 0.7f)), Reason.BLANK,
					"blank");
		}
	}

	@Test
	void noisyPhotoOfBlankPaperIsBlank() {
		Random random = new Random(3);
		int[] paper = new int[320 * 240];
		for (int i = 0; i < paper.length; i++) {
			paper[i] = (int) Math.round(210 + 5 * random.nextGaussian());
		}
		assertRefused(() -> this.preprocessor.fromImage(jpeg(grey8(320, 240, paper), 0.7f)), Reason.BLANK, "blank");
	}

	@Test
	void aFewSpecksAreBlank() {
		int[] specks = new int[200 * 200];
		Arrays.fill(specks, 255);
		for (int i = 0; i < PreprocessingLimits.DEFAULT_MIN_INK_PIXELS - 1; i++) {
			specks[(20 + 15 * i) * 200 + 30 + 11 * i] = 0;
		}
		assertRefused(() -> this.preprocessor.fromImage(encode(grey8(200, 200, specks), "png")), Reason.BLANK,
				"nearly blank");
	}

	@Test
	void fullyTransparentCanvasIsBlank() {
		assertRefused(() -> this.preprocessor.fromImage(encode(canvas(280, 280, new int[280 * 280], 0), "png")),
				Reason.BLANK, "blank");
	}

	@Test
	void limitsMustBePositive() {
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> PreprocessingLimits.defaults().withMaxPixels(0));
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> PreprocessingLimits.defaults().withMaxDecodeBytes(-1));
		assertThat(PreprocessingLimits.defaults().maxPixels()).isEqualTo(25_000_000L);
		assertThat(PreprocessingLimits.defaults().minInkPixels()).isEqualTo(10);
	}

	// ---- helpers
	// ----------------------------------------------------------------------------------

	/**
	 * Centre of mass within 1 px of (14, 14), ink box 19..20 px on its long side, inside
	 * the frame.
	 */
	static void assertCentredAndFitted(float[] pixels) {
		double[] centre = centreOfMass(pixels);
		assertThat(centre[0]).as("centre of mass x").isCloseTo(14.0, within(1.0));
		assertThat(centre[1]).as("centre of mass y").isCloseTo(14.0, within(1.0));
		int[] box = inkBoxSize(pixels);
		assertThat(Math.max(box[0], box[1])).as("long side of the ink box").isBetween(19, 20);
	}

	static void assertRefused(Runnable call, Reason reason, String messagePart) {
		TestImages.assertRefused(call, reason, messagePart);
	}

	static float[] normalized(int[] levels) {
		float[] out = new float[levels.length];
		for (int i = 0; i < levels.length; i++) {
			out[i] = Normalization.normalize(levels[i]);
		}
		return out;
	}

	/**
	 * A PNG signature and IHDR chunk (8-bit grey) announcing the size, then IEND: no
	 * pixel data.
	 */
	private static byte[] pngHeaderOnly(int width, int height) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		DataOutputStream out = new DataOutputStream(bytes);
		out.write(new byte[] { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' });
		ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
		DataOutputStream header = new DataOutputStream(ihdr);
		header.writeInt(width);
		header.writeInt(height);
		header.write(new byte[] { 8, 0, 0, 0, 0 });
		chunk(out, "IHDR", ihdr.toByteArray());
		chunk(out, "IEND", new byte[0]);
		return bytes.toByteArray();
	}

	private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
		byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
		out.writeInt(data.length);
		out.write(typeBytes);
		out.write(data);
		CRC32 crc = new CRC32();
		crc.update(typeBytes);
		crc.update(data);
		out.writeInt((int) crc.getValue());
	}

	private static ImageHeader header(int width, int height) {
		return new ImageHeader(width, height, 1, 1, width, 0, 1, 1);
	}

}
