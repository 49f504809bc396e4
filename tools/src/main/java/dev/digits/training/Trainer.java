package dev.digits.training;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import dev.digits.model.DigitNetwork;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Trains the card's network on the card's split: the first {@code trainSize} training
 * images are trained on, the last {@code validationSize} choose the best epoch, the test
 * set is held out.
 */
public final class Trainer {

	/** One epoch's figures. */
	public record Epoch(int epoch, double trainLoss, double validationLoss, double validationAccuracy, double seconds) {
	}

	/** The best network and the history that chose it. */
	public record Result(MultiLayerNetwork network, List<Epoch> history, int bestEpoch, Mnist.Split train,
			Mnist.Split validation, Mnist.Split test, double seconds) {
	}

	private final TrainingOptions options;

	private final PrintStream out;

	public Trainer(TrainingOptions options, PrintStream out) {
		this.options = options;
		this.out = out;
	}

	public Result train(Mnist mnist) {
		int available = mnist.train().size();
		if (options.trainSize() + options.validationSize() > available) {
			throw new IllegalArgumentException(
					"train-size + validation-size = " + (options.trainSize() + options.validationSize())
							+ " but MNIST has " + available + " training images");
		}
		Mnist.Split train = mnist.train().slice(0, options.trainSize());
		Mnist.Split validation = mnist.train().slice(available - options.validationSize(), available);
		Mnist.Split test = mnist.test().slice(0, Math.min(options.testSize(), mnist.test().size()));

		Nd4j.getRandom().setSeed(options.seed());
		MultiLayerNetwork network = DigitNetwork.create(options.seed(), options.learningRate());
		out.printf(Locale.ROOT, "training %d parameters on %d images, validating on %d, %d epochs of batch %d%n",
				network.numParams(), train.size(), validation.size(), options.epochs(), options.batchSize());

		Augmentation augmentation = options.augment()
				? new Augmentation(Augmentation.Settings.named(options.augmentSettings()), options.seed()) : null;
		if (augmentation != null || options.learningRateDecay() != 1.0) {
			out.printf(Locale.ROOT, "augmentation %s, learning rate %.6f decaying by %.4f per epoch%n",
					augmentation != null ? "on (" + options.augmentSettings() + ")" : "off", options.learningRate(),
					options.learningRateDecay());
		}
		Random shuffle = new Random(options.seed());
		int[] order = Batches.identity(train.size());
		List<Epoch> history = new ArrayList<>();
		INDArray bestParams = null;
		int bestEpoch = 0;
		double bestAccuracy = -1;
		long start = System.nanoTime();
		for (int epoch = 1; epoch <= options.epochs(); epoch++) {
			long epochStart = System.nanoTime();
			shuffle(order, shuffle);
			if (options.learningRateDecay() != 1.0) {
				// keeps Adam's moment estimates (DL4J rebuilds the updater around its
				// state array)
				network.setLearningRate(options.learningRate(epoch));
			}
			double lossSum = 0;
			int batches = 0;
			for (int from = 0; from < order.length; from += options.batchSize()) {
				int to = Math.min(order.length, from + options.batchSize());
				network.fit(Batches.dataSet(train, order, from, to, augmentation, epoch));
				lossSum += network.score();
				batches++;
			}
			ClassificationReport validationReport = Batches.evaluate(network, validation);
			double seconds = (System.nanoTime() - epochStart) / 1e9;
			Epoch figures = new Epoch(epoch, lossSum / batches, validationReport.loss(), validationReport.accuracy(),
					seconds);
			history.add(figures);
			boolean best = figures.validationAccuracy() > bestAccuracy;
			if (best) {
				bestAccuracy = figures.validationAccuracy();
				bestEpoch = epoch;
				bestParams = network.params().dup();
			}
			double elapsed = (System.nanoTime() - start) / 1e9;
			double eta = elapsed / epoch * (options.epochs() - epoch);
			out.printf(Locale.ROOT,
					"epoch %2d/%d  loss %.4f  val_loss %.4f  val_acc %.4f  epoch %s  elapsed %s  eta %s%s%n", epoch,
					options.epochs(), figures.trainLoss(), figures.validationLoss(), figures.validationAccuracy(),
					format(seconds), format(elapsed), format(eta), best ? "  *best" : "");
		}
		network.setParams(bestParams);
		double seconds = (System.nanoTime() - start) / 1e9;
		return new Result(network, history, bestEpoch, train, validation, test, seconds);
	}

	static void shuffle(int[] order, Random random) {
		for (int i = order.length - 1; i > 0; i--) {
			int j = random.nextInt(i + 1);
			int tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
	}

	static String format(double seconds) {
		Duration d = Duration.ofMillis(Math.round(seconds * 1000));
		return d.toMinutes() > 0 ? String.format(Locale.ROOT, "%dm%02ds", d.toMinutes(), d.toSecondsPart())
				: String.format(Locale.ROOT, "%.1fs", seconds);
	}

}
