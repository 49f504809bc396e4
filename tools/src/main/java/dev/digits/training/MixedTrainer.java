package dev.digits.training;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.digits.model.DigitNetwork;
import dev.digits.model.ModelFiles;
import dev.digits.preprocessing.ImagePreprocessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import tools.jackson.databind.json.JsonMapper;

/**
 * Trains on what clients send: each epoch mixes augmented MNIST digits with
 * {@link SyntheticData} examples (handwritten digits photographed on paper, clean
 * uploads, printed digits, low-resolution scans) and non-digits, every synthetic example
 * put through the serving preprocessor. Non-digits are trained towards the uniform
 * distribution over the ten digits (outlier exposure), so the network itself learns to
 * spread its belief on what is not a digit, and the serving threshold on its confidence
 * (calibrated later) separates them.
 * <p>
 * Checkpoints after every epoch into {@code checkpointDir}: the network with its Adam
 * state, the best network so far, and {@code state.json} (epochs done, history, best
 * epoch and score). Every example is a function of {@code (seed, epoch, index)}, so the
 * generator's position is the epoch number and a resumed run makes exactly the examples
 * the stopped run would have made.
 */
public final class MixedTrainer {

	/**
	 * A mixed recipe: the share of each source in an epoch (in this order), and how often
	 * each paper condition and non-digit kind is drawn (relative weights; none given:
	 * version 4's choice, {@link SyntheticData#anyCondition} and every kind alike), and
	 * the font families printed digits, letters and symbols are drawn in; and how often a
	 * printed digit is drawn heavier than its font's weight ({@code heavierPrinted}: a
	 * share, 0 for none).
	 */
	public record Recipe(String name, Map<String, Double> shares, Map<PhotoSynth.Condition, Double> conditions,
			Map<String, Double> nonDigitKinds, List<String> fonts, double heavierPrinted) {

		/** Version 4's recipe. */
		public static final Recipe MIXED = new Recipe("mixed", shares(0.27, 0.08, 0.33, 0.05, 0.05, 0.05, 0.17),
				Map.of(), Map.of(), FontSets.TRAINING);

		/**
		 * Version 4's weak spots drawn more often: shadows, sheets smaller than the frame
		 * and squared paper among photos, letters among non-digits, and a larger
		 * non-digit share.
		 */
		public static final Recipe MIXED_HARD = new Recipe("mixed-hard",
				shares(0.22, 0.07, 0.36, 0.05, 0.06, 0.04, 0.20),
				weights(PhotoSynth.Condition.PLAIN, 1.0, PhotoSynth.Condition.RULED, 1.0, PhotoSynth.Condition.SQUARED,
						1.5, PhotoSynth.Condition.BOXED, 0.5, PhotoSynth.Condition.SHADOW, 2.5,
						PhotoSynth.Condition.SHEET, 2.0),
				weights("letters", 3.0, "symbols", 1.0, "scribbles", 1.0, "shapes", 1.0, "textures", 1.0, "two-digits",
						1.0, "empty-paper", 0.5),
				FontSets.TRAINING);

		/**
		 * Version 5's weak spots drawn more often: a larger non-digit share with letters
		 * and symbols (the kinds it catches least) weighted up, and among photos plain
		 * paper and sheets smaller than the frame (its two weakest papers).
		 */
		public static final Recipe MIXED_OOD = new Recipe("mixed-ood", shares(0.20, 0.06, 0.32, 0.05, 0.05, 0.04, 0.28),
				weights(PhotoSynth.Condition.PLAIN, 2.0, PhotoSynth.Condition.RULED, 1.0, PhotoSynth.Condition.SQUARED,
						1.5, PhotoSynth.Condition.BOXED, 0.5, PhotoSynth.Condition.SHADOW, 2.0,
						PhotoSynth.Condition.SHEET, 2.5),
				weights("letters", 5.0, "symbols", 3.0, "scribbles", 1.0, "shapes", 1.0, "textures", 0.5, "two-digits",
						1.5, "empty-paper", 0.5),
				FontSets.TRAINING);

		/**
		 * Version 6's recipe with a larger share of MNIST digits (30% against 20%), taken
		 * from the photos and the non-digits, for the MNIST test figure it lost while
		 * learning the others (tried from version 6: it did not beat it on validation;
		 * docs/model.md).
		 */
		public static final Recipe MIXED_OOD_MNIST = new Recipe("mixed-ood-mnist",
				shares(0.30, 0.05, 0.28, 0.05, 0.03, 0.03, 0.26), MIXED_OOD.conditions(), MIXED_OOD.nonDigitKinds(),
				FontSets.TRAINING);

		/**
		 * Version 6's recipe for fonts it never saw: printed digits in
		 * {@link FontSets#ADDED} as well as {@link FontSets#TRAINING} (50 families
		 * against 26), printed digits drawn 12% of the time instead of 9%, and MNIST 28%
		 * instead of 20%, both taken from the photos and the non-digits.
		 */
		public static final Recipe MIXED_FONTS = new Recipe("mixed-fonts",
				shares(0.28, 0.05, 0.28, 0.08, 0.04, 0.03, 0.24), MIXED_OOD.conditions(), MIXED_OOD.nonDigitKinds(),
				java.util.stream.Stream.concat(FontSets.TRAINING.stream(), FontSets.ADDED.stream()).toList());

		/**
		 * {@link #MIXED_FONTS} with a third of its printed digits drawn heavier than
		 * their font (an outline stroke of 3-10% of the digit's height round the glyph),
		 * for printed digits in very bold faces, whose counters close up at 28x28
		 * (version 6 read bold 8s in such a face as 0).
		 */
		public static final Recipe MIXED_HEAVY = new Recipe("mixed-heavy", MIXED_FONTS.shares(), MIXED_OOD.conditions(),
				MIXED_OOD.nonDigitKinds(), MIXED_FONTS.fonts(), 1.0 / 3);

		public static final List<Recipe> ALL = List.of(MIXED, MIXED_HARD, MIXED_OOD, MIXED_OOD_MNIST, MIXED_FONTS,
				MIXED_HEAVY);

		/** A recipe that draws every printed digit at its font's weight. */
		public Recipe(String name, Map<String, Double> shares, Map<PhotoSynth.Condition, Double> conditions,
				Map<String, Double> nonDigitKinds, List<String> fonts) {
			this(name, shares, conditions, nonDigitKinds, fonts, 0);
		}

		public Recipe {
			require(shares.keySet()
				.equals(java.util.Set.of("mnist", "clean", "photo", "printed", "printed-photo", "low-resolution",
						"non-digit")),
					"every source needs a share");
			require(Math.abs(shares.values().stream().mapToDouble(Double::doubleValue).sum() - 1) < 1e-9,
					"shares must add up to 1");
			require(conditions.isEmpty()
					|| conditions.keySet().equals(java.util.EnumSet.allOf(PhotoSynth.Condition.class)),
					"weigh every condition or none");
			require(nonDigitKinds.isEmpty()
					|| nonDigitKinds.keySet().equals(new java.util.HashSet<>(SyntheticData.NON_DIGIT_KINDS)),
					"weigh every non-digit kind or none");
			for (String family : fonts) {
				require(!FontSets.HELD_OUT.contains(family) && !FontSets.VALIDATION.contains(family),
						family + " is kept out of training (held out or validation)");
			}
			require(heavierPrinted >= 0 && heavierPrinted <= 1, "heavierPrinted is a share");
			fonts = List.copyOf(fonts);
		}

		/**
		 * The outline stroke of a printed digit, as a share of its height: 0 at the
		 * font's weight. A recipe without heavier digits draws no random number here, so
		 * its examples stay as they were.
		 */
		double printedStroke(Random random) {
			if (this.heavierPrinted == 0 || random.nextDouble() >= this.heavierPrinted) {
				return 0;
			}
			return 0.03 + 0.07 * random.nextDouble();
		}

		/** The recipe called {@code name}, or null if there is none. */
		public static Recipe named(String name) {
			return ALL.stream().filter(r -> r.name.equals(name)).findFirst().orElse(null);
		}

		PhotoSynth.Condition condition(Random random) {
			return this.conditions.isEmpty() ? SyntheticData.anyCondition(random)
					: pick(this.conditions, random.nextDouble());
		}

		String nonDigitKind(Random random) {
			return this.nonDigitKinds.isEmpty()
					? SyntheticData.NON_DIGIT_KINDS.get(random.nextInt(SyntheticData.NON_DIGIT_KINDS.size()))
					: pick(this.nonDigitKinds, random.nextDouble());
		}

		String source(double u) {
			return pick(this.shares, u);
		}

		private static <K> K pick(Map<K, Double> weights, double u) {
			double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
			double cumulative = 0;
			K last = null;
			for (Map.Entry<K, Double> e : weights.entrySet()) {
				cumulative += e.getValue() / total;
				last = e.getKey();
				if (u < cumulative) {
					return last;
				}
			}
			return last;
		}

		private static Map<String, Double> shares(double mnist, double clean, double photo, double printed,
				double printedPhoto, double lowResolution, double nonDigit) {
			return weights("mnist", mnist, "clean", clean, "photo", photo, "printed", printed, "printed-photo",
					printedPhoto, "low-resolution", lowResolution, "non-digit", nonDigit);
		}

		@SuppressWarnings("unchecked")
		private static <K> Map<K, Double> weights(Object... pairs) {
			Map<K, Double> map = new LinkedHashMap<>();
			for (int i = 0; i < pairs.length; i += 2) {
				map.put((K) pairs[i], (Double) pairs[i + 1]);
			}
			return java.util.Collections.unmodifiableMap(map);
		}

		private static void require(boolean condition, String message) {
			if (!condition) {
				throw new IllegalArgumentException(message);
			}
		}

	}

	/**
	 * Validation examples per synthetic kind (from the validation split, seed
	 * {@code seed + 1}).
	 */
	static final int VALIDATION_PER_KIND = 600;

	/** Printed digits in the validation fonts, every epoch. */
	static final int UNSEEN_FONT_DIGITS = 1200;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String STATE = "state.json";

	private static final String LAST = "last.zip";

	private static final String BEST = "best.zip";

	private final TrainingOptions options;

	private final PrintStream out;

	private final Recipe recipe;

	public MixedTrainer(TrainingOptions options, PrintStream out) {
		this.options = options;
		this.out = out;
		this.recipe = java.util.Objects.requireNonNull(Recipe.named(options.recipe()),
				() -> "not a mixed recipe: " + options.recipe());
	}

	/**
	 * Trains (or resumes from the checkpoint) and returns the best network by validation
	 * score.
	 */
	public Trainer.Result train(Mnist mnist) throws IOException {
		int available = mnist.train().size();
		Mnist.Split train = mnist.train().slice(0, this.options.trainSize());
		Mnist.Split validation = mnist.train().slice(available - this.options.validationSize(), available);
		Mnist.Split test = mnist.test().slice(0, Math.min(this.options.testSize(), mnist.test().size()));
		ImagePreprocessor preprocessor = Preprocessors.unhurried();
		SyntheticData data = new SyntheticData(train,
				FontSets.require(this.recipe.fonts(), "0123456789" + SyntheticData.LETTERS, 12), preprocessor, 160,
				360);
		Path checkpoints = this.options.checkpointDir();
		Files.createDirectories(checkpoints);

		Nd4j.getRandom().setSeed(this.options.seed());
		State state;
		MultiLayerNetwork network;
		if (Files.exists(checkpoints.resolve(STATE)) && Files.exists(checkpoints.resolve(LAST))) {
			state = JSON.readValue(checkpoints.resolve(STATE).toFile(), State.class);
			network = ModelSerializer.restoreMultiLayerNetwork(checkpoints.resolve(LAST).toFile(), true);
			this.out.printf(Locale.ROOT, "resuming from %s after epoch %d (best %d, score %.4f)%n", checkpoints,
					state.epochsDone(), state.bestEpoch(), state.bestScore());
		}
		else if (this.options.initFrom() != null) {
			network = ModelSerializer
				.restoreMultiLayerNetwork(new ModelFiles(this.options.initFrom()).network().toFile(), false);
			network.setLearningRate(this.options.learningRate());
			state = new State(0, List.of(), 0, -1);
			this.out.println("starting from the weights of " + this.options.initFrom());
		}
		else {
			network = DigitNetwork.create(this.options.seed(), this.options.learningRate());
			state = new State(0, List.of(), 0, -1);
		}
		Validation sets = validation(mnist.train().slice(available - this.options.validationSize(), available),
				preprocessor, this.options.seed() + 1);
		this.out.printf(Locale.ROOT, "mixed training: %d examples an epoch (%s), validating on %s%n",
				this.options.trainSize(), this.recipe, sets.describe());

		List<Trainer.Epoch> history = new ArrayList<>(state.history());
		ExecutorService makers = Executors.newFixedThreadPool(2, r -> {
			Thread t = new Thread(r, "example-maker");
			t.setDaemon(true);
			return t;
		});
		long start = System.nanoTime();
		try {
			for (int epoch = state.epochsDone() + 1; epoch <= this.options.epochs(); epoch++) {
				long epochStart = System.nanoTime();
				network.setLearningRate(this.options.learningRate(epoch));
				int[] order = Batches.identity(train.size());
				Trainer.shuffle(order, new Random(Augmentation.mix(this.options.seed() ^ epoch)));
				Augmentation augmentation = new Augmentation(Augmentation.Settings.named("v1"), this.options.seed());
				double lossSum = 0;
				int batches = 0;
				int batchSize = this.options.batchSize();
				java.util.function.Supplier<DataSet> next = submit(makers, data, augmentation, order, 0, batchSize,
						epoch);
				for (int from = 0; from < order.length; from += batchSize) {
					DataSet batch = next.get();
					int nextFrom = from + batchSize;
					next = nextFrom < order.length
							? submit(makers, data, augmentation, order, nextFrom, batchSize, epoch) : null;
					network.fit(batch);
					lossSum += network.score();
					batches++;
					if (batches % 50 == 0) {
						this.out.printf(Locale.ROOT, "  epoch %d: %d/%d examples, loss %.4f, %s%n", epoch, nextFrom,
								order.length, lossSum / batches,
								Trainer.format((System.nanoTime() - epochStart) / 1e9));
					}
				}
				Map<String, Double> figures = sets.evaluate(network);
				double score = figures.get("score");
				double seconds = (System.nanoTime() - epochStart) / 1e9;
				history.add(new Trainer.Epoch(epoch, lossSum / batches, figures.get("mnist-loss"), figures.get("mnist"),
						seconds));
				boolean best = score > state.bestScore();
				int bestEpoch = best ? epoch : state.bestEpoch();
				double bestScore = best ? score : state.bestScore();
				// the checkpoint: written beside, then moved into place, so a stop
				// mid-write keeps the last one
				ModelSerializer.writeModel(network, checkpoints.resolve(LAST + ".tmp").toFile(), true);
				Files.move(checkpoints.resolve(LAST + ".tmp"), checkpoints.resolve(LAST),
						StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
				if (best) {
					Files.copy(checkpoints.resolve(LAST), checkpoints.resolve(BEST),
							StandardCopyOption.REPLACE_EXISTING);
				}
				state = new State(epoch, history, bestEpoch, bestScore);
				JSON.writerWithDefaultPrettyPrinter().writeValue(checkpoints.resolve(STATE + ".tmp").toFile(), state);
				Files.move(checkpoints.resolve(STATE + ".tmp"), checkpoints.resolve(STATE),
						StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
				this.out.printf(Locale.ROOT, "epoch %2d/%d  loss %.4f  %s  score %.4f  epoch %s%s%n", epoch,
						this.options.epochs(), lossSum / batches, format(figures), score, Trainer.format(seconds),
						best ? "  *best" : "");
			}
		}
		finally {
			makers.shutdownNow();
		}
		MultiLayerNetwork best = ModelSerializer.restoreMultiLayerNetwork(checkpoints.resolve(BEST).toFile(), false);
		return new Trainer.Result(best, history, state.bestEpoch(), train, validation, test,
				(System.nanoTime() - start) / 1e9);
	}

	/**
	 * Scores each model, and the average of their probabilities when there are two or
	 * more, on the validation every epoch of a run with these options is scored on (the
	 * same images, so the figures compare with the runs' logs): how an ensemble is chosen
	 * by validation, never by the held-out sets.
	 */
	public Map<String, Map<String, Double>> score(Mnist mnist, List<Path> models) throws IOException {
		int available = mnist.train().size();
		Validation sets = validation(mnist.train().slice(available - this.options.validationSize(), available),
				Preprocessors.unhurried(), this.options.seed() + 1);
		this.out.println("validating on " + sets.describe());
		Map<String, Map<String, Double>> figures = new LinkedHashMap<>();
		List<MultiLayerNetwork> networks = new ArrayList<>();
		for (Path model : models) {
			MultiLayerNetwork network = Files.isDirectory(model) ? dev.digits.model.LoadedModel.load(model).network()
					: ModelSerializer.restoreMultiLayerNetwork(model.toFile(), false);
			if (network == null) {
				throw new IllegalArgumentException(model + " is an ensemble, not a network");
			}
			networks.add(network);
			report(figures, model.toString(), sets.evaluate(network));
		}
		if (networks.size() > 1) {
			report(figures, "average of all", sets.evaluate(networks));
		}
		return figures;
	}

	private void report(Map<String, Map<String, Double>> figures, String name, Map<String, Double> f) {
		figures.put(name, f);
		this.out.printf(Locale.ROOT, "%s  %s  score %.4f%n", name, format(f), f.get("score"));
	}

	/** What a run has done, written after every epoch. */
	public record State(int epochsDone, List<Trainer.Epoch> history, int bestEpoch, double bestScore) {
	}

	private java.util.function.Supplier<DataSet> submit(ExecutorService makers, SyntheticData data,
			Augmentation augmentation, int[] order, int from, int batchSize, int epoch) {
		int to = Math.min(order.length, from + batchSize);
		// two halves, one per maker thread
		int middle = (from + to) / 2;
		Future<float[][]> first = makers.submit(() -> examples(data, augmentation, order, from, middle, epoch));
		Future<float[][]> second = makers.submit(() -> examples(data, augmentation, order, middle, to, epoch));
		return () -> dataSet(get(first), get(second));
	}

	private static DataSet dataSet(float[][] a, float[][] b) {
		int n = (a[0].length + b[0].length) / DigitNetwork.PIXELS;
		float[] features = new float[n * DigitNetwork.PIXELS];
		float[] labels = new float[n * DigitNetwork.CLASSES];
		System.arraycopy(a[0], 0, features, 0, a[0].length);
		System.arraycopy(b[0], 0, features, a[0].length, b[0].length);
		System.arraycopy(a[1], 0, labels, 0, a[1].length);
		System.arraycopy(b[1], 0, labels, a[1].length, b[1].length);
		return new DataSet(Nd4j.create(features, new long[] { n, DigitNetwork.PIXELS }, 'c'),
				Nd4j.create(labels, new long[] { n, DigitNetwork.CLASSES }, 'c'));
	}

	/**
	 * Features and targets of the examples at {@code order[from..to)}: {@code {features,
	 * labels}}.
	 */
	private float[][] examples(SyntheticData data, Augmentation augmentation, int[] order, int from, int to,
			int epoch) {
		int n = to - from;
		float[] features = new float[n * DigitNetwork.PIXELS];
		float[] labels = new float[n * DigitNetwork.CLASSES];
		for (int i = 0; i < n; i++) {
			int index = order[from + i];
			Random random = new Random(Augmentation.mix(Augmentation.mix(this.options.seed() * 31 + epoch) ^ index));
			SyntheticData.Example example = example(this.recipe, data, order, from + i, random);
			float[] pixels;
			int label;
			if (example != null && example.accepted()) {
				pixels = example.pixels();
				label = example.label();
			}
			else {
				pixels = augmentation.augment(data.mnist(index), epoch, index);
				label = data.label(index);
			}
			System.arraycopy(pixels, 0, features, i * DigitNetwork.PIXELS, DigitNetwork.PIXELS);
			for (int c = 0; c < DigitNetwork.CLASSES; c++) {
				labels[i * DigitNetwork.CLASSES + c] = label == SyntheticData.NOT_A_DIGIT ? 1f / DigitNetwork.CLASSES
						: (c == label ? 1f : 0f);
			}
		}
		return new float[][] { features, labels };
	}

	/**
	 * The synthetic example for position {@code at} of the epoch's order, or null for
	 * plain MNIST.
	 */
	static SyntheticData.Example example(Recipe recipe, SyntheticData data, int[] order, int at, Random random) {
		int index = order[at];
		String source = recipe.source(random.nextDouble());
		return switch (source) {
			case "clean" -> data.cleanUpload(index,
					RealisticUploads.kinds().get(random.nextInt(RealisticUploads.kinds().size())), random);
			case "photo" -> data.photo(index, recipe.condition(random), random);
			case "printed" -> data.printed(random.nextInt(10), false, recipe.printedStroke(random), random);
			case "printed-photo" -> data.printed(random.nextInt(10), true, recipe.printedStroke(random), random);
			case "low-resolution" -> data.lowResolution(index, random);
			case "non-digit" -> recipe.conditions().isEmpty()
					? data.nonDigit(recipe.nonDigitKind(random), index, order[(at + 1) % order.length], random)
					: data.nonDigit(recipe.nonDigitKind(random), index, order[(at + 1) % order.length],
							recipe.condition(random), random);
			default -> null;
		};
	}

	/**
	 * The fixed validation sets every epoch is scored on: from the validation split, with
	 * the run's seed plus one (a run with the default seed 42 uses 43). Printed digits
	 * are drawn twice: in the {@link FontSets#TRAINING} families, and
	 * ({@link #UNSEEN_FONT_DIGITS} of them, half photographed) in the
	 * {@link FontSets#VALIDATION} families no recipe trains on.
	 */
	static Validation validation(Mnist.Split split, ImagePreprocessor preprocessor, long seed) {
		SyntheticData data = new SyntheticData(split,
				FontSets.require(FontSets.TRAINING, "0123456789" + SyntheticData.LETTERS, 12), preprocessor, 240, 480);
		List<SyntheticData.Example> photos = new ArrayList<>();
		List<SyntheticData.Example> printed = new ArrayList<>();
		List<SyntheticData.Example> nonDigits = new ArrayList<>();
		for (int i = 0; i < VALIDATION_PER_KIND; i++) {
			Random random = new Random(Augmentation.mix(seed * 7919 + i));
			photos.add(data.photo(i % split.size(), PhotoSynth.Condition.values()[i % 6], random));
			printed
				.add(random.nextBoolean() ? data.printed(i % 10, false, random) : data.printed(i % 10, true, random));
			nonDigits.add(data.nonDigit(SyntheticData.NON_DIGIT_KINDS.get(i % SyntheticData.NON_DIGIT_KINDS.size()),
					i % split.size(), (i + 1) % split.size(), random));
		}
		SyntheticData unseen = new SyntheticData(split,
				FontSets.require(FontSets.VALIDATION, "0123456789" + SyntheticData.LETTERS, 6), preprocessor, 240, 480);
		List<SyntheticData.Example> unseenPrinted = new ArrayList<>();
		for (int i = 0; i < UNSEEN_FONT_DIGITS; i++) {
			Random random = new Random(Augmentation.mix(seed * 7919 + 1_000_003 + i));
			unseenPrinted.add(unseen.printed(i % 10, i % 2 == 1, random));
		}
		return new Validation(split, photos, printed, unseenPrinted, nonDigits);
	}

	/** Validation figures and the score that picks the best epoch. */
	record Validation(Mnist.Split mnist, List<SyntheticData.Example> photos, List<SyntheticData.Example> printed,
			List<SyntheticData.Example> unseenPrinted, List<SyntheticData.Example> nonDigits) {

		String describe() {
			return String.format(Locale.ROOT,
					"%d MNIST, %d photos, %d printed, %d printed in unseen fonts, %d non-digits (accepted)",
					this.mnist.size(), accepted(this.photos), accepted(this.printed), accepted(this.unseenPrinted),
					accepted(this.nonDigits));
		}

		private static long accepted(List<SyntheticData.Example> examples) {
			return examples.stream().filter(SyntheticData.Example::accepted).count();
		}

		/**
		 * Accuracy on MNIST, photos and printed digits in the training and in the unseen
		 * validation fonts (refused digits count as wrong), the share of non-digits whose
		 * top probability stays under 0.5 (refused ones count as caught), and the score:
		 * their mean, MNIST weighted twice as it is held to the tightest target and the
		 * two printed figures counted as one (their mean).
		 */
		Map<String, Double> evaluate(MultiLayerNetwork network) {
			return evaluate(List.of(network));
		}

		/**
		 * The same figures for the average of the networks' probabilities (one network:
		 * its own), as an ensemble of them would answer.
		 */
		Map<String, Double> evaluate(List<MultiLayerNetwork> networks) {
			ClassificationReport mnistReport = networks.size() == 1 ? Batches.evaluate(networks.get(0), this.mnist)
					: ClassificationReport.of(mean(networks, n -> Batches.predict(n, this.mnist)), this.mnist.labels());
			Map<String, Double> f = new LinkedHashMap<>();
			f.put("mnist", mnistReport.accuracy());
			f.put("mnist-loss", mnistReport.loss());
			f.put("photos", accuracy(mean(networks, n -> predict(n, this.photos)), this.photos));
			f.put("printed", accuracy(mean(networks, n -> predict(n, this.printed)), this.printed));
			f.put("printed-unseen", accuracy(mean(networks, n -> predict(n, this.unseenPrinted)), this.unseenPrinted));
			f.put("non-digits-low", lowConfidence(mean(networks, n -> predict(n, this.nonDigits)), this.nonDigits));
			f.put("score", (2 * f.get("mnist") + f.get("photos") + (f.get("printed") + f.get("printed-unseen")) / 2
					+ f.get("non-digits-low")) / 5);
			return f;
		}

		private static float[] mean(List<MultiLayerNetwork> networks,
				java.util.function.Function<MultiLayerNetwork, float[]> predict) {
			float[] sum = null;
			for (MultiLayerNetwork network : networks) {
				float[] p = predict.apply(network);
				if (sum == null) {
					sum = new float[p.length];
				}
				for (int i = 0; i < p.length; i++) {
					sum[i] += p[i] / networks.size();
				}
			}
			return sum;
		}

		private static double accuracy(float[] p, List<SyntheticData.Example> examples) {
			int right = 0;
			int row = 0;
			for (SyntheticData.Example e : examples) {
				if (e.accepted()) {
					right += argmax(p, row) == e.label() ? 1 : 0;
					row++;
				}
			}
			return right / (double) examples.size();
		}

		private static double lowConfidence(float[] p, List<SyntheticData.Example> examples) {
			int caught = 0;
			int row = 0;
			for (SyntheticData.Example e : examples) {
				if (!e.accepted()) {
					caught++;
					continue;
				}
				caught += p[row * DigitNetwork.CLASSES + argmax(p, row)] < 0.5f ? 1 : 0;
				row++;
			}
			return caught / (double) examples.size();
		}

		private static float[] predict(MultiLayerNetwork network, List<SyntheticData.Example> examples) {
			List<float[]> kept = examples.stream()
				.filter(SyntheticData.Example::accepted)
				.map(SyntheticData.Example::pixels)
				.toList();
			if (kept.isEmpty()) {
				return new float[0];
			}
			float[] features = new float[kept.size() * DigitNetwork.PIXELS];
			for (int i = 0; i < kept.size(); i++) {
				System.arraycopy(kept.get(i), 0, features, i * DigitNetwork.PIXELS, DigitNetwork.PIXELS);
			}
			return network.output(Nd4j.create(features, new long[] { kept.size(), DigitNetwork.PIXELS }, 'c'), false)
				.data()
				.asFloat();
		}

		private static int argmax(float[] p, int row) {
			int best = 0;
			for (int c = 1; c < DigitNetwork.CLASSES; c++) {
				if (p[row * DigitNetwork.CLASSES + c] > p[row * DigitNetwork.CLASSES + best]) {
					best = c;
				}
			}
			return best;
		}

	}

	private static String format(Map<String, Double> figures) {
		StringBuilder s = new StringBuilder();
		figures.forEach((k, v) -> {
			if (!k.equals("score") && !k.equals("mnist-loss")) {
				s.append(String.format(Locale.ROOT, "%s %.4f  ", k, v));
			}
		});
		return s.toString().trim();
	}

	private static <T> T get(Future<T> future) {
		try {
			return future.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
		catch (java.util.concurrent.ExecutionException ex) {
			if (ex.getCause() instanceof IOException io) {
				throw new UncheckedIOException(io);
			}
			throw new IllegalStateException(ex.getCause());
		}
	}

}
