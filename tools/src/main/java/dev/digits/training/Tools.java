package dev.digits.training;

import dev.digits.model.NativeBuild;

/**
 * The model tools' entry point: {@code train}, {@code evaluate}, {@code calibrate},
 * {@code finetune}, {@code golden}, {@code quantized-version} and {@code ensemble}
 * ({@link ToolsCli} declares them and their options; {@code --help} lists them). Packaged
 * as the tools jar, apart from the service.
 */
public final class Tools {

	private Tools() {
	}

	public static void main(String[] args) {
		// the tools' logging (logback-tools.xml): not logback.xml, which the
		// service's tests, with this jar on their class path, would find twice
		if (System.getProperty("logback.configurationFile") == null) {
			System.setProperty("logback.configurationFile", "logback-tools.xml");
		}
		NativeBuild.select();
		System.exit(ToolsCli.commandLine().execute(args));
	}

}
