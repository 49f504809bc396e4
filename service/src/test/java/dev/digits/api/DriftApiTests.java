package dev.digits.api;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.StringJoiner;

import dev.digits.training.Mnist;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Drift over HTTP on the default version, tested every 100 ms on windows of its last 100
 * answers: MNIST test digits (the 200 of the shipped fixture) leave it quiet; the same
 * digit a hundred times over (a client stuck sending one image) raises it, by the digits
 * test, in {@code GET /api/v1/models} and in Prometheus.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "digits.drift.window=100", "digits.drift.period=100ms", "digits.drift.iterations=1000" })
class DriftApiTests {

	@LocalServerPort
	int port;

	private HttpFixtures http;

	private static Mnist.Split digits;

	@BeforeAll
	static void fixture() throws IOException {
		digits = Mnist.loadTest(PredictionApiIntegrationTests.FIXTURE);
	}

	@BeforeEach
	void client() {
		http = new HttpFixtures(port);
	}

	@Test
	void digitsLikeTheValidationSetAreQuietAndOneImageRepeatedIsDrift() {
		JsonNode before = defaultVersion();
		assertThat(before.path("drift").path("state").asString("collecting")).isEqualTo("collecting");

		// the 200 fixture digits, in batches of 50: the window holds the last 100
		for (int from = 0; from < digits.size(); from += 50) {
			infer(from, 50);
		}
		JsonNode quiet = awaitTestedAfter(Instant.now());
		assertThat(quiet.get("drift").asBoolean()).as(quiet.toString()).isFalse();
		assertThat(quiet.get("window").asInt()).isEqualTo(100);
		assertThat(quiet.get("answers").asInt()).isEqualTo(100);
		assertThat(quiet.get("tests").propertyNames()).containsExactly("digits", "confidence", "ood_score",
				"ood_flags");
		for (JsonNode test : quiet.get("tests")) {
			assertThat(test.get("adjustedPValue").asDouble()).isGreaterThan(0.05)
				.isGreaterThanOrEqualTo(test.get("pValue").asDouble());
		}

		// one image, a hundred times
		for (int i = 0; i < 2; i++) {
			infer(0, 1, 50);
		}
		JsonNode drifted = await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> defaultVersion().get("drift"), d -> d.path("drift").asBoolean());
		JsonNode test = drifted.get("tests").get("digits");
		assertThat(test.get("drift").asBoolean()).isTrue();
		assertThat(test.get("adjustedPValue").asDouble()).isLessThanOrEqualTo(0.05);
		String version = defaultVersion().get("version").asString();
		String metrics = http.get("/actuator/prometheus").body();
		assertThat(metrics)
			.contains("model_version=\"" + version + "\",test=\"any\"} 1.0",
					"model_version=\"" + version + "\",test=\"digits\"} 1.0")
			.containsPattern("digits_drift_window_answers\\{[^}]*model_version=\"" + version + "\"} 100.0")
			.containsPattern(
					"digits_drift_evaluations_total\\{[^}]*drift=\"false\",model_version=\"" + version + "\"} [1-9]")
			.containsPattern(
					"digits_drift_evaluations_total\\{[^}]*drift=\"true\",model_version=\"" + version + "\"} [1-9]")
			.containsPattern("digits_drift_adjusted_p_value\\{[^}]*model_version=\"" + version
					+ "\",test=\"confidence\"} 0\\.\\d+");
	}

	/** Waits until the default version's window was tested after {@code sent}. */
	private JsonNode awaitTestedAfter(Instant sent) {
		return await().atMost(Duration.ofSeconds(20))
			.pollInterval(Duration.ofMillis(100))
			.until(() -> defaultVersion().get("drift"), d -> d != null && "tested".equals(d.path("state").asString())
					&& Instant.parse(d.get("evaluatedAt").asString()).isAfter(sent));
	}

	private JsonNode defaultVersion() {
		for (JsonNode version : http.get("/api/v1/models").json().get("versions")) {
			if (version.get("default").asBoolean()) {
				return version;
			}
		}
		throw new AssertionError("no default version");
	}

	private void infer(int from, int count) {
		infer(from, count, 1);
	}

	/** Images {@code from..from+count}, each {@code times} times, in one OIP request. */
	private void infer(int from, int count, int times) {
		StringJoiner values = new StringJoiner(",");
		for (int i = from; i < from + count; i++) {
			for (int t = 0; t < times; t++) {
				for (byte b : digits.image(i)) {
					values.add(Integer.toString(b & 0xFF));
				}
			}
		}
		HttpFixtures.Reply reply = http.postJson("/v2/models/mnist-cnn/infer",
				"{\"inputs\":[{\"name\":\"input\",\"shape\":[" + count * times
						+ ",784],\"datatype\":\"UINT8\",\"data\":[" + values + "]}]}");
		assertThat(reply.status()).as(reply.body()).isEqualTo(200);
	}

}
