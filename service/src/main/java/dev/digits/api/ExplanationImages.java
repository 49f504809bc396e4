package dev.digits.api;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

import javax.imageio.ImageIO;

import dev.digits.serving.Explainer;

/**
 * An explanation as the API answers it: the map as 28 rows of 28, rounded, and the input
 * the network saw, enlarged 8 times, with the map laid over it (red where a pixel pushed
 * towards the digit, blue where it pushed away, the stronger the more opaque), as a PNG
 * data URL.
 */
final class ExplanationImages {

	private static final int SIDE = 28;

	private static final int SCALE = 8;

	private ExplanationImages() {
	}

	/**
	 * The explanation of {@code recognized}'s answer, or of {@code digit} (a request
	 * parameter called {@code parameter}, null for the answer), by {@code method}.
	 */
	static Responses.Explanation explain(Explainer explainer, String version,
			dev.digits.serving.RecognitionService.Recognized recognized, String method, String digit,
			String parameter) {
		check(method, digit, parameter);
		int target = digit != null ? digit.charAt(0) - '0' : recognized.answer().digit();
		long start = System.nanoTime();
		float[] input = recognized.input().pixels();
		Explainer.Explanation explained = explainer.explain(version, input, target, method);
		return response(explained, input, System.nanoTime() - start);
	}

	/**
	 * Refuses an unknown method or a digit parameter that is not one digit: called before
	 * the prediction, so that a request that cannot be explained costs nothing.
	 */
	static void check(String method, String digit, String parameter) {
		if (!dev.digits.explain.Attributions.METHODS.contains(method)) {
			throw new InvalidRequestException("unknown explanation method '" + method + "'; one of "
					+ String.join(", ", dev.digits.explain.Attributions.METHODS));
		}
		if (digit != null && !digit.matches("[0-9]")) {
			throw new InvalidRequestException(parameter + " must be one digit 0 to 9");
		}
	}

	static Responses.Explanation response(Explainer.Explanation explanation, float[] input, long nanos) {
		float[] map = explanation.attributions();
		float[][] rows = new float[SIDE][SIDE];
		for (int y = 0; y < SIDE; y++) {
			for (int x = 0; x < SIDE; x++) {
				rows[y][x] = Math.round(map[y * SIDE + x] * 1e5f) / 1e5f;
			}
		}
		return new Responses.Explanation(explanation.method(), explanation.digit(), explanation.version(), rows,
				"data:image/png;base64," + Base64.getEncoder().encodeToString(overlay(input, map)),
				Math.round(nanos / 1_000.0) / 1_000.0);
	}

	/** The PNG of {@code input} (784 values 0-1) with {@code map} over it. */
	static byte[] overlay(float[] input, float[] map) {
		float strongest = 0;
		for (float a : map) {
			strongest = Math.max(strongest, Math.abs(a));
		}
		BufferedImage image = new BufferedImage(SIDE * SCALE, SIDE * SCALE, BufferedImage.TYPE_INT_RGB);
		for (int y = 0; y < SIDE; y++) {
			for (int x = 0; x < SIDE; x++) {
				int i = y * SIDE + x;
				float grey = Math.max(0, Math.min(1, input[i])) * 255;
				float weight = strongest == 0 ? 0 : 0.75f * Math.abs(map[i]) / strongest;
				float r = grey;
				float g = grey;
				float b = grey;
				if (map[i] > 0) {
					r = mix(grey, 230, weight);
					g = mix(grey, 40, weight);
					b = mix(grey, 40, weight);
				}
				else if (map[i] < 0) {
					r = mix(grey, 40, weight);
					g = mix(grey, 90, weight);
					b = mix(grey, 230, weight);
				}
				int rgb = (Math.round(r) << 16) | (Math.round(g) << 8) | Math.round(b);
				for (int dy = 0; dy < SCALE; dy++) {
					for (int dx = 0; dx < SCALE; dx++) {
						image.setRGB(x * SCALE + dx, y * SCALE + dy, rgb);
					}
				}
			}
		}
		ByteArrayOutputStream png = new ByteArrayOutputStream(8192);
		try {
			ImageIO.write(image, "png", png);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return png.toByteArray();
	}

	private static float mix(float from, float to, float weight) {
		return from + (to - from) * weight;
	}

}
