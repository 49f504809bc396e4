package dev.digits.preprocessing;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;

import org.junit.jupiter.api.Test;

import static dev.digits.preprocessing.TestImages.assertRefused;
import static dev.digits.preprocessing.TestImages.encode;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Ink that cannot be one digit, on clean pictures (what a drawing pad sends): a tap and a
 * short dash, a pad scribbled over, a page of ink; and the digits these rules must leave
 * alone (a 1, a small 0, light ink on dark paper, a digit drawn to the pad's edges).
 */
class InkShapeTests {

	private final ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessingLimits.defaults());

	@Test
	void aTapIsADotNotADigit() {
		byte[] tap = pad(false, g -> g.fillOval(130, 130, 20, 20));
		assertRefused(() -> this.preprocessor.fromImage(tap), Reason.NOT_A_DIGIT, "a dot or a short dash");
		byte[] offCentre = pad(false, g -> g.fillOval(40, 210, 20, 20));
		assertRefused(() -> this.preprocessor.fromImage(offCentre), Reason.NOT_A_DIGIT, "a dot or a short dash");
	}

	@Test
	void aShortDashIsNotADigit() {
		byte[] dash = pad(false, g -> g.drawLine(136, 140, 142, 140)); // 26 px long, 20
																		// wide
		assertRefused(() -> this.preprocessor.fromImage(dash), Reason.NOT_A_DIGIT, "a dot or a short dash");
	}

	@Test
	void aPadScribbledOverIsTooMuchInkNotBlank() {
		for (int rows : new int[] { 15, 20 }) {
			byte[] scribble = pad(false, g -> {
				double step = 280.0 / (rows - 1);
				for (int i = 0; i + 1 < rows; i++) {
					g.drawLine(i % 2 == 0 ? 8 : 272, (int) (4 + i * step), i % 2 == 0 ? 272 : 8,
							(int) (4 + (i + 1) * step));
				}
			});
			assertRefused(() -> this.preprocessor.fromImage(scribble), Reason.NOT_A_DIGIT, "% of the picture");
		}
	}

	@Test
	void aPageAlmostAllInkIsTooMuchInkNotBlank() {
		byte[] inked = pad(false, g -> g.fillRect(0, 0, 280, 278)); // a sliver of the pad
																	// left
		assertRefused(() -> this.preprocessor.fromImage(inked), Reason.NOT_A_DIGIT, "ink covers");
	}

	@Test
	void aBlockOfInkOnLightPaperIsTooMuchInk() {
		byte[] block = pad(false, g -> g.fillRect(20, 20, 240, 150)); // 46% of the
																		// picture
		assertRefused(() -> this.preprocessor.fromImage(block), Reason.NOT_A_DIGIT, "ink covers 46%");
	}

	@Test
	void digitsTheseRulesMustLeaveAlone() {
		// a 1: one stroke, many widths long
		assertThat(this.preprocessor.fromImage(pad(false, g -> g.drawLine(140, 50, 140, 230))).pixels()).hasSize(784);
		// a small bold 0 (a ring about three stroke widths across)
		assertThat(this.preprocessor.fromImage(pad(false, g -> g.drawOval(115, 110, 50, 60))).pixels()).hasSize(784);
		// a 7 drawn from edge to edge of the pad
		assertThat(this.preprocessor.fromImage(pad(false, g -> {
			g.drawLine(5, 8, 272, 8);
			g.drawLine(272, 8, 120, 275);
		})).pixels()).hasSize(784);
		// light ink on dark paper (a chalkboard-like canvas), a 4
		Preprocessed light = this.preprocessor.fromImage(pad(true, g -> {
			g.drawLine(170, 40, 170, 240);
			g.drawLine(170, 40, 80, 170);
			g.drawLine(80, 170, 210, 170);
		}));
		assertThat(light.pixels()).hasSize(784);
	}

	/**
	 * A 280x280 pad, white with black ink (or black with white ink when {@code dark}),
	 * drawn with a 20 px round pen, anti-aliased, as a PNG.
	 */
	private static byte[] pad(boolean dark, java.util.function.Consumer<Graphics2D> drawing) {
		BufferedImage image = new BufferedImage(280, 280, BufferedImage.TYPE_BYTE_GRAY);
		Graphics2D g = image.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
		g.setColor(dark ? Color.BLACK : Color.WHITE);
		g.fillRect(0, 0, 280, 280);
		g.setColor(dark ? Color.WHITE : Color.BLACK);
		g.setStroke(new BasicStroke(20, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
		drawing.accept(g);
		g.dispose();
		return encode(image, "png");
	}

}
