package dev.digits.training;

import dev.digits.model.TfjsFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;

/**
 * {@code evaluate [--model=models/mnist-cnn.zip] [--mnist-dir=...]}: prints the card's tables for
 * any model file (the DL4J zip, or a TF.js {@code .json}, float or 8-bit) on the MNIST test set.
 */
public final class EvaluateCommand {

	private EvaluateCommand() {
	}

	public static void main(String[] args) throws IOException {
		Path model = Path.of("models/mnist-cnn.zip");
		String envDir = System.getenv(Mnist.ENV);
		Path mnistDir = Path.of(envDir != null && !envDir.isBlank() ? envDir : "data/mnist");
		for (String arg : args) {
			if (arg.startsWith("--model=")) {
				model = Path.of(arg.substring("--model=".length()));
			}
			else if (arg.startsWith("--mnist-dir=")) {
				mnistDir = Path.of(arg.substring("--mnist-dir=".length()));
			}
			else {
				throw new IllegalArgumentException("usage: evaluate [--model=FILE] [--mnist-dir=DIR], got '" + arg + "'");
			}
		}
		run(model, mnistDir, System.out);
	}

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

}
