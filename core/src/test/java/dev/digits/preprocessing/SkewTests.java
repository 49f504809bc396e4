package dev.digits.preprocessing;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link Skew}: the slant of a page's lines, found from an ink mask, and the turn that
 * straightens them; and the band-pass polarity of {@link InkLocator#darkInk}, which a
 * shadow's edge must not tip.
 */
class SkewTests {

	private static final int WIDTH = 480;

	private static final int HEIGHT = 360;

	@Test
	void squaredPaperTurnedBeyondWhatTheLineFinderFollowsIsFound() {
		for (double degrees : new double[] { -17, -11.5, 9, 14 }) {
			byte[] mask = mask(page(degrees, true, 24));
			double[] slant = Skew.estimate(mask, WIDTH, HEIGHT, 3);
			assertThat(slant[0]).as("grid turned by %s degrees", degrees).isCloseTo(degrees, within(1.0));
			assertThat(slant[1]).as("grid turned by %s degrees", degrees).isCloseTo(degrees, within(1.0));
		}
	}

	@Test
	void aGridSeenAtAnAngleIsShearedStraightEachWayByItsOwnSlant() {
		// perspective: the lines across slant by 11 degrees, the lines down by -5 (one
		// turn cannot straighten both, and 11 is past what the line finder follows)
		byte[] mask = mask(sheared(11, -5, 24));
		double[] slant = Skew.estimate(mask, WIDTH, HEIGHT, 3);
		assertThat(slant[0]).isCloseTo(11, within(1.0));
		assertThat(slant[1]).isCloseTo(-5, within(1.0));
		float[] ink = new float[mask.length];
		for (int i = 0; i < ink.length; i++) {
			ink[i] = mask[i];
		}
		float[] straight = Skew.turn(ink, WIDTH, HEIGHT, slant[0], slant[1]);
		byte[] after = new byte[straight.length];
		for (int i = 0; i < straight.length; i++) {
			after[i] = (byte) ((straight[i] > 0.5f) ? 1 : 0);
		}
		assertThat(Skew.estimate(after, WIDTH, HEIGHT, 3)).containsExactly(0, 0);
		assertThat(longestRow(after)).isGreaterThan(WIDTH * 2 / 3);
		assertThat(longestColumn(after)).isGreaterThan(HEIGHT * 2 / 3);
	}

	@Test
	void ruledPaperTurnedIsFoundAndNearlyStraightPaperIsLeftToTheLineFinder() {
		// ruled paper has lines across only: the lines down (none) take their slant
		assertThat(Skew.estimate(mask(page(12, false, 30)), WIDTH, HEIGHT, 3)).containsExactly(new double[] { 12, 12 },
				within(1.0));
		// 3 degrees: within what Lines follows by itself, so nothing is turned
		assertThat(Skew.estimate(mask(page(3, true, 24)), WIDTH, HEIGHT, 3)).containsExactly(0, 0);
	}

	@Test
	void aDigitsOwnStrokesDoNotTurnThePicture() {
		// two parallel slanted strokes (a 4 and a 7 side by side) and one bold slanted
		// stroke (a 1): long, but not a page's lines
		BufferedImage strokes = blank();
		Graphics2D g = graphics(strokes);
		g.setStroke(new BasicStroke(5));
		g.drawLine(150, 80, 110, 280);
		g.drawLine(300, 80, 260, 280);
		g.dispose();
		assertThat(Skew.estimate(mask(strokes), WIDTH, HEIGHT, 3)).containsExactly(0, 0);
		BufferedImage bold = blank();
		g = graphics(bold);
		g.setStroke(new BasicStroke(40));
		g.drawLine(260, 40, 200, 320);
		g.dispose();
		assertThat(Skew.estimate(mask(bold), WIDTH, HEIGHT, 3)).containsExactly(0, 0);
		assertThat(Skew.estimate(new byte[WIDTH * HEIGHT], WIDTH, HEIGHT, 3)).containsExactly(0, 0);
	}

	@Test
	void theTurnStraightensTheLinesAndKeepsTheCanvas() {
		byte[] slanted = mask(page(13, false, 30));
		float[] ink = new float[slanted.length];
		for (int i = 0; i < ink.length; i++) {
			ink[i] = slanted[i];
		}
		float[] turned = Skew.turn(ink, WIDTH, HEIGHT, 13, 13);
		assertThat(turned).hasSize(WIDTH * HEIGHT);
		byte[] mask = new byte[turned.length];
		for (int i = 0; i < turned.length; i++) {
			mask[i] = (byte) ((turned[i] > 0.5f) ? 1 : 0);
		}
		// straight now: nothing left to turn, and a row through the middle of a line is
		// ink across most of the picture
		assertThat(Skew.estimate(mask, WIDTH, HEIGHT, 3)).containsExactly(0, 0);
		assertThat(longestRow(mask)).isGreaterThan(WIDTH * 2 / 3);
	}

	/** The most ink in one row. */
	private static int longestRow(byte[] mask) {
		return mostInOneLine(mask, true);
	}

	/** The most ink in one column. */
	private static int longestColumn(byte[] mask) {
		return mostInOneLine(mask, false);
	}

	private static int mostInOneLine(byte[] mask, boolean rows) {
		int lines = rows ? HEIGHT : WIDTH;
		int along = rows ? WIDTH : HEIGHT;
		int most = 0;
		for (int a = 0; a < lines; a++) {
			int ink = 0;
			for (int b = 0; b < along; b++) {
				ink += rows ? mask[a * WIDTH + b] : mask[b * WIDTH + a];
			}
			most = Math.max(most, ink);
		}
		return most;
	}

	@Test
	void aTurnByNothingChangesNothing() {
		Random random = new Random(4);
		float[] values = new float[40 * 30];
		for (int i = 0; i < values.length; i++) {
			values[i] = random.nextFloat();
		}
		assertThat(Skew.turn(values, 40, 30, 0, 0)).containsExactly(values);
	}

	@Test
	void darkInkIsNotFooledByAShadowAcrossThePage() {
		// light paper, its lower part in deep shade, a thin dark stroke in the lit part:
		// the most frequent level is the shade, and the lit paper is the farthest extreme
		float[] grey = new float[WIDTH * HEIGHT];
		for (int y = 0; y < HEIGHT; y++) {
			for (int x = 0; x < WIDTH; x++) {
				boolean shade = y > 120 + x / 8;
				grey[y * WIDTH + x] = shade ? 70 : 200;
			}
		}
		for (int y = 40; y < 110; y++) {
			for (int x = 236; x < 242; x++) {
				grey[y * WIDTH + x] = 30;
			}
		}
		assertThat(InkLocator.darkInk(grey, WIDTH, HEIGHT)).isTrue();
		// the same picture with light chalk on a dark board, shaded the other way
		float[] board = new float[grey.length];
		for (int i = 0; i < grey.length; i++) {
			board[i] = 255 - grey[i];
		}
		assertThat(InkLocator.darkInk(board, WIDTH, HEIGHT)).isFalse();
		assertThat(InkLocator.darkInk(new float[100], 10, 10)).isNull();
	}

	@Test
	void aBoldMarkerStrokeIsDarkInk() {
		float[] grey = new float[WIDTH * HEIGHT];
		java.util.Arrays.fill(grey, 190);
		// 28 pixels wide: wider than the line finder's lines, narrower than the closing
		for (int y = 60; y < 300; y++) {
			for (int x = 226; x < 254; x++) {
				grey[y * WIDTH + x] = 20;
			}
		}
		assertThat(InkLocator.darkInk(grey, WIDTH, HEIGHT)).isTrue();
	}

	/** Lines every {@code spacing} pixels turned by {@code degrees}; squared or ruled. */
	private static BufferedImage page(double degrees, boolean squared, int spacing) {
		BufferedImage image = blank();
		Graphics2D g = graphics(image);
		g.setTransform(AffineTransform.getRotateInstance(Math.toRadians(degrees), WIDTH / 2.0, HEIGHT / 2.0));
		g.setStroke(new BasicStroke(2));
		for (int k = -40; k <= 40; k++) {
			int at = k * spacing;
			g.drawLine(-WIDTH, HEIGHT / 2 + at, 2 * WIDTH, HEIGHT / 2 + at);
			if (squared) {
				g.drawLine(WIDTH / 2 + at, -HEIGHT, WIDTH / 2 + at, 2 * HEIGHT);
			}
		}
		// a digit-sized scribble in the middle, as on a real page
		g.setTransform(new AffineTransform());
		g.setStroke(new BasicStroke(6));
		g.drawOval(WIDTH / 2 - 30, HEIGHT / 2 - 50, 60, 100);
		g.dispose();
		return image;
	}

	/**
	 * Squared paper whose lines across slant by {@code across} degrees and whose lines
	 * down slant by {@code down}, every {@code spacing} pixels, with a digit-sized ring.
	 */
	private static BufferedImage sheared(double across, double down, int spacing) {
		BufferedImage image = blank();
		Graphics2D g = graphics(image);
		g.setStroke(new BasicStroke(2));
		double ta = Math.tan(Math.toRadians(across));
		double td = Math.tan(Math.toRadians(down));
		for (int k = -40; k <= 40; k++) {
			int at = k * spacing;
			// across: y = HEIGHT/2 + at + (x - WIDTH/2) tan(across)
			g.drawLine(-WIDTH, (int) Math.round(HEIGHT / 2.0 + at - 1.5 * WIDTH * ta), 2 * WIDTH,
					(int) Math.round(HEIGHT / 2.0 + at + 1.5 * WIDTH * ta));
			// down: x = WIDTH/2 + at - (y - HEIGHT/2) tan(down)
			g.drawLine((int) Math.round(WIDTH / 2.0 + at + 1.5 * HEIGHT * td), -HEIGHT,
					(int) Math.round(WIDTH / 2.0 + at - 1.5 * HEIGHT * td), 2 * HEIGHT);
		}
		g.setStroke(new BasicStroke(6));
		g.drawOval(WIDTH / 2 - 30, HEIGHT / 2 - 50, 60, 100);
		g.dispose();
		return image;
	}

	private static BufferedImage blank() {
		return new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_BYTE_GRAY);
	}

	private static Graphics2D graphics(BufferedImage image) {
		Graphics2D g = image.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
		g.setColor(Color.WHITE);
		return g;
	}

	private static byte[] mask(BufferedImage image) {
		byte[] mask = new byte[WIDTH * HEIGHT];
		for (int y = 0; y < HEIGHT; y++) {
			for (int x = 0; x < WIDTH; x++) {
				mask[y * WIDTH + x] = (byte) (((image.getRaster().getSample(x, y, 0)) > 127) ? 1 : 0);
			}
		}
		return mask;
	}

}
