package dev.digits.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import dev.digits.model.DigitNetwork;
import org.junit.jupiter.api.Test;

/**
 * Where a forward pass of the NHWC engine spends its time: each of the engine's own ops alone,
 * as the engine runs it (prebuilt op context), with ND4J's oneDNN helpers allowed and not, at 1
 * and 32 images. Run with {@code ./mvnw -Pbenchmark test -Dtest=OpProfileBenchmark}; writes
 * {@code docs/bench/op-profile.md}.
 */
class OpProfileBenchmark {

	private static final int CALLS = 5000;

	@Test
	void profile() throws IOException {
		NativeThreads.configure(1);
		NhwcForwardPass pass = new NhwcForwardPass(NhwcWeights.of(DigitNetwork.create(1, 0.001)), 32);
		float[] images = NhwcForwardPassTests.randomImages(new java.util.Random(1), 32);
		float[] out = new float[32 * DigitNetwork.CLASSES];
		StringBuilder md = new StringBuilder("# Per-op profile of the NHWC engine\n\n");
		md.append("Command: `./mvnw -Pbenchmark test -Dtest=OpProfileBenchmark`  \n")
			.append(ComputeBenchmark.machine())
			.append("  \nOne native thread; microseconds per call, mean of ")
			.append(CALLS)
			.append(" calls after 2,000 warm-up calls. The engine uses oneDNN for every op but the output layer.\n\n")
			.append("| op | images | oneDNN helpers allowed (us) | ND4J's own kernels (us) |\n|---|---:|---:|---:|\n");
		for (int n : new int[] { 1, 32 }) {
			pass.forward(images, n, out); // real activations in every buffer
			NhwcForwardPass.Plan plan = pass.plan(n);
			for (int i = 0; i < NhwcForwardPass.Plan.NAMES.size(); i++) {
				double with = time(plan, i, true);
				double without = time(plan, i, false);
				plan.allowHelpers(i, plan.helpersAllowed(i));
				md.append(String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f |%n", NhwcForwardPass.Plan.NAMES.get(i), n,
						with, without));
			}
		}
		Path file = Path.of("docs/bench/op-profile.md");
		Files.createDirectories(file.getParent());
		Files.writeString(file, md.toString());
		System.out.println(md);
	}

	private static double time(NhwcForwardPass.Plan plan, int op, boolean helpers) {
		plan.allowHelpers(op, helpers);
		for (int k = 0; k < 2000; k++) {
			plan.run(op);
		}
		long start = System.nanoTime();
		for (int k = 0; k < CALLS; k++) {
			plan.run(op);
		}
		return (System.nanoTime() - start) / (double) CALLS / 1e3;
	}

}
