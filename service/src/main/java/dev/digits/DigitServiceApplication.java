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

	/**
	 * Carrier threads of the virtual request threads (Java 21+; the JDK's default is one
	 * per core). A virtual thread that computes (decoding an image, finding the digit) is
	 * not preempted: with one carrier per core, two hostile uploads decoding for hundreds
	 * of milliseconds held both carriers and every other request waited behind them (a
	 * normal client's p99 under ten hostile clients went from 4x quiet on platform
	 * threads to 22x). With more carriers than cores the operating system shares the
	 * cores among the computing requests again, while requests that wait (for a body, for
	 * inference) still hold no carrier.
	 */
	static final String CARRIERS = "32";

	public static void main(String[] args) throws Exception {
		if (System.getProperty("jdk.virtualThreadScheduler.parallelism") == null) {
			// read when the first virtual thread is made: before Spring starts Tomcat
			System.setProperty("jdk.virtualThreadScheduler.parallelism", CARRIERS);
		}
		NativeBuild.select();
		SpringApplication.run(DigitServiceApplication.class, args);
	}

}
