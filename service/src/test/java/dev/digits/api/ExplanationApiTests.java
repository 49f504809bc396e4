package dev.digits.api;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import dev.digits.inference.HeldEngine;
import dev.digits.inference.InferenceEngine;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.bean.override.convention.TestBean;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ?explain=} over HTTP on the default version: each method's map of the answer (or
 * of another digit), its overlay, its metric; bad parameters and batches refused; no
 * explanation, and nothing more in the answer, when none is asked for; and an explanation
 * past the concurrency limit refused at once while another waits on a held worker.
 * {@code -Dexplanations.write=true} writes the overlays of the README's example to
 * {@code docs/images/why-seven-METHOD.png}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "digits.inference.workers=2", "digits.explanations.max-concurrent=1" })
class ExplanationApiTests {

	@TestBean
	InferenceEngine inferenceEngine;

	static final HeldEngine ENGINE = new HeldEngine();

	static InferenceEngine inferenceEngine() {
		return ENGINE;
	}

	@LocalServerPort
	int port;

	@Autowired
	MeterRegistry registry;

	private HttpFixtures http;

	private final byte[] seven = HttpFixtures.sevenOnPaper("png");

	@BeforeEach
	void client() {
		http = new HttpFixtures(port);
	}

	@Test
	void eachMethodExplainsTheAnswerWithAMapOnTheInkAndAnOverlay() throws Exception {
		for (String method : List.of("occlusion", "integrated-gradients")) {
			double before = count(method);
			HttpFixtures.Reply reply = http.post("/api/v1/predictions?explain=" + method + "&include=input",
					"image/png", seven);
			assertThat(reply.status()).as(reply.body()).isEqualTo(200);
			JsonNode json = reply.json();
			JsonNode explanation = json.get("explanation");
			assertThat(explanation.get("method").asString()).isEqualTo(method);
			assertThat(explanation.get("digit").asInt()).isEqualTo(json.get("digit").asInt()).isEqualTo(7);
			assertThat(explanation.get("version").asString()).isEqualTo(json.get("model").get("version").asString());
			float[] map = map(explanation);
			float[] input = input(json.get("input").get("image").asString());
			// the most attributed pixel is ink, and the ink carries most of the positive
			// attribution
			int strongest = 0;
			double onInk = 0;
			double positive = 0;
			for (int i = 0; i < map.length; i++) {
				strongest = map[i] > map[strongest] ? i : strongest;
				if (map[i] > 0) {
					positive += map[i];
					onInk += input[i] > 0 ? map[i] : 0;
				}
			}
			assertThat(input[strongest]).as(method + ": the most attributed pixel is ink").isPositive();
			assertThat(onInk / positive).as(method + ": share of positive attribution on ink").isGreaterThan(0.5);
			BufferedImage overlay = ImageIO
				.read(new ByteArrayInputStream(dataUrl(explanation.get("overlay").asString())));
			assertThat(overlay.getWidth()).isEqualTo(224);
			assertThat(overlay.getHeight()).isEqualTo(224);
			// red where the map is strongest
			int rgb = overlay.getRGB((strongest % 28) * 8 + 4, (strongest / 28) * 8 + 4);
			assertThat((rgb >> 16) & 0xFF).isGreaterThan(rgb & 0xFF);
			assertThat(count(method)).isEqualTo(before + 1);
			if (Boolean.getBoolean("explanations.write")) {
				// the README's pictures: -Dexplanations.write=true
				java.nio.file.Files.write(java.nio.file.Path.of("docs/images/why-seven-" + method + ".png"),
						dataUrl(explanation.get("overlay").asString()));
			}
		}
	}

	@Test
	void anotherDigitCanBeExplained() {
		HttpFixtures.Reply reply = http.post("/api/v1/predictions?explain=integrated-gradients&explain-digit=1",
				"image/png", seven);
		assertThat(reply.status()).as(reply.body()).isEqualTo(200);
		assertThat(reply.json().get("digit").asInt()).isEqualTo(7);
		assertThat(reply.json().get("explanation").get("digit").asInt()).isEqualTo(1);
	}

	@Test
	void withoutExplainTheAnswerHasNoExplanation() {
		HttpFixtures.Reply reply = http.post("/api/v1/predictions", "image/png", seven);
		assertThat(reply.status()).isEqualTo(200);
		assertThat(reply.json().has("explanation")).isFalse();
	}

	@Test
	void badParametersAndBatchesAreRefused() {
		int computed = ENGINE.imagesComputed();
		for (String query : List.of("explain=saliency", "explain=", "explain=occlusion&explain-digit=12",
				"explain=occlusion&explain-digit=x")) {
			HttpFixtures.Reply reply = http.post("/api/v1/predictions?" + query, "image/png", seven);
			assertThat(reply.status()).as(query + ": " + reply.body()).isEqualTo(400);
			assertThat(reply.body()).contains("urn:digit-service:problem:bad-request");
		}
		assertThat(http
			.postJson("/v1/models/mnist-cnn:explain?method=saliency",
					"{\"instances\":[{\"image\":\"" + Base64.getEncoder().encodeToString(seven) + "\"}]}")
			.status()).isEqualTo(400);
		assertThat(ENGINE.imagesComputed()).as("refused before any prediction").isEqualTo(computed);
		HttpFixtures.Reply batch = http.postFiles("/api/v1/predictions/batch?explain=occlusion", "files",
				List.of(seven, seven));
		assertThat(batch.status()).as(batch.body()).isEqualTo(400);
		assertThat(batch.body()).contains("one image at a time");
	}

	@Test
	void theOpenInferenceProtocolAddsAnExplanationOutput() {
		String image = Base64.getEncoder().encodeToString(seven);
		HttpFixtures.Reply reply = http.postJson("/v2/models/mnist-cnn/infer",
				"{\"inputs\":[{\"name\":\"image\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"" + image
						+ "\"]}],\"parameters\":{\"explain\":\"occlusion\",\"explain_digit\":7}}");
		assertThat(reply.status()).as(reply.body()).isEqualTo(200);
		JsonNode explanation = null;
		for (JsonNode output : reply.json().get("outputs")) {
			explanation = output.get("name").asString().equals("explanation") ? output : explanation;
		}
		assertThat(explanation).as(reply.body()).isNotNull();
		assertThat(explanation.get("datatype").asString()).isEqualTo("FP32");
		assertThat(explanation.get("shape").toString()).isEqualTo("[1,28,28]");
		assertThat(explanation.get("data").size()).isEqualTo(784);
		assertThat(explanation.get("parameters").get("method").asString()).isEqualTo("occlusion");
		assertThat(explanation.get("parameters").get("digit").asInt()).isEqualTo(7);
		HttpFixtures.Reply two = http.postJson("/v2/models/mnist-cnn/infer",
				"{\"inputs\":[{\"name\":\"image\",\"shape\":[2],\"datatype\":\"BYTES\",\"data\":[\"" + image + "\",\""
						+ image + "\"]}],\"parameters\":{\"explain\":\"occlusion\"}}");
		assertThat(two.status()).isEqualTo(400);
		assertThat(two.json().get("error").asString()).contains("one image at a time");
	}

	@Test
	void kserveV1ExplainAnswersWithThePredictionAndItsExplanation() {
		String body = "{\"instances\":[{\"image\":\"" + Base64.getEncoder().encodeToString(seven) + "\"}]}";
		HttpFixtures.Reply reply = http.postJson("/v1/models/mnist-cnn:explain", body);
		assertThat(reply.status()).as(reply.body()).isEqualTo(200);
		assertThat(reply.json().get("predictions").get(0).asInt()).isEqualTo(7);
		JsonNode explanation = reply.json().get("explanations").get(0);
		assertThat(explanation.get("method").asString()).isEqualTo(ExplainController.DEFAULT_METHOD);
		assertThat(explanation.get("attributions").size()).isEqualTo(28);
		HttpFixtures.Reply other = http.postJson("/v1/models/mnist-cnn:explain?method=integrated-gradients&digit=2",
				body);
		assertThat(other.status()).as(other.body()).isEqualTo(200);
		assertThat(other.json().get("explanations").get(0).get("method").asString()).isEqualTo("integrated-gradients");
		assertThat(other.json().get("explanations").get(0).get("digit").asInt()).isEqualTo(2);
		assertThat(http.postJson("/v1/models/other:explain", body).status()).isEqualTo(404);
		assertThat(http.postJson("/v1/models/mnist-cnn:explain", "{\"instances\":[]}").status()).isEqualTo(400);
		HttpFixtures.Reply two = http.postJson("/v1/models/mnist-cnn:explain",
				"{\"instances\":[{\"pixels\":[0]},{\"pixels\":[0]}]}");
		assertThat(two.status()).as(two.body()).isIn(400, 413);
	}

	@Test
	void anExplanationPastTheLimitIsRefusedAtOnce() throws Exception {
		// predictions (one image a pass) run; the first explanation's occluded copies
		// (32 a pass) wait on a held worker, holding the one explanation allowed
		ENGINE.hold(2);
		try {
			CompletableFuture<HttpFixtures.Reply> first = CompletableFuture
				.supplyAsync(() -> http.post("/api/v1/predictions?explain=occlusion", "image/png", seven));
			assertThat(ENGINE.awaitHeld(Duration.ofSeconds(20))).isTrue();
			long start = System.nanoTime();
			HttpFixtures.Reply second = http.post("/api/v1/predictions?explain=integrated-gradients", "image/png",
					seven);
			assertThat(second.status()).as(second.body()).isEqualTo(503);
			assertThat(second.body()).contains("urn:digit-service:problem:overloaded").contains("explanations");
			assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
			ENGINE.release();
			assertThat(first.get(30, TimeUnit.SECONDS).status()).isEqualTo(200);
			assertThat(http.post("/api/v1/predictions?explain=integrated-gradients", "image/png", seven).status())
				.as("the permit came back")
				.isEqualTo(200);
		}
		finally {
			ENGINE.release();
		}
	}

	private double count(String method) {
		var timer = registry.find("digits.explanation").tag("method", method).timer();
		return timer == null ? 0 : timer.count();
	}

	private static float[] map(JsonNode explanation) {
		JsonNode rows = explanation.get("attributions");
		assertThat(rows.size()).isEqualTo(28);
		float[] map = new float[784];
		for (int y = 0; y < 28; y++) {
			assertThat(rows.get(y).size()).isEqualTo(28);
			for (int x = 0; x < 28; x++) {
				map[y * 28 + x] = (float) rows.get(y).get(x).asDouble();
			}
		}
		return map;
	}

	private static float[] input(String dataUrl) throws Exception {
		BufferedImage image = ImageIO.read(new ByteArrayInputStream(dataUrl(dataUrl)));
		float[] grey = new float[784];
		for (int i = 0; i < 784; i++) {
			grey[i] = (image.getRGB(i % 28, i / 28) & 0xFF) / 255f;
		}
		return grey;
	}

	private static byte[] dataUrl(String url) {
		assertThat(url).startsWith("data:image/png;base64,");
		return Base64.getDecoder().decode(url.substring("data:image/png;base64,".length()));
	}

}
