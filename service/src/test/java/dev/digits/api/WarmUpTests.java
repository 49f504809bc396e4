package dev.digits.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The self warm-up: the service sends itself every kind of request before it is ready,
 * all answered, none of them in the metrics or the access log at INFO.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "digits.warm-up.requests=40")
@ExtendWith(OutputCaptureExtension.class)
class WarmUpTests {

	@LocalServerPort
	int port;

	@Test
	void theServiceWarmedItselfUpWithoutCountingIt(CapturedOutput output) {
		assertThat(output.getAll()).contains("warmed up with 40 requests to itself")
			.doesNotContain("answered otherwise than 200");
		String scrape = new HttpFixtures(port).get("/actuator/prometheus").body();
		assertThat(scrape).doesNotContain("digits_request_seconds_count{")
			.doesNotContain("digits_predictions_total{")
			.doesNotContain("digits_preprocess_seconds_count{");
		assertThat(
				output.getAll().lines().filter(line -> line.contains("dev.digits.access") && line.contains(" INFO ")))
			.isEmpty();
		// and the requests after it are counted as usual
		new HttpFixtures(port).post("/api/v1/predictions", "image/png",
				HttpFixtures.greyPng(new byte[28 * 28], 28, 28));
		assertThat(new HttpFixtures(port).get("/actuator/prometheus").body()).contains("digits_request_seconds_count{");
	}

}
