package dev.digits.inference;

import java.util.ArrayList;
import java.util.List;

import dev.digits.model.NetworkSpec;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fast path: the network, up to its logits (the softmax is
 * {@link ForwardPass#softmax}), executed as ND4J custom ops in channels-last (NHWC)
 * layout, which the oneDNN build runs far faster than DL4J's im2col layers. The ops
 * follow the layers of the weights' {@link NetworkSpec} (dropout is the identity here, a
 * flatten a view), with every shape taken from it. Same arithmetic as the layer path,
 * with two exact rewrites: ReLU is applied after max-pooling when a pooling follows (they
 * commute, and pooling first makes ReLU cheaper: four times after a 2x2 pooling), and the
 * rows of a dense kernel after a flatten follow the NHWC flattening. Activations live in
 * buffers allocated once for {@link #capacity()} images; a batch of {@code n} runs on
 * views of their first {@code n} images, with the ops built once per batch size.
 */
final class NhwcForwardPass implements ForwardPass {

	private final int capacity;

	private final int pixels;

	private final int classes;

	/** The input, then each op's output, each for {@link #capacity} images. */
	private final INDArray[] buffers;

	private final INDArray input;

	private final INDArray logits;

	/** The ops, in execution order, built for any batch size. */
	private final List<Step> steps;

	private final Plan[] plans;

	NhwcForwardPass(NhwcWeights weights, int capacity) {
		NetworkSpec spec = weights.spec();
		if (spec.channels() != 1) {
			// the input arrives flattened as DL4J reads it, channels first: with one
			// channel, that is also the channels-last order of the input buffer
			throw new IllegalArgumentException(
					"the NHWC pass takes one input channel, the spec has " + spec.channels());
		}
		this.capacity = capacity;
		this.pixels = spec.pixels();
		this.classes = spec.classes();
		List<INDArray> buffers = new ArrayList<>();
		List<Step> steps = new ArrayList<>();
		long[] shape = spec.inputShape().dims();
		buffers.add(Nd4j.createUninitialized(DataType.FLOAT, perBatch(capacity, shape)));
		int current = 0;
		boolean reluPending = false;
		int weighted = 0, convs = 0, pools = 0, relus = 0, denses = 0;
		int last = spec.layers().size() - 1;
		for (int i = 0; i <= last; i++) {
			NetworkSpec.Layer layer = spec.layers().get(i);
			if (layer instanceof NetworkSpec.Dropout) {
				continue;
			}
			if (reluPending && !(layer instanceof NetworkSpec.MaxPool)) {
				steps.add(Step.relu("relu" + ++relus, current, shape));
				reluPending = false;
			}
			if (layer instanceof NetworkSpec.Flatten) {
				shape = spec.shapes().get(i).dims();
				continue;
			}
			long[] out = spec.shapes().get(i).dims();
			buffers.add(Nd4j.createUninitialized(DataType.FLOAT, perBatch(capacity, out)));
			int next = buffers.size() - 1;
			if (layer instanceof NetworkSpec.Conv c) {
				int k = c.kernel();
				// valid, stride 1, NHWC, kernel [kh,kw,in,out]
				int[] args = { k, k, 1, 1, 0, 0, 1, 1, 0, 1, 0 };
				steps.add(new Step("conv" + ++convs, "conv2d", args, current, shape, next, out,
						weights.kernels().get(weighted), weights.biases().get(weighted)));
				weighted++;
				reluPending = true;
			}
			else if (layer instanceof NetworkSpec.MaxPool p) {
				int k = p.size();
				// valid, stride k, NHWC
				int[] args = { k, k, k, k, 0, 0, 1, 1, 0, 0, 1 };
				steps.add(new Step("maxpool" + ++pools, "maxpool2d", args, current, shape, next, out));
				if (reluPending) {
					steps.add(Step.relu("relu" + ++relus, next, out));
					reluPending = false;
				}
			}
			else {
				steps.add(new Step(i == last ? "output" : "dense" + ++denses, "xw_plus_b", new int[0], current, shape,
						next, out, weights.kernels().get(weighted), weights.biases().get(weighted)));
				weighted++;
				reluPending = i != last;
			}
			current = next;
			shape = out;
		}
		this.buffers = buffers.toArray(INDArray[]::new);
		this.input = this.buffers[0];
		this.logits = this.buffers[current];
		this.steps = List.copyOf(steps);
		this.plans = new Plan[capacity + 1];
	}

	@Override
	public void forward(float[] in, int n, float[] out) {
		if (n < 1 || n > capacity) {
			throw new IllegalArgumentException("batch of " + n + " outside 1.." + capacity);
		}
		Plan plan = plan(n);
		new FloatPointer(input.data().addressPointer()).put(in, 0, n * pixels);
		plan.run();
		new FloatPointer(logits.data().addressPointer()).get(out, 0, n * classes);
	}

	@Override
	public int capacity() {
		return capacity;
	}

	@Override
	public long bufferBytes() {
		long bytes = 0;
		for (INDArray buffer : buffers) {
			bytes += buffer.length() * buffer.dataType().width();
		}
		return bytes;
	}

	@Override
	public void close() {
		for (INDArray buffer : buffers) {
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

	/** {@code perImage} with the batch size {@code n} in front. */
	static long[] perBatch(int n, long[] perImage) {
		long[] shape = new long[perImage.length + 1];
		shape[0] = n;
		System.arraycopy(perImage, 0, shape, 1, perImage.length);
		return shape;
	}

	/**
	 * One op: its name in the op profile, the ND4J op and its integer arguments, the
	 * buffers it reads and writes with their shapes per image (the same buffer for an
	 * in-place ReLU; a flattened view for a dense layer after a flatten), and its
	 * weights.
	 */
	private record Step(String name, String op, int[] intArgs, int input, long[] inputShape, int output,
			long[] outputShape, INDArray... weights) {

		static Step relu(String name, int buffer, long[] shape) {
			return new Step(name, "relu", null, buffer, shape, buffer, shape);
		}

	}

	/**
	 * Views of the first {@code n} images of each buffer, and the ops that connect them,
	 * each with an op context built once (arrays and arguments bound, output shapes
	 * given), so a call only executes.
	 */
	final class Plan {

		private final CustomOp[] ops;

		private final OpContext[] contexts;

		Plan(int n) {
			this.ops = new CustomOp[steps.size()];
			for (int i = 0; i < ops.length; i++) {
				Step step = steps.get(i);
				INDArray x = first(buffers[step.input()], n, step.inputShape());
				if (step.intArgs() == null) {
					ops[i] = relu(x);
				}
				else {
					INDArray[] inputs = new INDArray[1 + step.weights().length];
					inputs[0] = x;
					System.arraycopy(step.weights(), 0, inputs, 1, step.weights().length);
					ops[i] = op(step.op(), step.intArgs(), first(buffers[step.output()], n, step.outputShape()),
							inputs);
				}
			}
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

		/** The ops in execution order, as {@code OpProfileBenchmark} names them. */
		List<String> names() {
			return steps.stream().map(Step::name).toList();
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

		/** Every op but the output layer's, the last. */
		boolean helpersAllowed(int i) {
			return i != ops.length - 1;
		}

		private static INDArray first(INDArray buffer, int n, long... perImage) {
			return Nd4j.create(buffer.data(), perBatch(n, perImage));
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
