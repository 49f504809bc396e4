package dev.digits.training;

import dev.digits.model.DigitNetwork;
import dev.digits.model.Normalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Turns MNIST bytes into DL4J minibatches and runs a network over a whole split. */
public final class Batches {

	private static final int EVAL_BATCH = 1000;

	private Batches() {
	}

	/**
	 * Normalized features {@code [n, 784]} for the examples at {@code indices[from..to)}.
	 */
	public static INDArray features(Mnist.Split split, int[] indices, int from, int to) {
		int n = to - from;
		float[] data = new float[n * DigitNetwork.PIXELS];
		for (int i = 0; i < n; i++) {
			Normalization.normalize(split.pixels(), indices[from + i] * DigitNetwork.PIXELS, data,
					i * DigitNetwork.PIXELS, DigitNetwork.PIXELS);
		}
		return Nd4j.create(data, new long[] { n, DigitNetwork.PIXELS }, 'c');
	}

	static DataSet dataSet(Mnist.Split split, int[] indices, int from, int to) {
		return dataSet(split, indices, from, to, null, 0);
	}

	/**
	 * A minibatch of the examples at {@code indices[from..to)}; with an
	 * {@code augmentation}, each image is augmented for {@code epoch} by its index in
	 * {@code split}.
	 */
	static DataSet dataSet(Mnist.Split split, int[] indices, int from, int to, Augmentation augmentation, int epoch) {
		int n = to - from;
		float[] oneHot = new float[n * DigitNetwork.CLASSES];
		for (int i = 0; i < n; i++) {
			oneHot[i * DigitNetwork.CLASSES + split.labels()[indices[from + i]]] = 1f;
		}
		INDArray features = augmentation == null ? features(split, indices, from, to)
				: augmentedFeatures(split, indices, from, to, augmentation, epoch);
		return new DataSet(features, Nd4j.create(oneHot, new long[] { n, DigitNetwork.CLASSES }, 'c'));
	}

	static INDArray augmentedFeatures(Mnist.Split split, int[] indices, int from, int to, Augmentation augmentation,
			int epoch) {
		int n = to - from;
		float[] data = new float[n * DigitNetwork.PIXELS];
		for (int i = 0; i < n; i++) {
			augmentation.apply(split, indices[from + i], epoch, data, i * DigitNetwork.PIXELS);
		}
		return Nd4j.create(data, new long[] { n, DigitNetwork.PIXELS }, 'c');
	}

	/**
	 * Softmax outputs of {@code network} for every example of {@code split}, row-major
	 * {@code n x 10}.
	 */
	public static float[] predict(MultiLayerNetwork network, Mnist.Split split) {
		int n = split.size();
		int[] order = identity(n);
		float[] out = new float[n * DigitNetwork.CLASSES];
		for (int from = 0; from < n; from += EVAL_BATCH) {
			int to = Math.min(n, from + EVAL_BATCH);
			INDArray probabilities = network.output(features(split, order, from, to), false);
			float[] chunk = probabilities.data().asFloat();
			System.arraycopy(chunk, 0, out, from * DigitNetwork.CLASSES, chunk.length);
		}
		return out;
	}

	public static ClassificationReport evaluate(MultiLayerNetwork network, Mnist.Split split) {
		return ClassificationReport.of(predict(network, split), split.labels());
	}

	static int[] identity(int n) {
		int[] order = new int[n];
		for (int i = 0; i < n; i++) {
			order[i] = i;
		}
		return order;
	}

}
