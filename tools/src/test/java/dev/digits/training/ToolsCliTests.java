package dev.digits.training;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The tools' command line: help for the tools and for each command, a misspelt option
 * refused with the nearest real one and exit code 2, and both option forms.
 */
class ToolsCliTests {

	private record Run(int code, String out, String err) {
	}

	private static Run run(String... args) {
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		CommandLine cli = ToolsCli.commandLine();
		cli.setOut(new PrintWriter(out));
		cli.setErr(new PrintWriter(err));
		int code = cli.execute(args);
		return new Run(code, out.toString(), err.toString());
	}

	@Test
	void helpListsEveryCommand() {
		Run help = run("--help");

		assertThat(help.code()).isZero();
		assertThat(help.out()).contains("train", "evaluate", "calibrate", "finetune", "golden", "quantized-version",
				"ensemble");
	}

	@Test
	void eachCommandHasHelpWithItsDefaults() {
		Run train = run("train", "--help");
		assertThat(train.code()).isZero();
		assertThat(train.out()).contains("--recipe", "Default: mnist", "--checkpoint-dir",
				"default: target/training-checkpoint");
		Run calibrate = run("calibrate", "--help");
		assertThat(calibrate.out()).contains("--false-flag-rate", "default: " + ModelQuality.FALSE_FLAG_RATE);
		for (String command : new String[] { "evaluate", "finetune", "golden", "quantized-version", "ensemble" }) {
			Run r = run(command, "--help");
			assertThat(r.code()).as(command).isZero();
			assertThat(r.out()).as(command).contains("Usage: digits-tools " + command);
		}
	}

	@Test
	void aMisspeltOptionOrNoCommandIsRefusedWithExitCode2() {
		Run misspelt = run("train", "--epoch=3");
		assertThat(misspelt.code()).isEqualTo(2);
		assertThat(misspelt.err()).contains("Unknown option: '--epoch=3'", "Possible solutions: --epochs");

		Run missing = run("finetune", "--data=x");
		assertThat(missing.code()).isEqualTo(2);
		assertThat(missing.err()).contains("Missing required option: '--from=VERSION'");

		Run none = run();
		assertThat(none.code()).isEqualTo(2);
		assertThat(none.err()).contains("Name a command.");
	}

	@Test
	void bothOptionFormsAndTypedValues() {
		TrainingOptions joined = TrainingOptions
			.parse(new String[] { "--epochs=3", "--init-from=models/mnist-cnn/5", "--recipe=mixed-hard" });
		TrainingOptions separate = TrainingOptions
			.parse(new String[] { "--epochs", "3", "--init-from", "models/mnist-cnn/5", "--recipe", "mixed-hard" });

		assertThat(separate).isEqualTo(joined);
		assertThat(joined.initFrom()).isEqualTo(Path.of("models/mnist-cnn/5"));
		assertThatIllegalArgumentException().isThrownBy(() -> TrainingOptions.parse(new String[] { "--epochs=three" }))
			.withMessageContaining("--epochs");
	}

}
