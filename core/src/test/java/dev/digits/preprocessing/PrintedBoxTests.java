package dev.digits.preprocessing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A printed box round a digit: its sides are found as lines that meet at the corners (box
 * sides) even where their ends, counted in whole compressed cells, reach a few pixels
 * past the corner, and the box is not framed with the digit.
 */
class PrintedBoxTests {

	private static final int WIDTH = 347;

	private static final int HEIGHT = 280;

	@Test
	void theSidesOfABoxWhoseCornersLieBetweenCellsAreBoxSides() {
		// a 2 px outline from (190, 76) to (265, 168): 76 and 190 fall inside a cell of
		// 8, so the sides found reach 4 and 6 px past the corners, more than the
		// tolerance across a line (3 px here)
		byte[] mask = new byte[WIDTH * HEIGHT];
		for (int y = 76; y < 168; y++) {
			for (int x = 190; x < 265; x++) {
				if (y < 78 || y >= 166 || x < 192 || x >= 263) {
					mask[y * WIDTH + x] = 1;
				}
			}
		}
		// a short stroke inside, away from the sides
		for (int y = 100; y < 140; y++) {
			for (int x = 225; x < 229; x++) {
				mask[y * WIDTH + x] = 1;
			}
		}
		Lines lines = Lines.find(mask, WIDTH, HEIGHT);
		int sides = 0;
		for (Lines.Candidate c : lines.horizontal) {
			if (c.length() > 60) {
				assertThat(c.boxSide()).as("box side " + c).isTrue();
				sides++;
			}
		}
		for (Lines.Candidate c : lines.vertical) {
			if (c.length() > 60) {
				assertThat(c.boxSide()).as("box side " + c).isTrue();
				sides++;
			}
		}
		assertThat(sides).as("sides found").isEqualTo(4);
		// the stroke inside is no line
		assertThat(lines.removed[120 * WIDTH + 226]).isZero();
	}

	@ParameterizedTest
	@ValueSource(strings = { "printed-zero-in-a-box.jpg", "printed-four-in-a-small-box.jpg" })
	void aPrintedDigitIsFramedWithoutTheBoxRoundIt(String fixture) throws java.io.IOException {
		// photos of a printed digit in a box a little larger than it (see
		// photos/README.md): the box's top and bottom were no lines (too short, and no
		// corner matched), were joined to the digit as a detached bar, and the sides
		// were put back as its strokes: the box was framed and the digit read as an 8
		byte[] photo = TestImages.photo(fixture);
		GreyImage grey = GreyConverter.toGrey(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(photo)));
		InkLocator.Steps steps = InkLocator.steps(grey, 10, Long.MAX_VALUE);
		int[] found = TestImages.maskBox(steps.digit(), steps.width());
		int[] sides = TestImages.maskBox(steps.mask(), steps.width());
		assertThat(found[2] - found[0]).as("width of the digit found against the box's " + (sides[2] - sides[0]))
			.isLessThan((sides[2] - sides[0]) * 3 / 4);
		assertThat(found[3] - found[1]).as("height of the digit found against the box's " + (sides[3] - sides[1]))
			.isLessThan((sides[3] - sides[1]) * 9 / 10);
		assertThat(found[0]).as("left of the digit found").isGreaterThan(sides[0] + 5);
		assertThat(found[1]).as("top of the digit found").isGreaterThan(sides[1] + 5);
	}

	@Test
	void theBroadStrokesOfABoldDigitAreNoBoxSides() throws java.io.IOException {
		// a bold, blurred 4 filling a 224x224 photo (see photos/README.md): the line
		// finder's candidates on it are 20-50 px broad, and with a cell's allowance at
		// their ends its bar and stems met as a box's sides would, so parts of its bar
		// were taken out as a box's and it was read as a 6
		byte[] photo = TestImages.photo("bold-blurred-four-on-paper.jpg");
		GreyImage grey = GreyConverter.toGrey(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(photo)));
		InkLocator.Steps steps = InkLocator.steps(grey, 10, Long.MAX_VALUE);
		assertThat(steps.lines().horizontal).noneMatch(Lines.Candidate::boxSide);
		assertThat(steps.lines().vertical).noneMatch(Lines.Candidate::boxSide);
	}

}
