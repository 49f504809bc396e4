package dev.digits.model;

import java.util.List;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The network's weights in channels-last (Keras/TF.js, NHWC) layout, and back.
 *
 * <p>
 * DL4J keeps conv kernels as {@code [out,in,kh,kw]} and flattens activations
 * channels-first (c, h, w); channels-last kernels are {@code [kh,kw,in,out]} and
 * flattening is (h, w, c), so the first dense kernel's rows are reordered. Used by the
 * TF.js export and by the NHWC inference engine, so both read the same mapping.
 */
public final class ChannelsLastWeights {

	/** A weight tensor: its Keras name and shape, and where DL4J keeps it. */
	public record Tensor(String name, int[] shape, int layer, String param) {

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

	/** Every weight tensor, in the order of a TF.js weights manifest. */
	public static final List<Tensor> TENSORS = List.of(
			new Tensor("conv2d/kernel", new int[] { 3, 3, 1, 32 }, DigitNetwork.CONV1, "W"),
			new Tensor("conv2d/bias", new int[] { 32 }, DigitNetwork.CONV1, "b"),
			new Tensor("conv2d_1/kernel", new int[] { 3, 3, 32, 64 }, DigitNetwork.CONV2, "W"),
			new Tensor("conv2d_1/bias", new int[] { 64 }, DigitNetwork.CONV2, "b"),
			new Tensor("dense/kernel", new int[] { 1600, 128 }, DigitNetwork.DENSE1, "W"),
			new Tensor("dense/bias", new int[] { 128 }, DigitNetwork.DENSE1, "b"),
			new Tensor("dense_1/kernel", new int[] { 128, 10 }, DigitNetwork.OUTPUT, "W"),
			new Tensor("dense_1/bias", new int[] { 10 }, DigitNetwork.OUTPUT, "b"));

	private static final int POOLED = 5; // 5x5x64 after the second pooling

	private static final int CHANNELS = 64;

	private ChannelsLastWeights() {
	}

	/** The tensor's values from {@code network}, in channels-last layout. */
	public static float[] read(MultiLayerNetwork network, Tensor t) {
		float[] src = network.getLayer(t.layer()).getParam(t.param()).dup('c').data().asFloat();
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
			for (int o = 0; o < out; o++)
				for (int i = 0; i < in; i++)
					for (int y = 0; y < kh; y++)
						for (int x = 0; x < kw; x++)
							map[((y * kw + x) * in + i) * out + o] = ((o * in + i) * kh + y) * kw + x;
		}
		else if (t.layer() == DigitNetwork.DENSE1 && !t.isBias()) {
			int cols = t.shape()[1];
			for (int c = 0; c < CHANNELS; c++)
				for (int h = 0; h < POOLED; h++)
					for (int w = 0; w < POOLED; w++)
						for (int j = 0; j < cols; j++)
							map[((h * POOLED + w) * CHANNELS + c) * cols + j] = ((c * POOLED + h) * POOLED + w) * cols
									+ j;
		}
		else {
			for (int k = 0; k < map.length; k++) {
				map[k] = k;
			}
		}
		return map;
	}

}
