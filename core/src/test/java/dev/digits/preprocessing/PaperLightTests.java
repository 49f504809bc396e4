package dev.digits.preprocessing;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The paper estimate of {@link PaperLight}: a grey-level closing, and what it makes ink.
 */
class PaperLightTests {

	@Test
	void theClosingIsTheSmallestOfTheLargestOverTheSquare() {
		Random random = new Random(8);
		for (int trial = 0; trial < 20; trial++) {
			int width = 1 + random.nextInt(40);
			int height = 1 + random.nextInt(40);
			int radius = 1 + random.nextInt(12);
			float[] grey = new float[width * height];
			for (int i = 0; i < grey.length; i++) {
				grey[i] = random.nextInt(256);
			}
			float[] closed = PaperLight.closing(grey, width, height, radius);
			float[] dilated = new float[grey.length];
			for (int y = 0; y < height; y++) {
				for (int x = 0; x < width; x++) {
					dilated[y * width + x] = square(grey, width, height, x, y, radius, true);
				}
			}
			for (int y = 0; y < height; y++) {
				for (int x = 0; x < width; x++) {
					assertThat(closed[y * width + x]).as("%dx%d radius %d at %d,%d", width, height, radius, x, y)
						.isEqualTo(square(dilated, width, height, x, y, radius, false));
				}
			}
		}
	}

	private static float square(float[] values, int width, int height, int x, int y, int radius, boolean max) {
		float best = values[y * width + x];
		for (int yy = Math.max(0, y - radius); yy <= Math.min(height - 1, y + radius); yy++) {
			for (int xx = Math.max(0, x - radius); xx <= Math.min(width - 1, x + radius); xx++) {
				best = max ? Math.max(best, values[yy * width + xx]) : Math.min(best, values[yy * width + xx]);
			}
		}
		return best;
	}

	/**
	 * Lit paper (220) beside a hard-edged shadow (110), with a 5-pixel stroke in each:
	 * the strokes are ink, the shadow's edge and the shadowed paper are not (the
	 * per-block estimate smoothed across blocks put the paper's level between the two
	 * near the edge, and a band of the shade became ink).
	 */
	@Test
	void aShadowsHardEdgeIsPaperAndTheStrokesOnEitherSideAreInk() {
		int width = 400;
		int height = 300;
		float[] grey = new float[width * height];
		Random random = new Random(3);
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				float paper = (x < 230) ? 220 : 110;
				boolean stroke = (x >= 100 && x < 105 || x >= 320 && x < 325) && y >= 60 && y < 240;
				grey[y * width + x] = (stroke ? 0.3f * paper : paper) + (float) random.nextGaussian() * 2;
			}
		}
		float[] ink = PaperLight.inkStrength(grey, width, height);
		// mean strengths per column, strokes left out: paper is about 0 (plus the
		// closing's small bias from the noise), wherever it is, and the edge of the shade
		// is no different
		for (int x = 200; x < width; x++) {
			if (x >= 315 && x < 330) {
				continue;
			}
			double sum = 0;
			for (int y = 0; y < height; y++) {
				sum += ink[y * width + x];
			}
			assertThat(sum / height).as("mean ink strength of column %d", x).isLessThan(0.08);
		}
		for (int y = 60; y < 240; y += 10) {
			assertThat(ink[y * width + 102]).as("lit stroke at row %d", y).isGreaterThan(0.5f);
			assertThat(ink[y * width + 322]).as("shadowed stroke at row %d", y).isGreaterThan(0.5f);
		}
	}

	/**
	 * The paper's level is made at half the resolution: a step in the light at an even or
	 * odd column or row, across or down, must not read the lit level back on the shaded
	 * side (a line of ink a pixel wide along every shadow's edge), while a 3-pixel stroke
	 * on either side is still ink.
	 */
	@Test
	void aStepInTheLightIsNoInkWhicheverPixelItFallsOn() {
		int width = 160;
		int height = 120;
		for (boolean down : new boolean[] { false, true }) {
			for (int edge = 70; edge <= 71; edge++) {
				float[] grey = new float[width * height];
				for (int y = 0; y < height; y++) {
					for (int x = 0; x < width; x++) {
						int along = down ? y : x;
						float paper = (along < edge) ? 200 : 90;
						boolean stroke = (down ? (y >= 30 && y < 33 || y >= 100 && y < 103) && x >= 40 && x < 120
								: (x >= 30 && x < 33 || x >= 120 && x < 123) && y >= 30 && y < 90);
						grey[y * width + x] = stroke ? 0.3f * paper : paper;
					}
				}
				float[] ink = PaperLight.inkStrength(grey, width, height);
				for (int y = 0; y < height; y++) {
					for (int x = 0; x < width; x++) {
						int along = down ? y : x;
						if (Math.abs(along - edge) <= 3) {
							assertThat(ink[y * width + x])
								.as("%s step at %d: %d,%d", down ? "down" : "across", edge, x, y)
								.isLessThanOrEqualTo(0f);
						}
					}
				}
				int[] strokes = down ? new int[] { 31 * width + 80, 101 * width + 80 }
						: new int[] { 60 * width + 31, 60 * width + 121 };
				for (int i : strokes) {
					assertThat(ink[i])
						.as("%s step at %d: stroke at %d,%d", down ? "down" : "across", edge, i % width, i / width)
						.isGreaterThan(0.5f);
				}
			}
		}
	}

}
