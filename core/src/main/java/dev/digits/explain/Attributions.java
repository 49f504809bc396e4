package dev.digits.explain;

import java.util.ArrayList;
import java.util.List;

import dev.digits.model.DigitNetwork;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Why the network answered what it did: a 28x28 map of how much each input pixel pushed
 * the network towards one digit (positive: towards it; negative: away from it). Two
 * methods over the version's own network:
 * <ul>
 * <li><b>occlusion</b>: the image is copied once per square patch that holds ink, the
 * patch blanked (set to the background, 0), and all copies classified in one batch; a
 * pixel's attribution is the mean drop of the digit's probability over the patches that
 * cover it. Patches of background are skipped: blanking them changes nothing.</li>
 * <li><b>integrated gradients</b> (Sundararajan et al. 2017): the gradient of the digit's
 * log-probability with respect to the input, averaged along the straight line from the
 * blank image to the input (midpoint rule), times the input. The attributions add up to
 * the log-probability's change from the blank image to the input (completeness), within
 * the error of the sum over {@code steps}.</li>
 * </ul>
 */
public final class Attributions {

	/** The methods by the names the API uses. */
	public static final List<String> METHODS = List.of("occlusion", "integrated-gradients");

	/** The side of an occluded square, in pixels. */
	public static final int PATCH = 4;

	/** How far apart occluded squares start, in pixels. */
	public static final int STRIDE = 2;

	/** The points along the path integrated gradients averages over. */
	public static final int STEPS = 32;

	private static final int SIDE = 28;

	private Attributions() {
	}

	/** Classifies a batch of normalised 784-pixel images into probabilities. */
	@FunctionalInterface
	public interface Classifier {

		float[][] probabilities(float[][] images);

	}

	/**
	 * The occlusion map of {@code image} for {@code target}, with one batched call of
	 * {@code classifier} (at most 13 x 13 patches; none for a blank image).
	 */
	public static float[] occlusion(float[] image, int target, Classifier classifier) {
		checkImage(image, target);
		List<int[]> patches = new ArrayList<>();
		for (int y = 0; y + PATCH <= SIDE; y += STRIDE) {
			for (int x = 0; x + PATCH <= SIDE; x += STRIDE) {
				if (hasInk(image, x, y)) {
					patches.add(new int[] { x, y });
				}
			}
		}
		float[] map = new float[DigitNetwork.PIXELS];
		if (patches.isEmpty()) {
			return map;
		}
		float[][] batch = new float[patches.size() + 1][];
		batch[0] = image;
		for (int i = 0; i < patches.size(); i++) {
			float[] occluded = image.clone();
			int[] at = patches.get(i);
			for (int dy = 0; dy < PATCH; dy++) {
				java.util.Arrays.fill(occluded, (at[1] + dy) * SIDE + at[0], (at[1] + dy) * SIDE + at[0] + PATCH, 0f);
			}
			batch[i + 1] = occluded;
		}
		float[][] p = classifier.probabilities(batch);
		float original = p[0][target];
		// every pixel of the image is covered by the same number of patch positions
		// (ink-free ones counted as a drop of 0), so that edges are not favoured
		int[] covering = new int[DigitNetwork.PIXELS];
		for (int y = 0; y + PATCH <= SIDE; y += STRIDE) {
			for (int x = 0; x + PATCH <= SIDE; x += STRIDE) {
				addPatch(covering, x, y);
			}
		}
		for (int i = 0; i < patches.size(); i++) {
			float drop = original - p[i + 1][target];
			int[] at = patches.get(i);
			for (int dy = 0; dy < PATCH; dy++) {
				for (int dx = 0; dx < PATCH; dx++) {
					map[(at[1] + dy) * SIDE + at[0] + dx] += drop;
				}
			}
		}
		for (int i = 0; i < map.length; i++) {
			map[i] = covering[i] == 0 ? 0 : map[i] / covering[i];
		}
		return map;
	}

	/**
	 * A copy of {@code network} for gradients: the same weights without its dropout
	 * (gradients are taken in training mode, where dropout would make every map
	 * different). Not thread-safe: one caller at a time.
	 */
	public static MultiLayerNetwork gradientCopy(MultiLayerNetwork network) {
		MultiLayerConfiguration conf = network.getLayerWiseConfigurations().clone();
		for (NeuralNetConfiguration layer : conf.getConfs()) {
			layer.getLayer().setIDropout(null);
		}
		MultiLayerNetwork copy = new MultiLayerNetwork(conf);
		copy.init(network.params().dup(), false);
		return copy;
	}

	/**
	 * The gradients of a network: for each of {@code n} images (784 values each), the
	 * gradient of the log-probability of {@code target} with respect to its pixels, as
	 * {@code n * 784} values.
	 */
	@FunctionalInterface
	public interface Gradients {

		float[] logProbabilityGradients(float[] images, int n, int target);

	}

	/**
	 * DL4J's gradients of {@code network} (a {@link #gradientCopy}; one caller at a
	 * time): one batched forward and backward pass through its layers.
	 */
	public static Gradients gradients(MultiLayerNetwork network) {
		return (images, n, target) -> {
			float[] labels = new float[n * DigitNetwork.CLASSES];
			for (int k = 0; k < n; k++) {
				labels[k * DigitNetwork.CLASSES + target] = 1f;
			}
			INDArray features = Nd4j.create(java.util.Arrays.copyOf(images, n * DigitNetwork.PIXELS),
					new long[] { n, DigitNetwork.PIXELS }, 'c');
			INDArray oneHot = Nd4j.create(labels, new long[] { n, DigitNetwork.CLASSES }, 'c');
			// each row's input gradient is that of its own loss, -log p(target) (DL4J
			// divides by the batch size only when it updates weights): negated, the
			// gradient of log p(target)
			float[] g = network.calculateGradients(features, oneHot, null, null)
				.getSecond()
				.reshape(n, DigitNetwork.PIXELS)
				.neg()
				.data()
				.asFloat();
			network.clear();
			return g;
		};
	}

	/**
	 * The integrated-gradients map of {@code image} for {@code target} over {@code steps}
	 * points, from one batched forward and backward pass of {@code network} (a
	 * {@link #gradientCopy}; not used by anyone else meanwhile).
	 */
	public static float[] integratedGradients(MultiLayerNetwork network, float[] image, int target, int steps) {
		return integratedGradients(gradients(network), image, target, steps);
	}

	/**
	 * The integrated-gradients map of {@code image} for {@code target} over {@code steps}
	 * points, from one batch of {@code gradients}: the mean gradient along the path,
	 * times the image.
	 */
	public static float[] integratedGradients(Gradients gradients, float[] image, int target, int steps) {
		checkImage(image, target);
		if (steps < 1 || steps > 256) {
			throw new IllegalArgumentException("steps must be 1 to 256, got " + steps);
		}
		float[] path = new float[steps * DigitNetwork.PIXELS];
		for (int k = 0; k < steps; k++) {
			float alpha = (k + 0.5f) / steps;
			for (int i = 0; i < DigitNetwork.PIXELS; i++) {
				path[k * DigitNetwork.PIXELS + i] = alpha * image[i];
			}
		}
		float[] g = gradients.logProbabilityGradients(path, steps, target);
		float[] map = new float[DigitNetwork.PIXELS];
		for (int k = 0; k < steps; k++) {
			for (int i = 0; i < DigitNetwork.PIXELS; i++) {
				map[i] += g[k * DigitNetwork.PIXELS + i];
			}
		}
		for (int i = 0; i < map.length; i++) {
			map[i] = map[i] / steps * image[i];
		}
		return map;
	}

	private static boolean hasInk(float[] image, int x, int y) {
		for (int dy = 0; dy < PATCH; dy++) {
			for (int dx = 0; dx < PATCH; dx++) {
				if (image[(y + dy) * SIDE + x + dx] != 0f) {
					return true;
				}
			}
		}
		return false;
	}

	private static void addPatch(int[] covering, int x, int y) {
		for (int dy = 0; dy < PATCH; dy++) {
			for (int dx = 0; dx < PATCH; dx++) {
				covering[(y + dy) * SIDE + x + dx]++;
			}
		}
	}

	private static void checkImage(float[] image, int target) {
		if (image.length != DigitNetwork.PIXELS) {
			throw new IllegalArgumentException("an image has 784 values, got " + image.length);
		}
		if (target < 0 || target >= DigitNetwork.CLASSES) {
			throw new IllegalArgumentException("the target is a digit 0 to 9, got " + target);
		}
	}

}
