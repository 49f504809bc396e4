package dev.digits.training;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.digits.model.GoldenSet;
import dev.digits.model.LoadedModel;
import dev.digits.model.ModelFiles;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code golden --model-dir=DIR [--mnist-dir=...]}: records the model's golden outputs
 * (see {@link GoldenSet}) in its {@code model-metadata.json}, for models written before
 * the trainer recorded them; every other key of the metadata is kept as it is.
 */
public final class GoldenCommand {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private GoldenCommand() {
	}

	public static GoldenSet run(Path modelDir, Mnist.Split test, PrintStream out) throws IOException {
		ModelFiles files = new ModelFiles(modelDir);
		MultiLayerNetwork network = LoadedModel.restore(files.network());
		GoldenSet golden = record(network, test);
		Map<String, Object> metadata = Files.isRegularFile(files.metadata())
				? JSON.readValue(files.metadata().toFile(), new TypeReference<LinkedHashMap<String, Object>>() {
				}) : new LinkedHashMap<>();
		metadata.put(GoldenSet.KEY, golden.toJson());
		JSON.writerWithDefaultPrettyPrinter().writeValue(files.metadata().toFile(), metadata);
		out.println("recorded " + golden.examples().size() + " golden outputs in " + files.metadata());
		return golden;
	}

	/** The golden set of {@code network} on the first test image of each digit. */
	static GoldenSet record(MultiLayerNetwork network, Mnist.Split test) {
		return GoldenSet.record(test.pixels(), test.labels(), inputs -> LoadedModel.output(network, inputs));
	}

}
