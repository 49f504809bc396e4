package dev.digits.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
 * The model card's CNN, {@link NetworkSpec#MNIST_CNN}, as a DL4J network, shared by
 * training and serving; the figures below are derived from the spec.
 */
public final class DigitNetwork {

	/** The card's network. */
	public static final NetworkSpec SPEC = NetworkSpec.MNIST_CNN;

	public static final int HEIGHT = SPEC.height();

	public static final int WIDTH = SPEC.width();

	/** Input values per image. */
	public static final int PIXELS = SPEC.pixels();

	public static final int CLASSES = SPEC.classes();

	public static final long PARAMETERS = SPEC.parameters();

	/** DL4J layers: one per spec layer but the flatten. */
	public static final int LAYERS = layerCount(SPEC);

	/** The output layer's DL4J index. */
	public static final int OUTPUT = LAYERS - 1;

	/**
	 * The DL4J index of the last hidden dense layer, whose activations are the features
	 * of the out-of-distribution scores.
	 */
	public static final int DENSE1 = layerIndex(SPEC, featuresLayer(SPEC));

	/** Width of the feature vector: the units of layer {@link #DENSE1}. */
	public static final int FEATURES = ((NetworkSpec.Dense) SPEC.layers().get(featuresLayer(SPEC))).units();

	private DigitNetwork() {
	}

	/**
	 * The card's architecture with the given optimiser settings.
	 * @param seed weight initialisation and dropout seed
	 * @param learningRate Adam learning rate (the card: 0.001)
	 */
	public static MultiLayerConfiguration configuration(long seed, double learningRate) {
		return configuration(SPEC, seed, learningRate);
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
			// a Flatten has no DL4J layer: DL4J inserts its own preprocessor, which
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

	/** A freshly initialised network of the card's architecture. */
	public static MultiLayerNetwork create(long seed, double learningRate) {
		return create(SPEC, seed, learningRate);
	}

	/** A freshly initialised network of {@code spec}. */
	public static MultiLayerNetwork create(NetworkSpec spec, long seed, double learningRate) {
		MultiLayerNetwork network = new MultiLayerNetwork(configuration(spec, seed, learningRate));
		network.init();
		return network;
	}

	/** The number of DL4J layers of {@code spec}: all but its flattens. */
	public static int layerCount(NetworkSpec spec) {
		return (int) spec.layers().stream().filter(l -> !(l instanceof NetworkSpec.Flatten)).count();
	}

	/** The DL4J index of spec layer {@code i} (not a flatten). */
	public static int layerIndex(NetworkSpec spec, int i) {
		if (spec.layers().get(i) instanceof NetworkSpec.Flatten) {
			throw new IllegalArgumentException("layer " + i + " is a flatten: no DL4J layer");
		}
		return (int) spec.layers().subList(0, i).stream().filter(l -> !(l instanceof NetworkSpec.Flatten)).count();
	}

	/** The spec index of the last hidden dense layer. */
	private static int featuresLayer(NetworkSpec spec) {
		for (int i = spec.layers().size() - 2; i >= 0; i--) {
			if (spec.layers().get(i) instanceof NetworkSpec.Dense) {
				return i;
			}
		}
		throw new IllegalStateException("the card's network has no hidden dense layer, whose activations "
				+ "the out-of-distribution scores use: " + spec);
	}

	/**
	 * The most probable class of the {@link #CLASSES} probabilities starting at
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
	 * The layer table of {@code network}, of the card's architecture: output shape per
	 * image (channels first) and parameters.
	 */
	public static List<LayerSummary> summary(MultiLayerNetwork network) {
		List<INDArray> activations = network.feedForward(Nd4j.zeros(DataType.FLOAT, 1, PIXELS), false);
		List<LayerSummary> rows = new ArrayList<>();
		List<String> names = layerNames(SPEC);
		for (int i = 0; i < network.getnLayers(); i++) {
			long[] shape = activations.get(i + 1).shape();
			List<Long> perImage = Arrays.stream(shape).skip(1).boxed().toList();
			org.deeplearning4j.nn.api.Layer layer = network.getLayer(i);
			rows.add(new LayerSummary(names.get(i), layer.conf().getLayer().getClass().getSimpleName(), perImage,
					layer.numParams()));
		}
		return rows;
	}

	/**
	 * A name per DL4J layer: its kind and its rank among the layers of that kind
	 * ({@code conv1, pool1, conv2, ..., dense1, dropout2}), the last {@code output}.
	 */
	static List<String> layerNames(NetworkSpec spec) {
		List<String> names = new ArrayList<>();
		Map<String, Integer> counts = new HashMap<>();
		for (int i = 0; i < spec.layers().size(); i++) {
			NetworkSpec.Layer layer = spec.layers().get(i);
			String kind = layer instanceof NetworkSpec.Conv ? "conv"
					: layer instanceof NetworkSpec.MaxPool ? "pool" : layer instanceof NetworkSpec.Dropout ? "dropout"
							: layer instanceof NetworkSpec.Dense ? "dense" : null;
			if (kind != null) {
				names.add(i == spec.layers().size() - 1 ? "output" : kind + counts.merge(kind, 1, Integer::sum));
			}
		}
		return names;
	}

}
