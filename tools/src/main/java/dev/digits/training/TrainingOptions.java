package dev.digits.training;

import java.nio.file.Path;

/**
 * Every knob of a training run; the defaults are the model card's.
 *
 * @param trainSize the first {@code trainSize} training images are trained on
 * @param validationSize the last {@code validationSize} training images choose the best
 * epoch
 * @param testSize how many of the 10,000 held-out test images to report on
 * @param augment on-the-fly {@link Augmentation} of the training images (default off)
 * @param augmentSettings the named {@link Augmentation.Settings} used when augmenting
 * ({@code v1}, {@code v2})
 * @param learningRateDecay the learning rate of epoch {@code e} is
 * {@code learningRate * decay^(e-1)} (default 1: constant)
 * @param recipe {@code mnist} (MNIST only, the card's recipe), {@code mixed} (version
 * 4's), {@code mixed-hard} (version 4's weak spots drawn more often) or {@code mixed-ood}
 * (version 5's: more letters, symbols, plain paper and sheets) ({@link MixedTrainer}:
 * MNIST with photos, printed digits, low-resolution scans and non-digits, checkpointed
 * per epoch)
 * @param initFrom a model folder whose weights a {@code mixed} run starts from, or null
 * for fresh weights
 * @param checkpointDir where a {@code mixed} run checkpoints and, when it holds a
 * checkpoint, resumes from
 */
public record TrainingOptions(Path mnistDir, Path outputDir, int epochs, int batchSize, double learningRate, long seed,
		int trainSize, int validationSize, int testSize, boolean augment, double learningRateDecay,
		String augmentSettings, String recipe, Path initFrom, Path checkpointDir) {

	/** The recipes {@code --recipe} takes. */
	public static final java.util.List<String> RECIPES = java.util.stream.Stream
		.concat(java.util.stream.Stream.of("mnist"), MixedTrainer.Recipe.ALL.stream().map(MixedTrainer.Recipe::name))
		.toList();

	public static final int DEFAULT_EPOCHS = 15;

	public TrainingOptions {
		require(epochs >= 1, "epochs must be at least 1");
		require(batchSize >= 1, "batch-size must be at least 1");
		require(learningRate > 0 && learningRate < 1, "learning-rate must be in (0, 1)");
		require(trainSize >= 1 && validationSize >= 1 && testSize >= 1, "sizes must be at least 1");
		require(learningRateDecay > 0 && learningRateDecay <= 1, "lr-decay must be in (0, 1]");
		Augmentation.Settings.named(augmentSettings);
		require(RECIPES.contains(recipe), "recipe must be one of " + RECIPES + ", got '" + recipe + "'");
		require(initFrom == null || !recipe.equals("mnist"), "init-from needs a mixed recipe");
	}

	/** The MNIST recipe with these options. */
	public TrainingOptions(Path mnistDir, Path outputDir, int epochs, int batchSize, double learningRate, long seed,
			int trainSize, int validationSize, int testSize, boolean augment, double learningRateDecay,
			String augmentSettings) {
		this(mnistDir, outputDir, epochs, batchSize, learningRate, seed, trainSize, validationSize, testSize, augment,
				learningRateDecay, augmentSettings, "mnist", null, null);
	}

	/** Augmentation with the first settings ({@code v1}). */
	public TrainingOptions(Path mnistDir, Path outputDir, int epochs, int batchSize, double learningRate, long seed,
			int trainSize, int validationSize, int testSize, boolean augment, double learningRateDecay) {
		this(mnistDir, outputDir, epochs, batchSize, learningRate, seed, trainSize, validationSize, testSize, augment,
				learningRateDecay, "v1");
	}

	/** The card's options without augmentation or decay. */
	public TrainingOptions(Path mnistDir, Path outputDir, int epochs, int batchSize, double learningRate, long seed,
			int trainSize, int validationSize, int testSize) {
		this(mnistDir, outputDir, epochs, batchSize, learningRate, seed, trainSize, validationSize, testSize, false,
				1.0);
	}

	public static TrainingOptions defaults(Path mnistDir, Path outputDir) {
		return new TrainingOptions(mnistDir, outputDir, DEFAULT_EPOCHS, 128, 0.001, 42L, 50_000, 10_000, 10_000);
	}

	/**
	 * Defaults overridden by {@code --name=value} arguments ({@link ToolsCli.Train}
	 * declares them). The MNIST folder defaults to {@code $MNIST_DIR}, else
	 * {@code data/mnist}; the output folder to {@code models}.
	 * @throws IllegalArgumentException for an unknown option or a bad value
	 */
	public static TrainingOptions parse(String[] args) {
		return ToolsCli.parse(new ToolsCli.Train(), args).options();
	}

	/** The learning rate of {@code epoch} (1-based). */
	public double learningRate(int epoch) {
		return learningRate * Math.pow(learningRateDecay, epoch - 1);
	}

	private static void require(boolean condition, String message) {
		if (!condition) {
			throw new IllegalArgumentException(message);
		}
	}

}
