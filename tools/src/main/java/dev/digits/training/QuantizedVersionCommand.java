package dev.digits.training;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.digits.model.GoldenSet;
import dev.digits.model.ModelFiles;
import dev.digits.model.TfjsFormat;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code quantized-version --from=models/mnist-cnn/1 --to=models/mnist-cnn/2 [--mnist-dir=...]}:
 * makes a servable version folder of a model's 8-bit copy (the card's quantization, as an
 * A/B variant): the 8-bit TF.js topology as {@value ModelFiles#TFJS} with its weights,
 * the label mapping, and metadata of its own (what it derives from, its test figures, its
 * golden outputs, computed on what it dequantizes to).
 */
public final class QuantizedVersionCommand {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private QuantizedVersionCommand() {
	}

	public static Map<String, Object> run(Path from, Path to, Mnist.Split test, PrintStream out) throws IOException {
		ModelFiles source = new ModelFiles(from);
		ModelFiles target = new ModelFiles(to);
		Files.createDirectories(to);
		Files.copy(source.quantized(), target.tfjs(), StandardCopyOption.REPLACE_EXISTING);
		Files.copy(from.resolve(ModelFiles.QUANTIZED_WEIGHTS), to.resolve(ModelFiles.QUANTIZED_WEIGHTS),
				StandardCopyOption.REPLACE_EXISTING);
		Files.copy(source.labels(), target.labels(), StandardCopyOption.REPLACE_EXISTING);
		Map<String, Object> parent = JSON.readValue(source.metadata().toFile(),
				new TypeReference<LinkedHashMap<String, Object>>() {
				});
		MultiLayerNetwork network = TfjsFormat.read(target.tfjs());
		ClassificationReport report = Batches.evaluate(network, test);
		Map<String, Object> metadata = new LinkedHashMap<>();
		metadata.put("name", parent.getOrDefault("name", "mnist-cnn"));
		metadata.put("version", parent.get("version") + "-int8");
		metadata.put("createdAt", OffsetDateTime.now(ZoneOffset.UTC).toString());
		metadata.put("description", "8-bit copy of " + parent.get("version")
				+ ": kernels uint8 with one scale and minimum per tensor, biases float32; served dequantized");
		metadata.put("derivedFrom",
				Map.of("artifact", String.valueOf(parent.get("version")), "file", ModelFiles.QUANTIZED));
		metadata.put("architecture", parent.get("architecture"));
		metadata.put("data", parent.get("data"));
		if (parent.get("artifacts") instanceof Map<?, ?> artifacts && artifacts.get("quantized") != null) {
			metadata.put("quantization", artifacts.get("quantized"));
		}
		metadata.put("metrics", Map.of("test", report));
		metadata.put(GoldenSet.KEY, GoldenCommand.record(network, test).toJson());
		metadata.put("artifacts",
				Map.of("tfjs", Map.of("file", ModelFiles.TFJS, "weights", List.of(ModelFiles.QUANTIZED_WEIGHTS))));
		JSON.writerWithDefaultPrettyPrinter().writeValue(target.metadata().toFile(), metadata);
		out.printf(java.util.Locale.ROOT, "wrote %s: 8-bit copy, test accuracy %.4f%n", to, report.accuracy());
		return metadata;
	}

}
