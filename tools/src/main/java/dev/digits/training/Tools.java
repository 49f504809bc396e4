package dev.digits.training;

import java.util.Arrays;
import java.util.Map;

import dev.digits.model.NativeBuild;

/**
 * The model tools' command line: {@code train}, {@code evaluate}, {@code calibrate},
 * {@code finetune}, {@code golden}, {@code quantized-version} and {@code ensemble}, each
 * with its own {@code --name=value} options. Packaged as the tools jar, apart from the
 * service.
 */
public final class Tools {

	/** The commands, with what each does. */
	static final Map<String, String> COMMANDS = Map.of("train", "train a version (MNIST or the mixed recipes)",
			"evaluate", "measure a version on MNIST and the robustness and photo sets", "calibrate",
			"fit a version's temperature and out-of-distribution threshold", "finetune",
			"tune a version on a folder of your digits into a new version", "golden",
			"record a version's golden outputs", "quantized-version", "write the 8-bit copy of a version", "ensemble",
			"write an ensemble version of several versions");

	private Tools() {
	}

	public static void main(String[] args) throws Exception {
		// the tools' logging (logback-tools.xml): not logback.xml, which the service's
		// tests,
		// with this jar on their class path, would find twice
		if (System.getProperty("logback.configurationFile") == null) {
			System.setProperty("logback.configurationFile", "logback-tools.xml");
		}
		String command = args.length > 0 ? args[0] : "";
		String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
		if (!COMMANDS.containsKey(command)) {
			System.err.println((command.isEmpty() ? "" : "unknown command '" + command + "'; ")
					+ "usage: java -jar digits-tools.jar <command> [--name=value ...]");
			COMMANDS.entrySet()
				.stream()
				.sorted(Map.Entry.comparingByKey())
				.forEach(e -> System.err.printf("  %-18s %s%n", e.getKey(), e.getValue()));
			System.exit(command.isEmpty() || command.equals("--help") ? 0 : 2);
		}
		NativeBuild.select();
		switch (command) {
			case "train" -> TrainCommand.main(rest);
			case "evaluate" -> EvaluateCommand.main(rest);
			case "calibrate" -> CalibrateCommand.main(rest);
			case "finetune" -> FineTuneCommand.main(rest);
			case "golden" -> GoldenCommand.main(rest);
			case "quantized-version" -> QuantizedVersionCommand.main(rest);
			default -> EnsembleCommand.main(rest);
		}
	}

}
