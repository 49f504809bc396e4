package dev.digits.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The model the service runs: the DL4J network, checked against the card's architecture, with its
 * training metadata and label mapping.
 */
public record LoadedModel(MultiLayerNetwork network, String name, String version, Map<String, Object> metadata,
		List<String> labels, Path dir) {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Loads and checks the artifacts in {@code dir}. */
	public static LoadedModel load(Path dir) throws IOException {
		ModelFiles files = new ModelFiles(dir);
		Path networkFile = files.network();
		if (!Files.isRegularFile(networkFile)) {
			throw new IOException("no model at " + networkFile.toAbsolutePath()
					+ " (set digits.model.dir, or train one: see README 'Train your own model')");
		}
		MultiLayerNetwork network = ModelSerializer.restoreMultiLayerNetwork(networkFile.toFile(), false);
		if (network.numParams() != DigitNetwork.PARAMETERS || network.getnLayers() != 8) {
			throw new IOException(networkFile + " is not the card's network: " + network.numParams() + " parameters in "
					+ network.getnLayers() + " layers, expected " + DigitNetwork.PARAMETERS + " in 8");
		}
		Map<String, Object> metadata = Files.isRegularFile(files.metadata())
				? JSON.readValue(files.metadata().toFile(), new TypeReference<LinkedHashMap<String, Object>>() {
				}) : Map.of();
		List<String> labels = labels(files.labels());
		String name = String.valueOf(metadata.getOrDefault("name", "mnist-cnn"));
		String version = String.valueOf(metadata.getOrDefault("version", "unversioned"));
		return new LoadedModel(network, name, version, metadata, labels, dir);
	}

	private static List<String> labels(Path file) throws IOException {
		if (!Files.isRegularFile(file)) {
			return java.util.stream.IntStream.range(0, DigitNetwork.CLASSES).mapToObj(String::valueOf).toList();
		}
		Map<String, String> mapping = JSON.readValue(file.toFile(), new TypeReference<Map<String, String>>() {
		});
		String[] labels = new String[DigitNetwork.CLASSES];
		for (int i = 0; i < labels.length; i++) {
			labels[i] = mapping.get(String.valueOf(i));
			if (labels[i] == null) {
				throw new IOException(file + " has no label for class " + i);
			}
		}
		return List.of(labels);
	}

}
