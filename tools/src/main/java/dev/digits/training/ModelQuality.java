package dev.digits.training;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.digits.model.DigitNetwork;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Fits everything a server needs besides the network, on training and validation data
 * only: the calibration temperature (validation NLL), the Gaussian model of the dense1
 * features (training images), the choice of OOD score and its threshold (non-digits made
 * with {@link #CHOICE_SEED} against validation digits), and an {@code uncertain}
 * threshold on calibrated confidence (pooled validation digit sets). The MNIST test set
 * is never touched here.
 */
public final class ModelQuality {

	/** Seed of the sets used for choices; reports use other seeds. */
	public static final long CHOICE_SEED = 1_000_003L;

	/**
	 * The false-flag rate on validation digits at which every OOD threshold is set,
	 * unless a version's calibration names another.
	 */
	public static final double FALSE_FLAG_RATE = 0.01;

	/** Shrinkages of the shared covariance tried (chosen by validation AUROC). */
	static final double[] SHRINKAGES = { 1e-4, 1e-3, 1e-2, 1e-1, 1 };

	/**
	 * Selective accuracy the {@code uncertain} threshold aims at on the pooled validation
	 * digit sets.
	 */
	public static final double SELECTIVE_ACCURACY = 0.99;

	/** What {@link #fit} found. */
	public record Fitted(double temperature, Calibration.Metrics validationBefore, Calibration.Metrics validationAfter,
			OodScores.Gaussian gaussian, Map<String, Double> validationAuroc, Map<String, Double> shrinkageAuroc,
			String score, Map<String, Double> thresholds, double uncertainBelow, double uncertainCoverage,
			double uncertainAccuracy, int trainImages, int validationImages, int nonDigitImages,
			int validationSetImages, double falseFlagRate) {

		/** The threshold of the chosen score. */
		public double threshold() {
			return thresholds.get(score);
		}

	}

	private ModelQuality() {
	}

	/**
	 * The false-flag rate a version was calibrated at
	 * ({@code ood.falseFlagRateOnValidation} of its metadata), or
	 * {@link #FALSE_FLAG_RATE} when it records none.
	 */
	public static double falseFlagRate(tools.jackson.databind.JsonNode metadata) {
		tools.jackson.databind.JsonNode rate = metadata.at("/ood/falseFlagRateOnValidation");
		return rate.isNumber() ? rate.asDouble() : FALSE_FLAG_RATE;
	}

	/**
	 * @param setSize images per validation digit set for the {@code uncertain} threshold
	 * @param nonDigitsPerKind non-digits of each kind for the OOD choice
	 * @param falseFlagRate each OOD threshold flags this share of the MNIST validation
	 * digits and of the client-like ones (photos, printed, 8x8), whichever is stricter
	 */
	public static Fitted fit(MultiLayerNetwork network, Mnist mnist, int trainSize, int validationSize, int setSize,
			int nonDigitsPerKind, double falseFlagRate, PrintStream out) {
		if (!(falseFlagRate > 0 && falseFlagRate < 0.5)) {
			throw new IllegalArgumentException("false-flag rate must be in (0, 0.5), got " + falseFlagRate);
		}
		int available = mnist.train().size();
		Mnist.Split train = mnist.train().slice(0, trainSize);
		Mnist.Split validation = mnist.train().slice(available - validationSize, available);

		// validation digits as clients send them: MNIST, and photos, printed digits and
		// 8x8 scans made
		// from the validation split in the training fonts
		PhotoSets photoSets = PhotoSets.forChoices(validation, CHOICE_SEED);
		int perCondition = Math.max(2, setSize / 10);
		RobustnessSets.LabelledSet clientDigits = concat("client-digits", List.of(photoSets.photos(perCondition).set(),
				photoSets.printed(2 * perCondition).set(), photoSets.lowResolution(perCondition).set()));
		NetworkOutputs mnistValidationOutputs = NetworkOutputs.of(network, pixels(validation));
		NetworkOutputs clientOutputs = NetworkOutputs.of(network, clientDigits.pixels());
		NetworkOutputs validationOutputs = mnistValidationOutputs.append(clientOutputs);
		byte[] validationLabels = concat(validation.labels(), clientDigits.labels());
		double[] validationLogits = Calibration.logProbabilities(validationOutputs.probabilities());
		// the temperature is fitted on as many MNIST images as client-like ones (at least
		// 1,000), so
		// that the 10,000 MNIST images do not decide it alone
		int mnistForTemperature = Math.min(validation.size(), Math.max(1000, clientDigits.size()));
		NetworkOutputs temperatureOutputs = mnistValidationOutputs.slice(0, mnistForTemperature).append(clientOutputs);
		double temperature = Calibration.fitTemperature(
				Calibration.logProbabilities(temperatureOutputs.probabilities()),
				concat(java.util.Arrays.copyOf(validation.labels(), mnistForTemperature), clientDigits.labels()));
		Calibration.Metrics before = Calibration.metrics(Calibration.toDouble(validationOutputs.probabilities()),
				validationLabels);
		Calibration.Metrics after = Calibration.metrics(Calibration.softmax(validationLogits, temperature),
				validationLabels);
		out.printf(Locale.ROOT,
				"temperature %.4f on %d validation images (%d MNIST, %d photos, printed and 8x8): "
						+ "NLL %.4f -> %.4f, ECE %.4f -> %.4f%n",
				temperature, validationLabels.length, validation.size(), clientDigits.size(), before.nll(), after.nll(),
				before.ece(), after.ece());

		NetworkOutputs trainOutputs = NetworkOutputs.of(network, pixels(train));
		RobustnessSets choiceSets = choiceSets();
		RobustnessSets.LabelledSet nonDigits = concat("non-digits",
				List.of(choiceSets.nonDigits(nonDigitsPerKind), photoSets.nonDigits(nonDigitsPerKind).set()));
		NetworkOutputs nonDigitOutputs = NetworkOutputs.of(network, nonDigits.pixels());

		Map<String, Double> shrinkageAuroc = new LinkedHashMap<>();
		OodScores.Gaussian gaussian = null;
		double bestShrinkageAuroc = -1;
		for (double shrinkage : SHRINKAGES) {
			OodScores.Gaussian g = OodScores.fit(trainOutputs.features(), train.labels(), shrinkage);
			double auroc = OodScores.auroc(g.distances(nonDigitOutputs.features()),
					g.distances(validationOutputs.features()));
			shrinkageAuroc.put(String.valueOf(shrinkage), auroc);
			if (auroc > bestShrinkageAuroc) {
				bestShrinkageAuroc = auroc;
				gaussian = g;
			}
		}

		Map<String, Double> auroc = new LinkedHashMap<>();
		Map<String, Double> thresholds = new LinkedHashMap<>();
		String best = null;
		for (String name : OodScores.NAMES) {
			double[] digits = OodScores.score(name, validationOutputs, temperature, gaussian);
			double[] others = OodScores.score(name, nonDigitOutputs, temperature, gaussian);
			auroc.put(name, OodScores.auroc(others, digits));
			// flags at most falseFlagRate of the MNIST validation digits and of the
			// client-like ones
			double[] mnistDigits = java.util.Arrays.copyOf(digits, validation.size());
			double[] clientLike = java.util.Arrays.copyOfRange(digits, validation.size(), digits.length);
			thresholds.put(name, clientLike.length == 0 ? OodScores.threshold(mnistDigits, falseFlagRate) : Math
				.max(OodScores.threshold(mnistDigits, falseFlagRate), OodScores.threshold(clientLike, falseFlagRate)));
			if (best == null || auroc.get(name) > auroc.get(best)) {
				best = name;
			}
		}
		out.printf(Locale.ROOT, "OOD AUROC on validation digits vs %d non-digits: %s; chosen %s%n", nonDigits.size(),
				auroc, best);

		// the uncertain threshold: pooled digit sets made from the validation split
		List<double[]> confidences = new ArrayList<>();
		List<boolean[]> corrects = new ArrayList<>();
		int pooled = 0;
		for (RobustnessSets.LabelledSet set : choiceSets.digitSets(validation, setSize)) {
			float[] p = NetworkOutputs.of(network, set.pixels()).probabilities();
			double[] calibrated = Calibration.scale(p, temperature);
			double[] conf = new double[set.size()];
			boolean[] right = new boolean[set.size()];
			for (int r = 0; r < set.size(); r++) {
				int predicted = argMax(calibrated, r);
				conf[r] = calibrated[r * DigitNetwork.CLASSES + predicted];
				right[r] = predicted == set.labels()[r];
			}
			confidences.add(conf);
			corrects.add(right);
			pooled += set.size();
		}
		double uncertainBelow = 0;
		double coverage = 1;
		double selective = 0;
		for (int step = 0; step <= 99; step++) {
			double t = step / 100.0;
			long accepted = 0;
			long right = 0;
			for (int s = 0; s < confidences.size(); s++) {
				for (int r = 0; r < confidences.get(s).length; r++) {
					if (confidences.get(s)[r] >= t) {
						accepted++;
						right += corrects.get(s)[r] ? 1 : 0;
					}
				}
			}
			uncertainBelow = t;
			coverage = (double) accepted / pooled;
			selective = accepted == 0 ? 1 : (double) right / accepted;
			if (selective >= SELECTIVE_ACCURACY) {
				break;
			}
		}
		out.printf(Locale.ROOT,
				"uncertain below calibrated confidence %.2f: %.2f%% of %d pooled validation set "
						+ "images kept, %.2f%% of them right%n",
				uncertainBelow, 100 * coverage, pooled, 100 * selective);
		return new Fitted(temperature, before, after, gaussian, auroc, shrinkageAuroc, best, thresholds, uncertainBelow,
				coverage, selective, train.size(), validationLabels.length, nonDigits.size(), pooled, falseFlagRate);
	}

	private static RobustnessSets.LabelledSet concat(String name, List<RobustnessSets.LabelledSet> sets) {
		int n = sets.stream().mapToInt(RobustnessSets.LabelledSet::size).sum();
		float[] pixels = new float[n * DigitNetwork.PIXELS];
		byte[] labels = new byte[n];
		int at = 0;
		for (RobustnessSets.LabelledSet set : sets) {
			System.arraycopy(set.pixels(), 0, pixels, at * DigitNetwork.PIXELS, set.size() * DigitNetwork.PIXELS);
			System.arraycopy(set.labels(), 0, labels, at, set.size());
			at += set.size();
		}
		return new RobustnessSets.LabelledSet(name, name, pixels, labels, new int[n], List.of(name), 0);
	}

	private static byte[] concat(byte[] a, byte[] b) {
		byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, out, a.length, b.length);
		return out;
	}

	/**
	 * The content of {@code ood.json}: everything a server needs to score and flag an
	 * input.
	 */
	public static Map<String, Object> oodFile(Fitted f) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("format", "digit-service OOD model, version 1");
		m.put("score", f.score());
		m.put("flagWhen", "score > thresholds[score]");
		m.put("thresholds", f.thresholds());
		m.put("falseFlagRateOnValidation", f.falseFlagRate());
		m.put("temperature", f.temperature());
		m.put("definitions",
				Map.of("max-softmax", "-max_k softmax(log(p) / temperature)_k, p the network's softmax output",
						"energy",
						"-temperature * logsumexp(z / temperature), z = dense1 . W + b of the output layer "
								+ "(pre-softmax logits, not log p)",
						"mahalanobis",
						"min_c |whitening . h - whitenedMeans[c]|^2, h the " + NetworkOutputs.FEATURES
								+ " dense1 activations (after ReLU, layer index " + DigitNetwork.DENSE1
								+ " of the DL4J network); equals min_c (h - means[c])' S^-1 (h - means[c])"));
		m.put("classes", DigitNetwork.CLASSES);
		m.put("features", NetworkOutputs.FEATURES);
		m.put("shrinkage", f.gaussian().shrinkage());
		m.put("fittedOn", Map.of("gaussian", f.trainImages() + " training images (the first of the training file)",
				"thresholds", f.validationImages() + " validation images (the last of the training file)"));
		m.put("layout",
				"whitening: " + NetworkOutputs.FEATURES + " x " + NetworkOutputs.FEATURES
						+ " row-major, lower triangular (W' W = S^-1); whitenedMeans and means: " + DigitNetwork.CLASSES
						+ " rows of " + NetworkOutputs.FEATURES + " (row c = digit c)");
		m.put("whitening", toFloats(f.gaussian().whitening()));
		m.put("whitenedMeans", rows(f.gaussian().whitenedMeans(), NetworkOutputs.FEATURES));
		m.put("means", rows(f.gaussian().means(), NetworkOutputs.FEATURES));
		return m;
	}

	/** The {@code calibration} entry of the model metadata. */
	public static Map<String, Object> calibrationEntry(Fitted f) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("method", "temperature scaling");
		m.put("temperature", f.temperature());
		m.put("fittedOn", "validation");
		m.put("apply", "calibrated = softmax(log(max(p, 1e-30)) / temperature), p the network's softmax output");
		m.put("validationImages", f.validationImages());
		m.put("nll", Map.of("before", f.validationBefore().nll(), "after", f.validationAfter().nll()));
		m.put("ece", Map.of("before", f.validationBefore().ece(), "after", f.validationAfter().ece()));
		m.put("mce", Map.of("before", f.validationBefore().mce(), "after", f.validationAfter().mce()));
		m.put("brier", Map.of("before", f.validationBefore().brier(), "after", f.validationAfter().brier()));
		m.put("bins", Calibration.BINS);
		m.put("uncertain",
				Map.of("below", f.uncertainBelow(), "on", "calibrated confidence (max probability)", "chosenFor",
						"accuracy >= " + SELECTIVE_ACCURACY + " of the kept predictions on " + f.validationSetImages()
								+ " images of the digit sets made from the validation split",
						"validationCoverage", f.uncertainCoverage(), "validationAccuracyKept", f.uncertainAccuracy()));
		return m;
	}

	/**
	 * The non-digits the calibration chooses and fits against: drawn in the training
	 * families, so that a calibration does not depend on the other fonts installed.
	 */
	private static RobustnessSets choiceSets() {
		return new RobustnessSets(CHOICE_SEED, FontSets.TRAINING);
	}

	/**
	 * The {@code ood} entry of the model metadata (the numbers live in {@code ood.json}).
	 */
	public static Map<String, Object> oodEntry(Fitted f, String file) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("file", file);
		m.put("score", f.score());
		m.put("threshold", f.threshold());
		m.put("falseFlagRateOnValidation", f.falseFlagRate());
		m.put("validationAuroc", f.validationAuroc());
		m.put("mahalanobisShrinkageAuroc", f.shrinkageAuroc());
		m.put("nonDigitImages", f.nonDigitImages());
		m.put("nonDigitFonts", choiceSets().fontFamilies());
		return m;
	}

	static float[] pixels(Mnist.Split split) {
		return Batches.features(split, Batches.identity(split.size()), 0, split.size()).data().asFloat();
	}

	static int argMax(double[] probabilities, int row) {
		int k = DigitNetwork.CLASSES;
		int best = 0;
		for (int c = 1; c < k; c++) {
			if (probabilities[row * k + c] > probabilities[row * k + best]) {
				best = c;
			}
		}
		return best;
	}

	private static float[] toFloats(double[] values) {
		float[] out = new float[values.length];
		for (int i = 0; i < values.length; i++) {
			out[i] = (float) values[i];
		}
		return out;
	}

	private static List<float[]> rows(double[] values, int width) {
		List<float[]> out = new ArrayList<>();
		for (int r = 0; r < values.length / width; r++) {
			out.add(toFloats(java.util.Arrays.copyOfRange(values, r * width, (r + 1) * width)));
		}
		return out;
	}

}
