package dev.digits;

import java.util.Arrays;

import dev.digits.system.NativeBuild;
import dev.digits.training.CalibrateCommand;
import dev.digits.training.EnsembleCommand;
import dev.digits.training.EvaluateCommand;
import dev.digits.training.FineTuneCommand;
import dev.digits.training.GoldenCommand;
import dev.digits.training.QuantizedVersionCommand;
import dev.digits.training.TrainCommand;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The service; a command as first argument ({@code train}, {@code evaluate},
 * {@code calibrate}, {@code finetune}, {@code golden}, {@code quantized-version},
 * {@code ensemble}) runs that command instead (no web server).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class DigitServiceApplication {

	public static void main(String[] args) throws Exception {
		NativeBuild.select();
		String command = args.length > 0 ? args[0] : "";
		String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
		switch (command) {
			case "train" -> TrainCommand.main(rest);
			case "evaluate" -> EvaluateCommand.main(rest);
			case "calibrate" -> CalibrateCommand.main(rest);
			case "finetune" -> FineTuneCommand.main(rest);
			case "golden" -> GoldenCommand.main(rest);
			case "quantized-version" -> QuantizedVersionCommand.main(rest);
			case "ensemble" -> EnsembleCommand.main(rest);
			default -> SpringApplication.run(DigitServiceApplication.class, args);
		}
	}

}
