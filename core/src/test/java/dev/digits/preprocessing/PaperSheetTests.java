package dev.digits.preprocessing;

import java.util.Random;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link PaperSheet}: the sheet on a table is found, a page that fills the frame or is
 * half in shadow is not taken for one, and on the photos where a piece of the table was
 * chosen as the digit the digit is chosen.
 */
class PaperSheetTests {

	private static final int W = 300;

	private static final int H = 240;

	@Test
	void aTurnedSheetOnAGrainedTableIsFoundAndTheTableLeftOut() {
		double angle = Math.toRadians(12);
		float[] grey = new float[W * H];
		boolean[] onSheet = new boolean[W * H];
		Random random = new Random(3);
		for (int y = 0; y < H; y++) {
			for (int x = 0; x < W; x++) {
				// the sheet: a rectangle turned 12 degrees, one side well inside the
				// frame
				double u = (x - 150) * Math.cos(angle) + (y - 120) * Math.sin(angle);
				double v = -(x - 150) * Math.sin(angle) + (y - 120) * Math.cos(angle);
				boolean sheet = Math.abs(u) < 110 && Math.abs(v) < 130;
				onSheet[y * W + x] = sheet;
				double level = sheet ? 228 : 95 + 20 * Math.sin(y * 0.6 + x * 0.05);
				// a digit's stroke and a ruled line on the sheet
				if (sheet && Math.abs(u - 10) < 4 && Math.abs(v) < 40) {
					level = 60;
				}
				else if (sheet && Math.abs(v - 60) < 1) {
					level = 150;
				}
				grey[y * W + x] = (float) (level + random.nextGaussian() * 3);
			}
		}
		byte[] region = PaperSheet.region(grey, W, H);
		assertThat(region).as("the sheet").isNotNull();
		int sheetPixels = 0;
		int sheetFound = 0;
		int tablePixels = 0;
		int tableTaken = 0;
		for (int i = 0; i < grey.length; i++) {
			if (onSheet[i]) {
				sheetPixels++;
				sheetFound += region[i];
			}
			else {
				tablePixels++;
				tableTaken += region[i];
			}
		}
		// the hull's edge may take the table's half-lit pixels along the sheet's edge
		assertThat((double) sheetFound / sheetPixels).as("share of the sheet inside").isGreaterThan(0.99);
		assertThat((double) tableTaken / tablePixels).as("share of the table inside").isLessThan(0.03);
	}

	@Test
	void aPageThatFillsTheFrameHasNoSheet() {
		float[] grey = new float[W * H];
		Random random = new Random(4);
		for (int y = 0; y < H; y++) {
			for (int x = 0; x < W; x++) {
				boolean line = y % 24 == 5;
				boolean stroke = Math.abs(x - 150) < 5 && Math.abs(y - 120) < 50;
				grey[y * W + x] = (float) ((stroke ? 40 : line ? 150 : 225) + random.nextGaussian() * 3);
			}
		}
		assertThat(PaperSheet.region(grey, W, H)).isNull();
	}

	@Test
	void paperInShadowIsNotATableButDenseInkOutsideIs() {
		// a hard shadow over the left 40%: its lit side is found as a "sheet", and
		// whether the rest is table is judged by its ink (the mask after the light is
		// divided away): a shadowed page's ruled lines are sparse, a table's grain dense
		float[] grey = new float[W * H];
		Random random = new Random(5);
		for (int y = 0; y < H; y++) {
			for (int x = 0; x < W; x++) {
				grey[y * W + x] = (float) (225 * (x < 120 ? 0.45 : 1) + random.nextGaussian() * 3);
			}
		}
		byte[] lit = PaperSheet.region(grey, W, H);
		assertThat(lit).as("the lit side").isNotNull();
		byte[] lines = new byte[W * H];
		byte[] grain = new byte[W * H];
		for (int y = 0; y < H; y++) {
			for (int x = 0; x < W; x++) {
				lines[y * W + x] = (byte) ((y % 24 < 2) ? 1 : 0);
				grain[y * W + x] = (byte) ((x < 120 && y % 4 < 2) || (y % 24 < 2) ? 1 : 0);
			}
		}
		assertThat(PaperSheet.isTable(PaperSheet.inkShares(lit, lines))).as("ruled paper in shadow").isFalse();
		assertThat(PaperSheet.isTable(PaperSheet.inkShares(lit, grain))).as("a grained table").isTrue();
	}

	@Test
	void theHullOfASpanIsItsConvexHullFilled() {
		// a C shape: the hull fills its opening and nothing beyond its extreme corners
		int w = 40;
		int h = 30;
		int[] first = new int[h];
		int[] last = new int[h];
		java.util.Arrays.fill(first, -1);
		for (int y = 5; y < 25; y++) {
			first[y] = 10;
			last[y] = (y < 9 || y >= 21) ? 29 : 13;
		}
		byte[] hull = PaperSheet.hull(first, last, w, h);
		for (int y = 0; y < h; y++) {
			for (int x = 0; x < w; x++) {
				boolean expected = y >= 5 && y < 25 && x >= 10 && x <= 29;
				assertThat(hull[y * w + x] == 1).as("%d,%d", x, y).isEqualTo(expected);
			}
		}
	}

	@Test
	void theLargestLightRegionIsTheOneAFloodFillFinds() {
		// run labelling against a plain 4-connected flood fill, on random blotches (ties
		// go to the region met first in raster order)
		Random random = new Random(9);
		for (int trial = 0; trial < 300; trial++) {
			int w = 1 + random.nextInt(60);
			int h = 1 + random.nextInt(60);
			float[] smooth = new float[w * h];
			double light = random.nextDouble();
			for (int i = 0; i < smooth.length; i++) {
				smooth[i] = random.nextDouble() < light ? 200 : 50;
			}
			// blotches: a few light or dark squares over the noise
			for (int b = 0; b < 6; b++) {
				int x0 = random.nextInt(w);
				int y0 = random.nextInt(h);
				int side = 1 + random.nextInt(Math.max(1, Math.min(w, h) / 2));
				float v = random.nextBoolean() ? 200 : 50;
				for (int y = y0; y < Math.min(h, y0 + side); y++) {
					for (int x = x0; x < Math.min(w, x0 + side); x++) {
						smooth[y * w + x] = v;
					}
				}
			}
			int[] first = new int[h];
			int[] last = new int[h];
			boolean found = PaperSheet.largestLightRegion(smooth, 127, w, h, first, last, 0);
			int[][] expected = floodFillLargest(smooth, 127, w, h);
			assertThat(found).as("trial %d: a region", trial).isEqualTo(expected != null);
			if (found) {
				assertThat(first).as("trial %d: first", trial).containsExactly(expected[0]);
				assertThat(last).as("trial %d: last", trial).containsExactly(expected[1]);
			}
		}
	}

	/** The rows' first and last pixels of the largest region, by a flood fill. */
	private static int[][] floodFillLargest(float[] smooth, int level, int w, int h) {
		int[] label = new int[w * h];
		int labels = 0;
		int best = 0;
		int bestSize = 0;
		java.util.ArrayDeque<Integer> queue = new java.util.ArrayDeque<>();
		for (int start = 0; start < w * h; start++) {
			if (label[start] != 0 || smooth[start] <= level) {
				continue;
			}
			label[start] = ++labels;
			queue.add(start);
			int size = 0;
			while (!queue.isEmpty()) {
				int i = queue.poll();
				size++;
				int x = i % w;
				int y = i / w;
				int[][] next = { { x - 1, y }, { x + 1, y }, { x, y - 1 }, { x, y + 1 } };
				for (int[] p : next) {
					if (p[0] >= 0 && p[0] < w && p[1] >= 0 && p[1] < h) {
						int j = p[1] * w + p[0];
						if (label[j] == 0 && smooth[j] > level) {
							label[j] = labels;
							queue.add(j);
						}
					}
				}
			}
			if (size > bestSize) {
				bestSize = size;
				best = labels;
			}
		}
		if (best == 0) {
			return null;
		}
		int[] first = new int[h];
		int[] last = new int[h];
		java.util.Arrays.fill(first, -1);
		for (int y = 0; y < h; y++) {
			for (int x = 0; x < w; x++) {
				if (label[y * w + x] == best) {
					if (first[y] < 0) {
						first[y] = x;
					}
					last[y] = x;
				}
			}
		}
		return new int[][] { first, last };
	}

	@ParameterizedTest
	@CsvSource({
			// a 5 in pencil on ruled paper whose lines the table's grain hid; a piece of
			// the grain was chosen
			"five-on-a-sheet-on-a-grained-table.jpg, 180, 270, 150, 240",
			// a 6 on ruled paper with a narrow band of table along the top, which a
			// ruled line joined to the 6: the 6 and the band were framed together
			"six-on-a-sheet-with-a-band-of-table.jpg, 200, 330, 110, 280",
			// printed digits on a turned sheet, the table at two of its sides lifted to
			// ink as an L whose box holds the digit: the L was joined to it as a fragment
			"printed-three-on-a-sheet-below-a-corner-of-table.png, 140, 240, 170, 340",
			"printed-seven-on-a-squared-sheet-above-a-corner-of-table.jpg, 190, 290, 125, 250" })
	void onAPhotoWhereTheTableWasTakenForInkTheDigitIsChosen(String fixture, int x0, int x1, int y0, int y1)
			throws java.io.IOException {
		GreyImage grey = GreyConverter
			.toGrey(ImageIO.read(new java.io.ByteArrayInputStream(TestImages.photo(fixture))));
		InkLocator.Steps steps = InkLocator.steps(grey, PreprocessingLimits.defaults().minInkPixels(), Long.MAX_VALUE);
		int[] box = TestImages.maskBox(steps.digit(), steps.width());
		assertThat(box).as("the digit's box (x0, y0, x1, y1) within %d..%d x %d..%d", x0, x1, y0, y1)
			.satisfies((b) -> assertThat(b[0]).isGreaterThanOrEqualTo(x0))
			.satisfies((b) -> assertThat(b[2]).isLessThanOrEqualTo(x1))
			.satisfies((b) -> assertThat(b[1]).isGreaterThanOrEqualTo(y0))
			.satisfies((b) -> assertThat(b[3]).isLessThanOrEqualTo(y1));
	}

}
