package dev.digits.inference;

import dev.digits.model.NativeThreads;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

import dev.digits.model.LoadedModel;
import dev.digits.model.NativeBuild;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

/**
 * The engine on the native build in use: single-image latency and batch-128 throughput of
 * one worker. Run once per build, forcing each in turn:
 * {@code for b in avx512 avx2 generic; do DIGITS_NATIVE_BUILD=$b ./mvnw -o -Pbenchmark test -Dtest=NativeBuildBenchmark; done};
 * each run appends a line to {@code native-builds.md} in {@code -Dbench.out} (default
 * {@code target/benchmarks}).
 */
class NativeBuildBenchmark {

	@Test
	void singleImageAndBatchOnThisBuild() throws IOException {
		NativeThreads.configure(1);
		MultiLayerNetwork network = LoadedModel.load(Path.of("models/mnist-cnn/1")).network();
		NhwcForwardPass pass = new NhwcForwardPass(NhwcWeights.of(network), 128);
		float[] images = NhwcForwardPassTests.randomImages(new Random(1), 128);
		float[] out = new float[128 * 10];
		for (int i = 0; i < 300; i++) {
			pass.forward(images, 1, out);
			pass.forward(images, 128, out);
		}
		double[] single = new double[3000];
		for (int i = 0; i < single.length; i++) {
			long start = System.nanoTime();
			pass.forward(images, 1, out);
			ForwardPass.softmax(out, 1, out);
			single[i] = (System.nanoTime() - start) / 1e6;
		}
		Arrays.sort(single);
		int batches = 200;
		long start = System.nanoTime();
		for (int i = 0; i < batches; i++) {
			pass.forward(images, 128, out);
			ForwardPass.softmax(out, 128, out);
		}
		double perSecond = batches * 128 / ((System.nanoTime() - start) / 1e9);
		String line = String.format(Locale.ROOT, "| %s | %.3f | %.3f | %.0f |", NativeBuild.chosen(), single[1500],
				single[2970], perSecond);
		System.out.println(line);
		Path report = Path.of(System.getProperty("bench.out", "target/benchmarks"), "native-builds.md");
		Files.createDirectories(report.getParent());
		if (!Files.exists(report)) {
			Files.writeString(report,
					"| build | batch 1 p50 ms | batch 1 p99 ms | batch 128 images/s (1 worker) |\n|---|---:|---:|---:|\n");
		}
		Files.writeString(report, line + "\n", java.nio.file.StandardOpenOption.APPEND);
	}

}
