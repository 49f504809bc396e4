package dev.digits.training;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import dev.digits.model.DigitNetwork;
import dev.digits.model.GoldenSet;
import dev.digits.model.LoadedModel;
import dev.digits.model.ModelFiles;
import dev.digits.model.ModelRepository;
import dev.digits.model.Normalization;
import dev.digits.model.TfjsFormat;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code finetune --from=VERSION --data=DIR|CSV [--to=VERSION] [--models=models] [--mnist-dir=...]
 * [--epochs=8] [--learning-rate=0.0002] [--batch-size=64] [--seed=42] [--holdout=0.2] [--replay=4]
 * [--augment=true] [--calibration-set-size=1000] [--non-digits=250]}: fine-tunes a
 * version on a user's own labelled digits ({@link UserDigits}: a folder per digit or a
 * CSV of file,label, every image through the serving preprocessor) and writes the result
 * as a new version of the model repository, ready to be served and A/B tested.
 *
 * <p>
 * How: a stratified, seeded fifth of the user's images is held out and never trained on;
 * the rest is mixed with {@code replay} times as many MNIST training images (so the
 * network does not forget MNIST), both augmented like the augmented model, for a fixed
 * number of epochs with Adam from the source version's weights. No epoch is chosen on the
 * held-out part, so its figures are honest. The new version gets the DL4J zip, the TF.js
 * float and 8-bit copies, its metadata (what it derives from, the data's digest, the
 * options, before/after figures), golden outputs, and its calibration and OOD thresholds
 * ({@code calibrate}); {@code finetune-report.md} and {@code .json} compare source and
 * result on the held-out part, the trained part and the MNIST test set.
 *
 * <p>
 * The folder is written beside the versions under a dot name and renamed into place when
 * complete, so a running service's repository watcher never sees half a version.
 */
public final class FineTuneCommand {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int EVAL_BATCH = 1000;

	/** Every knob of a fine-tuning run. */
	public record Options(String from, Path data, String to, Path models, Path mnistDir, int epochs,
			double learningRate, int batchSize, long seed, double holdout, int replay, boolean augment,
			int calibrationSetSize, int nonDigits) {

		public Options {
			require(from != null && !from.isBlank(), "--from=VERSION is required (the version to start from)");
			require(data != null, "--data=DIR or --data=FILE.csv is required");
			require(to == null || to.matches(dev.digits.model.ModelRepository.VERSION),
					"--to must be a version name (" + dev.digits.model.ModelRepository.VERSION + "), got " + to);
			require(epochs >= 1 && epochs <= 1000, "epochs must be 1 .. 1000");
			require(learningRate > 0 && learningRate < 1, "learning-rate must be in (0, 1)");
			require(batchSize >= 1 && batchSize <= 4096, "batch-size must be 1 .. 4096");
			require(holdout > 0 && holdout < 1, "holdout must be in (0, 1)");
			require(replay >= 0 && replay <= 100, "replay must be 0 .. 100");
			require(calibrationSetSize >= 10 && nonDigits >= 1, "calibration-set-size >= 10, non-digits >= 1");
		}

		/**
		 * The options {@code args} give ({@link ToolsCli.FineTune} declares them).
		 * @throws IllegalArgumentException for an unknown option, a missing or bad value
		 */
		public static Options parse(String[] args) {
			return ToolsCli.parse(new ToolsCli.FineTune(), args).options();
		}

	}

	/** Accuracy and loss of the source and the tuned network on one set. */
	public record Comparison(String set, int examples, double accuracyBefore, double accuracyAfter, double lossBefore,
			double lossAfter) {
	}

	/** What a run wrote and measured, and the images it held out. */
	public record Result(String version, Path dir, List<Comparison> comparisons, Map<String, Object> metadata,
			UserDigits heldOut) {

		public Comparison comparison(String set) {
			return comparisons.stream().filter(c -> c.set().equals(set)).findFirst().orElseThrow();
		}

	}

	private FineTuneCommand() {
	}

	public static Result run(Options options, PrintStream out) throws IOException {
		long start = System.nanoTime();
		ModelRepository repository = new ModelRepository(options.models(), "mnist-cnn");
		List<ModelRepository.Source> versions = repository.scan(java.time.Duration.ZERO);
		ModelRepository.Source source = versions.stream()
			.filter(v -> v.version().equals(options.from()))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("no version " + options.from() + " in " + options.models()
					+ "; versions: " + versions.stream().map(ModelRepository.Source::version).toList()));
		String target = options.to() != null ? options.to() : nextVersion(versions);
		Path dir = repository.versionsDir().resolve(target);
		if (versions.stream().anyMatch(v -> v.version().equals(target)) || Files.exists(dir)) {
			throw new IllegalArgumentException("version " + target + " exists already (" + dir
					+ "); a fine-tuned model is always a new version: choose another --to");
		}
		UserDigits data = UserDigits.read(options.data());
		LoadedModel loaded = LoadedModel.load(source.dir());
		if (loaded.network() == null) {
			throw new IllegalArgumentException("version " + options.from() + " is an ensemble: fine-tune one of its "
					+ "members " + loaded.members());
		}
		Mnist mnist = Mnist.load(options.mnistDir());
		int[] split = split(loaded, mnist);
		Mnist.Split replayPool = mnist.train().slice(0, split[0]);
		int[][] parts = holdout(data.labels(), options.holdout(), options.seed());
		UserDigits tuneSet = data.subset(parts[0]);
		UserDigits heldOut = data.subset(parts[1]);
		out.printf(Locale.ROOT, "fine-tuning version %s on %d images of %s %s: %d trained on, %d held out%n",
				options.from(), data.size(), options.data(), java.util.Arrays.toString(data.counts()), tuneSet.size(),
				heldOut.size());

		MultiLayerNetwork before = loaded.network();
		MultiLayerNetwork network = DigitNetwork.create(options.seed(), options.learningRate());
		network.setParams(before.params().dup());
		Pool pool = new Pool(tuneSet, replayPool, Math.min(replayPool.size(), options.replay() * tuneSet.size()));
		Augmentation augmentation = options.augment()
				? new Augmentation(Augmentation.Settings.defaults(), options.seed()) : null;
		train(network, pool, heldOut, augmentation, options, out);

		List<Comparison> comparisons = List.of(compare("held-out", before, network, heldOut.pixels(), heldOut.labels()),
				compare("trained-on", before, network, tuneSet.pixels(), tuneSet.labels()),
				compare("mnist-test", before, network, mnistPixels(mnist.test()), mnist.test().labels()));
		Path staging = repository.versionsDir().resolve("." + target + ".finetune");
		deleteRecursively(staging);
		Files.createDirectories(staging);
		try {
			Map<String, Object> metadata = write(network, staging, loaded, source, data, tuneSet, heldOut, pool, mnist,
					split[1], comparisons, options, (System.nanoTime() - start) / 1e9);
			Files.copy(new ModelFiles(source.dir()).labels(), new ModelFiles(staging).labels(),
					StandardCopyOption.REPLACE_EXISTING);
			// flagged at the rate the version it came from was calibrated at
			double rate = ModelQuality.falseFlagRate(JSON.readTree(new ModelFiles(source.dir()).metadata().toFile()));
			ModelQuality.Fitted fitted = CalibrateCommand.run(staging, options.mnistDir(), options.calibrationSetSize(),
					options.nonDigits(), rate, out);
			heldOutReference(staging, network, heldOut, out);
			Files.writeString(staging.resolve("finetune-report.md"),
					markdown(options, target, data, comparisons, fitted));
			JSON.writerWithDefaultPrettyPrinter()
				.writeValue(staging.resolve("finetune-report.json").toFile(),
						Map.of("from", options.from(), "version", target, "comparisons", comparisons));
			LoadedModel.load(staging);
			Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
			out.print(table(comparisons));
			out.printf(Locale.ROOT, "wrote version %s to %s in %s%n", target, dir,
					Trainer.format((System.nanoTime() - start) / 1e9));
			return new Result(target, dir, comparisons, metadata, heldOut);
		}
		finally {
			deleteRecursively(staging);
		}
	}

	/**
	 * With enough held-out images, the new version's drift reference is its answers on
	 * them: the traffic it was tuned for and checked on (the captures of a shifted kind),
	 * so that the same traffic does not raise drift once it is the default. With fewer
	 * than a reference needs, the reference {@code calibrate} wrote from the MNIST
	 * validation split stays.
	 */
	private static void heldOutReference(Path staging, MultiLayerNetwork network, UserDigits heldOut, PrintStream out)
			throws IOException {
		if (heldOut.size() < dev.digits.drift.DriftReference.MIN_IMAGES) {
			out.printf(Locale.ROOT, "drift reference: the MNIST validation split (%d held-out images, fewer than %d)%n",
					heldOut.size(), dev.digits.drift.DriftReference.MIN_IMAGES);
			return;
		}
		dev.digits.drift.DriftReference reference = dev.digits.drift.DriftReference.of(
				"the version's answers on the " + heldOut.size()
						+ " held-out images of the data it was fine-tuned on (never trained on), under its calibration",
				dev.digits.model.Calibration.ofVersion(staging),
				DriftCommand.logits(NetworkOutputs.of(network, heldOut.pixels())));
		reference.write(staging.resolve(dev.digits.drift.DriftReference.FILE));
		out.printf(Locale.ROOT, "drift reference: the version's answers on its %d held-out images%n", heldOut.size());
	}

	/** User images to tune on, and the MNIST training images replayed beside them. */
	private record Pool(UserDigits user, Mnist.Split replay, int replayPerEpoch) {

		int size() {
			return user.size() + replayPerEpoch;
		}

	}

	private static void train(MultiLayerNetwork network, Pool pool, UserDigits heldOut, Augmentation augmentation,
			Options options, PrintStream out) {
		Random random = new Random(options.seed());
		int replayTotal = pool.replay().size();
		for (int epoch = 1; epoch <= options.epochs(); epoch++) {
			long epochStart = System.nanoTime();
			// each epoch: every user image, and a fresh sample of MNIST images (index >=
			// user size)
			int[] order = new int[pool.size()];
			for (int i = 0; i < pool.user().size(); i++) {
				order[i] = i;
			}
			for (int i = 0; i < pool.replayPerEpoch(); i++) {
				order[pool.user().size() + i] = pool.user().size() + random.nextInt(replayTotal);
			}
			shuffle(order, random);
			double lossSum = 0;
			int batches = 0;
			for (int from = 0; from < order.length; from += options.batchSize()) {
				int to = Math.min(order.length, from + options.batchSize());
				network.fit(batch(pool, order, from, to, augmentation, epoch));
				lossSum += network.score();
				batches++;
			}
			ClassificationReport held = ClassificationReport.of(predict(network, heldOut.pixels()), heldOut.labels());
			out.printf(Locale.ROOT,
					"epoch %2d/%d  loss %.4f  held-out accuracy %.4f (reported, not used to choose)  %s%n", epoch,
					options.epochs(), lossSum / batches, held.accuracy(),
					Trainer.format((System.nanoTime() - epochStart) / 1e9));
		}
	}

	private static DataSet batch(Pool pool, int[] order, int from, int to, Augmentation augmentation, int epoch) {
		int n = to - from;
		int users = pool.user().size();
		float[] features = new float[n * DigitNetwork.PIXELS];
		float[] oneHot = new float[n * DigitNetwork.CLASSES];
		for (int i = 0; i < n; i++) {
			int index = order[from + i];
			float[] image;
			int label;
			if (index < users) {
				image = java.util.Arrays.copyOfRange(pool.user().pixels(), index * DigitNetwork.PIXELS,
						(index + 1) * DigitNetwork.PIXELS);
				label = pool.user().labels()[index];
			}
			else {
				int r = index - users;
				image = new float[DigitNetwork.PIXELS];
				Normalization.normalize(pool.replay().pixels(), r * DigitNetwork.PIXELS, image, 0, DigitNetwork.PIXELS);
				label = pool.replay().labels()[r];
			}
			if (augmentation != null) {
				image = augmentation.augment(image, epoch, index);
			}
			System.arraycopy(image, 0, features, i * DigitNetwork.PIXELS, DigitNetwork.PIXELS);
			oneHot[i * DigitNetwork.CLASSES + label] = 1f;
		}
		return new DataSet(Nd4j.create(features, new long[] { n, DigitNetwork.PIXELS }, 'c'),
				Nd4j.create(oneHot, new long[] { n, DigitNetwork.CLASSES }, 'c'));
	}

	/**
	 * Indices to tune on and to hold out: per digit, a seeded shuffle and the first
	 * {@code round(count * fraction)} held out (at least one of a digit with two or more
	 * images).
	 */
	static int[][] holdout(byte[] labels, double fraction, long seed) {
		Random random = new Random(seed);
		List<Integer> tune = new ArrayList<>();
		List<Integer> held = new ArrayList<>();
		for (int digit = 0; digit < DigitNetwork.CLASSES; digit++) {
			List<Integer> indices = new ArrayList<>();
			for (int i = 0; i < labels.length; i++) {
				if (labels[i] == digit) {
					indices.add(i);
				}
			}
			java.util.Collections.shuffle(indices, random);
			int count = indices.size();
			int out = count < 2 ? 0 : Math.max(1, (int) Math.round(count * fraction));
			held.addAll(indices.subList(0, out));
			tune.addAll(indices.subList(out, count));
		}
		if (held.isEmpty() || tune.isEmpty()) {
			throw new UserDigits.DataException(
					"too few examples to hold out " + fraction + " and still tune: " + labels.length + " images");
		}
		return new int[][] { tune.stream().sorted().mapToInt(Integer::intValue).toArray(),
				held.stream().sorted().mapToInt(Integer::intValue).toArray() };
	}

	private static Comparison compare(String set, MultiLayerNetwork before, MultiLayerNetwork after, float[] pixels,
			byte[] labels) {
		ClassificationReport b = ClassificationReport.of(predict(before, pixels), labels);
		ClassificationReport a = ClassificationReport.of(predict(after, pixels), labels);
		return new Comparison(set, labels.length, b.accuracy(), a.accuracy(), b.loss(), a.loss());
	}

	/**
	 * Softmax outputs of {@code network} for {@code n x 784} inputs, row-major
	 * {@code n x 10}.
	 */
	static float[] predict(MultiLayerNetwork network, float[] pixels) {
		int n = pixels.length / DigitNetwork.PIXELS;
		float[] out = new float[n * DigitNetwork.CLASSES];
		for (int from = 0; from < n; from += EVAL_BATCH) {
			int to = Math.min(n, from + EVAL_BATCH);
			INDArray input = Nd4j.create(
					java.util.Arrays.copyOfRange(pixels, from * DigitNetwork.PIXELS, to * DigitNetwork.PIXELS),
					new long[] { to - from, DigitNetwork.PIXELS }, 'c');
			float[] chunk = network.output(input, false).data().asFloat();
			System.arraycopy(chunk, 0, out, from * DigitNetwork.CLASSES, chunk.length);
		}
		return out;
	}

	private static float[] mnistPixels(Mnist.Split split) {
		float[] pixels = new float[split.size() * DigitNetwork.PIXELS];
		Normalization.normalize(split.pixels(), 0, pixels, 0, pixels.length);
		return pixels;
	}

	private static Map<String, Object> write(MultiLayerNetwork network, Path dir, LoadedModel loaded,
			ModelRepository.Source source, UserDigits data, UserDigits tuneSet, UserDigits heldOut, Pool pool,
			Mnist mnist, int validationSize, List<Comparison> comparisons, Options options, double seconds)
			throws IOException {
		ModelFiles files = new ModelFiles(dir);
		ModelSerializer.writeModel(network, files.network().toFile(), false);
		long tfjsBytes = TfjsFormat.write(network, files.tfjs(), ModelFiles.TFJS_WEIGHTS, false);
		long int8Bytes = TfjsFormat.write(network, files.quantized(), ModelFiles.QUANTIZED_WEIGHTS, true);
		ClassificationReport test = Batches.evaluate(network, mnist.test());
		ClassificationReport quantized = Batches.evaluate(TfjsFormat.read(files.quantized()), mnist.test());
		OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
		Map<String, Object> metadata = new LinkedHashMap<>();
		metadata.put("name", loaded.name());
		metadata.put("version", loaded.version() + "-ft" + now.format(DateTimeFormatter.ofPattern("yyyyMMddHHmm")));
		metadata.put("createdAt", now.toString());
		metadata.put("description", "version " + source.version() + " fine-tuned on " + data.size() + " user images ("
				+ tuneSet.size() + " trained on, " + heldOut.size() + " held out)");
		metadata.put("derivedFrom", Map.of("version", source.version(), "artifact", loaded.version()));
		if (loaded.metadata().get("architecture") != null) {
			metadata.put("architecture", loaded.metadata().get("architecture"));
		}
		Map<String, Object> tuning = new LinkedHashMap<>();
		tuning.put("data",
				Map.of("source", options.data().getFileName().toString(), "images", data.size(), "perDigit",
						data.counts(), "sha256", data.sha256(), "trainedOn", tuneSet.size(), "heldOut", heldOut.size(),
						"heldOutFiles", heldOut.files()));
		tuning.put("optimizer", "Adam (fresh moments), from the source version's weights");
		tuning.put("learningRate", options.learningRate());
		tuning.put("batchSize", options.batchSize());
		tuning.put("epochs", options.epochs());
		tuning.put("selection", "none: the last epoch (the held-out part only reports)");
		tuning.put("replay", Map.of("perUserImage", options.replay(), "perEpoch", pool.replayPerEpoch(), "from",
				"the first " + pool.replay().size() + " MNIST training images, sampled per epoch"));
		tuning.put("augmentation",
				options.augment() ? Augmentation.Settings.defaults().describe() : Map.of("enabled", false));
		tuning.put("preprocessing", "the service's ImagePreprocessor with default limits, as for uploads");
		tuning.put("seed", options.seed());
		tuning.put("seconds", Math.round(seconds * 10) / 10.0);
		tuning.put("comparisons", comparisons);
		metadata.put("fineTuning", tuning);
		metadata.put("data", Map.of("name", "MNIST", "sha256", mnist.sha256(), "split",
				Map.of("train", pool.replay().size(), "validation", validationSize, "test", mnist.test().size())));
		metadata.put("metrics", Map.of("test", test));
		metadata.put(GoldenSet.KEY, GoldenCommand.record(network, mnist.test()).toJson());
		metadata.put("artifacts",
				Map.of("dl4j", Map.of("file", ModelFiles.NETWORK, "bytes", Files.size(files.network())), "tfjs",
						Map.of("file", ModelFiles.TFJS, "weightsBytes", tfjsBytes), "quantized",
						Map.of("file", ModelFiles.QUANTIZED, "weightsBytes", int8Bytes, "testAccuracy",
								quantized.accuracy(), "testLoss", quantized.loss())));
		JSON.writerWithDefaultPrettyPrinter().writeValue(files.metadata().toFile(), metadata);
		return metadata;
	}

	/**
	 * The source's training and validation sizes (MNIST's first images replayed, its last
	 * ones calibrate); when the MNIST folder holds fewer (a test fixture), five sixths
	 * and one sixth of it.
	 */
	static int[] split(LoadedModel loaded, Mnist mnist) {
		int available = mnist.train().size();
		int train = intAt(loaded.metadata(), 50_000, "data", "split", "train");
		int validation = intAt(loaded.metadata(), 10_000, "data", "split", "validation");
		if (train + validation > available) {
			train = available * 5 / 6;
			validation = available - train;
		}
		return new int[] { train, validation };
	}

	private static String markdown(Options options, String target, UserDigits data, List<Comparison> comparisons,
			ModelQuality.Fitted fitted) {
		StringBuilder md = new StringBuilder();
		md.append("# Fine-tuning: version ")
			.append(options.from())
			.append(" to version ")
			.append(target)
			.append("\n\n");
		md.append(String.format(Locale.ROOT,
				"%d images from `%s` (per digit %s, SHA-256 `%s`); %d epochs, learning "
						+ "rate %s, batch %d, replay %dx MNIST, augmentation %s, seed %d.%n%n",
				data.size(), options.data().getFileName(), java.util.Arrays.toString(data.counts()),
				data.sha256().substring(0, 16), options.epochs(), options.learningRate(), options.batchSize(),
				options.replay(), options.augment() ? "on" : "off", options.seed()));
		md.append(table(comparisons)).append('\n');
		md.append(String.format(Locale.ROOT,
				"The held-out images were never trained on and chose nothing. `mnist-test` shows what was forgotten. "
						+ "Calibration of the new version: temperature %.4f fitted on the MNIST validation split.%n",
				fitted.temperature()));
		return md.toString();
	}

	static String table(List<Comparison> comparisons) {
		StringBuilder t = new StringBuilder();
		t.append("| set | images | accuracy before | accuracy after | loss before | loss after |\n");
		t.append("|---|---:|---:|---:|---:|---:|\n");
		for (Comparison c : comparisons) {
			t.append(String.format(Locale.ROOT, "| %s | %d | %.2f%% | %.2f%% | %.4f | %.4f |%n", c.set(), c.examples(),
					100 * c.accuracyBefore(), 100 * c.accuracyAfter(), c.lossBefore(), c.lossAfter()));
		}
		return t.toString();
	}

	/** One more than the largest numeric version, at least 2. */
	static String nextVersion(List<ModelRepository.Source> versions) {
		int max = 1;
		for (ModelRepository.Source v : versions) {
			if (v.version().matches("[0-9]{1,9}")) {
				max = Math.max(max, Integer.parseInt(v.version()));
			}
		}
		return String.valueOf(max + 1);
	}

	private static int intAt(Map<String, Object> map, int fallback, String... path) {
		Object node = map;
		for (String key : path) {
			node = node instanceof Map<?, ?> m ? m.get(key) : null;
		}
		return node instanceof Number n ? n.intValue() : fallback;
	}

	private static void shuffle(int[] order, Random random) {
		for (int i = order.length - 1; i > 0; i--) {
			int j = random.nextInt(i + 1);
			int tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
	}

	private static void deleteRecursively(Path dir) throws IOException {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> walk = Files.walk(dir)) {
			walk.sorted(Comparator.reverseOrder()).forEach(p -> {
				try {
					Files.delete(p);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
		}
	}

	private static void require(boolean condition, String message) {
		if (!condition) {
			throw new IllegalArgumentException(message);
		}
	}

}
