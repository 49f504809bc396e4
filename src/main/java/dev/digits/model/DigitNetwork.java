package dev.digits.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The one definition of the model card's CNN, shared by training and serving.
 *
 * <pre>
 * input 28x28x1 -> conv 32 3x3 relu -> maxpool 2x2 -> conv 64 3x3 relu -> maxpool 2x2
 *   -> dropout 25% -> flatten 1600 -> dense 128 relu -> dropout 50% -> dense 10 softmax
 * </pre>
 *
 * Layer indices below are used by the fast inference engine to find the weights.
 */
public final class DigitNetwork {

	public static final int HEIGHT = 28;

	public static final int WIDTH = 28;

	public static final int PIXELS = HEIGHT * WIDTH;

	public static final int CLASSES = 10;

	public static final long PARAMETERS = 225_034L;

	public static final int CONV1 = 0;

	public static final int POOL1 = 1;

	public static final int CONV2 = 2;

	public static final int POOL2 = 3;

	public static final int DROPOUT1 = 4;

	public static final int DENSE1 = 5;

	public static final int DROPOUT2 = 6;

	public static final int OUTPUT = 7;

	private DigitNetwork() {
	}

	/**
	 * The architecture with the given optimiser settings.
	 * @param seed weight initialisation and dropout seed
	 * @param learningRate Adam learning rate (the card: 0.001)
	 */
	public static MultiLayerConfiguration configuration(long seed, double learningRate) {
		return new NeuralNetConfiguration.Builder().seed(seed)
			.updater(new Adam(learningRate))
			.weightInit(WeightInit.XAVIER)
			.list()
			.layer(CONV1, new ConvolutionLayer.Builder(3, 3).nOut(32).stride(1, 1).activation(Activation.RELU).build())
			.layer(POOL1,
					new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
						.stride(2, 2)
						.build())
			.layer(CONV2, new ConvolutionLayer.Builder(3, 3).nOut(64).stride(1, 1).activation(Activation.RELU).build())
			.layer(POOL2,
					new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2)
						.stride(2, 2)
						.build())
			// DL4J's DropoutLayer takes the probability of RETAINING an activation
			.layer(DROPOUT1, new DropoutLayer.Builder(0.75).build())
			.layer(DENSE1, new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
			.layer(DROPOUT2, new DropoutLayer.Builder(0.5).build())
			.layer(OUTPUT,
					new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
						.activation(Activation.SOFTMAX)
						.build())
			.setInputType(InputType.convolutionalFlat(HEIGHT, WIDTH, 1))
			.build();
	}

	/**
	 * The DL4J configuration of {@code spec} with the given optimiser settings: Adam,
	 * Xavier initialisation, the seed for both initialisation and dropout; the last layer
	 * is the output layer (softmax, multi-class cross-entropy).
	 * @param seed weight initialisation and dropout seed
	 * @param learningRate Adam learning rate (the card: 0.001)
	 */
	public static MultiLayerConfiguration configuration(NetworkSpec spec, long seed, double learningRate) {
		NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder().seed(seed)
			.updater(new Adam(learningRate))
			.weightInit(WeightInit.XAVIER)
			.list();
		int index = 0;
		for (int i = 0; i < spec.layers().size(); i++) {
			NetworkSpec.Layer layer = spec.layers().get(i);
			if (layer instanceof NetworkSpec.Conv c) {
				list.layer(index++,
						new ConvolutionLayer.Builder(c.kernel(), c.kernel()).nOut(c.filters())
							.stride(1, 1)
							.activation(activation(c.activation()))
							.build());
			}
			else if (layer instanceof NetworkSpec.MaxPool p) {
				list.layer(index++,
						new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(p.size(), p.size())
							.stride(p.size(), p.size())
							.build());
			}
			else if (layer instanceof NetworkSpec.Dropout d) {
				// DL4J's DropoutLayer takes the probability of RETAINING an activation
				list.layer(index++, new DropoutLayer.Builder(1 - d.rate()).build());
			}
			else if (layer instanceof NetworkSpec.Dense d && i == spec.layers().size() - 1) {
				list.layer(index++,
						new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(d.units())
							.activation(activation(d.activation()))
							.build());
			}
			else if (layer instanceof NetworkSpec.Dense d) {
				list.layer(index++,
						new DenseLayer.Builder().nOut(d.units()).activation(activation(d.activation())).build());
			}
			// a Flatten has no DL4J layer: DL4J inserts its CnnToFeedForwardPreProcessor,
			// which
			// flattens channels-first (c, h, w)
		}
		return list.setInputType(InputType.convolutionalFlat(spec.height(), spec.width(), spec.channels())).build();
	}

	private static Activation activation(NetworkSpec.Activation activation) {
		return switch (activation) {
			case RELU -> Activation.RELU;
			case SOFTMAX -> Activation.SOFTMAX;
		};
	}

	/** A freshly initialised network. */
	public static MultiLayerNetwork create(long seed, double learningRate) {
		MultiLayerNetwork network = new MultiLayerNetwork(configuration(seed, learningRate));
		network.init();
		return network;
	}

	/**
	 * The most probable class of the {@value #CLASSES} probabilities starting at
	 * {@code offset}.
	 */
	public static int argMax(float[] probabilities, int offset) {
		int best = 0;
		for (int k = 1; k < CLASSES; k++) {
			if (probabilities[offset + k] > probabilities[offset + best]) {
				best = k;
			}
		}
		return best;
	}

	/** One row of the card's layer table. */
	public record LayerSummary(String name, String type, List<Long> outputShape, long parameters) {
	}

	/**
	 * The layer table of {@code network}: output shape per image (channels first) and
	 * parameters.
	 */
	public static List<LayerSummary> summary(MultiLayerNetwork network) {
		List<INDArray> activations = network.feedForward(Nd4j.zeros(DataType.FLOAT, 1, PIXELS), false);
		List<LayerSummary> rows = new ArrayList<>();
		for (int i = 0; i < network.getnLayers(); i++) {
			long[] shape = activations.get(i + 1).shape();
			List<Long> perImage = Arrays.stream(shape).skip(1).boxed().toList();
			org.deeplearning4j.nn.api.Layer layer = network.getLayer(i);
			rows.add(new LayerSummary(NAMES.get(i), layer.conf().getLayer().getClass().getSimpleName(), perImage,
					layer.numParams()));
		}
		return rows;
	}

	private static final List<String> NAMES = List.of("conv1", "pool1", "conv2", "pool2", "dropout1", "dense1",
			"dropout2", "output");

}
