package dev.digits.training;

import dev.digits.model.TfjsFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.digits.model.DigitNetwork;
import dev.digits.model.ModelFiles;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code train [--epochs=15] [--batch-size=128] [--learning-rate=0.001] [--seed=42] [--mnist-dir=...]
 * [--output-dir=models/mnist-cnn/1] [--train-size=50000] [--validation-size=10000] [--test-size=10000]
 * [--augment=false] [--augment-settings=v1] [--lr-decay=1]}: trains the card's network
 * and writes every artifact of the model card into the output folder.
 */
public final class TrainCommand {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private TrainCommand() {
	}

	/** Trains, evaluates and writes the artifacts; returns the metadata written. */
	public static Map<String, Object> run(TrainingOptions options, PrintStream out) throws IOException {
		// the commit the run starts from (the working tree may change while it trains)
		String commit = git("rev-parse", "--short=12", "HEAD");
		boolean dirty = !git("status", "--porcelain", "--untracked-files=no").isEmpty();
		Mnist mnist = Mnist.load(options.mnistDir());
		Trainer.Result result = MixedTrainer.Recipe.named(options.recipe()) != null
				? new MixedTrainer(options, out).train(mnist) : new Trainer(options, out).train(mnist);
		MultiLayerNetwork network = result.network();
		Path dir = options.outputDir();
		Files.createDirectories(dir);
		ModelFiles files = new ModelFiles(dir);

		ModelSerializer.writeModel(network, files.network().toFile(), false);
		long tfjsBytes = TfjsFormat.write(network, files.tfjs(), ModelFiles.TFJS_WEIGHTS, false);
		long int8Bytes = TfjsFormat.write(network, files.quantized(), ModelFiles.QUANTIZED_WEIGHTS, true);

		ClassificationReport train = Batches.evaluate(network, result.train());
		ClassificationReport validation = Batches.evaluate(network, result.validation());
		ClassificationReport test = Batches.evaluate(network, result.test());
		ClassificationReport quantized = Batches.evaluate(TfjsFormat.read(files.quantized()), result.test());
		out.println();
		out.println("test set, best epoch " + result.bestEpoch() + ":");
		out.print(test.format());
		out.printf(java.util.Locale.ROOT, "%n8-bit quantized copy: test accuracy %.4f (%d bytes of weights)%n",
				quantized.accuracy(), int8Bytes);

		Map<String, Object> labels = new LinkedHashMap<>();
		for (int digit = 0; digit < DigitNetwork.CLASSES; digit++) {
			labels.put(String.valueOf(digit), String.valueOf(digit));
		}
		JSON.writerWithDefaultPrettyPrinter().writeValue(files.labels().toFile(), labels);
		Charts.curves(result.history(), result.bestEpoch(), files.curvesChart());
		Charts.confusion(test, files.confusionChart());

		OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
		Map<String, Object> metadata = new LinkedHashMap<>();
		metadata.put("name", "mnist-cnn");
		metadata.put("version", now.format(DateTimeFormatter.ofPattern("yyyyMMdd.HHmm")) + "-" + commit);
		metadata.put("createdAt", now.toString());
		metadata.put("commit", commit + (dirty ? "-dirty" : ""));
		metadata.put("architecture", Map.of("input", List.of(28, 28, 1), "parameters", network.numParams(), "layers",
				DigitNetwork.summary(network)));
		metadata.put("training", training(options, result));
		metadata.put("data", Map.of("name", "MNIST", "sha256", mnist.sha256(), "split", Map.of("train",
				result.train().size(), "validation", result.validation().size(), "test", result.test().size())));
		metadata.put("metrics", Map.of("train", brief(train), "validation", brief(validation), "test", test));
		metadata.put(dev.digits.model.GoldenSet.KEY, GoldenCommand.record(network, result.test()).toJson());
		metadata.put("artifacts", Map.of("dl4j",
				artifact(files.network(), "DL4J ModelSerializer zip, no updater state (what the service loads)"),
				"tfjs",
				artifact(files.tfjs(), "TensorFlow.js layers model, float32 weights in " + ModelFiles.TFJS_WEIGHTS,
						"weightsBytes", tfjsBytes),
				"quantized",
				artifact(files.quantized(),
						"TensorFlow.js layers model, kernels uint8 affine per tensor, biases float32, in "
								+ ModelFiles.QUANTIZED_WEIGHTS,
						"weightsBytes", int8Bytes, "testAccuracy", quantized.accuracy(), "testLoss",
						quantized.loss())));
		JSON.writerWithDefaultPrettyPrinter().writeValue(files.metadata().toFile(), metadata);
		out.println("wrote " + dir.toAbsolutePath());
		return metadata;
	}

	private static Map<String, Object> training(TrainingOptions options, Trainer.Result result) {
		Map<String, Object> t = new LinkedHashMap<>();
		t.put("optimizer", "Adam");
		t.put("learningRate", options.learningRate());
		if (options.learningRateDecay() != 1.0) {
			t.put("learningRateDecay", Map.of("type", "exponential per epoch", "factor", options.learningRateDecay(),
					"finalLearningRate", options.learningRate(options.epochs())));
		}
		t.put("loss", "categorical cross-entropy");
		t.put("batchSize", options.batchSize());
		t.put("epochs", options.epochs());
		t.put("epochsRun", result.history().size());
		t.put("bestEpoch", result.bestEpoch());
		t.put("selection", "best validation accuracy");
		t.put("seed", options.seed());
		if (options.augment() || MixedTrainer.Recipe.named(options.recipe()) != null) {
			Map<String, Object> augmentation = new LinkedHashMap<>();
			// the mixed recipe augments its MNIST share with the v1 settings
			String settings = MixedTrainer.Recipe.named(options.recipe()) != null ? "v1" : options.augmentSettings();
			augmentation.put("settings", settings);
			augmentation.putAll(Augmentation.Settings.named(settings).describe());
			t.put("augmentation", augmentation);
		}
		else {
			t.put("augmentation", Map.of("enabled", false));
		}
		MixedTrainer.Recipe mixed = MixedTrainer.Recipe.named(options.recipe());
		if (mixed != null) {
			Map<String, Object> recipe = new LinkedHashMap<>();
			recipe.put("name", mixed.name());
			recipe.put("mix", mixed.shares());
			if (!mixed.conditions().isEmpty()) {
				recipe.put("photoConditionWeights", mixed.conditions());
				recipe.put("nonDigitKindWeights", mixed.nonDigitKinds());
			}
			recipe.put("nonDigitTarget", "uniform over the ten digits (outlier exposure)");
			recipe.put("trainingFonts", mixed.fonts());
			if (mixed.heavierPrinted() > 0) {
				recipe.put("heavierPrinted", Map.of("share", mixed.heavierPrinted(), "outlineStroke",
						"uniform in 3-10% of the digit's height, round joins, round the glyph"));
			}
			recipe.put("validationFonts", FontSets.VALIDATION);
			recipe.put("heldOutFonts", FontSets.HELD_OUT);
			recipe.put("initialWeights", options.initFrom() == null ? "fresh" : options.initFrom().toString());
			t.put("selection",
					"best validation score: (2 x MNIST + photos + (printed + printed in the validation fonts) / 2"
							+ " + non-digits under 0.5) / 5");
			t.put("recipe", recipe);
		}
		// a resumed run: the sum of every epoch's time, not only this invocation's
		double seconds = Math.max(result.seconds(),
				result.history().stream().mapToDouble(Trainer.Epoch::seconds).sum());
		t.put("seconds", Math.round(seconds * 10) / 10.0);
		t.put("cores", Runtime.getRuntime().availableProcessors());
		t.put("history", result.history());
		return t;
	}

	private static Map<String, Object> brief(ClassificationReport report) {
		return Map.of("examples", report.examples(), "accuracy", report.accuracy(), "loss", report.loss());
	}

	private static Map<String, Object> artifact(Path file, String format, Object... extra) throws IOException {
		Map<String, Object> a = new LinkedHashMap<>();
		a.put("file", file.getFileName().toString());
		a.put("format", format);
		a.put("bytes", Files.size(file));
		for (int i = 0; i < extra.length; i += 2) {
			a.put((String) extra[i], extra[i + 1]);
		}
		return a;
	}

	private static String git(String... args) {
		try {
			String[] command = new String[args.length + 1];
			command[0] = "git";
			System.arraycopy(args, 0, command, 1, args.length);
			Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
			String text = new String(process.getInputStream().readAllBytes()).trim();
			return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0 ? text : "unknown";
		}
		catch (IOException ex) {
			return "unknown";
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return "unknown";
		}
	}

}
