package dev.digits.training;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import dev.digits.model.NativeThreads;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Training speed per image with ND4J's default threads and with one thread, on the native
 * build the tests choose (NativeBuild; {@code DIGITS_NATIVE_BUILD=avx512|avx2|generic}
 * forces one). Run with
 * {@code MNIST_DIR=../shared/mnist ./mvnw -Pbenchmark test -Dtest=TrainingBenchmark};
 * writes {@code target/benchmarks/training-<build>.md} and {@code .json} (never docs/:
 * scripts/bench/run-all.sh runs it and regenerates docs/BENCHMARKS.md from what it
 * wrote).
 */
class TrainingBenchmark {

	private static final int IMAGES = Integer.getInteger("bench.train.images", 6000);

	@Test
	void epochTime() throws IOException {
		Path dir = Mnist.fromEnvironment();
		assumeTrue(dir != null, "MNIST_DIR not set");
		String build = dev.digits.model.NativeBuild.chosen();
		int defaultThreads = Nd4j.getEnvironment().maxThreads();
		StringBuilder md = new StringBuilder("# Training speed: " + build + "\n\n");
		md.append("Command: `MNIST_DIR=../shared/mnist ./mvnw -Pbenchmark test -Dtest=TrainingBenchmark`  \n")
			.append(dev.digits.model.ComputeBenchmarkFacts.machine())
			.append("\n\n")
			.append("One epoch over ")
			.append(IMAGES)
			.append(" training images (batch 128, Adam), validation on 1,000; ")
			.append("the second of two runs is reported (the first pays for JIT and native warm-up).\n\n")
			.append("| native threads | ms per training image | full card run (15 x 50,000) estimate |\n|---:|---:|---:|\n");
		Mnist mnist = Mnist.load(dir);
		StringBuilder json = new StringBuilder(String.format(Locale.ROOT,
				"{\"build\":\"%s\",\"images\":%d,\"defaultThreads\":%d,\"machine\":\"%s\",\"rows\":[", build, IMAGES,
				defaultThreads, dev.digits.model.ComputeBenchmarkFacts.machine().replace("\"", "'")));
		for (int threads : new int[] { defaultThreads, 1 }) {
			NativeThreads.configure(threads);
			double msPerImage = 0;
			for (int run = 0; run < 2; run++) {
				long start = System.nanoTime();
				TrainingOptions options = new TrainingOptions(dir, dev.digits.TemporaryFolders.create("bench"), 1, 128,
						0.001, 1L, IMAGES, 1000, 100);
				new Trainer(options, new PrintStream(new ByteArrayOutputStream())).train(mnist);
				msPerImage = (System.nanoTime() - start) / 1e6 / IMAGES;
			}
			md.append(String.format(Locale.ROOT, "| %d | %.2f | %.0f min |%n", threads, msPerImage,
					msPerImage * 750_000 / 60_000));
			json.append(json.charAt(json.length() - 1) == '[' ? "" : ",")
				.append(String.format(Locale.ROOT, "{\"nativeThreads\":%d,\"msPerImage\":%.4f}", threads, msPerImage));
		}
		NativeThreads.configure(defaultThreads);
		Path out = Path.of(System.getProperty("bench.out", "target/benchmarks"));
		Files.createDirectories(out);
		Files.writeString(out.resolve("training-" + build + ".md"), md.toString());
		Files.writeString(out.resolve("training-" + build + ".json"), json.append("]}\n").toString());
		System.out.println(md);
	}

}
