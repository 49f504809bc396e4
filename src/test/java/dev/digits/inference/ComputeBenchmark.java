package dev.digits.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;

import dev.digits.model.DigitNetwork;
import dev.digits.model.LoadedModel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Model compute, no HTTP: latency per forward pass and images/s at several batch sizes, for the
 * tuned engine and for DL4J's defaults in the same run, with a large SGEMM as the ceiling.
 * Run with {@code ./mvnw -Pbenchmark test -Dtest=ComputeBenchmark}; writes
 * {@code docs/bench/compute-<label>.md} (label: {@code -Dbench.label}, default the ND4J build).
 */
class ComputeBenchmark {

	private static final int[] BATCHES = { 1, 8, 32, 128, 256 };

	private static final double FLOP_PER_IMAGE = 5.26e6;

	/** Seconds of timed work per configuration and batch size. */
	private static final double SECONDS = Double.parseDouble(System.getProperty("bench.seconds", "3"));

	private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

	record Figures(String config, int batch, double p50Ms, double p95Ms, double p99Ms, double imagesPerSecond) {
	}

	@Test
	void compute() throws IOException {
		MultiLayerNetwork network = LoadedModel.load(Path.of("models")).network();
		float[] images = NhwcForwardPassTests.randomImages(new Random(1), 256);
		String build = System.getProperty("bench.label", buildName());
		int defaultThreads = Nd4j.getEnvironment().maxThreads();
		StringBuilder md = new StringBuilder();
		md.append("# Model compute benchmark: ").append(build).append("\n\n");
		md.append("Command: `./mvnw -Pbenchmark test -Dtest=ComputeBenchmark");
		if (System.getProperty("nd4j.classifier") != null) {
			md.append(" -Dnd4j.classifier=").append(System.getProperty("nd4j.classifier"));
		}
		md.append("`  \n");
		md.append(machine()).append("  \nND4J default threads: ").append(defaultThreads)
			.append("; each figure is the median over ").append(ROUNDS).append(" rounds of ")
			.append(SECONDS).append(" s; latency is per forward pass (a whole batch).\n\n");

		// the ceiling: one large SGEMM on one thread, then on all threads
		NativeThreads.configure(1);
		double gflops1 = sgemm();
		NativeThreads.configure(defaultThreads);
		double gflopsAll = sgemm();
		double ceilingImages1 = gflops1 * 1e9 / FLOP_PER_IMAGE;
		md.append(String.format(Locale.ROOT,
				"Ceiling: 1024^3 SGEMM %.1f GFLOP/s on 1 thread, %.1f on %d threads; at %.2f MFLOP per image one core "
						+ "could do %.0f images/s (%.0f us per image), all cores %.0f images/s.%n%n",
				gflops1, gflopsAll, defaultThreads, FLOP_PER_IMAGE / 1e6, ceilingImages1, 1e6 / ceilingImages1,
				gflopsAll * 1e9 / FLOP_PER_IMAGE));

		List<Figures> all = new ArrayList<>();
		// DL4J's defaults: the layer path with ND4J's default threads
		NativeThreads.configure(defaultThreads);
		for (int batch : BATCHES) {
			all.add(measure("dl4j-default", batch, 1, () -> new Dl4jForwardPass(network, 256), images));
		}
		NativeThreads.configure(1);
		NhwcWeights weights = NhwcWeights.of(network);
		for (int batch : BATCHES) {
			all.add(measure("dl4j-1thread", batch, 1, () -> new Dl4jForwardPass(network, 256), images));
		}
		for (int batch : BATCHES) {
			all.add(measure("nhwc-1worker", batch, 1, () -> new NhwcForwardPass(weights, 256), images));
		}
		int cores = Runtime.getRuntime().availableProcessors();
		for (int batch : BATCHES) {
			all.add(measure("nhwc-" + cores + "workers", batch, cores, () -> new NhwcForwardPass(weights, 256), images));
		}
		NativeThreads.configure(defaultThreads);
		for (int batch : BATCHES) {
			all.add(measure("nhwc-1worker-" + defaultThreads + "threads", batch, 1,
					() -> new NhwcForwardPass(weights, 256), images));
		}

		md.append("| configuration | batch | p50 ms | p95 ms | p99 ms | images/s | vs dl4j-default | of 1-core ceiling |\n");
		md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
		for (Figures f : all) {
			Figures base = all.stream().filter(b -> b.config().equals("dl4j-default") && b.batch() == f.batch())
				.findFirst().orElseThrow();
			md.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f | %.0f | %.1fx | %.0f%% |%n", f.config(),
					f.batch(), f.p50Ms(), f.p95Ms(), f.p99Ms(), f.imagesPerSecond(),
					f.imagesPerSecond() / base.imagesPerSecond(), 100 * f.imagesPerSecond() / ceilingImages1));
		}
		md.append("\nConfigurations: `dl4j-default` is `MultiLayerNetwork.output()` with ND4J's default threads; "
				+ "`dl4j-1thread` the same with one native thread; `nhwc-1worker` the service's engine (ND4J ops, NHWC, "
				+ "one native thread) on one thread; `nhwc-Nworkers` N such engines on N threads at once "
				+ "(latency per pass, images/s summed); the last row set the engine with ND4J's default threads.\n");
		Path out = Path.of("docs/bench/compute-" + build + ".md");
		Files.createDirectories(out.getParent());
		Files.writeString(out, md.toString());
		System.out.println(md);
	}

	interface PassFactory {

		ForwardPass create();

	}

	/** {@code workers} threads each run their own pass on the batch for the time budget. */
	private static Figures measure(String config, int batch, int workers, PassFactory factory, float[] images) {
		double[] p50 = new double[ROUNDS];
		double[] p95 = new double[ROUNDS];
		double[] p99 = new double[ROUNDS];
		double[] rate = new double[ROUNDS];
		List<ForwardPass> passes = new ArrayList<>();
		for (int w = 0; w < workers; w++) {
			passes.add(factory.create());
		}
		for (int round = 0; round < ROUNDS; round++) {
			List<long[]> samples = new ArrayList<>();
			AtomicLong done = new AtomicLong();
			CyclicBarrier start = new CyclicBarrier(workers);
			List<Thread> threads = new ArrayList<>();
			long[] elapsed = new long[1];
			for (int w = 0; w < workers; w++) {
				ForwardPass pass = passes.get(w);
				long[] mine = new long[1_000_000];
				samples.add(mine);
				int index = w;
				Thread t = new Thread(() -> {
					float[] out = new float[256 * 10];
					for (int i = 0; i < 20; i++) {
						pass.forward(images, batch, out); // warm-up
					}
					try {
						start.await();
					}
					catch (Exception ex) {
						throw new IllegalStateException(ex);
					}
					long begin = System.nanoTime();
					long stop = begin + (long) (SECONDS * 1e9);
					int n = 0;
					long now = begin;
					while (now < stop && n < mine.length - 1) {
						long t0 = System.nanoTime();
						pass.forward(images, batch, out);
						now = System.nanoTime();
						mine[++n] = now - t0;
					}
					mine[0] = n;
					done.addAndGet((long) n * batch);
					if (index == 0) {
						elapsed[0] = now - begin;
					}
				});
				threads.add(t);
				t.start();
			}
			for (Thread t : threads) {
				try {
					t.join();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			List<Long> all = new ArrayList<>();
			for (long[] s : samples) {
				for (int i = 1; i <= s[0]; i++) {
					all.add(s[i]);
				}
			}
			long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
			p50[round] = percentile(sorted, 0.50);
			p95[round] = percentile(sorted, 0.95);
			p99[round] = percentile(sorted, 0.99);
			rate[round] = done.get() / (elapsed[0] / 1e9);
		}
		Figures f = new Figures(config, batch, median(p50), median(p95), median(p99), median(rate));
		System.out.printf(Locale.ROOT, "%-24s batch %3d  p50 %.3f ms  p99 %.3f ms  %.0f images/s%n", config, batch,
				f.p50Ms(), f.p99Ms(), f.imagesPerSecond());
		return f;
	}

	private static double percentile(long[] sorted, double q) {
		return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
	}

	private static double median(double[] values) {
		double[] copy = values.clone();
		Arrays.sort(copy);
		return copy[copy.length / 2];
	}

	private static double sgemm() {
		int n = 1024;
		INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
		INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
		INDArray c = Nd4j.create(DataType.FLOAT, n, n);
		for (int i = 0; i < 3; i++) {
			Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
		}
		double[] rates = new double[5];
		for (int r = 0; r < rates.length; r++) {
			long t0 = System.nanoTime();
			Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
			rates[r] = 2.0 * n * n * n / ((System.nanoTime() - t0) / 1e9) / 1e9;
		}
		return median(rates);
	}

	private static String buildName() {
		String classifier = System.getProperty("nd4j.classifier");
		return classifier != null ? classifier : "default";
	}

	static String machine() {
		String cpu = "unknown CPU";
		try {
			cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
				.findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
		}
		catch (IOException ex) {
			// not Linux: leave it unknown
		}
		return String.format(Locale.ROOT, "Machine: %s, %d cores, Java %s, %s", cpu,
				Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
				java.time.LocalDate.now());
	}

}
