package dev.digits;

import dev.digits.model.NativeBuild;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The service. Training, evaluation, calibration and the other model commands are in the
 * tools jar ({@code dev.digits.training.Tools}), not here.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class DigitServiceApplication {

	public static void main(String[] args) throws Exception {
		NativeBuild.select();
		SpringApplication.run(DigitServiceApplication.class, args);
	}

}
