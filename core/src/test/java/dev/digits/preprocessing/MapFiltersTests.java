package dev.digits.preprocessing;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The digit finding's filters over whole maps, written for speed, against plain
 * definitions: {@link InkLocator#boxBlur}, the mean over the clipped square, made of the
 * same sums as one running sum along each row and then down each column makes it, to the
 * last bit (the digit finding's polarity and the sheet's level are read off these means,
 * and the page's port makes them so); {@link InkGroups#dilate}, every pixel within the
 * square of a set one; {@link InkLocator#fineRow}, the polarity step's 3x3 mean, within
 * rounding of the box mean (only the sign of a sum over it is kept).
 */
class MapFiltersTests {

	@Test
	void aDilationMarksEveryPixelWithinTheSquareOfASetOne() {
		Random random = new Random(21);
		for (int trial = 0; trial < 200; trial++) {
			int width = 1 + random.nextInt(90);
			int height = 1 + random.nextInt(60);
			int radius = random.nextInt(6);
			double density = random.nextDouble() * 0.1;
			byte[] mask = new byte[width * height];
			for (int i = 0; i < mask.length; i++) {
				// any byte but 0 is marked (half the trials mark with other values than
				// 1)
				byte mark = (byte) ((trial % 2 == 0) ? 1 : 1 + random.nextInt(255));
				mask[i] = (random.nextDouble() < density) ? mark : 0;
			}
			byte[] dilated = InkGroups.dilate(mask, width, height, radius);
			for (int y = 0; y < height; y++) {
				for (int x = 0; x < width; x++) {
					int expected = 0;
					for (int v = Math.max(0, y - radius); v <= Math.min(height - 1, y + radius); v++) {
						for (int u = Math.max(0, x - radius); u <= Math.min(width - 1, x + radius); u++) {
							expected |= (mask[v * width + u] != 0) ? 1 : 0;
						}
					}
					assertThat(dilated[y * width + x]).as("%dx%d radius %d at %d,%d", width, height, radius, x, y)
						.isEqualTo((byte) expected);
				}
			}
		}
	}

	@Test
	void theNextMarkedPixelIsTheFirstNonZeroByteFromWhereTheSearchStarts() {
		Random random = new Random(34);
		for (int trial = 0; trial < 500; trial++) {
			byte[] mask = new byte[1 + random.nextInt(80)];
			double density = (trial % 3 == 0) ? 0 : random.nextDouble() * 0.2;
			for (int i = 0; i < mask.length; i++) {
				mask[i] = (random.nextDouble() < density) ? (byte) (1 + random.nextInt(255)) : 0;
			}
			int from = random.nextInt(mask.length + 1);
			int end = from + random.nextInt(mask.length - from + 1);
			int expected = from;
			while (expected < end && mask[expected] == 0) {
				expected++;
			}
			assertThat(InkGroups.nextMarked(mask, from, end)).as("%s from %d to %d", Arrays.toString(mask), from, end)
				.isEqualTo(expected);
		}
	}

	@Test
	void meansAreThoseOfOneRunningSumPerRowAndColumnToTheLastBit() {
		Random random = new Random(12);
		for (int trial = 0; trial < 200; trial++) {
			int width = 1 + random.nextInt(70);
			int height = 1 + random.nextInt(70);
			int radius = 1 + random.nextInt(40);
			float[] values = new float[width * height];
			for (int i = 0; i < values.length; i++) {
				values[i] = (trial % 2 == 0) ? random.nextInt(256) : random.nextFloat() * 255f - 20f;
			}
			float[] blurred = InkLocator.boxBlur(values, width, height, radius);
			float[] expected = runningSums(values, width, height, radius);
			for (int i = 0; i < values.length; i++) {
				assertThat(Float.floatToRawIntBits(blurred[i]))
					.as("%dx%d radius %d at %d: %s against %s", width, height, radius, i, blurred[i], expected[i])
					.isEqualTo(Float.floatToRawIntBits(expected[i]));
			}
		}
	}

	@Test
	void aMeanIsTheAverageOverTheClippedSquare() {
		float[] values = new float[5 * 3];
		values[0] = 9;
		float[] blurred = InkLocator.boxBlur(values, 5, 3, 1);
		// the corner's clipped square holds 4 pixels, its neighbours' 6, the middle's 9;
		// a
		// pixel two away does not reach the corner
		assertThat(blurred[0]).isEqualTo(9f / 4);
		assertThat(blurred[1]).isEqualTo(9f / 6);
		assertThat(blurred[5]).isEqualTo(9f / 6);
		assertThat(blurred[6]).isEqualTo(1f);
		assertThat(blurred[2]).isZero();
		assertThat(blurred[10]).isZero();
	}

	@Test
	void thePolarityStepsRowMeansAreTheClippedSquaresWithinRounding() {
		Random random = new Random(77);
		for (int trial = 0; trial < 200; trial++) {
			int width = 1 + random.nextInt(40);
			int height = 1 + random.nextInt(30);
			float[] values = new float[width * height];
			for (int i = 0; i < values.length; i++) {
				values[i] = 255 * random.nextFloat();
			}
			float[] expected = InkLocator.boxBlur(values, width, height, 1);
			float[] columns = new float[width];
			float[] row = new float[width];
			for (int y = 0; y < height; y++) {
				InkLocator.fineRow(values, width, height, y, columns, row);
				for (int x = 0; x < width; x++) {
					assertThat(row[x]).as("%dx%d at (%d, %d)", width, height, x, y)
						.isCloseTo(expected[y * width + x], org.assertj.core.data.Offset.offset(1e-3f));
				}
			}
		}
	}

	/**
	 * One running sum along each row, then one down each column, a count kept with each.
	 */
	private static float[] runningSums(float[] values, int width, int height, int radius) {
		float[] across = new float[values.length];
		for (int y = 0; y < height; y++) {
			int row = y * width;
			double sum = 0;
			int count = 0;
			for (int x = 0; x < Math.min(width, radius); x++) {
				sum += values[row + x];
				count++;
			}
			for (int x = 0; x < width; x++) {
				if (x + radius < width) {
					sum += values[row + x + radius];
					count++;
				}
				if (x - radius - 1 >= 0) {
					sum -= values[row + x - radius - 1];
					count--;
				}
				across[row + x] = (float) (sum / count);
			}
		}
		float[] out = new float[values.length];
		double[] sums = new double[width];
		int count = 0;
		for (int y = 0; y < Math.min(height, radius); y++) {
			for (int x = 0; x < width; x++) {
				sums[x] += across[y * width + x];
			}
			count++;
		}
		for (int y = 0; y < height; y++) {
			if (y + radius < height) {
				for (int x = 0; x < width; x++) {
					sums[x] += across[(y + radius) * width + x];
				}
				count++;
			}
			if (y - radius - 1 >= 0) {
				for (int x = 0; x < width; x++) {
					sums[x] -= across[(y - radius - 1) * width + x];
				}
				count--;
			}
			for (int x = 0; x < width; x++) {
				out[y * width + x] = (float) (sums[x] / count);
			}
		}
		return out;
	}

}
