package dev.digits.explain;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import dev.digits.model.DigitNetwork;
import dev.digits.model.LoadedModel;
import dev.digits.model.Normalization;
import dev.digits.training.Mnist;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whether an explanation means something, for both methods, on the default version's
 * network, on the 200 MNIST test digits shipped as a test fixture (the first 200 of the
 * test set; the first 500, as it took before, took 302 s on a 2-core machine and gave the
 * same verdicts).
 * <ul>
 * <li>Deletion: blanking the 10% most-attributed pixels lowers the answer's probability
 * at least twice as much as blanking a random 10% (medians over the digits). Blanking as
 * many random pixels of ink, a harder comparison, is reported beside it.</li>
 * <li>Randomisation (Adebayo et al. 2018): maps from the same architecture with random
 * weights rank the pixels unlike the trained network's (median Spearman correlation under
 * 0.3).</li>
 * <li>Completeness: integrated gradients' attributions add up to the change of the
 * answer's log-probability from the blank image within 5% (median; the 90th percentile is
 * reported).</li>
 * </ul>
 * The figures go to {@code target/explanations/sanity.md}.
 */
class ExplanationSanityTests {

	private static final Path FIXTURE = Path.of("core/src/test/resources/mnist-tiny");

	private static MultiLayerNetwork trained;

	private static MultiLayerNetwork trainedGradients;

	private static MultiLayerNetwork randomGradients;

	private static MultiLayerNetwork random;

	private static float[][] images;

	private static String source;

	/** The digits the randomisation check compares maps on (the first ones). */
	private static final int RANDOMISED = 100;

	private static final List<String> report = new ArrayList<>();

	@BeforeAll
	static void load() throws IOException {
		String version = defaultVersion();
		trained = LoadedModel.restore(Path.of("models/mnist-cnn/" + version + "/mnist-cnn.zip"));
		trainedGradients = Attributions.gradientCopy(trained);
		random = new MultiLayerNetwork(trained.getLayerWiseConfigurations().clone());
		random.init();
		randomGradients = Attributions.gradientCopy(random);
		Mnist.Split test = Mnist.loadTest(FIXTURE);
		int n = test.size();
		images = new float[n][DigitNetwork.PIXELS];
		for (int i = 0; i < n; i++) {
			Normalization.normalize(test.image(i), 0, images[i], 0, DigitNetwork.PIXELS);
		}
		source = n + " MNIST test digits (the shipped fixture), version " + version;
		report.add("# Explanation sanity checks\n");
		report.add("On " + source + ". Medians over the digits (the Spearman correlation over the first " + RANDOMISED
				+ ").\n");
		report.add("| method | answer's probability lost: top 10% / random 10% / random 10% of ink | ratio to random |"
				+ " Spearman with random weights |");
		report.add("|---|---|---:|---:|");
	}

	@AfterAll
	static void write() throws IOException {
		Path out = Path.of("target/explanations/sanity.md");
		Files.createDirectories(out.getParent());
		Files.writeString(out, String.join("\n", report) + "\n", StandardCharsets.UTF_8);
	}

	@Test
	void occlusionMeansSomething() {
		check("occlusion", (network, gradients, image, target) -> Attributions.occlusion(image, target,
				batch -> LoadedModel.output(network, batch)));
	}

	@Test
	void integratedGradientsMeanSomethingAndAddUp() {
		float[][] maps = check("integrated-gradients", (network, gradients, image, target) -> Attributions
			.integratedGradients(gradients, image, target, Attributions.STEPS));
		double[] errors = new double[images.length];
		float[][] blank = new float[1][DigitNetwork.PIXELS];
		float[] blankP = LoadedModel.output(trained, blank)[0];
		float[][] p = LoadedModel.output(trained, images);
		for (int i = 0; i < images.length; i++) {
			int target = DigitNetwork.argMax(p[i], 0);
			double sum = 0;
			for (float a : maps[i]) {
				sum += a;
			}
			double change = Math.log(p[i][target]) - Math.log(blankP[target]);
			errors[i] = Math.abs(sum - change) / Math.abs(change);
		}
		Arrays.sort(errors);
		report.add(String.format(Locale.ROOT,
				"%nIntegrated gradients (%d steps): the attributions' sum against the change of the log-probability "
						+ "from the blank image, relative error median %.2f%%, 90th percentile %.2f%%, worst %.2f%%.",
				Attributions.STEPS, 100 * median(errors), 100 * errors[(int) (0.9 * (errors.length - 1))],
				100 * errors[errors.length - 1]));
		assertThat(median(errors)).as("completeness: median relative error").isLessThanOrEqualTo(0.05);
	}

	@FunctionalInterface
	interface Method {

		float[] map(MultiLayerNetwork network, MultiLayerNetwork gradients, float[] image, int target);

	}

	/** Runs the deletion and randomisation checks; returns the trained network's maps. */
	private static float[][] check(String name, Method method) {
		Random rng = new Random(7);
		double[] top = new double[images.length];
		double[] randomDrop = new double[images.length];
		double[] inkDrop = new double[images.length];
		double[] spearman = new double[Math.min(RANDOMISED, images.length)];
		float[][] maps = new float[images.length][];
		int k = DigitNetwork.PIXELS / 10;
		for (int i = 0; i < images.length; i++) {
			float[] image = images[i];
			int target = DigitNetwork.argMax(LoadedModel.output(trained, new float[][] { image })[0], 0);
			maps[i] = method.map(trained, trainedGradients, image, target);
			float[][] p = LoadedModel.output(trained, new float[][] { image, blank(image, topPixels(maps[i], k)),
					blank(image, randomPixels(rng, k, null)), blank(image, randomPixels(rng, k, image)) });
			top[i] = p[0][target] - p[1][target];
			randomDrop[i] = p[0][target] - p[2][target];
			inkDrop[i] = p[0][target] - p[3][target];
			if (i < RANDOMISED) {
				spearman[i] = spearman(maps[i], method.map(random, randomGradients, image, target));
			}
		}
		double topMedian = median(top);
		double randomMedian = median(randomDrop);
		double inkMedian = median(inkDrop);
		double rho = median(spearman);
		report.add(String.format(Locale.ROOT, "| %s | %.4f / %.4f / %.4f | %s | %.3f |", name, topMedian, randomMedian,
				inkMedian, randomMedian > 0 ? String.format(Locale.ROOT, "%.1fx", topMedian / randomMedian) : "inf",
				rho));
		assertThat(topMedian).as(name + ": top 10% against random 10%").isGreaterThanOrEqualTo(2 * randomMedian);
		assertThat(rho).as(name + ": Spearman with a random network's map").isLessThan(0.3);
		return maps;
	}

	private static int[] topPixels(float[] map, int k) {
		Integer[] order = new Integer[map.length];
		for (int i = 0; i < order.length; i++) {
			order[i] = i;
		}
		Arrays.sort(order, (a, b) -> Float.compare(map[b], map[a]));
		int[] top = new int[k];
		for (int i = 0; i < k; i++) {
			top[i] = order[i];
		}
		return top;
	}

	/**
	 * {@code k} distinct random pixels; of ink only (as many as it has) if an image is
	 * given.
	 */
	private static int[] randomPixels(Random rng, int k, float[] inkOf) {
		List<Integer> candidates = new ArrayList<>();
		for (int i = 0; i < DigitNetwork.PIXELS; i++) {
			if (inkOf == null || inkOf[i] > 0) {
				candidates.add(i);
			}
		}
		java.util.Collections.shuffle(candidates, rng);
		return candidates.stream().limit(k).mapToInt(Integer::intValue).toArray();
	}

	private static float[] blank(float[] image, int[] pixels) {
		float[] copy = image.clone();
		for (int p : pixels) {
			copy[p] = 0f;
		}
		return copy;
	}

	static double spearman(float[] a, float[] b) {
		double[] ra = ranks(a);
		double[] rb = ranks(b);
		double ma = Arrays.stream(ra).average().orElse(0);
		double mb = Arrays.stream(rb).average().orElse(0);
		double cov = 0;
		double va = 0;
		double vb = 0;
		for (int i = 0; i < ra.length; i++) {
			cov += (ra[i] - ma) * (rb[i] - mb);
			va += (ra[i] - ma) * (ra[i] - ma);
			vb += (rb[i] - mb) * (rb[i] - mb);
		}
		return va == 0 || vb == 0 ? 0 : cov / Math.sqrt(va * vb);
	}

	/** Ranks, ties given their mean rank. */
	private static double[] ranks(float[] values) {
		Integer[] order = new Integer[values.length];
		for (int i = 0; i < order.length; i++) {
			order[i] = i;
		}
		Arrays.sort(order, (x, y) -> Float.compare(values[x], values[y]));
		double[] ranks = new double[values.length];
		for (int i = 0; i < order.length;) {
			int j = i;
			while (j + 1 < order.length && values[order[j + 1]] == values[order[i]]) {
				j++;
			}
			for (int t = i; t <= j; t++) {
				ranks[order[t]] = (i + j) / 2.0;
			}
			i = j + 1;
		}
		return ranks;
	}

	private static double median(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		return sorted[sorted.length / 2];
	}

	private static String defaultVersion() throws IOException {
		java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s+default-version: \"([^\"]+)\"")
			.matcher(Files.readString(Path.of("service/src/main/resources/application.yml")));
		if (!m.find()) {
			throw new IllegalStateException("application.yml names no digits.model.default-version");
		}
		return m.group(1);
	}

}
