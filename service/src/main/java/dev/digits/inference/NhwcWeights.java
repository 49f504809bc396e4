package dev.digits.inference;

import java.util.ArrayList;
import java.util.List;

import dev.digits.model.ChannelsLastWeights;
import dev.digits.model.ChannelsLastWeights.Tensor;
import dev.digits.model.DigitNetwork;
import dev.digits.model.NetworkSpec;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The network's weights as read-only ND4J arrays in channels-last layout, shared by all
 * workers: the kernel and the bias of each convolution and dense layer of {@code spec},
 * in the order of its layers.
 */
record NhwcWeights(NetworkSpec spec, List<INDArray> kernels, List<INDArray> biases) {

	/** The weights of {@code network}, of the card's architecture. */
	static NhwcWeights of(MultiLayerNetwork network) {
		return of(DigitNetwork.SPEC, network);
	}

	/** The weights of {@code network}, of architecture {@code spec}. */
	static NhwcWeights of(NetworkSpec spec, MultiLayerNetwork network) {
		List<INDArray> kernels = new ArrayList<>();
		List<INDArray> biases = new ArrayList<>();
		for (Tensor t : ChannelsLastWeights.tensors(spec)) {
			long[] shape = new long[t.shape().length];
			for (int i = 0; i < shape.length; i++) {
				shape[i] = t.shape()[i];
			}
			INDArray array = Nd4j.create(ChannelsLastWeights.read(network, t), shape, 'c');
			(t.isBias() ? biases : kernels).add(array);
		}
		return new NhwcWeights(spec, List.copyOf(kernels), List.copyOf(biases));
	}

}
