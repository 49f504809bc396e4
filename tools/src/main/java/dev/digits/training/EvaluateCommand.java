package dev.digits.training;

import dev.digits.model.TfjsFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.digits.model.DigitNetwork;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code evaluate [--model=models/mnist-cnn/1/mnist-cnn.zip]... [--mnist-dir=...] [--output-dir=target/evaluation]
 * [--set-size=2000] [--non-digits=250] [--fit-set-size=1000] [--seed=2024] [--quality=true]}:
 * prints the card's tables for every model file (the DL4J zip, or a TF.js {@code .json},
 * float or 8-bit) on the MNIST test set; then, unless {@code --quality=false}, compares
 * the models on every robustness set ({@link RobustnessSets}, made from MNIST test
 * images), before and after calibration, and on the non-digit set, and writes
 * {@code report.md}, {@code report.json} and pictures into the output folder. Calibration
 * and OOD data are fitted afresh per model on training and validation data only
 * ({@link ModelQuality#fit}, deterministic, the same as {@code calibrate} stores).
 */
public final class EvaluateCommand {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int K = DigitNetwork.CLASSES;

	/** ECE targets after calibration: MNIST test, and every shifted set. */
	static final double ECE_TARGET_MNIST = 0.01;

	static final double ECE_TARGET_SHIFTED = 0.02;

	private EvaluateCommand() {
	}

	/** Everything a quality evaluation depends on. */
	public record Options(List<Path> models, Path mnistDir, Path outputDir, int setSize, int nonDigitsPerKind,
			int fitSetSize, long seed, boolean quality, int photosPerCondition) {
	}

	/**
	 * The whole report ({@link #evaluate}), or with {@code quality} off the MNIST test
	 * tables of each model.
	 * @param command the arguments as given, for the report's first line
	 */
	public static void run(Options options, String command, PrintStream out) throws IOException {
		if (!options.quality()) {
			for (Path model : options.models()) {
				run(model, options.mnistDir(), out);
			}
			return;
		}
		evaluate(options, command, out);
	}

	/** The card's tables for one model on the MNIST test set. */
	public static ClassificationReport run(Path model, Path mnistDir, PrintStream out) throws IOException {
		MultiLayerNetwork network = load(model);
		ClassificationReport report = Batches.evaluate(network, Mnist.loadTest(mnistDir));
		out.println("model " + model + " on the MNIST test set:");
		out.print(report.format());
		return report;
	}

	/** A DL4J zip, or a TF.js layers {@code .json} written by {@link TfjsFormat}. */
	public static MultiLayerNetwork load(Path model) throws IOException {
		if (model.getFileName().toString().endsWith(".json")) {
			return TfjsFormat.read(model);
		}
		return ModelSerializer.restoreMultiLayerNetwork(model.toFile(), false);
	}

	/** Figures of one model on one set. */
	record SetResult(String set, int examples, int rejected, double accuracy, Calibration.Metrics before,
			Calibration.Metrics after, double flagged, double uncertain, boolean[] correct) {
	}

	/** Figures of one model. */
	record ModelResult(String name, Path file, ClassificationReport test, ModelQuality.Fitted fitted,
			List<SetResult> sets, Map<String, Double> testAuroc, Map<String, Double> nonDigitFlagged,
			Map<String, Double> digitFlagged, Map<String, Double> flaggedByKind, Map<String, Double> uploadsByKind,
			Calibration.Metrics shiftedBefore, Calibration.Metrics shiftedAfter) {
	}

	/**
	 * Runs the whole comparison and writes the report; returns the figures as written to
	 * report.json.
	 */
	public static Map<String, Object> evaluate(Options options, String command, PrintStream out) throws IOException {
		Files.createDirectories(options.outputDir());
		Mnist mnist = Mnist.load(options.mnistDir());
		RobustnessSets generator = new RobustnessSets(options.seed());
		List<RobustnessSets.LabelledSet> sets = new ArrayList<>();
		for (String name : RobustnessSets.DIGIT_SETS) {
			int size = name.equals("mnist") ? mnist.test().size() : options.setSize();
			sets.add(generator.digitSet(name, mnist.test(), size));
		}
		RobustnessSets.LabelledSet nonDigits = generator.nonDigits(options.nonDigitsPerKind());
		List<RobustnessSets.LabelledSet> pictured = new ArrayList<>(sets);
		pictured.add(nonDigits);
		QualityCharts.samples(pictured, 24, options.outputDir().resolve("samples.png"));

		PhotoSets photoSets = new PhotoSets(mnist.test(), options.seed());
		List<PhotoSets.PhotoSet> photoDigitSets = options.photosPerCondition() <= 0 ? List.of()
				: List.of(photoSets.photos(options.photosPerCondition()),
						photoSets.printed(options.photosPerCondition() * 2),
						photoSets.lowResolution(options.photosPerCondition() * 2));
		PhotoSets.PhotoSet photoNonDigits = options.photosPerCondition() <= 0 ? null
				: photoSets.nonDigits(Math.max(1, options.photosPerCondition() / 2));
		List<PhotoEvaluation.Figures> photoFigures = new ArrayList<>();

		List<ModelResult> results = new ArrayList<>();
		Map<String, Integer> names = new HashMap<>();
		for (Path model : options.models()) {
			String name = label(model);
			int seen = names.merge(name, 1, Integer::sum);
			if (seen > 1) {
				name = name + "-" + seen;
			}
			results.add(evaluateModel(name, model, mnist, sets, nonDigits, options, out));
			if (photoNonDigits != null) {
				PhotoEvaluation.Figures figures = PhotoEvaluation.evaluate(name, load(model),
						results.get(results.size() - 1).fitted(), photoDigitSets, photoNonDigits);
				photoFigures.add(figures);
				for (PhotoEvaluation.DigitFigures d : figures.digits()) {
					out.printf(Locale.ROOT, "  %-18s made %5d  refused %4d  right %.4f %s  flagged %.4f  ECE %.4f%n",
							d.set(), d.made(), d.refused(), d.right(), d.rightByKind(), d.flagged(), d.eceAfter());
				}
				out.printf(Locale.ROOT, "  non-digits caught %.4f %s%n", figures.nonDigits().caught(),
						figures.nonDigits().caughtByKind());
			}
		}
		Map<String, Object> json = json(options, command, sets, nonDigits, results);
		if (!photoFigures.isEmpty()) {
			Map<String, Object> photoJson = new LinkedHashMap<>();
			for (PhotoEvaluation.Figures f : photoFigures) {
				photoJson.put(f.model(), PhotoEvaluation.json(f));
			}
			json.put("photoSets", photoJson);
		}
		JSON.writerWithDefaultPrettyPrinter().writeValue(options.outputDir().resolve("report.json").toFile(), json);
		String photoSection = photoFigures.isEmpty() ? ""
				: PhotoEvaluation.markdown(photoFigures, photoDigitSets, photoNonDigits);
		Files.writeString(options.outputDir().resolve("report.md"),
				markdown(options, command, sets, nonDigits, results).replaceFirst("\n## Accuracy\n",
						java.util.regex.Matcher.quoteReplacement("\n" + photoSection + "## Accuracy\n")));
		out.println("wrote " + options.outputDir().resolve("report.md"));
		return json;
	}

	private static ModelResult evaluateModel(String name, Path file, Mnist mnist, List<RobustnessSets.LabelledSet> sets,
			RobustnessSets.LabelledSet nonDigits, Options options, PrintStream out) throws IOException {
		MultiLayerNetwork network = load(file);
		out.println("model " + name + " (" + file + ")");
		ClassificationReport test = Batches.evaluate(network, mnist.test());
		out.println("on the MNIST test set:");
		out.print(test.format());
		int trainSize = Math.min(50_000, mnist.train().size() - Math.min(10_000, mnist.train().size() / 6));
		int validationSize = Math.min(10_000, mnist.train().size() - trainSize);
		Map<String, Integer> split = split(file);
		if (split != null) {
			trainSize = split.get("train");
			validationSize = split.get("validation");
		}
		ModelQuality.Fitted fitted = ModelQuality.fit(network, mnist, trainSize, validationSize, options.fitSetSize(),
				options.nonDigitsPerKind(), falseFlagRate(file), out);
		double t = fitted.temperature();

		List<SetResult> results = new ArrayList<>();
		Map<String, Double> digitFlagged = new LinkedHashMap<>();
		Map<String, Double> uploadsByKind = new LinkedHashMap<>();
		NetworkOutputs mnistOutputs = null;
		List<double[]> shiftedBeforeP = new ArrayList<>();
		List<double[]> shiftedAfterP = new ArrayList<>();
		List<byte[]> shiftedLabels = new ArrayList<>();
		for (RobustnessSets.LabelledSet set : sets) {
			NetworkOutputs outputs = NetworkOutputs.of(network, set.pixels());
			if (set.name().equals("mnist")) {
				mnistOutputs = outputs;
			}
			double[] raw = Calibration.toDouble(outputs.probabilities());
			double[] calibrated = Calibration.scale(outputs.probabilities(), t);
			Calibration.Metrics before = Calibration.metrics(raw, set.labels());
			Calibration.Metrics after = Calibration.metrics(calibrated, set.labels());
			if (!set.name().equals("mnist")) {
				shiftedBeforeP.add(raw);
				shiftedAfterP.add(calibrated);
				shiftedLabels.add(set.labels());
			}
			double[] scores = OodScores.score(fitted.score(), outputs, t, fitted.gaussian());
			double flagged = OodScores.flagRate(scores, fitted.threshold());
			digitFlagged.put(set.name(), flagged);
			boolean[] correct = new boolean[set.size()];
			int uncertain = 0;
			for (int r = 0; r < set.size(); r++) {
				int predicted = ModelQuality.argMax(calibrated, r);
				correct[r] = predicted == set.labels()[r];
				if (calibrated[r * K + predicted] < fitted.uncertainBelow()) {
					uncertain++;
				}
			}
			results.add(new SetResult(set.name(), set.size(), set.rejected(), before.accuracy(), before, after, flagged,
					set.size() == 0 ? 0 : (double) uncertain / set.size(), correct));
			if (set.name().equals("realistic-uploads")) {
				for (int kind = 0; kind < set.kindNames().size(); kind++) {
					int n = 0;
					int right = 0;
					for (int r = 0; r < set.size(); r++) {
						if (set.kinds()[r] == kind) {
							n++;
							right += correct[r] ? 1 : 0;
						}
					}
					uploadsByKind.put(set.kindNames().get(kind), n == 0 ? 0 : (double) right / n);
				}
			}
			out.printf(Locale.ROOT, "  %-18s n %5d  accuracy %.4f  ECE %.4f -> %.4f  flagged %.4f%n", set.name(),
					set.size(), before.accuracy(), before.ece(), after.ece(), flagged);
		}
		Calibration.Metrics shiftedBefore = Calibration.metrics(concat(shiftedBeforeP), concatLabels(shiftedLabels));
		Calibration.Metrics shiftedAfter = Calibration.metrics(concat(shiftedAfterP), concatLabels(shiftedLabels));

		NetworkOutputs other = NetworkOutputs.of(network, nonDigits.pixels());
		Map<String, Double> auroc = new LinkedHashMap<>();
		Map<String, Double> nonDigitFlagged = new LinkedHashMap<>();
		List<double[][]> curves = new ArrayList<>();
		for (String score : OodScores.NAMES) {
			double[] digits = OodScores.score(score, mnistOutputs, t, fitted.gaussian());
			double[] others = OodScores.score(score, other, t, fitted.gaussian());
			auroc.put(score, OodScores.auroc(others, digits));
			nonDigitFlagged.put(score, OodScores.flagRate(others, fitted.thresholds().get(score)));
			digitFlagged.put("mnist@" + score, OodScores.flagRate(digits, fitted.thresholds().get(score)));
			curves.add(OodScores.roc(others, digits));
		}
		double[] chosen = OodScores.score(fitted.score(), other, t, fitted.gaussian());
		Map<String, Double> byKind = new LinkedHashMap<>();
		for (int kind = 0; kind < nonDigits.kindNames().size(); kind++) {
			List<Double> s = new ArrayList<>();
			for (int r = 0; r < nonDigits.size(); r++) {
				if (nonDigits.kinds()[r] == kind) {
					s.add(chosen[r]);
				}
			}
			byKind.put(nonDigits.kindNames().get(kind),
					OodScores.flagRate(s.stream().mapToDouble(Double::doubleValue).toArray(), fitted.threshold()));
		}
		out.printf(Locale.ROOT,
				"  OOD AUROC (non-digits vs MNIST test) %s; %s flags %.4f of MNIST test, %.4f of " + "non-digits%n",
				auroc, fitted.score(), digitFlagged.get("mnist"), nonDigitFlagged.get(fitted.score()));

		Path dir = options.outputDir();
		QualityCharts.reliability(name + ": MNIST test", results.get(0).before(), results.get(0).after(), t,
				dir.resolve("reliability-" + name + "-mnist.png"));
		QualityCharts.reliability(name + ": shifted sets pooled", shiftedBefore, shiftedAfter, t,
				dir.resolve("reliability-" + name + "-shifted.png"));
		QualityCharts.roc(name + ": non-digits vs MNIST test digits", OodScores.NAMES, curves,
				dir.resolve("ood-roc-" + name + ".png"));
		return new ModelResult(name, file, ClassificationReport.of(mnistOutputs.probabilities(), sets.get(0).labels()),
				fitted, results, auroc, nonDigitFlagged, digitFlagged, byKind, uploadsByKind, shiftedBefore,
				shiftedAfter);
	}

	private static Map<String, Object> json(Options options, String command, List<RobustnessSets.LabelledSet> sets,
			RobustnessSets.LabelledSet nonDigits, List<ModelResult> results) {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("command", "evaluate " + command);
		m.put("createdAt", OffsetDateTime.now(ZoneOffset.UTC).toString());
		m.put("seed", options.seed());
		Map<String, Object> described = new LinkedHashMap<>();
		for (RobustnessSets.LabelledSet set : sets) {
			described.put(set.name(),
					Map.of("description", set.description(), "examples", set.size(), "rejected", set.rejected()));
		}
		described.put(nonDigits.name(), Map.of("description", nonDigits.description(), "examples", nonDigits.size(),
				"rejected", nonDigits.rejected(), "kinds", nonDigits.kindNames()));
		m.put("sets", described);
		List<Object> models = new ArrayList<>();
		for (ModelResult r : results) {
			Map<String, Object> model = new LinkedHashMap<>();
			model.put("name", r.name());
			model.put("file", r.file().toString());
			model.put("testAccuracy", r.test().accuracy());
			model.put("calibration", ModelQuality.calibrationEntry(r.fitted()));
			model.put("ood", ModelQuality.oodEntry(r.fitted(), "ood.json"));
			Map<String, Object> perSet = new LinkedHashMap<>();
			for (SetResult s : r.sets()) {
				Map<String, Object> e = new LinkedHashMap<>();
				e.put("examples", s.examples());
				e.put("rejected", s.rejected());
				e.put("accuracy", s.accuracy());
				e.put("before", brief(s.before()));
				e.put("after", brief(s.after()));
				e.put("flagged", s.flagged());
				e.put("uncertain", s.uncertain());
				perSet.put(s.set(), e);
			}
			model.put("sets", perSet);
			model.put("shiftedPooled", Map.of("before", brief(r.shiftedBefore()), "after", brief(r.shiftedAfter())));
			model.put("realisticUploadsByKind", r.uploadsByKind());
			model.put("oodTestAuroc", r.testAuroc());
			model.put("nonDigitsFlagged", r.nonDigitFlagged());
			model.put("nonDigitsFlaggedByKind", r.flaggedByKind());
			model.put("digitsFlagged", r.digitFlagged());
			models.add(model);
		}
		m.put("models", models);
		return m;
	}

	private static Map<String, Object> brief(Calibration.Metrics m) {
		return Map.of("nll", m.nll(), "brier", m.brier(), "ece", m.ece(), "mce", m.mce(), "accuracy", m.accuracy());
	}

	private static String markdown(Options options, String command, List<RobustnessSets.LabelledSet> sets,
			RobustnessSets.LabelledSet nonDigits, List<ModelResult> results) {
		StringBuilder md = new StringBuilder();
		md.append("# Model quality evaluation\n\n");
		md.append("Written by `evaluate ")
			.append(command)
			.append("` on ")
			.append(OffsetDateTime.now(ZoneOffset.UTC).withNano(0))
			.append(". Robustness sets: seed ")
			.append(options.seed())
			.append(", made from MNIST test images (reporting only). Calibration and OOD data ")
			.append("fitted on training and validation data only. Fonts of the robustness sets (printed digits, ")
			.append("letters; held out from training): ")
			.append(new RobustnessSets(options.seed()).fontFamilies())
			.append(".\n\n");
		md.append("Models:\n\n");
		for (ModelResult r : results) {
			md.append("- **").append(r.name()).append("**: `").append(r.file()).append("`\n");
		}
		md.append("\n## Accuracy\n\n");
		md.append("| set | examples | rejected by preprocessing |");
		for (ModelResult r : results) {
			md.append(' ').append(r.name()).append(" |");
		}
		for (int i = 1; i < results.size(); i++) {
			md.append(' ')
				.append(results.get(i).name())
				.append(" - ")
				.append(results.get(0).name())
				.append(" (95% CI) |");
		}
		md.append('\n').append("|---|---:|---:|").append("---:|".repeat(2 * results.size() - 1)).append('\n');
		for (int s = 0; s < sets.size(); s++) {
			SetResult first = results.get(0).sets().get(s);
			md.append("| ")
				.append(first.set())
				.append(" | ")
				.append(first.examples())
				.append(" | ")
				.append(first.rejected())
				.append(" |");
			for (ModelResult r : results) {
				md.append(' ').append(pct(r.sets().get(s).accuracy())).append(" |");
			}
			for (int i = 1; i < results.size(); i++) {
				md.append(' ')
					.append(pairedDifference(first.correct(), results.get(i).sets().get(s).correct()))
					.append(" |");
			}
			md.append('\n');
		}
		md.append("\nDifferences are paired (same images); the interval is +-1.96 standard errors from the discordant ")
			.append("pairs. Rejected uploads are not in the figures.\n\n");
		md.append("Realistic uploads by kind:\n\n| kind |");
		for (ModelResult r : results) {
			md.append(' ').append(r.name()).append(" |");
		}
		md.append("\n|---|").append("---:|".repeat(results.size())).append('\n');
		for (String kind : results.get(0).uploadsByKind().keySet()) {
			md.append("| ").append(kind).append(" |");
			for (ModelResult r : results) {
				md.append(' ').append(pct(r.uploadsByKind().get(kind))).append(" |");
			}
			md.append('\n');
		}

		md.append("\n## Calibration\n\n");
		md.append("Temperature scaling fitted on the validation split (minimum NLL); metrics over ")
			.append(Calibration.BINS)
			.append(" equal-width bins. Targets after calibration: ECE <= ")
			.append(pct(ECE_TARGET_MNIST))
			.append(" on MNIST test, <= ")
			.append(pct(ECE_TARGET_SHIFTED))
			.append(" on shifted sets.\n\n");
		for (ModelResult r : results) {
			ModelQuality.Fitted f = r.fitted();
			md.append(String.format(Locale.ROOT, "**%s**: T = %.4f (validation NLL %.4f -> %.4f, ECE %s -> %s)%n%n",
					r.name(), f.temperature(), f.validationBefore().nll(), f.validationAfter().nll(),
					pct(f.validationBefore().ece()), pct(f.validationAfter().ece())));
			md.append("| set | NLL before | NLL after | Brier before | Brier after | ECE before | ECE after | ")
				.append("MCE before | MCE after | ECE target |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
			for (SetResult s : r.sets()) {
				double target = s.set().equals("mnist") ? ECE_TARGET_MNIST : ECE_TARGET_SHIFTED;
				md.append(calibrationRow(s.set(), s.before(), s.after(), target));
			}
			md.append(calibrationRow("shifted sets pooled", r.shiftedBefore(), r.shiftedAfter(), ECE_TARGET_SHIFTED));
			md.append('\n');
			md.append("![reliability MNIST](reliability-")
				.append(r.name())
				.append("-mnist.png) ")
				.append("![reliability shifted](reliability-")
				.append(r.name())
				.append("-shifted.png)\n\n");
		}

		md.append("## Out-of-distribution score\n\n");
		md.append("Non-digit set (reported): ")
			.append(nonDigits.size())
			.append(" images, ")
			.append(nonDigits.description())
			.append("; ")
			.append(nonDigits.rejected())
			.append(" refused by the preprocessor. The score was chosen by AUROC on a separately seeded non-digit set ")
			.append("against the validation digits; every threshold flags the share of the validation digits the ")
			.append("version was calibrated at (")
			.append(results.stream()
				.map(r -> r.name() + " " + pct(r.fitted().falseFlagRate()))
				.collect(java.util.stream.Collectors.joining(", ")))
			.append("). Targets: <= 2% of MNIST test digits flagged, >= 90% of non-digits.\n\n");
		md.append("| model | score | AUROC (validation, choice) | AUROC (test) | threshold | MNIST test flagged | ")
			.append("non-digits flagged |\n|---|---|---:|---:|---:|---:|---:|\n");
		for (ModelResult r : results) {
			for (String score : OodScores.NAMES) {
				md.append(String.format(Locale.ROOT, "| %s | %s%s | %.4f | %.4f | %.4f | %s | %s |%n", r.name(), score,
						score.equals(r.fitted().score()) ? " (chosen)" : "", r.fitted().validationAuroc().get(score),
						r.testAuroc().get(score), r.fitted().thresholds().get(score),
						pct(r.digitFlagged().get("mnist@" + score)), pct(r.nonDigitFlagged().get(score))));
			}
		}
		md.append("\nFlag rates of the chosen score per set:\n\n| set |");
		for (ModelResult r : results) {
			md.append(' ').append(r.name()).append(" |");
		}
		md.append("\n|---|").append("---:|".repeat(results.size())).append('\n');
		for (int s = 0; s < sets.size(); s++) {
			md.append("| ").append(sets.get(s).name()).append(" |");
			for (ModelResult r : results) {
				md.append(' ').append(pct(r.sets().get(s).flagged())).append(" |");
			}
			md.append('\n');
		}
		for (String kind : nonDigits.kindNames()) {
			md.append("| non-digits: ").append(kind).append(" |");
			for (ModelResult r : results) {
				md.append(' ').append(pct(r.flaggedByKind().get(kind))).append(" |");
			}
			md.append('\n');
		}
		md.append('\n');
		for (ModelResult r : results) {
			md.append("![ROC ").append(r.name()).append("](ood-roc-").append(r.name()).append(".png) ");
		}
		md.append("\n\n## Uncertain threshold (suggestion)\n\n");
		md.append(
				"Smallest calibrated confidence t (step 0.01) at which the kept predictions (confidence >= t) of the ")
			.append("digit sets made from the validation split are right at least ")
			.append(pct(ModelQuality.SELECTIVE_ACCURACY))
			.append(" of the time.\n\n| model | t | validation kept | ")
			.append("validation accuracy of kept |");
		for (SetResult s : results.get(0).sets()) {
			md.append(' ').append(s.set()).append(" uncertain |");
		}
		md.append("\n|---|---:|---:|---:|").append("---:|".repeat(results.get(0).sets().size())).append('\n');
		for (ModelResult r : results) {
			md.append(String.format(Locale.ROOT, "| %s | %.2f | %s | %s |", r.name(), r.fitted().uncertainBelow(),
					pct(r.fitted().uncertainCoverage()), pct(r.fitted().uncertainAccuracy())));
			for (SetResult s : r.sets()) {
				md.append(' ').append(pct(s.uncertain())).append(" |");
			}
			md.append('\n');
		}
		md.append("\n## Sets\n\n| set | examples | how it is made |\n|---|---:|---|\n");
		for (RobustnessSets.LabelledSet set : sets) {
			md.append("| ")
				.append(set.name())
				.append(" | ")
				.append(set.size())
				.append(" | ")
				.append(set.description())
				.append(" |\n");
		}
		md.append("| non-digits | ")
			.append(nonDigits.size())
			.append(" | ")
			.append(nonDigits.description())
			.append(" |\n\n![samples](samples.png)\n");
		return md.toString();
	}

	private static String calibrationRow(String name, Calibration.Metrics b, Calibration.Metrics a, double target) {
		return String.format(Locale.ROOT, "| %s | %.4f | %.4f | %.4f | %.4f | %s | %s | %s | %s | %s |%n", name,
				b.nll(), a.nll(), b.brier(), a.brier(), pct(b.ece()), pct(a.ece()), pct(b.mce()), pct(a.mce()),
				a.ece() <= target ? "met" : "missed");
	}

	/** {@code second - first} accuracy with a 95% interval from the discordant pairs. */
	static String pairedDifference(boolean[] first, boolean[] second) {
		int n = first.length;
		if (n == 0) {
			return "";
		}
		int onlyFirst = 0;
		int onlySecond = 0;
		for (int i = 0; i < n; i++) {
			if (first[i] && !second[i]) {
				onlyFirst++;
			}
			else if (second[i] && !first[i]) {
				onlySecond++;
			}
		}
		double diff = (double) (onlySecond - onlyFirst) / n;
		double se = Math.sqrt(
				Math.max(0, onlyFirst + onlySecond - (double) (onlySecond - onlyFirst) * (onlySecond - onlyFirst) / n))
				/ n;
		return String.format(Locale.ROOT, "%+.2f (%+.2f..%+.2f)", 100 * diff, 100 * (diff - 1.96 * se),
				100 * (diff + 1.96 * se));
	}

	private static String pct(double v) {
		return String.format(Locale.ROOT, "%.2f%%", 100 * v);
	}

	private static double[] concat(List<double[]> parts) {
		int n = parts.stream().mapToInt(p -> p.length).sum();
		double[] out = new double[n];
		int at = 0;
		for (double[] p : parts) {
			System.arraycopy(p, 0, out, at, p.length);
			at += p.length;
		}
		return out;
	}

	private static byte[] concatLabels(List<byte[]> parts) {
		int n = parts.stream().mapToInt(p -> p.length).sum();
		byte[] out = new byte[n];
		int at = 0;
		for (byte[] p : parts) {
			System.arraycopy(p, 0, out, at, p.length);
			at += p.length;
		}
		return out;
	}

	/** The folder name of a model file ({@code models}, {@code aug-model}). */
	static String label(Path model) {
		Path parent = model.toAbsolutePath().normalize().getParent();
		String folder = parent == null ? "model" : parent.getFileName().toString();
		String file = model.getFileName().toString();
		// a version's network: its zip, or its TF.js file where it has no zip (the 8-bit
		// copy)
		boolean served = file.equals(dev.digits.model.ModelFiles.NETWORK)
				|| (file.equals(dev.digits.model.ModelFiles.TFJS) && parent != null
						&& !Files.exists(parent.resolve(dev.digits.model.ModelFiles.NETWORK)));
		return served ? folder : folder + "-" + file.replaceAll("\\.(zip|json)$", "");
	}

	/**
	 * The false-flag rate the version beside {@code model} was calibrated at, so that its
	 * figures are those of the thresholds it is served with.
	 */
	private static double falseFlagRate(Path model) {
		Path metadata = model.toAbsolutePath().getParent().resolve(dev.digits.model.ModelFiles.METADATA);
		return Files.isRegularFile(metadata) ? ModelQuality.falseFlagRate(JSON.readTree(metadata.toFile()))
				: ModelQuality.FALSE_FLAG_RATE;
	}

	/** The train/validation split recorded beside a model, or null. */
	private static Map<String, Integer> split(Path model) {
		Path metadata = model.toAbsolutePath().getParent().resolve(dev.digits.model.ModelFiles.METADATA);
		if (!Files.isRegularFile(metadata)) {
			return null;
		}
		var node = JSON.readTree(metadata.toFile());
		if (!node.at("/data/split/train").isNumber()) {
			return null;
		}
		return Map.of("train", node.at("/data/split/train").asInt(), "validation",
				node.at("/data/split/validation").asInt());
	}

}
