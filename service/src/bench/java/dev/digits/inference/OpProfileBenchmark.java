package dev.digits.inference;

import dev.digits.model.NativeThreads;
import java.io.IOException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import dev.digits.model.DigitNetwork;
import dev.digits.model.LoadedModel;
import dev.digits.model.NativeBuild;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Where a forward pass of the engine spends its time: each of its ops alone, as the engine runs
 * it (the op context built once, one native thread), with ND4J's oneDNN helpers allowed and not,
 * at 1 and 32 images. The buffers hold a real pass's activations of the served model. One fork per
 * point: a diagnostic, not a headline figure.
 * <p>
 * {@code ./mvnw -Pbenchmark test-compile exec:exec@jmh -Djmh.args=OpProfileBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Fork(1)
@State(Scope.Thread)
public class OpProfileBenchmark {

	static {
		// the native build the service would choose on this CPU (or DIGITS_NATIVE_BUILD), before ND4J loads
		NativeBuild.select();
	}


	@Param({ "1", "32" })
	public int images;

	/** One of {@code NhwcForwardPass.Plan.names()} for the card's network. */
	@Param({ "conv1", "maxpool1", "relu1", "conv2", "maxpool2", "relu2", "dense1", "relu3", "output" })
	public String op;

	/** Whether the op may use oneDNN; the engine allows it for every op but the output layer. */
	@Param({ "true", "false" })
	public boolean onednn;

	private NhwcForwardPass pass;

	private NhwcForwardPass.Plan plan;

	private int index;

	@Setup(Level.Trial)
	public void setUp() throws IOException {
		NativeThreads.configure(1);
		pass = new NhwcForwardPass(NhwcWeights.of(LoadedModel.load(ComputeBenchmark.modelDir()).network()), 32);
		float[] in = ComputeBenchmark.randomImages(new Random(1), 32);
		pass.forward(in, images, new float[32 * DigitNetwork.CLASSES]); // real activations in every buffer
		plan = pass.plan(images);
		index = plan.names().indexOf(op);
		if (index < 0) {
			throw new IllegalArgumentException("no op " + op + " in " + plan.names());
		}
		plan.allowHelpers(index, onednn);
	}

	@Benchmark
	public void run() {
		plan.run(index);
	}

	@TearDown(Level.Trial)
	public void close() {
		pass.close();
	}

}
