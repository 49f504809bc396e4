package dev.digits;

import java.util.Arrays;

import dev.digits.training.CalibrateCommand;
import dev.digits.training.EvaluateCommand;
import dev.digits.training.TrainCommand;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The service; {@code train ...}, {@code evaluate ...} and {@code calibrate ...} as first argument run
 * the training, evaluation and calibration commands instead (no web server).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class DigitServiceApplication {

	public static void main(String[] args) throws Exception {
		String command = args.length > 0 ? args[0] : "";
		String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
		switch (command) {
			case "train" -> TrainCommand.main(rest);
			case "evaluate" -> EvaluateCommand.main(rest);
			case "calibrate" -> CalibrateCommand.main(rest);
			default -> SpringApplication.run(DigitServiceApplication.class, args);
		}
	}

}
