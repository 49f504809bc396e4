package dev.digits.preprocessing;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bold digit (a marker's stroke) written across the lines of squared paper: the lines
 * are taken out where they cross each other, not where they run into the digit's stroke,
 * and the lines that run on past the digit to the frame are not put back as its strokes.
 */
class BoldStrokesOnLinesTests {

	private static final int WIDTH = 420;

	private static final int HEIGHT = 360;

	@Test
	void theCrossingOfTwoThinLinesIsRemovedAndABoldBlotWhereLinesMeetIsNot() {
		byte[] mask = new byte[WIDTH * HEIGHT];
		// squared paper: 2 px lines every 40 px, across and down
		for (int y = 0; y < HEIGHT; y++) {
			for (int x = 0; x < WIDTH; x++) {
				if (x % 40 < 2 || y % 40 < 2) {
					mask[y * WIDTH + x] = 1;
				}
			}
		}
		// a bold blot (a marker's dot, 44 px across) on the crossing at (200, 160)
		for (int y = 138; y < 184; y++) {
			for (int x = 178; x < 224; x++) {
				if (Math.hypot(x - 200.5, y - 160.5) <= 22) {
					mask[y * WIDTH + x] = 1;
				}
			}
		}
		Lines lines = Lines.find(mask, WIDTH, HEIGHT);
		// a crossing far from the blot: gone, both lines' pixels and where they cross
		assertThat(lines.removed[80 * WIDTH + 80]).isEqualTo((byte) 1);
		assertThat(lines.removed[80 * WIDTH + 100]).isEqualTo((byte) 1);
		// the blot's middle, where both lines run through it: kept
		assertThat(lines.removed[160 * WIDTH + 200]).isZero();
		assertThat(lines.removed[155 * WIDTH + 195]).isZero();
		int kept = 0;
		int blot = 0;
		for (int y = 138; y < 184; y++) {
			for (int x = 178; x < 224; x++) {
				if (Math.hypot(x - 200.5, y - 160.5) <= 16) {
					blot++;
					kept += lines.removed[y * WIDTH + x] == 0 ? 1 : 0;
				}
			}
		}
		assertThat(kept).as("pixels of the blot's core kept").isEqualTo(blot);
	}

	@org.junit.jupiter.params.ParameterizedTest
	@org.junit.jupiter.params.provider.ValueSource(
			strings = { "bold-zero-on-squared-paper.jpg", "bold-zero-on-a-sheet-with-grid.jpg" })
	void theGridLinesABoldDigitCutsInTwoAreNotPutBackAsItsStrokes(String fixture) throws java.io.IOException {
		// a marker 0 on squared paper (see photos/README.md): the grid lines it cuts in
		// two end in its box; taken for its own strokes, they were put back, and with
		// them every line they touched, so the "digit" spread to the frame
		byte[] photo = TestImages.photo(fixture);
		GreyImage grey = GreyConverter.toGrey(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(photo)));
		InkLocator.Steps steps = InkLocator.steps(grey, 10, Long.MAX_VALUE);
		int top = steps.height();
		int bottom = -1;
		for (int i = 0; i < steps.digit().length; i++) {
			if (steps.digit()[i] != 0) {
				top = Math.min(top, i / steps.width());
				bottom = Math.max(bottom, i / steps.width());
			}
		}
		assertThat(top).as("top of the digit found").isGreaterThan(steps.height() / 10);
		assertThat(bottom).as("bottom of the digit found").isLessThan(steps.height() * 9 / 10);
		assertThat(bottom - top + 1).as("height of the digit found").isLessThan(steps.height() * 6 / 10);
	}

}
