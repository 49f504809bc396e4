package dev.digits.training;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import dev.digits.model.NativeBuild;

/**
 * The model tools' command line: {@code train}, {@code evaluate}, {@code calibrate},
 * {@code finetune}, {@code golden}, {@code quantized-version} and {@code ensemble}, each
 * with its own {@code --name=value} options. Packaged as the tools jar, apart from the
 * service.
 */
public final class Tools {

	/** A command's entry point. */
	private interface Main {

		void run(String[] args) throws Exception;

	}

	/** A command: what it does, and its entry point. */
	private record Command(String description, Main main) {
	}

	/** The commands, by name. */
	static final Map<String, Command> COMMANDS = new TreeMap<>(Map.of( //
			"train", new Command("train a version (MNIST or the mixed recipes)", TrainCommand::main), //
			"evaluate",
			new Command("measure a version on MNIST and the robustness and photo sets", EvaluateCommand::main), //
			"calibrate",
			new Command("fit a version's temperature and out-of-distribution threshold", CalibrateCommand::main), //
			"finetune",
			new Command("tune a version on a folder of your digits into a new version", FineTuneCommand::main), //
			"golden", new Command("record a version's golden outputs", GoldenCommand::main), //
			"quantized-version", new Command("write the 8-bit copy of a version", QuantizedVersionCommand::main), //
			"ensemble", new Command("write an ensemble version of several versions", EnsembleCommand::main)));

	private Tools() {
	}

	public static void main(String[] args) throws Exception {
		// the tools' logging (logback-tools.xml): not logback.xml, which the
		// service's tests, with this jar on their class path, would find twice
		if (System.getProperty("logback.configurationFile") == null) {
			System.setProperty("logback.configurationFile", "logback-tools.xml");
		}
		String name = args.length > 0 ? args[0] : "";
		Command command = COMMANDS.get(name);
		if (command == null) {
			System.err.println((name.isEmpty() || name.equals("--help") ? "" : "unknown command '" + name + "'; ")
					+ "usage: java -jar tools/target/digits-tools-1.0.0-exec.jar <command> [--name=value ...]");
			COMMANDS.forEach((n, c) -> System.err.printf("  %-18s %s%n", n, c.description()));
			System.exit(name.isEmpty() || name.equals("--help") ? 0 : 2);
		}
		NativeBuild.select();
		command.main().run(Arrays.copyOfRange(args, 1, args.length));
	}

}
