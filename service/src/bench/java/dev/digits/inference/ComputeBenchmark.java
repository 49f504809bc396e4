package dev.digits.inference;

import dev.digits.model.NativeThreads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import dev.digits.model.DigitNetwork;
import dev.digits.model.LoadedModel;
import dev.digits.model.NativeBuild;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Model compute, no HTTP: one forward pass of a batch (the timed operation), for DL4J's defaults
 * and for the service's engine, at the batch sizes the service forms. JMH's sample mode gives the
 * latency distribution per pass; images/s is {@code batch x threads / mean}. Each method and batch
 * runs in its own forked JVM (three forks), so the native thread settings of one never leak into
 * another. {@code scripts/bench/report.py} turns the JSON into the table of docs/BENCHMARKS.md with
 * ratios to {@link #dl4jDefault} at the same batch, from the same run, and to the
 * {@link SgemmCeilingBenchmark} ceiling.
 * <p>
 * The timed work is what a worker does per batch: copy the images in, run the network, copy the
 * output out, and the softmax: DL4J's {@code output()} applies it in the output layer; the engine
 * stops at the logits and {@link ForwardPass#softmax} applies it in Java, as the service does.
 * <p>
 * {@code ./mvnw -Pbenchmark test-compile exec:exec@jmh -Djmh.args=ComputeBenchmark}
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(3)
@State(Scope.Benchmark)
public class ComputeBenchmark {

	static {
		// the native build the service would choose on this CPU (or DIGITS_NATIVE_BUILD), before ND4J loads
		NativeBuild.select();
	}


	/** Images per forward pass. */
	@Param({ "1", "8", "32", "128", "256" })
	public int batch;

	MultiLayerNetwork network;

	NhwcWeights weights;

	float[] images;

	@Setup(Level.Trial)
	public void load() throws IOException {
		network = LoadedModel.load(modelDir()).network();
		weights = NhwcWeights.of(network);
		images = randomImages(new Random(1), 256);
	}

	/**
	 * {@code digits.model.dir}, or version 1 from the repository's {@code models/}: JMH
	 * started by {@code exec:exec} runs in the service module's folder, one below it.
	 */
	static Path modelDir() {
		String dir = System.getProperty("digits.model.dir");
		if (dir != null) {
			return Path.of(dir);
		}
		Path top = Path.of("models/mnist-cnn/1");
		return Files.isDirectory(top) ? top : Path.of("..").resolve(top);
	}

	/** MNIST-like input: mostly background, some ink. */
	static float[] randomImages(Random random, int n) {
		float[] x = new float[n * DigitNetwork.PIXELS];
		for (int i = 0; i < x.length; i++) {
			x[i] = random.nextFloat() < 0.8f ? 0f : random.nextFloat();
		}
		return x;
	}

	/** A worker's copy of the DL4J network and its output buffer. */
	static class Dl4jPass {

		MultiLayerNetwork network;

		float[] probabilities;

		void create(ComputeBenchmark b) {
			network = b.network.clone();
			probabilities = new float[256 * DigitNetwork.CLASSES];
		}

	}

	/** DL4J's layers through {@code MultiLayerNetwork.output()}, with ND4J's default native threads. */
	@State(Scope.Thread)
	public static class Dl4jDefaultThreads extends Dl4jPass {

		@Setup(Level.Trial)
		public void setUp(ComputeBenchmark b) {
			create(b);
		}

	}

	/** The same, with one native thread (what the service sets for its workers). */
	@State(Scope.Thread)
	public static class Dl4jOneThread extends Dl4jPass {

		@Setup(Level.Trial)
		public void setUp(ComputeBenchmark b) {
			NativeThreads.configure(1);
			create(b);
		}

	}

	/** A worker's engine pass and its buffers. */
	static class EnginePass {

		NhwcForwardPass pass;

		float[] logits;

		float[] probabilities;

		void create(ComputeBenchmark b) {
			pass = new NhwcForwardPass(b.weights, 256);
			logits = new float[256 * DigitNetwork.CLASSES];
			probabilities = new float[256 * DigitNetwork.CLASSES];
		}

	}

	/** The service's engine (ND4J ops, NHWC, oneDNN) with one native thread: one inference worker. */
	@State(Scope.Thread)
	public static class NhwcWorker extends EnginePass {

		@Setup(Level.Trial)
		public void setUp(ComputeBenchmark b) {
			NativeThreads.configure(1);
			create(b);
		}

	}

	/** The engine with ND4J's default native threads (one worker using every core inside each op). */
	@State(Scope.Thread)
	public static class NhwcDefaultThreads extends EnginePass {

		@Setup(Level.Trial)
		public void setUp(ComputeBenchmark b) {
			create(b);
		}

	}

	@Benchmark
	@Threads(1)
	public float[] dl4jDefault(Dl4jDefaultThreads worker) {
		return dl4j(worker);
	}

	@Benchmark
	@Threads(1)
	public float[] dl4jOneThread(Dl4jOneThread worker) {
		return dl4j(worker);
	}

	private float[] dl4j(Dl4jPass worker) {
		INDArray input = Nd4j.create(Arrays.copyOf(images, batch * DigitNetwork.PIXELS),
				new long[] { batch, DigitNetwork.PIXELS }, 'c');
		INDArray output = worker.network.output(input, false);
		System.arraycopy(output.data().asFloat(), 0, worker.probabilities, 0, batch * DigitNetwork.CLASSES);
		return worker.probabilities;
	}

	@Benchmark
	@Threads(1)
	public float[] nhwc1Worker(NhwcWorker worker) {
		return nhwc(worker);
	}

	/** Two workers, each with its own pass on its own thread, at once: the service's default on 2 cores. */
	@Benchmark
	@Threads(2)
	public float[] nhwc2Workers(NhwcWorker worker) {
		return nhwc(worker);
	}

	@Benchmark
	@Threads(1)
	public float[] nhwc1WorkerDefaultThreads(NhwcDefaultThreads worker) {
		return nhwc(worker);
	}

	private float[] nhwc(EnginePass worker) {
		worker.pass.forward(images, batch, worker.logits);
		ForwardPass.softmax(worker.logits, batch, worker.probabilities);
		return worker.probabilities;
	}

}
