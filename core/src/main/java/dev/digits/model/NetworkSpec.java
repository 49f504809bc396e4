package dev.digits.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The architecture of a sequential CNN, written once: its input and its layers in order.
 * Everything else is derived from it: the DL4J configuration ({@link DigitNetwork}), the
 * TF.js topology and weights manifest ({@link TfjsFormat}), the channels-last weight
 * layout ({@link ChannelsLastWeights}), the layer plan of the serving engine's NHWC
 * forward pass, the activation shapes and the parameter count. A change of architecture
 * is a change of {@link #MNIST_CNN} alone.
 *
 * <p>
 * Convolutions are valid (no padding) with stride 1; max-pooling windows are square, with
 * a stride of their size, and drop what does not fill a window; every hidden layer with
 * weights is ReLU and the last layer is the softmax output. Shapes are per image and
 * channels-last.
 *
 * @param name the network's name (the TF.js topology's)
 * @param height input height in pixels
 * @param width input width in pixels
 * @param channels input channels
 * @param layers the layers, input to output
 */
public record NetworkSpec(String name, int height, int width, int channels, List<Layer> layers) {

	/**
	 * The model card's network: 28x28x1 -> conv 32 3x3 relu -> maxpool 2x2 -> conv 64 3x3
	 * relu -> maxpool 2x2 -> dropout 25% -> flatten -> dense 128 relu -> dropout 50% ->
	 * dense 10 softmax.
	 */
	public static final NetworkSpec MNIST_CNN = new NetworkSpec("mnist_cnn", 28, 28, 1, List.of(conv(32, 3), maxPool(2),
			conv(64, 3), maxPool(2), dropout(0.25), flatten(), dense(128), dropout(0.5), output(10)));

	public NetworkSpec {
		layers = List.copyOf(layers);
		if (height < 1 || width < 1 || channels < 1) {
			throw new IllegalArgumentException("input " + height + "x" + width + "x" + channels);
		}
		if (layers.isEmpty() || !(layers.get(layers.size() - 1) instanceof Dense last)
				|| last.activation() != Activation.SOFTMAX) {
			throw new IllegalArgumentException("the last layer must be a softmax dense layer: " + layers);
		}
		Shape shape = new Shape(height, width, channels, false);
		for (int i = 0; i < layers.size(); i++) {
			Layer layer = layers.get(i);
			if (layer instanceof Dense d && d.activation() == Activation.SOFTMAX && i != layers.size() - 1) {
				throw new IllegalArgumentException("layer " + i + ": softmax before the last layer");
			}
			shape = next(shape, layer, i);
		}
	}

	/** A layer's activation. */
	public enum Activation {

		RELU, SOFTMAX;

		/** Its Keras/TF.js name. */
		public String keras() {
			return name().toLowerCase(Locale.ROOT);
		}

	}

	/** One layer of the network. */
	public sealed interface Layer permits Conv, MaxPool, Dropout, Flatten, Dense {

	}

	/** A valid 2D convolution, stride 1, {@code kernel x kernel}, with bias. */
	public record Conv(int filters, int kernel, Activation activation) implements Layer {

		public Conv {
			if (filters < 1 || kernel < 1 || activation != Activation.RELU) {
				throw new IllegalArgumentException("conv " + filters + " " + kernel + "x" + kernel + " " + activation);
			}
		}

	}

	/** Max-pooling over {@code size x size} windows, stride {@code size}. */
	public record MaxPool(int size) implements Layer {

		public MaxPool {
			if (size < 1) {
				throw new IllegalArgumentException("maxpool " + size);
			}
		}

	}

	/** Dropout of {@code rate} of the activations in training; the identity otherwise. */
	public record Dropout(double rate) implements Layer {

		public Dropout {
			if (!(rate >= 0 && rate < 1)) {
				throw new IllegalArgumentException("dropout rate " + rate);
			}
		}

	}

	/** Flattens height x width x channels, channels-last (Keras' order). */
	public record Flatten() implements Layer {

	}

	/** A fully connected layer with bias. */
	public record Dense(int units, Activation activation) implements Layer {

		public Dense {
			if (units < 1 || activation == null) {
				throw new IllegalArgumentException("dense " + units + " " + activation);
			}
		}

	}

	public static Conv conv(int filters, int kernel) {
		return new Conv(filters, kernel, Activation.RELU);
	}

	public static MaxPool maxPool(int size) {
		return new MaxPool(size);
	}

	public static Dropout dropout(double rate) {
		return new Dropout(rate);
	}

	public static Flatten flatten() {
		return new Flatten();
	}

	/** A hidden dense layer, ReLU. */
	public static Dense dense(int units) {
		return new Dense(units, Activation.RELU);
	}

	/** The softmax output layer over {@code classes}. */
	public static Dense output(int classes) {
		return new Dense(classes, Activation.SOFTMAX);
	}

	/**
	 * An activation's shape per image, channels-last: {@code height x width x channels},
	 * or a vector of {@code channels} values when {@code flat} (height and width 1).
	 */
	public record Shape(int height, int width, int channels, boolean flat) {

		public int size() {
			return height * width * channels;
		}

		/**
		 * Its dimensions: {@code {height, width, channels}}, or {@code {size}} when flat.
		 */
		public long[] dims() {
			return flat ? new long[] { channels } : new long[] { height, width, channels };
		}

		@Override
		public String toString() {
			return flat ? String.valueOf(channels) : height + "x" + width + "x" + channels;
		}

	}

	/** The shape of the input, per image. */
	public Shape inputShape() {
		return new Shape(height, width, channels, false);
	}

	/** The values in one input image: {@code height * width * channels}. */
	public int pixels() {
		return height * width * channels;
	}

	/** The number of classes: the output layer's units. */
	public int classes() {
		return ((Dense) layers.get(layers.size() - 1)).units();
	}

	/** The output shape of each layer, in order. */
	public List<Shape> shapes() {
		List<Shape> shapes = new ArrayList<>(layers.size());
		Shape shape = inputShape();
		for (int i = 0; i < layers.size(); i++) {
			shape = next(shape, layers.get(i), i);
			shapes.add(shape);
		}
		return shapes;
	}

	/** The input shape of layer {@code i}. */
	public Shape inputShape(int i) {
		return i == 0 ? inputShape() : shapes().get(i - 1);
	}

	/** The trainable parameters of layer {@code i}: weights and biases. */
	public long parameters(int i) {
		Layer layer = layers.get(i);
		Shape in = inputShape(i);
		if (layer instanceof Conv c) {
			return (long) c.kernel() * c.kernel() * in.channels() * c.filters() + c.filters();
		}
		if (layer instanceof Dense d) {
			return (long) in.size() * d.units() + d.units();
		}
		return 0;
	}

	/** The trainable parameters of the whole network. */
	public long parameters() {
		long sum = 0;
		for (int i = 0; i < layers.size(); i++) {
			sum += parameters(i);
		}
		return sum;
	}

	private static Shape next(Shape in, Layer layer, int i) {
		if (layer instanceof Conv c) {
			requireSpatial(in, layer, i, c.kernel());
			return new Shape(in.height() - c.kernel() + 1, in.width() - c.kernel() + 1, c.filters(), false);
		}
		if (layer instanceof MaxPool p) {
			requireSpatial(in, layer, i, p.size());
			return new Shape(in.height() / p.size(), in.width() / p.size(), in.channels(), false);
		}
		if (layer instanceof Flatten) {
			requireSpatial(in, layer, i, 1);
			return new Shape(1, 1, in.size(), true);
		}
		if (layer instanceof Dense d) {
			if (!in.flat()) {
				throw new IllegalArgumentException(
						"layer " + i + " (" + layer + ") needs a flat input, has " + in + ": flatten first");
			}
			return new Shape(1, 1, d.units(), true);
		}
		return in;
	}

	private static void requireSpatial(Shape in, Layer layer, int i, int window) {
		if (in.flat() || in.height() < window || in.width() < window) {
			throw new IllegalArgumentException("layer " + i + " (" + layer + ") does not fit its input " + in);
		}
	}

}
