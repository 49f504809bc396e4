package dev.digits.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The model the service runs: the DL4J network, checked against the card's architecture,
 * its weights all finite, its golden outputs reproduced, with its training metadata,
 * label mapping and calibration.
 */
public record LoadedModel(MultiLayerNetwork network, String name, String version, Map<String, Object> metadata,
		List<String> labels, Path dir, Calibration calibration) {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/**
	 * Loads and checks the artifacts in {@code dir}.
	 * @throws IOException naming the file and what is wrong with it: missing, not a DL4J
	 * zip (empty, truncated, corrupt), another architecture, malformed metadata or
	 * labels, no golden outputs
	 * @throws ModelCheckException non-finite weights, or golden outputs not reproduced
	 */
	public static LoadedModel load(Path dir) throws IOException {
		ModelFiles files = new ModelFiles(dir);
		Path networkFile = files.served().toAbsolutePath();
		if (!Files.isRegularFile(networkFile)) {
			throw new IOException("no model at " + networkFile
					+ " (set digits.model.dir, or train one: see README 'Train your own model')");
		}
		MultiLayerNetwork network = networkFile.getFileName().toString().endsWith(".json") ? readTfjs(networkFile)
				: restore(networkFile);
		if (network.numParams() != DigitNetwork.PARAMETERS || network.getnLayers() != DigitNetwork.LAYERS) {
			throw new IOException(networkFile + " is not the card's network: " + network.numParams() + " parameters in "
					+ network.getnLayers() + " layers, expected " + DigitNetwork.PARAMETERS + " in "
					+ DigitNetwork.LAYERS);
		}
		checkFinite(network, networkFile);
		Path metadataFile = files.metadata().toAbsolutePath();
		Map<String, Object> metadata = Files.isRegularFile(metadataFile)
				? json(metadataFile, new TypeReference<LinkedHashMap<String, Object>>() {
				}) : Map.of();
		GoldenSet.fromMetadata(metadata, metadataFile)
			.verify(inputs -> output(network, inputs), networkFile.toString());
		List<String> labels = labels(files.labels().toAbsolutePath());
		String name = String.valueOf(metadata.getOrDefault("name", "mnist-cnn"));
		String version = String.valueOf(metadata.getOrDefault("version", "unversioned"));
		Calibration calibration;
		try {
			calibration = Calibration.of(metadata, dir);
		}
		catch (RuntimeException ex) {
			throw new IOException(metadataFile + " has a malformed calibration: " + ex.getMessage(), ex);
		}
		return new LoadedModel(network, name, version, metadata, labels, dir, calibration);
	}

	/**
	 * An ensemble version's folder: its metadata, labels, calibration and members; no
	 * network of its own.
	 */
	public static LoadedModel ensemble(Path dir) throws IOException {
		ModelFiles files = new ModelFiles(dir);
		Path metadataFile = files.metadata().toAbsolutePath();
		Map<String, Object> metadata = json(metadataFile, new TypeReference<LinkedHashMap<String, Object>>() {
		});
		Map<String, Object> ensemble = json(files.ensemble().toAbsolutePath(),
				new TypeReference<LinkedHashMap<String, Object>>() {
				});
		if (!(ensemble.get("members") instanceof List<?> members) || members.size() < 2) {
			throw new IOException(files.ensemble().toAbsolutePath() + " must list at least two \"members\" (versions)");
		}
		Map<String, Object> withMembers = new LinkedHashMap<>(metadata);
		withMembers.put("members", members.stream().map(String::valueOf).toList());
		Calibration calibration;
		try {
			calibration = Calibration.of(metadata, dir);
		}
		catch (RuntimeException ex) {
			throw new IOException(metadataFile + " has a malformed calibration: " + ex.getMessage(), ex);
		}
		return new LoadedModel(null, String.valueOf(metadata.getOrDefault("name", "mnist-cnn")),
				String.valueOf(metadata.getOrDefault("version", "ensemble")), withMembers,
				labels(files.labels().toAbsolutePath()), dir, calibration);
	}

	/** The member versions of an ensemble, or an empty list for a single network. */
	@SuppressWarnings("unchecked")
	public List<String> members() {
		return network == null ? (List<String>) metadata.get("members") : List.of();
	}

	/** The golden set of this model's metadata. */
	public GoldenSet golden() throws IOException {
		return GoldenSet.fromMetadata(metadata, new ModelFiles(dir).metadata());
	}

	/** DL4J's own forward pass, one row of probabilities per input. */
	public static float[][] output(MultiLayerNetwork network, float[][] inputs) {
		float[] flat = new float[inputs.length * DigitNetwork.PIXELS];
		for (int i = 0; i < inputs.length; i++) {
			System.arraycopy(inputs[i], 0, flat, i * DigitNetwork.PIXELS, DigitNetwork.PIXELS);
		}
		INDArray out = network.output(Nd4j.create(flat, new long[] { inputs.length, DigitNetwork.PIXELS }, 'c'), false);
		float[] all = out.data().asFloat();
		float[][] rows = new float[inputs.length][];
		for (int i = 0; i < rows.length; i++) {
			rows[i] = java.util.Arrays.copyOfRange(all, i * DigitNetwork.CLASSES, (i + 1) * DigitNetwork.CLASSES);
		}
		return rows;
	}

	/** Restores a DL4J zip, naming the file in whatever goes wrong. */
	public static MultiLayerNetwork restore(Path file) throws IOException {
		if (Files.size(file) == 0) {
			throw new IOException(file + " is empty (0 bytes): not a DL4J model zip");
		}
		try {
			return ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
		}
		catch (IOException | RuntimeException ex) {
			throw new IOException(file + " is not a readable DL4J model zip (truncated or corrupt?): " + describe(ex),
					ex);
		}
	}

	private static MultiLayerNetwork readTfjs(Path file) throws IOException {
		try {
			return TfjsFormat.read(file);
		}
		catch (IOException | RuntimeException ex) {
			throw new IOException(file + " is not a readable TensorFlow.js layers model: " + describe(ex), ex);
		}
	}

	private static void checkFinite(MultiLayerNetwork network, Path file) {
		for (int layer = 0; layer < network.getnLayers(); layer++) {
			for (Map.Entry<String, INDArray> param : network.getLayer(layer).paramTable().entrySet()) {
				float[] values = param.getValue().data().asFloat();
				for (int i = 0; i < values.length; i++) {
					if (!Float.isFinite(values[i])) {
						throw new ModelCheckException(file + " has a non-finite weight (" + values[i] + ") in layer "
								+ layer + " parameter " + param.getKey() + " at index " + i);
					}
				}
			}
		}
	}

	private static <T> T json(Path file, TypeReference<T> type) throws IOException {
		try {
			return JSON.readValue(file.toFile(), type);
		}
		catch (JacksonException ex) {
			throw new IOException(file + " is not valid JSON of the expected shape: " + ex.getOriginalMessage()
					+ (ex.getLocation() != null ? " (line " + ex.getLocation().getLineNr() + ", column "
							+ ex.getLocation().getColumnNr() + ")" : ""),
					ex);
		}
	}

	private static String describe(Throwable ex) {
		StringBuilder text = new StringBuilder();
		for (Throwable t = ex; t != null && text.length() < 300; t = t.getCause()) {
			if (t.getMessage() != null) {
				text.append(text.length() > 0 ? "; " : "")
					.append(t.getClass().getSimpleName())
					.append(": ")
					.append(t.getMessage());
			}
		}
		return text.length() > 0 ? text.toString() : ex.getClass().getSimpleName();
	}

	private static List<String> labels(Path file) throws IOException {
		if (!Files.isRegularFile(file)) {
			return java.util.stream.IntStream.range(0, DigitNetwork.CLASSES).mapToObj(String::valueOf).toList();
		}
		Map<String, String> mapping = json(file, new TypeReference<Map<String, String>>() {
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
