package dev.digits.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The model tools' command line, declared with picocli: every command and option once,
 * with its default and description, so that {@code --help} (of the tools and of each
 * command) is generated, a misspelt option is refused with the nearest real one, and each
 * command's code receives typed values. The options keep the {@code --name=value} form
 * the docs use ({@code --name value} works as well).
 */
@Command(name = "digits-tools", mixinStandardHelpOptions = true, version = "digits-tools 1.0.0",
		description = "Train, evaluate, calibrate and fine-tune versions of the digit model.",
		synopsisSubcommandLabel = "COMMAND",
		subcommands = { ToolsCli.Train.class, ToolsCli.Evaluate.class, ToolsCli.Calibrate.class,
				ToolsCli.FineTune.class, ToolsCli.Golden.class, ToolsCli.QuantizedVersion.class,
				ToolsCli.Ensemble.class, ToolsCli.DriftReferenceCommand.class, ToolsCli.DriftCheck.class,
				ToolsCli.Gate.class, ToolsCli.ValidationScore.class })
final class ToolsCli implements Runnable {

	@CommandLine.Spec
	CommandLine.Model.CommandSpec spec;

	private ToolsCli() {
	}

	@Override
	public void run() {
		throw new ParameterException(spec.commandLine(), "Name a command.");
	}

	/** The tools' command line, ready to execute. */
	static CommandLine commandLine() {
		return new CommandLine(new ToolsCli());
	}

	/**
	 * Reads {@code args} into {@code command}'s options without running it.
	 * @throws IllegalArgumentException for an unknown option or a value of the wrong type
	 */
	static <T> T parse(T command, String[] args) {
		try {
			new CommandLine(command).parseArgs(args);
			return command;
		}
		catch (ParameterException ex) {
			throw new IllegalArgumentException(ex.getMessage(), ex);
		}
	}

	/** {@code --mnist-dir}, shared by every command that reads MNIST. */
	static final class MnistDir {

		@Option(names = "--mnist-dir", paramLabel = "DIR",
				description = "The four MNIST IDX files (default: $MNIST_DIR, else data/mnist).")
		Path dir;

		Path get() {
			if (dir != null) {
				return dir;
			}
			String env = System.getenv(Mnist.ENV);
			return Path.of(env != null && !env.isBlank() ? env : "data/mnist");
		}

	}

	@Command(name = "train", mixinStandardHelpOptions = true,
			description = "Train a version: the card's recipe on MNIST, or a mixed recipe (photos, printed digits, "
					+ "8x8 scans, non-digits) that checkpoints every epoch and resumes from its checkpoint.")
	static final class Train implements Callable<Integer> {

		@Mixin
		MnistDir mnist = new MnistDir();

		@Option(names = "--output-dir", defaultValue = "models/mnist-cnn/1", paramLabel = "DIR",
				description = "Where the version's files are written (default: ${DEFAULT-VALUE}).")
		Path outputDir;

		@Option(names = "--epochs", defaultValue = "" + TrainingOptions.DEFAULT_EPOCHS,
				description = "Epochs (default: ${DEFAULT-VALUE}).")
		int epochs;

		@Option(names = "--batch-size", defaultValue = "128", description = "Batch size (default: ${DEFAULT-VALUE}).")
		int batchSize;

		@Option(names = "--learning-rate", defaultValue = "0.001",
				description = "Adam's learning rate (default: ${DEFAULT-VALUE}).")
		double learningRate;

		@Option(names = "--lr-decay", defaultValue = "1.0",
				description = "The learning rate of epoch e is learning-rate * decay^(e-1) (default: ${DEFAULT-VALUE}).")
		double learningRateDecay;

		@Option(names = "--seed", defaultValue = "42", description = "Every random choice (default: ${DEFAULT-VALUE}).")
		long seed;

		@Option(names = "--train-size", defaultValue = "50000",
				description = "The first N training images are trained on (default: ${DEFAULT-VALUE}).")
		int trainSize;

		@Option(names = "--validation-size", defaultValue = "10000",
				description = "The last N training images choose the best epoch (default: ${DEFAULT-VALUE}).")
		int validationSize;

		@Option(names = "--test-size", defaultValue = "10000",
				description = "Test images reported on (default: ${DEFAULT-VALUE}).")
		int testSize;

		@Option(names = "--augment", defaultValue = "false", arity = "1", paramLabel = "true|false",
				description = "Augment MNIST images on the fly (default: ${DEFAULT-VALUE}).")
		boolean augment;

		@Option(names = "--augment-settings", defaultValue = "v1",
				description = "Named augmentation settings, v1 or v2 (default: ${DEFAULT-VALUE}).")
		String augmentSettings;

		@Option(names = "--recipe", defaultValue = "mnist", paramLabel = "NAME",
				description = "Default: ${DEFAULT-VALUE}; or mixed, mixed-hard, mixed-ood, mixed-ood-mnist, mixed-fonts, mixed-heavy.")
		String recipe;

		@Option(names = "--init-from", paramLabel = "DIR",
				description = "A model folder whose weights a mixed recipe starts from (default: fresh weights).")
		Path initFrom;

		@Option(names = "--checkpoint-dir", defaultValue = "target/training-checkpoint", paramLabel = "DIR",
				description = "Where a mixed recipe checkpoints, and resumes from (default: ${DEFAULT-VALUE}).")
		Path checkpointDir;

		TrainingOptions options() {
			return new TrainingOptions(mnist.get(), outputDir, epochs, batchSize, learningRate, seed, trainSize,
					validationSize, testSize, augment, learningRateDecay, augmentSettings, recipe, initFrom,
					checkpointDir);
		}

		@Override
		public Integer call() throws IOException {
			TrainCommand.run(options(), System.out);
			return 0;
		}

	}

	@Command(name = "validation-score", mixinStandardHelpOptions = true,
			description = "Score models, and the average of their probabilities, on the validation a mixed run "
					+ "scores its epochs on (the same images as the runs' logs): how versions and ensembles are chosen.")
	static final class ValidationScore implements Callable<Integer> {

		@Option(names = "--model", split = ",", required = true, paramLabel = "PATH",
				description = "Version folders or DL4J zips (a run's best.zip), comma-separated.")
		List<Path> models;

		@Mixin
		MnistDir mnist = new MnistDir();

		@Option(names = "--seed", defaultValue = "42",
				description = "The runs' seed; validation images come from seed + 1 (default: ${DEFAULT-VALUE}).")
		long seed;

		@Option(names = "--validation-size", defaultValue = "10000",
				description = "The last N training images (default: ${DEFAULT-VALUE}).")
		int validationSize;

		@Override
		public Integer call() throws IOException {
			TrainingOptions options = new TrainingOptions(mnist.get(), Path.of("target/unused"), 1, 128, 0.001, seed, 1,
					validationSize, 1, false, 1.0, "v1", "mixed-ood", null, Path.of("target/unused"));
			new MixedTrainer(options, System.out).score(Mnist.load(mnist.get()), models);
			return 0;
		}

	}

	@Command(name = "evaluate", mixinStandardHelpOptions = true,
			description = "Measure versions on MNIST and on the robustness, photo, printed, 8x8 and non-digit sets, "
					+ "side by side, into a report.")
	static final class Evaluate implements Callable<Integer> {

		@CommandLine.Spec
		CommandLine.Model.CommandSpec spec;

		@Option(names = "--model", split = ",", defaultValue = "models/mnist-cnn/1/mnist-cnn.zip", paramLabel = "FILE",
				description = "The models, comma-separated: DL4J zips or TF.js .json (default: ${DEFAULT-VALUE}).")
		List<Path> models;

		@Mixin
		MnistDir mnist = new MnistDir();

		@Option(names = "--output-dir", defaultValue = "target/evaluation", paramLabel = "DIR",
				description = "Where the report goes (default: ${DEFAULT-VALUE}).")
		Path outputDir;

		@Option(names = "--set-size", defaultValue = "2000",
				description = "Images per robustness set (default: ${DEFAULT-VALUE}).")
		int setSize;

		@Option(names = "--non-digits", defaultValue = "250",
				description = "Non-digits of each kind (default: ${DEFAULT-VALUE}).")
		int nonDigits;

		@Option(names = "--fit-set-size", defaultValue = "1000",
				description = "Validation images per set for the calibration fit (default: ${DEFAULT-VALUE}).")
		int fitSetSize;

		@Option(names = "--seed", defaultValue = "2024",
				description = "Seed of the evaluation sets (default: ${DEFAULT-VALUE}).")
		long seed;

		@Option(names = "--quality", defaultValue = "true", arity = "1", paramLabel = "true|false",
				description = "The whole report; false prints the MNIST test tables only (default: ${DEFAULT-VALUE}).")
		boolean quality;

		@Option(names = "--photos", defaultValue = "500",
				description = "Photos per paper condition (default: ${DEFAULT-VALUE}).")
		int photos;

		@Override
		public Integer call() throws IOException {
			EvaluateCommand.Options options = new EvaluateCommand.Options(models, mnist.get(), outputDir, setSize,
					nonDigits, fitSetSize, seed, quality, photos);
			EvaluateCommand.run(options, String.join(" ", spec.commandLine().getParseResult().originalArgs()),
					System.out);
			return 0;
		}

	}

	@Command(name = "calibrate", mixinStandardHelpOptions = true,
			description = "Fit a version's temperature, its 'not a digit' score and threshold, and its 'uncertain' "
					+ "threshold on the validation split; writes ood.json and adds to its metadata.")
	static final class Calibrate implements Callable<Integer> {

		@Option(names = "--model-dir", defaultValue = "models/mnist-cnn/1", paramLabel = "DIR",
				description = "The version's folder (default: ${DEFAULT-VALUE}).")
		Path modelDir;

		@Mixin
		MnistDir mnist = new MnistDir();

		@Option(names = "--set-size", defaultValue = "1000",
				description = "Validation images per set (default: ${DEFAULT-VALUE}).")
		int setSize;

		@Option(names = "--non-digits", defaultValue = "250",
				description = "Non-digits of each kind for the score's choice (default: ${DEFAULT-VALUE}).")
		int nonDigits;

		@Option(names = "--false-flag-rate", defaultValue = "" + ModelQuality.FALSE_FLAG_RATE,
				description = "Share of validation digits each threshold may flag (default: ${DEFAULT-VALUE}).")
		double falseFlagRate;

		@Override
		public Integer call() throws IOException {
			CalibrateCommand.run(modelDir, mnist.get(), setSize, nonDigits, falseFlagRate, System.out);
			return 0;
		}

	}

	@Command(name = "drift-reference", mixinStandardHelpOptions = true,
			description = "Write a version's drift reference: its answers on the validation split under its calibration.")
	static final class DriftReferenceCommand implements Callable<Integer> {

		@Option(names = "--model-dir", defaultValue = "models/mnist-cnn/1", paramLabel = "DIR",
				description = "The version's folder (default: ${DEFAULT-VALUE}).")
		Path modelDir;

		@Mixin
		MnistDir mnist = new MnistDir();

		@Override
		public Integer call() throws IOException {
			DriftCommand.reference(modelDir, mnist.get(), System.out);
			return 0;
		}

	}

	@Command(name = "drift-check", mixinStandardHelpOptions = true,
			description = "Measure the service's drift detector: false alarms on MNIST test windows, detection on shifted ones.")
	static final class DriftCheck implements Callable<Integer> {

		@Option(names = "--model-dir", defaultValue = "models/mnist-cnn/6", paramLabel = "DIR",
				description = "The version's folder, with its drift reference (default: ${DEFAULT-VALUE}).")
		Path modelDir;

		@Mixin
		MnistDir mnist = new MnistDir();

		@Option(names = "--window", defaultValue = "500",
				description = "Answers per window, as the service's digits.drift.window (default: ${DEFAULT-VALUE}).")
		int window;

		@Option(names = "--windows", defaultValue = "2000",
				description = "Windows drawn from each set (default: ${DEFAULT-VALUE}).")
		int windows;

		@Option(names = "--alpha", defaultValue = "0.05",
				description = "False-alarm rate wanted, as digits.drift.alpha (default: ${DEFAULT-VALUE}).")
		double alpha;

		@Option(names = "--iterations", defaultValue = "2000",
				description = "Reference windows behind the correction, as digits.drift.iterations (default: ${DEFAULT-VALUE}).")
		int iterations;

		@Option(names = "--report", paramLabel = "FILE.md",
				description = "Write the figures here (and FILE.json beside it).")
		Path report;

		@Override
		public Integer call() throws IOException {
			DriftCommand.check(
					new DriftCommand.CheckOptions(modelDir, mnist.get(), window, windows, alpha, iterations, report),
					System.out);
			return 0;
		}

	}

	@Command(name = "finetune", mixinStandardHelpOptions = true,
			description = "Tune a served version on a folder of your digits into a new version beside it.")
	static class FineTune implements Callable<Integer> {

		@Option(names = "--from", required = true, paramLabel = "VERSION", description = "The version to start from.")
		String from;

		@Option(names = "--data", required = true, paramLabel = "DIR|FILE.csv",
				description = "A folder with one sub-folder per digit, or a CSV of file,label lines.")
		Path data;

		@Option(names = "--to", paramLabel = "VERSION",
				description = "The new version (default: the next free number).")
		String to;

		@Option(names = "--models", defaultValue = "models", paramLabel = "DIR",
				description = "The model repository (default: ${DEFAULT-VALUE}).")
		Path models;

		@Mixin
		MnistDir mnist = new MnistDir();

		@Option(names = "--epochs", defaultValue = "8", description = "Epochs (default: ${DEFAULT-VALUE}).")
		int epochs;

		@Option(names = "--learning-rate", defaultValue = "0.0002",
				description = "Adam's learning rate (default: ${DEFAULT-VALUE}).")
		double learningRate;

		@Option(names = "--batch-size", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
		int batchSize;

		@Option(names = "--seed", defaultValue = "42", description = "Every random choice (default: ${DEFAULT-VALUE}).")
		long seed;

		@Option(names = "--holdout", defaultValue = "0.2",
				description = "Share of your images kept aside and reported (default: ${DEFAULT-VALUE}).")
		double holdout;

		@Option(names = "--replay", defaultValue = "4",
				description = "MNIST training images mixed in per image of yours (default: ${DEFAULT-VALUE}).")
		int replay;

		@Option(names = "--augment", defaultValue = "true", arity = "1", paramLabel = "true|false",
				description = "Augment your images on the fly (default: ${DEFAULT-VALUE}).")
		boolean augment;

		@Option(names = "--calibration-set-size", defaultValue = "1000",
				description = "Validation images per set for the new version's calibration (default: ${DEFAULT-VALUE}).")
		int calibrationSetSize;

		@Option(names = "--non-digits", defaultValue = "250",
				description = "Non-digits of each kind for its calibration (default: ${DEFAULT-VALUE}).")
		int nonDigits;

		FineTuneCommand.Options options() {
			return new FineTuneCommand.Options(from, data, to, models, mnist.get(), epochs, learningRate, batchSize,
					seed, holdout, replay, augment, calibrationSetSize, nonDigits);
		}

		@Override
		public Integer call() throws IOException {
			FineTuneCommand.run(options(), System.out);
			return 0;
		}

	}

	@Command(name = "gate", mixinStandardHelpOptions = true,
			description = "Fine-tune a candidate on labelled captures, compare it with its source, and promote it "
					+ "only if it passes (finetune's options, and the gate's).")
	static final class Gate extends FineTune {

		@Option(names = "--margin", defaultValue = "0.02",
				description = "How much more accurate on the held-out captures it must be (default: ${DEFAULT-VALUE}).")
		double margin;

		@Option(names = "--mnist-tolerance", defaultValue = "0.001",
				description = "How much less accurate on MNIST test it may be (default: ${DEFAULT-VALUE}).")
		double mnistTolerance;

		@Option(names = "--ece-tolerance", defaultValue = "0.01",
				description = "How much worse its ECE on the held-out captures may be (default: ${DEFAULT-VALUE}).")
		double eceTolerance;

		@Option(names = "--speed-tolerance", defaultValue = "0.10",
				description = "How much slower a forward pass may be (default: ${DEFAULT-VALUE}).")
		double speedTolerance;

		@Option(names = "--robustness-size", defaultValue = "2000",
				description = "Images of each robustness set compared (default: ${DEFAULT-VALUE}).")
		int robustnessSize;

		@Option(names = "--service", paramLabel = "URL",
				description = "Apply the verdict to this service: promote, or shadow (admin token in DIGITS_ADMIN_TOKEN).")
		java.net.URI service;

		GateCommand.Options gateOptions() {
			return new GateCommand.Options(options(), margin, mnistTolerance, eceTolerance, speedTolerance,
					robustnessSize, service, System.getenv("DIGITS_ADMIN_TOKEN"));
		}

		@Override
		public Integer call() throws IOException {
			try {
				return GateCommand.run(gateOptions(), System.out).promote() ? 0 : 3;
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return 1;
			}
		}

	}

	@Command(name = "golden", mixinStandardHelpOptions = true,
			description = "Record a version's golden outputs (checked when it is loaded) in its metadata.")
	static final class Golden implements Callable<Integer> {

		@Option(names = "--model-dir", defaultValue = "models/mnist-cnn/1", paramLabel = "DIR",
				description = "The version's folder (default: ${DEFAULT-VALUE}).")
		Path modelDir;

		@Mixin
		MnistDir mnist = new MnistDir();

		@Override
		public Integer call() throws IOException {
			GoldenCommand.run(modelDir, Mnist.loadTest(mnist.get()), System.out);
			return 0;
		}

	}

	@Command(name = "quantized-version", mixinStandardHelpOptions = true,
			description = "Write the 8-bit copy of a version as a version of its own.")
	static final class QuantizedVersion implements Callable<Integer> {

		@Option(names = "--from", defaultValue = "models/mnist-cnn/1", paramLabel = "DIR",
				description = "The version's folder (default: ${DEFAULT-VALUE}).")
		Path from;

		@Option(names = "--to", defaultValue = "models/mnist-cnn/2", paramLabel = "DIR",
				description = "The new version's folder (default: ${DEFAULT-VALUE}).")
		Path to;

		@Mixin
		MnistDir mnist = new MnistDir();

		@Override
		public Integer call() throws IOException {
			QuantizedVersionCommand.run(from, to, Mnist.loadTest(mnist.get()), System.out);
			return 0;
		}

	}

	@Command(name = "ensemble", mixinStandardHelpOptions = true,
			description = "Write an ensemble version that averages the probabilities of several versions.")
	static final class Ensemble implements Callable<Integer> {

		@Option(names = "--members", required = true, split = ",", paramLabel = "VERSION",
				description = "The member versions, comma-separated (at least two).")
		List<String> members;

		@Option(names = "--to", required = true, paramLabel = "DIR", description = "The new version's folder.")
		Path to;

		@Option(names = "--models", defaultValue = "models", paramLabel = "DIR",
				description = "The model repository (default: ${DEFAULT-VALUE}).")
		Path models;

		@Mixin
		MnistDir mnist = new MnistDir();

		@Override
		public Integer call() throws IOException {
			EnsembleCommand.run(models, members.stream().map(String::strip).filter(m -> !m.isEmpty()).toList(), to,
					Mnist.loadTest(mnist.get()), System.out);
			return 0;
		}

	}

}
