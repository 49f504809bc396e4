package dev.digits.training;

import java.util.List;

import dev.digits.model.DigitNetwork;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the quality figures need from one pass of the network over a set of inputs.
 *
 * @param probabilities {@code n x 10} softmax outputs (what {@code output()} gives),
 * row-major
 * @param logits {@code n x 10} pre-softmax outputs {@code dense1 . W + b} of the output
 * layer
 * @param features {@code n x 128} dense1 activations (after ReLU; dropout is the identity
 * at inference)
 */
public record NetworkOutputs(float[] probabilities, double[] logits, float[] features) {

	/** Width of the dense1 feature vector. */
	public static final int FEATURES = DigitNetwork.FEATURES;

	private static final int BATCH = 1000;

	public int size() {
		return probabilities.length / DigitNetwork.CLASSES;
	}

	/**
	 * Runs {@code network} in inference mode over {@code pixels} ({@code n x 784}, 0..1).
	 */
	public static NetworkOutputs of(MultiLayerNetwork network, float[] pixels) {
		int n = pixels.length / DigitNetwork.PIXELS;
		int k = DigitNetwork.CLASSES;
		float[] probabilities = new float[n * k];
		double[] logits = new double[n * k];
		float[] features = new float[n * FEATURES];
		float[] w = network.getLayer(DigitNetwork.OUTPUT).getParam("W").dup('c').data().asFloat();
		float[] b = network.getLayer(DigitNetwork.OUTPUT).getParam("b").dup('c').data().asFloat();
		for (int from = 0; from < n; from += BATCH) {
			int to = Math.min(n, from + BATCH);
			float[] chunk = java.util.Arrays.copyOfRange(pixels, from * DigitNetwork.PIXELS, to * DigitNetwork.PIXELS);
			INDArray input = Nd4j.create(chunk, new long[] { to - from, DigitNetwork.PIXELS }, 'c');
			List<INDArray> activations = network.feedForward(input, false);
			float[] h = activations.get(DigitNetwork.DENSE1 + 1).dup('c').data().asFloat();
			float[] p = activations.get(DigitNetwork.OUTPUT + 1).dup('c').data().asFloat();
			System.arraycopy(h, 0, features, from * FEATURES, h.length);
			System.arraycopy(p, 0, probabilities, from * k, p.length);
			for (int r = 0; r < to - from; r++) {
				for (int c = 0; c < k; c++) {
					double z = b[c];
					for (int j = 0; j < FEATURES; j++) {
						z += (double) h[r * FEATURES + j] * w[j * k + c];
					}
					logits[(from + r) * k + c] = z;
				}
			}
		}
		return new NetworkOutputs(probabilities, logits, features);
	}

	/** These rows followed by {@code other}'s. */
	public NetworkOutputs append(NetworkOutputs other) {
		float[] p = java.util.Arrays.copyOf(this.probabilities, this.probabilities.length + other.probabilities.length);
		System.arraycopy(other.probabilities, 0, p, this.probabilities.length, other.probabilities.length);
		double[] z = java.util.Arrays.copyOf(this.logits, this.logits.length + other.logits.length);
		System.arraycopy(other.logits, 0, z, this.logits.length, other.logits.length);
		float[] h = java.util.Arrays.copyOf(this.features, this.features.length + other.features.length);
		System.arraycopy(other.features, 0, h, this.features.length, other.features.length);
		return new NetworkOutputs(p, z, h);
	}

	/** The outputs of the rows {@code [from, to)}. */
	public NetworkOutputs slice(int from, int to) {
		int k = DigitNetwork.CLASSES;
		return new NetworkOutputs(java.util.Arrays.copyOfRange(probabilities, from * k, to * k),
				java.util.Arrays.copyOfRange(logits, from * k, to * k),
				java.util.Arrays.copyOfRange(features, from * FEATURES, to * FEATURES));
	}

}
