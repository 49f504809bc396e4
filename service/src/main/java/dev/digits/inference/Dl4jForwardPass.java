package dev.digits.inference;

import dev.digits.model.DigitNetwork;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The reference path: DL4J's own {@code MultiLayerNetwork.output()} on a private copy of
 * the network (DL4J networks are not thread-safe, and {@code output()} is synchronized),
 * whose output layer gives its logits.
 */
final class Dl4jForwardPass implements ForwardPass {

	private final MultiLayerNetwork network;

	private final int capacity;

	Dl4jForwardPass(MultiLayerNetwork network, int capacity) {
		this.network = network.clone();
		// the copy stops at the logits: its output layer's softmax becomes the identity
		((org.deeplearning4j.nn.conf.layers.BaseLayer) this.network.getLayer(DigitNetwork.OUTPUT).conf().getLayer())
			.setActivationFn(new org.nd4j.linalg.activations.impl.ActivationIdentity());
		this.capacity = capacity;
	}

	@Override
	public void forward(float[] input, int n, float[] output) {
		float[] batch = input.length == n * DigitNetwork.PIXELS ? input
				: java.util.Arrays.copyOf(input, n * DigitNetwork.PIXELS);
		INDArray probabilities = network.output(Nd4j.create(batch, new long[] { n, DigitNetwork.PIXELS }, 'c'), false);
		System.arraycopy(probabilities.data().asFloat(), 0, output, 0, n * DigitNetwork.CLASSES);
	}

	@Override
	public int capacity() {
		return capacity;
	}

	/** The private copy of the network's parameters. */
	@Override
	public long bufferBytes() {
		return network.params().length() * network.params().dataType().width();
	}

}
