package dev.digits.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import dev.digits.model.DigitNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a forward pass of the NHWC engine spends its time: each op alone, with a prebuilt op
 * context as the engine runs it, with ND4J's oneDNN helpers allowed and not, at 1 and 32 images.
 * Run with {@code ./mvnw -Pbenchmark test -Dtest=OpProfileBenchmark}; writes
 * {@code docs/bench/op-profile.md}.
 */
class OpProfileBenchmark {

	private static final int CALLS = 5000;

	@Test
	void profile() throws IOException {
		NativeThreads.configure(1);
		NhwcWeights w = NhwcWeights.of(DigitNetwork.create(1, 0.001));
		StringBuilder md = new StringBuilder("# Per-op profile of the NHWC engine\n\n");
		md.append("Command: `./mvnw -Pbenchmark test -Dtest=OpProfileBenchmark`  \n")
			.append(ComputeBenchmark.machine())
			.append("  \nOne native thread; microseconds per call, mean of ")
			.append(CALLS)
			.append(" calls after 2,000 warm-up calls.\n\n")
			.append("| op | images | oneDNN helpers allowed (us) | ND4J's own kernels (us) |\n|---|---:|---:|---:|\n");
		for (int n : new int[] { 1, 32 }) {
			INDArray x = Nd4j.rand(DataType.FLOAT, n, 28, 28, 1);
			INDArray c1 = Nd4j.create(DataType.FLOAT, n, 26, 26, 32);
			INDArray p1 = Nd4j.create(DataType.FLOAT, n, 13, 13, 32);
			INDArray c2 = Nd4j.create(DataType.FLOAT, n, 11, 11, 64);
			INDArray p2 = Nd4j.create(DataType.FLOAT, n, 5, 5, 64);
			INDArray flat = Nd4j.create(p2.data(), new long[] { n, 1600 });
			INDArray d1 = Nd4j.create(DataType.FLOAT, n, 128);
			INDArray z = Nd4j.create(DataType.FLOAT, n, 10);
			int[] conv = { 3, 3, 1, 1, 0, 0, 1, 1, 0, 1, 0 };
			int[] pool = { 2, 2, 2, 2, 0, 0, 1, 1, 0, 0, 1 };
			String[] names = { "conv1", "maxpool1", "relu1", "conv2", "maxpool2", "relu2", "dense1", "relu3", "output",
					"softmax" };
			CustomOp[] ops = { op("conv2d", conv, c1, x, w.conv1Kernel(), w.conv1Bias()), op("maxpool2d", pool, p1, c1),
					relu(p1), op("conv2d", conv, c2, p1, w.conv2Kernel(), w.conv2Bias()), op("maxpool2d", pool, p2, c2),
					relu(p2), op("xw_plus_b", new int[0], d1, flat, w.dense1Kernel(), w.dense1Bias()), relu(d1),
					op("xw_plus_b", new int[0], z, d1, w.outputKernel(), w.outputBias()),
					op("softmax", new int[] { 1 }, z, z) };
			for (int i = 0; i < ops.length; i++) {
				OpContext context = Nd4j.getExecutioner().buildContext();
				context.setInputArrays(ops[i].inputArguments());
				context.setOutputArrays(ops[i].outputArguments());
				context.setIArguments(ops[i].iArgs());
				context.setTArguments(ops[i].tArgs());
				context.shapeFunctionOverride(true);
				double with = time(ops[i], context, true);
				double without = time(ops[i], context, false);
				md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f |%n", names[i], n, with, without));
			}
		}
		Path out = Path.of("docs/bench/op-profile.md");
		Files.createDirectories(out.getParent());
		Files.writeString(out, md.toString());
		System.out.println(md);
	}

	private static double time(CustomOp op, OpContext context, boolean helpers) {
		context.allowHelpers(helpers);
		for (int k = 0; k < 2000; k++) {
			Nd4j.getExecutioner().exec(op, context);
		}
		long start = System.nanoTime();
		for (int k = 0; k < CALLS; k++) {
			Nd4j.getExecutioner().exec(op, context);
		}
		return (System.nanoTime() - start) / (double) CALLS / 1e3;
	}

	private static CustomOp relu(INDArray inPlace) {
		return DynamicCustomOp.builder("relu").addInputs(inPlace).addOutputs(inPlace).addFloatingPointArguments(0.0).build();
	}

	private static CustomOp op(String name, int[] args, INDArray out, INDArray... in) {
		return DynamicCustomOp.builder(name).addInputs(in).addOutputs(out).addIntegerArguments(args).build();
	}

}
