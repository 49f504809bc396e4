package dev.digits.training;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.digits.model.ModelFiles;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code calibrate} ({@link ToolsCli.Calibrate} has its options): fits calibration and
 * OOD data for the model in a folder ({@link ModelQuality#fit}) and writes
 * {@value #OOD_FILE} beside it; adds {@code calibration} and {@code ood} to its
 * {@code model-metadata.json} and changes nothing else there; then writes the version's
 * drift reference under that calibration ({@link DriftCommand#reference}).
 */
public final class CalibrateCommand {

	/** The OOD data file in a model folder. */
	public static final String OOD_FILE = "ood.json";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private CalibrateCommand() {
	}

	/**
	 * Fits, writes {@value #OOD_FILE} and the metadata entries; returns what was fitted.
	 */
	public static ModelQuality.Fitted run(Path modelDir, Path mnistDir, int setSize, int nonDigitsPerKind,
			double falseFlagRate, PrintStream out) throws IOException {
		ModelFiles files = new ModelFiles(modelDir);
		MultiLayerNetwork network = EvaluateCommand.load(files.served());
		JsonNode metadata = JSON.readTree(files.metadata().toFile());
		int trainSize = metadata.at("/data/split/train").asInt(50_000);
		int validationSize = metadata.at("/data/split/validation").asInt(10_000);
		ModelQuality.Fitted fitted = ModelQuality.fit(network, Mnist.load(mnistDir), trainSize, validationSize, setSize,
				nonDigitsPerKind, falseFlagRate, out);
		JSON.writeValue(modelDir.resolve(OOD_FILE).toFile(), ModelQuality.oodFile(fitted));
		ObjectNode updated = (ObjectNode) metadata;
		updated.set("calibration", JSON.valueToTree(ModelQuality.calibrationEntry(fitted)));
		updated.set("ood", JSON.valueToTree(ModelQuality.oodEntry(fitted, OOD_FILE)));
		String text = JSON.writerWithDefaultPrettyPrinter().writeValueAsString(updated);
		Files.writeString(files.metadata(), text);
		out.println(
				"wrote " + modelDir.resolve(OOD_FILE) + " and the calibration and ood entries of " + files.metadata());
		// drift is measured under the calibration served: a new one needs a new reference
		try {
			DriftCommand.reference(modelDir, mnistDir, out);
		}
		catch (IOException ex) {
			// a calibration the service cannot serve (an OOD score it does not compute)
			// has no
			// reference either; the version's load says why
			out.println("no drift reference written: " + ex.getMessage());
		}
		return fitted;
	}

}
