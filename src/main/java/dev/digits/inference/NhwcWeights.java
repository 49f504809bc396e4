package dev.digits.inference;

import java.util.HashMap;
import java.util.Map;

import dev.digits.model.ChannelsLastWeights;
import dev.digits.model.ChannelsLastWeights.Tensor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The network's weights as read-only ND4J arrays in channels-last layout, shared by all
 * workers.
 */
record NhwcWeights(INDArray conv1Kernel, INDArray conv1Bias, INDArray conv2Kernel, INDArray conv2Bias,
		INDArray dense1Kernel, INDArray dense1Bias, INDArray outputKernel, INDArray outputBias) {

	static NhwcWeights of(MultiLayerNetwork network) {
		Map<String, INDArray> arrays = new HashMap<>();
		for (Tensor t : ChannelsLastWeights.TENSORS) {
			long[] shape = new long[t.shape().length];
			for (int i = 0; i < shape.length; i++) {
				shape[i] = t.shape()[i];
			}
			arrays.put(t.name(), Nd4j.create(ChannelsLastWeights.read(network, t), shape, 'c'));
		}
		return new NhwcWeights(arrays.get("conv2d/kernel"), arrays.get("conv2d/bias"), arrays.get("conv2d_1/kernel"),
				arrays.get("conv2d_1/bias"), arrays.get("dense/kernel"), arrays.get("dense/bias"),
				arrays.get("dense_1/kernel"), arrays.get("dense_1/bias"));
	}

}
