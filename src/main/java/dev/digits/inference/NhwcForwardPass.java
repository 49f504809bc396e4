package dev.digits.inference;

import java.util.List;

import dev.digits.model.DigitNetwork;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fast path: the card's network, up to its logits (the softmax is
 * {@link ForwardPass#softmax}), executed as ND4J custom ops in channels-last (NHWC)
 * layout, which the oneDNN build runs far faster than DL4J's im2col layers. Same
 * arithmetic as the layer path, with two exact rewrites: ReLU is applied after
 * max-pooling (they commute, and pooling first makes ReLU four times cheaper), and the
 * first dense kernel's rows follow the NHWC flattening. Activations live in buffers
 * allocated once for {@link #capacity()} images; a batch of {@code n} runs on views of
 * their first {@code n} images, with the ops built once per batch size.
 */
final class NhwcForwardPass implements ForwardPass {

	private static final int[] CONV_VALID_NHWC = { 3, 3, 1, 1, 0, 0, 1, 1, 0, 1, 0 };

	private static final int[] POOL_2X2_NHWC = { 2, 2, 2, 2, 0, 0, 1, 1, 0, 0, 1 };

	/** Index of the output layer's {@code xw_plus_b} in {@link Plan#ops}. */
	private static final int OUTPUT_LAYER_OP = 8;

	private final NhwcWeights weights;

	private final int capacity;

	private final INDArray input;

	private final INDArray conv1;

	private final INDArray pool1;

	private final INDArray conv2;

	private final INDArray pool2;

	private final INDArray dense1;

	private final INDArray logits;

	private final Plan[] plans;

	NhwcForwardPass(NhwcWeights weights, int capacity) {
		this.weights = weights;
		this.capacity = capacity;
		this.input = Nd4j.createUninitialized(DataType.FLOAT, capacity, 28, 28, 1);
		this.conv1 = Nd4j.createUninitialized(DataType.FLOAT, capacity, 26, 26, 32);
		this.pool1 = Nd4j.createUninitialized(DataType.FLOAT, capacity, 13, 13, 32);
		this.conv2 = Nd4j.createUninitialized(DataType.FLOAT, capacity, 11, 11, 64);
		this.pool2 = Nd4j.createUninitialized(DataType.FLOAT, capacity, 5, 5, 64);
		this.dense1 = Nd4j.createUninitialized(DataType.FLOAT, capacity, 128);
		this.logits = Nd4j.createUninitialized(DataType.FLOAT, capacity, DigitNetwork.CLASSES);
		this.plans = new Plan[capacity + 1];
	}

	@Override
	public void forward(float[] in, int n, float[] out) {
		if (n < 1 || n > capacity) {
			throw new IllegalArgumentException("batch of " + n + " outside 1.." + capacity);
		}
		Plan plan = plan(n);
		new FloatPointer(input.data().addressPointer()).put(in, 0, n * DigitNetwork.PIXELS);
		plan.run();
		new FloatPointer(logits.data().addressPointer()).get(out, 0, n * DigitNetwork.CLASSES);
	}

	@Override
	public int capacity() {
		return capacity;
	}

	@Override
	public long bufferBytes() {
		long bytes = 0;
		for (INDArray buffer : buffers()) {
			bytes += buffer.length() * buffer.dataType().width();
		}
		return bytes;
	}

	private INDArray[] buffers() {
		return new INDArray[] { input, conv1, pool1, conv2, pool2, dense1, logits };
	}

	@Override
	public void close() {
		for (INDArray buffer : buffers()) {
			if (buffer.closeable()) {
				buffer.close();
			}
		}
	}

	/**
	 * The ops for a batch of {@code n}, built on first use; package-private for the op
	 * profile.
	 */
	Plan plan(int n) {
		Plan plan = plans[n];
		if (plan == null) {
			plan = new Plan(n);
			plans[n] = plan;
		}
		return plan;
	}

	/**
	 * Views of the first {@code n} images of each buffer, and the ops that connect them,
	 * each with an op context built once (arrays and arguments bound, output shapes
	 * given), so a call only executes.
	 */
	final class Plan {

		/** The ops in execution order, as {@code OpProfileBenchmark} reports them. */
		static final List<String> NAMES = List.of("conv1", "maxpool1", "relu1", "conv2", "maxpool2", "relu2", "dense1",
				"relu3", "output");

		private final CustomOp[] ops;

		private final OpContext[] contexts;

		Plan(int n) {
			INDArray x = first(input, n, 28, 28, 1);
			INDArray c1 = first(conv1, n, 26, 26, 32);
			INDArray p1 = first(pool1, n, 13, 13, 32);
			INDArray c2 = first(conv2, n, 11, 11, 64);
			INDArray p2 = first(pool2, n, 5, 5, 64);
			INDArray flat = first(pool2, n, 1600);
			INDArray d1 = first(dense1, n, 128);
			INDArray z = first(logits, n, DigitNetwork.CLASSES);
			this.ops = new CustomOp[] {
					op("conv2d", CONV_VALID_NHWC, c1, x, weights.conv1Kernel(), weights.conv1Bias()),
					op("maxpool2d", POOL_2X2_NHWC, p1, c1), relu(p1),
					op("conv2d", CONV_VALID_NHWC, c2, p1, weights.conv2Kernel(), weights.conv2Bias()),
					op("maxpool2d", POOL_2X2_NHWC, p2, c2), relu(p2),
					op("xw_plus_b", new int[0], d1, flat, weights.dense1Kernel(), weights.dense1Bias()), relu(d1),
					op("xw_plus_b", new int[0], z, d1, weights.outputKernel(), weights.outputBias()) };
			this.contexts = new OpContext[ops.length];
			for (int i = 0; i < ops.length; i++) {
				OpContext context = Nd4j.getExecutioner().buildContext();
				context.setInputArrays(ops[i].inputArguments());
				context.setOutputArrays(ops[i].outputArguments());
				context.setIArguments(ops[i].iArgs());
				context.setTArguments(ops[i].tArgs());
				context.shapeFunctionOverride(true);
				// the 128x10 output layer: oneDNN's matmul costs ~70 us per call whatever
				// the batch,
				// ND4J's own kernel 2.5 us at one image and 7 us at 32
				// (docs/BENCHMARKS.md, profile)
				context.allowHelpers(helpersAllowed(i));
				contexts[i] = context;
			}
		}

		void run() {
			for (int i = 0; i < ops.length; i++) {
				run(i);
			}
		}

		/** Executes op {@code i} alone (its inputs are whatever the buffers hold). */
		void run(int i) {
			Nd4j.getExecutioner().exec(ops[i], contexts[i]);
		}

		/** Lets op {@code i} use oneDNN or not; the profile compares both. */
		void allowHelpers(int i, boolean allowed) {
			contexts[i].allowHelpers(allowed);
		}

		boolean helpersAllowed(int i) {
			return i != OUTPUT_LAYER_OP;
		}

		private static INDArray first(INDArray buffer, int n, long... perImage) {
			long[] shape = new long[perImage.length + 1];
			shape[0] = n;
			System.arraycopy(perImage, 0, shape, 1, perImage.length);
			return Nd4j.create(buffer.data(), shape);
		}

		private static CustomOp relu(INDArray inPlace) {
			return DynamicCustomOp.builder("relu")
				.addInputs(inPlace)
				.addOutputs(inPlace)
				.addFloatingPointArguments(0.0)
				.build();
		}

		private static CustomOp op(String name, int[] intArgs, INDArray output, INDArray... inputs) {
			return DynamicCustomOp.builder(name)
				.addInputs(inputs)
				.addOutputs(output)
				.addIntegerArguments(intArgs)
				.build();
		}

	}

}
