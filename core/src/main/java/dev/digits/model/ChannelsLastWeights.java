package dev.digits.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The network's weights in channels-last (Keras/TF.js, NHWC) layout, and back.
 *
 * <p>
 * DL4J keeps conv kernels as {@code [out,in,kh,kw]} and flattens activations
 * channels-first (c, h, w); channels-last kernels are {@code [kh,kw,in,out]} and
 * flattening is (h, w, c), so the rows of a dense kernel after a flatten are reordered.
 * The tensors, their names and shapes follow from the {@link NetworkSpec}. Used by the
 * TF.js export and by the NHWC inference engine, so both read the same mapping.
 */
public final class ChannelsLastWeights {

	/**
	 * A weight tensor: its Keras name and shape, and where DL4J keeps it.
	 *
	 * @param flattened for a dense kernel whose rows are a flattened activation, that
	 * activation's {@code {height, width, channels}} (its rows are reordered); else empty
	 */
	public record Tensor(String name, int[] shape, int layer, String param, int[] flattened) {

		public int size() {
			int n = 1;
			for (int d : shape) {
				n *= d;
			}
			return n;
		}

		public boolean isBias() {
			return "b".equals(param);
		}

	}

	/**
	 * Every weight tensor of the card's network, in the order of a TF.js weights
	 * manifest.
	 */
	public static final List<Tensor> TENSORS = tensors(NetworkSpec.MNIST_CNN);

	private ChannelsLastWeights() {
	}

	/**
	 * Every weight tensor of {@code spec}, in the order of a TF.js weights manifest: the
	 * kernel then the bias of each convolution and dense layer, named after its layer.
	 */
	public static List<Tensor> tensors(NetworkSpec spec) {
		List<String> names = kerasNames(spec);
		List<Tensor> tensors = new ArrayList<>();
		int[] flattened = new int[0];
		for (int i = 0; i < spec.layers().size(); i++) {
			NetworkSpec.Layer layer = spec.layers().get(i);
			NetworkSpec.Shape in = spec.inputShape(i);
			int units;
			int[] kernel;
			int[] rows = new int[0];
			if (layer instanceof NetworkSpec.Conv c) {
				units = c.filters();
				kernel = new int[] { c.kernel(), c.kernel(), in.channels(), units };
			}
			else if (layer instanceof NetworkSpec.Dense d) {
				units = d.units();
				kernel = new int[] { in.size(), units };
				rows = flattened;
				flattened = new int[0];
			}
			else {
				if (layer instanceof NetworkSpec.Flatten) {
					flattened = new int[] { in.height(), in.width(), in.channels() };
				}
				continue;
			}
			int dl4j = DigitNetwork.layerIndex(spec, i);
			tensors.add(new Tensor(names.get(i) + "/kernel", kernel, dl4j, "W", rows));
			tensors.add(new Tensor(names.get(i) + "/bias", new int[] { units }, dl4j, "b", new int[0]));
		}
		return List.copyOf(tensors);
	}

	/**
	 * The Keras name of each layer of {@code spec}: its class's snake-case name, then
	 * {@code _1}, {@code _2}... for the next layers of that class ({@code conv2d},
	 * {@code max_pooling2d}, {@code conv2d_1}, ...), as TF.js names them.
	 */
	static List<String> kerasNames(NetworkSpec spec) {
		List<String> names = new ArrayList<>();
		Map<String, Integer> counts = new HashMap<>();
		for (NetworkSpec.Layer layer : spec.layers()) {
			String base = kerasBaseName(layer);
			int seen = counts.merge(base, 1, Integer::sum) - 1;
			names.add(seen == 0 ? base : base + "_" + seen);
		}
		return names;
	}

	private static String kerasBaseName(NetworkSpec.Layer layer) {
		if (layer instanceof NetworkSpec.Conv) {
			return "conv2d";
		}
		if (layer instanceof NetworkSpec.MaxPool) {
			return "max_pooling2d";
		}
		if (layer instanceof NetworkSpec.Dropout) {
			return "dropout";
		}
		if (layer instanceof NetworkSpec.Flatten) {
			return "flatten";
		}
		return "dense";
	}

	/** The tensor's values from {@code network}, in channels-last layout. */
	public static float[] read(MultiLayerNetwork network, Tensor t) {
		float[] src = network.getLayer(t.layer()).getParam(t.param()).dup('c').data().asFloat();
		if (src.length != t.size()) {
			throw new IllegalArgumentException(
					t.name() + " has " + t.size() + " values, the network's parameter " + src.length);
		}
		int[] dl4jIndex = dl4jIndex(t);
		float[] dst = new float[src.length];
		for (int k = 0; k < dst.length; k++) {
			dst[k] = src[dl4jIndex[k]];
		}
		return dst;
	}

	/**
	 * Sets the tensor in {@code network} from channels-last {@code values}: the inverse
	 * of {@link #read}.
	 */
	public static void write(MultiLayerNetwork network, Tensor t, float[] values) {
		if (values.length != t.size()) {
			throw new IllegalArgumentException(t.name() + " has " + values.length + " values, expected " + t.size());
		}
		int[] dl4jIndex = dl4jIndex(t);
		float[] dst = new float[values.length];
		for (int k = 0; k < values.length; k++) {
			dst[dl4jIndex[k]] = values[k];
		}
		long[] shape = network.getLayer(t.layer()).getParam(t.param()).shape();
		network.getLayer(t.layer()).setParam(t.param(), Nd4j.create(dst, shape, 'c'));
	}

	/**
	 * For each element of the channels-last tensor, its index in the DL4J parameter
	 * array.
	 */
	private static int[] dl4jIndex(Tensor t) {
		int[] map = new int[t.size()];
		if (t.shape().length == 4) {
			int kh = t.shape()[0], kw = t.shape()[1], in = t.shape()[2], out = t.shape()[3];
			for (int o = 0; o < out; o++) {
				for (int i = 0; i < in; i++) {
					for (int y = 0; y < kh; y++) {
						for (int x = 0; x < kw; x++) {
							map[((y * kw + x) * in + i) * out + o] = ((o * in + i) * kh + y) * kw + x;
						}
					}
				}
			}
		}
		else if (t.flattened().length == 3) {
			// rows: channels-last (h, w, c) here, channels-first (c, h, w) in DL4J
			int height = t.flattened()[0], width = t.flattened()[1], channels = t.flattened()[2];
			int cols = t.shape()[1];
			for (int c = 0; c < channels; c++) {
				for (int h = 0; h < height; h++) {
					for (int w = 0; w < width; w++) {
						for (int j = 0; j < cols; j++) {
							map[((h * width + w) * channels + c) * cols + j] = ((c * height + h) * width + w) * cols
									+ j;
						}
					}
				}
			}
		}
		else {
			for (int k = 0; k < map.length; k++) {
				map[k] = k;
			}
		}
		return map;
	}

}
