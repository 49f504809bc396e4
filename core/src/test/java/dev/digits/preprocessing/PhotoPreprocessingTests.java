package dev.digits.preprocessing;

import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Phone photos of paper ({@link PaperPhotos}): ruled and squared paper, a printed box, a
 * shadow, a sheet on a table, two digits side by side. The framed digit must be
 * digit-shaped, with no line across the 28x28 frame, and only the two-digit photos say
 * there are several digits.
 */
class PhotoPreprocessingTests {

	// behaviour, not speed: a cold JVM on a loaded 2-core machine can take more than the
	// default 500 ms for the first photo (the time budget itself is tested in
	// DecodingBudgetTests)
	private final ImagePreprocessor preprocessor = new ImagePreprocessor(
			PreprocessingLimits.defaults().withTimeBudget(java.time.Duration.ofSeconds(30)));

	@ParameterizedTest
	@EnumSource(PaperPhotos.Paper.class)
	void theDigitIsFramedAloneOnEveryPaper(PaperPhotos.Paper paper) {
		for (int label : new int[] { 1, 4, 7 }) {
			for (boolean printed : new boolean[] { false, true }) {
				PaperPhotos.Photo photo = PaperPhotos.photo(paper, label, printed, 31L * label + (printed ? 7 : 0));
				Preprocessed result = this.preprocessor.fromImage(photo.jpeg());
				float[] pixels = result.pixels();
				assertThat(result.reframed()).isTrue();
				int[] box = TestImages.inkBoxSize(pixels);
				assertThat(Math.max(box[0], box[1])).as("%s: long side of the ink box", photo.name()).isBetween(19, 20);
				assertThat(widestRow(pixels)).as("%s: widest lit row (a line across the frame)", photo.name())
					.isLessThanOrEqualTo(20);
				assertThat(result.severalDigits()).as("%s: several digits", photo.name())
					.isEqualTo(paper == PaperPhotos.Paper.TWO_DIGITS);
			}
		}
	}

	@Test
	void aShadowAcrossTheDigitDoesNotBecomeInk() {
		PaperPhotos.Photo shaded = PaperPhotos.photo(PaperPhotos.Paper.SHADOW, 0, false, 11);
		float[] pixels = this.preprocessor.fromImage(shaded.jpeg()).pixels();
		// a 0 is a ring: its middle stays dark
		assertThat(pixels[14 * 28 + 14]).isLessThan(0.2f);
		assertThat(digitShaped(pixels)).isTrue();
	}

	@Test
	void blankRuledPaperInShadowIsBlankAndSaysItFoundNoInk() {
		java.awt.image.BufferedImage empty = new java.awt.image.BufferedImage(400, 300,
				java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
		byte[] levels = ((java.awt.image.DataBufferByte) empty.getRaster().getDataBuffer()).getData();
		Random random = new Random(2);
		for (int y = 0; y < 300; y++) {
			for (int x = 0; x < 400; x++) {
				double paper = (y % 25 == 3) ? 160 : 225;
				levels[y * 400 + x] = (byte) Math.round(paper * ((x < 130) ? 0.6 : 1) + random.nextGaussian() * 3);
			}
		}
		// about the judgement, not the time: a budget that a loaded machine's cold JVM
		// cannot miss
		ImagePreprocessor patient = new ImagePreprocessor(
				PreprocessingLimits.defaults().withTimeBudget(java.time.Duration.ofSeconds(30)));
		TestImages.assertRefused(() -> patient.fromImage(TestImages.jpeg(empty, 0.85f)), Reason.BLANK,
				"no ink strokes were found");
	}

	@ParameterizedTest
	@org.junit.jupiter.params.provider.ValueSource(
			strings = { "empty-ruled-sheet-edge.jpg", "empty-sheet-on-table.jpg" })
	void anEmptySheetIsBlankNotThePieceOfTableOrEdgeAtTheFrame(String fixture) throws java.io.IOException {
		// synthetic photos of empty paper (see photos/README.md): the only ink left once
		// the lines are gone is a sliver of the sheet's edge or of the table at the
		// frame, which was framed as a 1 before a piece at the frame had to be
		// digit-sized
		byte[] photo = TestImages.photo(fixture);
		TestImages.assertRefused(() -> this.preprocessor.fromImage(photo), Reason.BLANK, "no ink strokes were found");
	}

	@Test
	void aOneJoinedToARuledLineThatCrossesThePhotoIsStillTheDigit() throws java.io.IOException {
		// the 1 touches a faint ruled line that runs from frame to frame, so their group
		// touches the frame and is long and thin: it is still the only digit-sized ink
		byte[] photo = TestImages.photo("one-joined-to-a-ruled-line.jpg");
		float[] pixels = this.preprocessor.fromImage(photo).pixels();
		int[] box = TestImages.inkBoxSize(pixels);
		assertThat(box[1]).as("height of the ink box").isBetween(19, 20);
		assertThat(box[0]).as("width of the ink box: a 1, not a line").isLessThan(14);
	}

	@Test
	void aSmallDigitOnASheetIsChosenOverASolidWedgeOfTableAtTheFrame() throws java.io.IOException {
		// a 5 about a fourteenth of the picture's long side, on a sheet smaller than the
		// frame: a solid wedge of table at the left-hand frame outweighed it and was
		// framed as a 1 while a digit that small did not keep pieces at the frame out
		byte[] photo = TestImages.photo("small-five-on-a-sheet-beside-a-wedge-of-table.jpg");
		float[] pixels = this.preprocessor.fromImage(photo).pixels();
		int[] box = TestImages.inkBoxSize(pixels);
		assertThat(box[1]).as("height of the ink box").isBetween(19, 20);
		assertThat(box[0]).as("width of the ink box: a 5, not a bar of table").isGreaterThan(10);
		assertThat(digitShaped(pixels)).isTrue();
	}

	@Test
	void aSmallPhotoWhosePaperIsClippedToWhiteIsNotFramedAsACanvas() throws java.io.IOException {
		// 295x267 with a fifth of it pure white: small and white enough to pass for a
		// canvas, which is framed whole; its shaded paper then framed as faint ink round
		// a 4 at the bottom of the frame (13 rows of 28 tall)
		byte[] photo = TestImages.photo("printed-four-on-paper-clipped-to-white.jpg");
		float[] pixels = this.preprocessor.fromImage(photo).pixels();
		int[] box = TestImages.inkBoxSize(pixels);
		assertThat(box[1]).as("height of the ink box").isBetween(19, 20);
		assertThat(box[0]).as("width of the ink box").isBetween(8, 18);
		assertThat(digitShaped(pixels)).isTrue();
	}

	@Test
	void aPageMostlyInFlatShadeIsStillDarkInkOnLightPaper() {
		// a hard shadow over 60% of a noiseless page: its most frequent level is the
		// shade (mid-grey, not pure paper), the lit paper its farthest extreme; a thin
		// dark 1 in the lit part. Read off the most frequent level, the lit paper was the
		// ink.
		java.awt.image.BufferedImage page = new java.awt.image.BufferedImage(400, 300,
				java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
		byte[] levels = ((java.awt.image.DataBufferByte) page.getRaster().getDataBuffer()).getData();
		for (int y = 0; y < 300; y++) {
			for (int x = 0; x < 400; x++) {
				levels[y * 400 + x] = (byte) ((y > 120) ? 90 : 210);
			}
		}
		for (int y = 30; y < 110; y++) {
			for (int x = 196; x < 203; x++) {
				levels[y * 400 + x] = 30;
			}
		}
		Preprocessed result = this.preprocessor.fromImage(TestImages.encode(page, "png"));
		assertThat(result.inverted()).as("dark ink on light paper").isTrue();
		float[] pixels = result.pixels();
		int[] box = TestImages.inkBoxSize(pixels);
		// a 1: tall and narrow, not the lit half of the page
		assertThat(box[1]).isBetween(19, 20);
		assertThat(box[0]).isLessThan(8);
	}

	@Test
	void aPieceOfTheDigitInsideItsBoxIsKeptNotTakenForWhatAnOutlineSurrounds() {
		// a 3 whose tail came apart from its lower bow (a thin stroke, a removed line):
		// the tail lies inside the bow's box, 14 px from it, and the bow is open on the
		// tail's side. Taken for an outline round other ink, the bow was dropped and the
		// tail framed alone as the digit.
		java.awt.image.BufferedImage page = new java.awt.image.BufferedImage(400, 300,
				java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
		java.awt.Graphics2D g = page.createGraphics();
		g.setColor(new java.awt.Color(222, 222, 222));
		g.fillRect(0, 0, 400, 300);
		g.setColor(new java.awt.Color(40, 40, 40));
		g.fillRect(140, 80, 110, 9); // top bar
		g.fillRect(242, 80, 9, 121); // right side
		g.fillRect(170, 192, 81, 9); // bottom bar
		g.fillRect(150, 150, 9, 36); // the tail, apart
		g.dispose();
		float[] pixels = this.preprocessor.fromImage(TestImages.encode(page, "png")).pixels();
		int[] box = TestImages.inkBoxSize(pixels);
		assertThat(box[0]).as("width of the framed ink: the bow, not the tail alone").isGreaterThan(14);
		int x0 = 28;
		int y0 = 28;
		int y1 = 0;
		for (int i = 0; i < pixels.length; i++) {
			if (pixels[i] > 0.3f) {
				x0 = Math.min(x0, i % 28);
				y0 = Math.min(y0, i / 28);
				y1 = Math.max(y1, i / 28);
			}
		}
		boolean tail = false;
		for (int y = (y0 + y1) / 2; y <= y1; y++) {
			for (int x = x0; x <= x0 + 3; x++) {
				tail |= pixels[y * 28 + x] > 0.3f;
			}
		}
		assertThat(tail).as("the tail, framed with the bow at its lower left").isTrue();
	}

	/**
	 * Long side of the ink box 19-20, no lit row wider than 20 columns, and at most two
	 * straight bands (rows or columns lit end to end across the digit's box, 1-3 pixels
	 * thick): a digit has at most two (the stem of a 1 or 4, the bar of a 4, 5 or 7, the
	 * base of a 2), a box left around it four.
	 */
	static boolean digitShaped(float[] pixels) {
		int[] box = TestImages.inkBoxSize(pixels);
		int longSide = Math.max(box[0], box[1]);
		return longSide >= 19 && longSide <= 20 && widestRow(pixels) <= 20 && straightBands(pixels) <= 2;
	}

	/**
	 * Bands of at most 3 rows (or columns) each lit without a gap across 90% of the ink
	 * box.
	 */
	static int straightBands(float[] pixels) {
		int x0 = 28, y0 = 28, x1 = -1, y1 = -1;
		for (int i = 0; i < 784; i++) {
			if (pixels[i] > 0) {
				x0 = Math.min(x0, i % 28);
				x1 = Math.max(x1, i % 28);
				y0 = Math.min(y0, i / 28);
				y1 = Math.max(y1, i / 28);
			}
		}
		if (x1 < 0) {
			return 0;
		}
		return bands(pixels, y0, y1, x0, x1, true) + bands(pixels, x0, x1, y0, y1, false);
	}

	private static int bands(float[] pixels, int from, int to, int acrossFrom, int acrossTo, boolean rows) {
		int span = acrossTo - acrossFrom + 1;
		if (span < 8) {
			return 0;
		}
		int bands = 0;
		int run = 0;
		for (int k = from; k <= to + 1; k++) {
			boolean full = false;
			if (k <= to) {
				int longest = 0;
				int current = 0;
				for (int j = acrossFrom; j <= acrossTo; j++) {
					float v = rows ? pixels[k * 28 + j] : pixels[j * 28 + k];
					current = (v > 0.25f) ? current + 1 : 0;
					longest = Math.max(longest, current);
				}
				full = longest >= 0.9 * span;
			}
			if (full) {
				run++;
			}
			else {
				if (run >= 1 && run <= 3) {
					bands++;
				}
				run = 0;
			}
		}
		return bands;
	}

	/** The most columns lit (above 0.25) in any one row. */
	static int widestRow(float[] pixels) {
		int widest = 0;
		for (int y = 0; y < 28; y++) {
			int lit = 0;
			for (int x = 0; x < 28; x++) {
				if (pixels[y * 28 + x] > 0.25f) {
					lit++;
				}
			}
			widest = Math.max(widest, lit);
		}
		return widest;
	}

}
