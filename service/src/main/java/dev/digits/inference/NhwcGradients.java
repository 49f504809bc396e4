package dev.digits.inference;

import java.util.ArrayList;
import java.util.List;

import dev.digits.model.NetworkSpec;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The gradient of one digit's log-probability with respect to the input pixels, by a
 * forward and a backward pass through the same channels-last ND4J custom ops as
 * {@link NhwcForwardPass} ({@code conv2d} and {@code conv2d_bp}, {@code maxpool2d} and
 * {@code maxpool2d_bp}, {@code relu_bp}, matrix products). DL4J's own backward pass
 * through its layers (im2col, NCHW) took 30-40 ms for the 32 images of one
 * integrated-gradients explanation on these 2 cores; these ops take a fraction of that.
 * Dropout is the identity, as at inference. Thread-safe: every call allocates its own
 * arrays.
 */
public final class NhwcGradients {

	private final NhwcWeights weights;

	private NhwcGradients(NhwcWeights weights) {
		this.weights = weights;
	}

	/** The gradients of {@code network}, of the card's architecture. */
	public static NhwcGradients of(MultiLayerNetwork network) {
		return new NhwcGradients(NhwcWeights.of(network));
	}

	/**
	 * For each of the {@code n} images in {@code images} (784 values each, as the network
	 * reads them), the gradient of the log-probability of {@code target} with respect to
	 * its pixels: {@code n * 784} values.
	 */
	public float[] logProbabilityGradients(float[] images, int n, int target) {
		NetworkSpec spec = weights.spec();
		if (images.length < n * spec.pixels() || target < 0 || target >= spec.classes()) {
			throw new IllegalArgumentException("need " + n + " images and a class below " + spec.classes());
		}
		long[] shape = spec.inputShape().dims();
		INDArray a = Nd4j.create(java.util.Arrays.copyOf(images, n * spec.pixels()), NhwcForwardPass.perBatch(n, shape),
				'c');
		// forward, keeping what the backward pass needs
		List<Runnable> backward = new ArrayList<>();
		INDArray[] gradient = new INDArray[1];
		int weighted = 0;
		int last = spec.layers().size() - 1;
		for (int i = 0; i <= last; i++) {
			NetworkSpec.Layer layer = spec.layers().get(i);
			long[] out = spec.shapes().get(i).dims();
			if (layer instanceof NetworkSpec.Dropout) {
				continue;
			}
			if (layer instanceof NetworkSpec.Flatten) {
				long[] in = shape;
				a = a.reshape('c', n, product(out));
				backward.add(() -> gradient[0] = gradient[0].reshape('c', NhwcForwardPass.perBatch(n, in)));
				shape = out;
				continue;
			}
			INDArray x = a;
			if (layer instanceof NetworkSpec.Conv c) {
				int k = c.kernel();
				// valid, stride 1, NHWC, kernel [kh,kw,in,out]
				int[] args = { k, k, 1, 1, 0, 0, 1, 1, 0, 1, 0 };
				INDArray kernel = weights.kernels().get(weighted);
				INDArray bias = weights.biases().get(weighted);
				weighted++;
				INDArray z = exec("conv2d", args, NhwcForwardPass.perBatch(n, out), x, kernel, bias)[0];
				a = relu(z);
				backward.add(() -> {
					INDArray dz = exec("relu_bp", null, z.shape(), z, gradient[0])[0];
					gradient[0] = exec("conv2d_bp", args, x.shape(), x, kernel, bias, dz)[0];
				});
			}
			else if (layer instanceof NetworkSpec.MaxPool p) {
				int k = p.size();
				// valid, stride k, NHWC
				int[] args = { k, k, k, k, 0, 0, 1, 1, 0, 0, 1 };
				a = exec("maxpool2d", args, NhwcForwardPass.perBatch(n, out), x)[0];
				backward.add(() -> gradient[0] = exec("maxpool2d_bp", args, x.shape(), x, gradient[0])[0]);
			}
			else {
				INDArray kernel = weights.kernels().get(weighted);
				INDArray bias = weights.biases().get(weighted);
				weighted++;
				INDArray z = x.mmul(kernel).addiRowVector(bias);
				boolean hidden = i != last;
				a = hidden ? relu(z) : z;
				backward.add(() -> {
					INDArray dz = hidden ? exec("relu_bp", null, z.shape(), z, gradient[0])[0] : gradient[0];
					gradient[0] = dz.mmul(kernel.transpose());
				});
			}
			shape = out;
		}
		// d log softmax(z)[t] / dz = onehot(t) - softmax(z)
		float[] logits = a.data().asFloat();
		int classes = spec.classes();
		float[] d = new float[n * classes];
		for (int r = 0; r < n; r++) {
			float max = Float.NEGATIVE_INFINITY;
			for (int c = 0; c < classes; c++) {
				max = Math.max(max, logits[r * classes + c]);
			}
			double sum = 0;
			for (int c = 0; c < classes; c++) {
				sum += Math.exp(logits[r * classes + c] - max);
			}
			for (int c = 0; c < classes; c++) {
				double p = Math.exp(logits[r * classes + c] - max) / sum;
				d[r * classes + c] = (float) ((c == target ? 1 : 0) - p);
			}
		}
		gradient[0] = Nd4j.create(d, new long[] { n, classes }, 'c');
		for (int i = backward.size() - 1; i >= 0; i--) {
			backward.get(i).run();
		}
		return gradient[0].dup('c').data().asFloat();
	}

	private static INDArray relu(INDArray z) {
		INDArray out = Nd4j.createUninitialized(DataType.FLOAT, z.shape());
		Nd4j.exec(DynamicCustomOp.builder("relu").addInputs(z).addOutputs(out).addFloatingPointArguments(0.0).build());
		return out;
	}

	/**
	 * Runs {@code op} with its first output shaped {@code firstOutput}; the others as the
	 * op says.
	 */
	private static INDArray[] exec(String op, int[] intArgs, long[] firstOutput, INDArray... inputs) {
		DynamicCustomOp.DynamicCustomOpsBuilder builder = DynamicCustomOp.builder(op).addInputs(inputs);
		if (intArgs != null) {
			builder.addIntegerArguments(intArgs);
		}
		else {
			builder.addFloatingPointArguments(0.0);
		}
		DynamicCustomOp custom = builder.build();
		List<org.nd4j.linalg.api.shape.LongShapeDescriptor> shapes = Nd4j.getExecutioner().calculateOutputShape(custom);
		INDArray[] outputs = new INDArray[shapes.size()];
		for (int i = 0; i < outputs.length; i++) {
			outputs[i] = Nd4j.createUninitialized(DataType.FLOAT, i == 0 ? firstOutput : shapes.get(i).getShape());
			custom.addOutputArgument(outputs[i]);
		}
		Nd4j.exec(custom);
		return outputs;
	}

	private static long product(long[] dims) {
		long p = 1;
		for (long d : dims) {
			p *= d;
		}
		return p;
	}

}
