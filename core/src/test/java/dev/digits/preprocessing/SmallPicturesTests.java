package dev.digits.preprocessing;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which small pictures are framed whole, as a canvas is, and which go through the digit
 * finding: a phone photo whose paper is clipped to pure white over part of the frame is a
 * photo, however much pure white it holds.
 */
class SmallPicturesTests {

	private static final int WIDTH = 300;

	private static final int HEIGHT = 260;

	private final ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessingLimits.defaults());

	@Test
	void aPhotoWithItsLightPaperClippedToWhiteIsNotACanvas() {
		int[] levels = clippedPhoto();
		GreyImage image = grey(levels);
		assertThat(share(levels, 255)).as("clipped to pure white").isGreaterThan(0.2);
		assertThat(InkLocator.shadedShare(image, 255)).isGreaterThan(InkLocator.MAX_SHADED_SHARE);
		assertThat(InkLocator.smallAndClean(image)).isFalse();
		// the digit, a bar, framed alone: MNIST's "1" is a few columns wide; framed with
		// the
		// shaded paper it would be a faint block with the bar in a corner
		float[] pixels = this.preprocessor
			.fromImage(TestImages.encode(ImageEncoding.grey8(WIDTH, HEIGHT, levels), "png"))
			.pixels();
		assertThat(inkedColumns(pixels)).isBetween(1, 8);
	}

	@Test
	void aCanvasAndAnEnlargedLowResolutionDigitAreStillFramedWhole() {
		int[] canvas = new int[WIDTH * HEIGHT];
		java.util.Arrays.fill(canvas, 255);
		bar(canvas, 20);
		// anti-aliased edges: a ramp of two pixels each side
		for (int y = 80; y < 180; y++) {
			for (int d = 1; d <= 2; d++) {
				canvas[y * WIDTH + 144 - d] = 20 + 78 * d;
				canvas[y * WIDTH + 156 - 1 + d] = 20 + 78 * d;
			}
		}
		assertThat(InkLocator.shadedShare(grey(canvas), 255)).isZero();
		assertThat(InkLocator.smallAndClean(grey(canvas))).isTrue();

		// an 8x8 "0" enlarged 25 times with smooth (bilinear) edges: its faint levels lie
		// within 12 pixels of its strokes
		int[] small = { 0, 0, 9, 16, 16, 9, 0, 0, 0, 9, 16, 4, 4, 16, 9, 0, 0, 16, 9, 0, 0, 9, 16, 0, 0, 16, 4, 0, 0, 4,
				16, 0, 0, 16, 4, 0, 0, 4, 16, 0, 0, 16, 9, 0, 0, 9, 16, 0, 0, 9, 16, 4, 4, 16, 9, 0, 0, 0, 9, 16, 16, 9,
				0, 0 };
		int side = 200;
		int[] enlarged = new int[side * side];
		for (int y = 0; y < side; y++) {
			for (int x = 0; x < side; x++) {
				double u = Math.max(0, Math.min(7, (x + 0.5) / 25 - 0.5));
				double v = Math.max(0, Math.min(7, (y + 0.5) / 25 - 0.5));
				int x0 = Math.min(6, (int) u);
				int y0 = Math.min(6, (int) v);
				double fx = u - x0;
				double fy = v - y0;
				double ink = (1 - fy) * ((1 - fx) * small[y0 * 8 + x0] + fx * small[y0 * 8 + x0 + 1])
						+ fy * ((1 - fx) * small[(y0 + 1) * 8 + x0] + fx * small[(y0 + 1) * 8 + x0 + 1]);
				enlarged[y * side + x] = (int) Math.round(255 - ink * 255 / 16);
			}
		}
		GreyImage scan = new GreyImage(side, side, bytes(enlarged));
		assertThat(InkLocator.shadedShare(scan, 255)).isLessThan(InkLocator.MAX_SHADED_SHARE);
		assertThat(InkLocator.smallAndClean(scan)).isTrue();
	}

	/**
	 * Paper lit from the lower right, clipped to 255 there and shading to about 190 at
	 * the upper left, with sensor noise; a dark bar in the middle.
	 */
	private static int[] clippedPhoto() {
		Random random = new Random(7);
		int[] levels = new int[WIDTH * HEIGHT];
		for (int y = 0; y < HEIGHT; y++) {
			for (int x = 0; x < WIDTH; x++) {
				double lit = 190 + 0.25 * (x + y) + 2 * random.nextGaussian();
				levels[y * WIDTH + x] = (int) Math.max(0, Math.min(255, Math.round(lit)));
			}
		}
		bar(levels, 40);
		return levels;
	}

	private static void bar(int[] levels, int level) {
		for (int y = 80; y < 180; y++) {
			for (int x = 144; x < 156; x++) {
				levels[y * WIDTH + x] = level;
			}
		}
	}

	private static double share(int[] levels, int level) {
		return java.util.Arrays.stream(levels).filter(v -> v == level).count() / (double) levels.length;
	}

	private static int inkedColumns(float[] pixels) {
		int columns = 0;
		for (int x = 0; x < 28; x++) {
			for (int y = 0; y < 28; y++) {
				if (pixels[y * 28 + x] > 0.1f) {
					columns++;
					break;
				}
			}
		}
		return columns;
	}

	private static GreyImage grey(int[] levels) {
		return new GreyImage(WIDTH, HEIGHT, bytes(levels));
	}

	private static byte[] bytes(int[] levels) {
		byte[] out = new byte[levels.length];
		for (int i = 0; i < levels.length; i++) {
			out[i] = (byte) levels[i];
		}
		return out;
	}

}
