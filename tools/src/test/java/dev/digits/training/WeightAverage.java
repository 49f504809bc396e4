package dev.digits.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.digits.model.LoadedModel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The mean of several networks' weights, written as a DL4J zip ("model soup", weight
 * averaging of fine-tuned relatives): one network's cost at inference, unlike an
 * ensemble. Meaningful only for networks that descend from one another (the same basin);
 * the network has no batch normalisation, so its parameters average as they are. A
 * measurement to run by hand, then scored with {@code validation-score}:
 * {@code java -cp tools/target/test-classes:tools/target/classes:<deps> dev.digits.training.WeightAverage target/soup.zip models/mnist-cnn/6 training-runs/mixed-9/last.zip}.
 */
public final class WeightAverage {

	private WeightAverage() {
	}

	public static void main(String[] args) throws IOException {
		if (args.length < 3) {
			throw new IllegalArgumentException("usage: OUTPUT.zip MODEL MODEL [MODEL...]");
		}
		MultiLayerNetwork first = null;
		INDArray sum = null;
		for (int i = 1; i < args.length; i++) {
			Path model = Path.of(args[i]);
			MultiLayerNetwork network = Files.isDirectory(model) ? LoadedModel.load(model).network()
					: ModelSerializer.restoreMultiLayerNetwork(model.toFile(), false);
			if (first == null) {
				first = network;
				sum = network.params().dup();
			}
			else {
				sum.addi(network.params());
			}
		}
		first.setParams(sum.divi(args.length - 1));
		ModelSerializer.writeModel(first, Path.of(args[0]).toFile(), false);
		System.out.println("wrote " + args[0] + ", the mean of " + (args.length - 1) + " networks' weights");
	}

}
