package dev.digits.training;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import dev.digits.drift.DriftDetector;
import dev.digits.drift.DriftReference;
import dev.digits.model.Calibration;
import dev.digits.model.DigitNetwork;
import dev.digits.model.ModelFiles;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code drift-reference} and {@code drift-check} ({@link ToolsCli} has their options).
 * The first writes a version's {@value DriftReference#FILE}: its answers on its
 * validation split (the last images of the MNIST training file, never trained on) under
 * its served calibration. The second measures the detector the service runs: on windows
 * drawn from the MNIST test set (nothing in them is drift, so every alarm is false) and
 * on windows of shifted traffic (each should raise it).
 */
public final class DriftCommand {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** The seed of the shifted sets and of the windows' draws (not training's). */
	public static final long CHECK_SEED = 20_261_203L;

	private DriftCommand() {
	}

	/**
	 * Writes the reference of the version in {@code modelDir}; returns it, or null when
	 * the MNIST files hold too few validation images for one (a test fixture).
	 */
	public static DriftReference reference(Path modelDir, Path mnistDir, PrintStream out) throws IOException {
		ModelFiles files = new ModelFiles(modelDir);
		MultiLayerNetwork network = EvaluateCommand.load(files.served());
		Calibration calibration = Calibration.ofVersion(modelDir);
		JsonNode metadata = JSON.readTree(files.metadata().toFile());
		int validationSize = metadata.at("/data/split/validation").asInt(10_000);
		Mnist.Split train = Mnist.load(mnistDir).train();
		int size = Math.min(validationSize, train.size());
		if (size < DriftReference.MIN_IMAGES) {
			out.printf(Locale.ROOT, "no %s written: %d validation images, a reference needs %d%n", DriftReference.FILE,
					size, DriftReference.MIN_IMAGES);
			return null;
		}
		Mnist.Split validation = train.slice(train.size() - size, train.size());
		NetworkOutputs outputs = NetworkOutputs.of(network, ModelQuality.pixels(validation));
		DriftReference reference = DriftReference.of(
				"the version's answers on the " + validation.size()
						+ " validation images (the last of the MNIST training file), under its served calibration",
				calibration, logits(outputs));
		reference.write(modelDir.resolve(DriftReference.FILE));
		out.printf(Locale.ROOT, "wrote %s: %d validation answers, %.2f%% flagged out of distribution%n",
				modelDir.resolve(DriftReference.FILE), reference.size(), 100.0 * flagged(reference));
		return reference;
	}

	private static double flagged(DriftReference reference) {
		int flags = 0;
		for (float s : reference.oodScores()) {
			if (reference.oodScore() != null && s > reference.oodThreshold()) {
				flags++;
			}
		}
		return flags / (double) reference.size();
	}

	static float[][] logits(NetworkOutputs outputs) {
		int k = DigitNetwork.CLASSES;
		float[][] logits = new float[outputs.size()][k];
		for (int i = 0; i < logits.length; i++) {
			for (int c = 0; c < k; c++) {
				logits[i][c] = (float) outputs.logits()[i * k + c];
			}
		}
		return logits;
	}

	/** The measurement's settings. */
	public record CheckOptions(Path modelDir, Path mnistDir, int window, int windows, double alpha, int iterations,
			Path report) {
	}

	/** What drift saw of one set, per image. */
	record Observed(String name, String description, int[] digits, double[] confidence, double[] oodScores) {

		int size() {
			return digits.length;
		}

		static Observed of(String name, String description, float[][] logits, Calibration calibration) {
			int n = logits.length;
			int[] digits = new int[n];
			double[] confidence = new double[n];
			double[] ood = new double[n];
			for (int i = 0; i < n; i++) {
				DriftReference.Observation o = DriftReference.observe(logits[i], calibration);
				digits[i] = o.digit();
				confidence[i] = o.confidence();
				ood[i] = calibration.hasOod() ? o.oodScore() : 0;
			}
			return new Observed(name, description, digits, confidence, ood);
		}

		Observed only(String name, String description, java.util.function.IntPredicate keep) {
			int[] idx = java.util.stream.IntStream.range(0, size()).filter(keep).toArray();
			return new Observed(name, description, java.util.Arrays.stream(idx).map(i -> digits[i]).toArray(),
					java.util.Arrays.stream(idx).mapToDouble(i -> confidence[i]).toArray(),
					java.util.Arrays.stream(idx).mapToDouble(i -> oodScores[i]).toArray());
		}

	}

	/** One set's windows: how many raised drift, overall and per test. */
	record SetFigures(String name, String description, int images, int windows, int drifted,
			Map<String, Integer> byTest, long testNanos) {

		double rate() {
			return drifted / (double) windows;
		}

	}

	/**
	 * Measures false alarms and detection; writes the report (Markdown and JSON) and
	 * returns the figures per set.
	 */
	public static List<SetFigures> check(CheckOptions options, PrintStream out) throws IOException {
		Path modelDir = options.modelDir();
		ModelFiles files = new ModelFiles(modelDir);
		MultiLayerNetwork network = EvaluateCommand.load(files.served());
		Calibration calibration = Calibration.ofVersion(modelDir);
		DriftReference reference = DriftReference.read(modelDir.resolve(DriftReference.FILE));
		if (!reference.matches(calibration)) {
			throw new IOException(modelDir.resolve(DriftReference.FILE)
					+ " was made under another calibration: run drift-reference again");
		}
		long start = System.nanoTime();
		DriftDetector detector = new DriftDetector(reference, options.window(), options.alpha(), options.iterations(),
				DriftDetector.DEFAULT_SEED);
		double buildMillis = (System.nanoTime() - start) / 1e6;
		out.printf(Locale.ROOT, "detector: window %d, alpha %.3f, %d reference windows, built in %.0f ms%n",
				options.window(), options.alpha(), options.iterations(), buildMillis);

		Mnist.Split test = Mnist.loadTest(options.mnistDir());
		int n = test.size();
		float[] testPixels = ModelQuality.pixels(test);
		Observed mnist = Observed.of("mnist-test", "the MNIST test set (10,000 digits, no drift)",
				logits(NetworkOutputs.of(network, testPixels)), calibration);
		RobustnessSets sets = new RobustnessSets(CHECK_SEED);
		Observed rotated = Observed.of("rotated", "MNIST test digits rotated 20-30 degrees either way",
				logits(NetworkOutputs.of(network, sets.digitSet("rotated", test, n).pixels())), calibration);
		float[] inverted = testPixels.clone();
		for (int i = 0; i < inverted.length; i++) {
			inverted[i] = 1f - inverted[i];
		}
		Observed invertedSet = Observed.of("inverted",
				"MNIST test digits with ink and paper swapped, given to the network as they are (the service's "
						+ "preprocessing turns them back: a test of the detector, not traffic the service sees)",
				logits(NetworkOutputs.of(network, inverted)), calibration);
		PhotoSets photoSets = new PhotoSets(test, CHECK_SEED);
		Observed photos = Observed.of("photos",
				"phone photos of MNIST test digits on paper (every paper and light condition), through the preprocessing",
				logits(NetworkOutputs.of(network, photoSets.photos(200).set().pixels())), calibration);
		Observed twoDigits = mnist.only("two-digits-only",
				"MNIST test digits that are 0 or 1 only (a form that asks for one of two)",
				i -> test.labels()[i] == 0 || test.labels()[i] == 1);
		RobustnessSets.LabelledSet nonDigitSet = sets.nonDigits(150);
		PhotoSets.PhotoSet photoNonDigits = photoSets.nonDigits(100);
		float[] nonDigitPixels = concat(nonDigitSet.pixels(), photoNonDigits.set().pixels());
		Observed nonDigits = Observed.of("non-digits", "letters, symbols, scribbles, shapes, textures, empty paper",
				logits(NetworkOutputs.of(network, nonDigitPixels)), calibration);

		SplittableRandom random = new SplittableRandom(CHECK_SEED);
		List<SetFigures> figures = new ArrayList<>();
		figures.add(windows(detector, mnist, null, options.windows(), random));
		figures.add(windows(detector, rotated, null, options.windows(), random));
		figures.add(windows(detector, invertedSet, null, options.windows(), random));
		figures.add(windows(detector, photos, null, options.windows(), random));
		figures.add(windows(detector, twoDigits, null, options.windows(), random));
		figures.add(windows(detector, mnist, nonDigits, options.windows(), random));
		for (SetFigures f : figures) {
			double[] wilson = dev.digits.model.Wilson.interval(f.drifted(), f.windows());
			out.printf(Locale.ROOT, "%-22s %5d images, %5d windows: drift in %6.2f%% (95%% %.2f-%.2f%%) %s%n", f.name(),
					f.images(), f.windows(), 100 * f.rate(), 100 * wilson[0], 100 * wilson[1], f.byTest());
		}
		long windows = figures.stream().mapToLong(SetFigures::windows).sum();
		double micros = figures.stream().mapToLong(SetFigures::testNanos).sum() / 1e3 / windows;
		out.printf(Locale.ROOT, "a window's test took %.0f us on average (%,d windows)%n", micros, windows);
		if (options.report() != null) {
			write(options, reference, detector, figures, buildMillis, micros);
			out.println("wrote " + options.report() + " and " + json(options.report()));
		}
		return figures;
	}

	private static float[] concat(float[] a, float[] b) {
		float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, out, a.length, b.length);
		return out;
	}

	/**
	 * {@code count} windows drawn without replacement from {@code set}; with
	 * {@code other}, half of each window from each.
	 */
	static SetFigures windows(DriftDetector detector, Observed set, Observed other, int count,
			SplittableRandom random) {
		int n = detector.window();
		int[] digits = new int[n];
		double[] confidence = new double[n];
		double[] ood = new double[n];
		int drifted = 0;
		long nanos = 0;
		Map<String, Integer> byTest = new LinkedHashMap<>();
		detector.kinds().forEach(k -> byTest.put(k.label(), 0));
		for (int w = 0; w < count; w++) {
			int fromSet = other == null ? n : n / 2;
			fill(set, fromSet, 0, digits, confidence, ood, random);
			if (other != null) {
				fill(other, n - fromSet, fromSet, digits, confidence, ood, random);
			}
			long begin = System.nanoTime();
			DriftDetector.Result result = detector.test(digits, confidence, ood);
			nanos += System.nanoTime() - begin;
			if (result.drift()) {
				drifted++;
			}
			for (DriftDetector.TestResult t : result.tests()) {
				if (t.drift()) {
					byTest.merge(t.kind().label(), 1, Integer::sum);
				}
			}
		}
		String name = other == null ? set.name() : "half-non-digits";
		String description = other == null ? set.description()
				: "half MNIST test digits, half non-digits (" + other.description() + ")";
		return new SetFigures(name, description, set.size() + (other == null ? 0 : other.size()), count, drifted,
				byTest, nanos);
	}

	/** {@code k} distinct images of {@code set} into positions {@code at..at+k}. */
	private static void fill(Observed set, int k, int at, int[] digits, double[] confidence, double[] ood,
			SplittableRandom random) {
		int size = set.size();
		if (k > size) {
			throw new IllegalArgumentException(set.name() + " has " + size + " images, fewer than a window's " + k);
		}
		// Floyd's sampling: k distinct indices
		java.util.Set<Integer> chosen = new java.util.HashSet<>();
		for (int j = size - k; j < size; j++) {
			int t = random.nextInt(j + 1);
			chosen.add(chosen.contains(t) ? j : t);
		}
		int i = at;
		for (int index : chosen) {
			digits[i] = set.digits()[index];
			confidence[i] = set.confidence()[index];
			ood[i] = set.oodScores()[index];
			i++;
		}
	}

	private static Path json(Path report) {
		String name = report.getFileName().toString().replaceFirst("\\.md$", "");
		return report.resolveSibling(name + ".json");
	}

	private static void write(CheckOptions options, DriftReference reference, DriftDetector detector,
			List<SetFigures> figures, double buildMillis, double testMicros) throws IOException {
		StringBuilder md = new StringBuilder();
		md.append("# Drift detection: false alarms and detection\n\n");
		md.append("Made by `java -jar tools/target/digits-tools-1.0.0-exec.jar drift-check --model-dir=")
			.append(options.modelDir().toString().replace('\\', '/'))
			.append(" --window=")
			.append(options.window())
			.append(" --windows=")
			.append(options.windows())
			.append(" --report=")
			.append(options.report().toString().replace('\\', '/'))
			.append("` (MNIST from `--mnist-dir` or `MNIST_DIR`). The detector is the service's, with the "
					+ "same reference, window, alpha and reference windows; the windows here are drawn from each set "
					+ "(")
			.append(options.windows())
			.append(" per set, each of ")
			.append(options.window())
			.append(" distinct images), answered by the version, and tested as the service tests its last ")
			.append(options.window())
			.append(" answers.\n\n");
		md.append(String.format(Locale.ROOT,
				"Reference: %,d answers (%s). Family-wise alpha %.2f over the tests %s, corrected by "
						+ "Westfall-Young min-P on %,d reference windows.%n%n",
				reference.size(), reference.fittedOn(), detector.alpha(),
				String.join(", ", detector.kinds().stream().map(DriftDetector.Kind::label).toList()),
				options.iterations()));
		md.append("| windows drawn from | images | windows | drift raised | 95% interval |");
		detector.kinds().forEach(k -> md.append(" ").append(k.label()).append(" |"));
		md.append("\n|---|---:|---:|---:|---:|");
		detector.kinds().forEach(k -> md.append("---:|"));
		md.append('\n');
		for (SetFigures f : figures) {
			double[] wilson = dev.digits.model.Wilson.interval(f.drifted(), f.windows());
			md.append(String.format(Locale.ROOT, "| %s: %s | %,d | %,d | %.2f%% | %.2f-%.2f%% |", f.name(),
					f.description(), f.images(), f.windows(), 100 * f.rate(), 100 * wilson[0], 100 * wilson[1]));
			for (DriftDetector.Kind k : detector.kinds()) {
				md.append(String.format(Locale.ROOT, " %.2f%% |", 100.0 * f.byTest().get(k.label()) / f.windows()));
			}
			md.append('\n');
		}
		md.append("\nThe first row is the false-alarm rate (every window is like the reference: an alarm there is "
				+ "false); the others are the share of windows of shifted traffic that raised drift. The per-test "
				+ "columns give how often each test alone was past the corrected level.\n");
		md.append(String.format(Locale.ROOT,
				"%nCost, on the machine that ran this: building the detector (the reference windows) took %.0f ms, "
						+ "a window's test %.0f us on average over the %,d windows above.%n",
				buildMillis, testMicros, figures.stream().mapToLong(SetFigures::windows).sum()));
		Files.createDirectories(options.report().toAbsolutePath().getParent());
		Files.writeString(options.report(), md.toString());
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("model", options.modelDir().toString());
		json.put("window", options.window());
		json.put("alpha", options.alpha());
		json.put("iterations", options.iterations());
		json.put("buildMillis", buildMillis);
		json.put("testMicros", testMicros);
		json.put("sets", figures.stream().map(f -> {
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("name", f.name());
			m.put("description", f.description());
			m.put("images", f.images());
			m.put("windows", f.windows());
			m.put("drifted", f.drifted());
			m.put("rate", f.rate());
			m.put("byTest", f.byTest());
			return m;
		}).toList());
		JSON.writerWithDefaultPrettyPrinter().writeValue(json(options.report()).toFile(), json);
	}

}
