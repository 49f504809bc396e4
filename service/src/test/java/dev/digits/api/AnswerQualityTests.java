package dev.digits.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.digits.preprocessing.HostileImages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Calibrated confidence, "uncertain", "not a digit" and allowed digits over HTTP, on a
 * copy of version 1 given a calibration (temperature 1.5, uncertain below 0.96) and an
 * energy out-of-distribution threshold, as the {@code calibrate} command writes them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AnswerQualityTests {

	static final Path REPOSITORY = calibratedRepository();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("digits.model.dir", REPOSITORY::toString);
		// a repository of versions 1 and 2 only
		registry.add("digits.model.default-version", () -> "1");
		// configuration overrides the uncertain threshold a version's calibration
		// suggested
		registry.add("digits.model.uncertain-below.2", () -> "1.0");
	}

	@LocalServerPort
	int port;

	private HttpFixtures http;

	private byte[] seven;

	@BeforeEach
	void client() throws IOException {
		http = new HttpFixtures(port);
		seven = Files.readAllBytes(Path.of("docs/examples/seven.png"));
	}

	@Test
	void aClearDigitIsConfidentAndInDistribution() {
		JsonNode answer = http.post("/api/v1/predictions", "image/png", seven).json();
		assertThat(answer.get("digit").asInt()).isEqualTo(7);
		assertThat(answer.get("outOfDistribution").asBoolean()).isFalse();
		assertThat(answer.get("uncertain").asBoolean()).isFalse();
		double confidence = answer.get("confidence").asDouble();
		// temperature 1.5 softens: the calibrated confidence is below the raw probability
		assertThat(confidence).isGreaterThan(0.96).isLessThan(answer.get("probability").asDouble());
	}

	/**
	 * Version 2 here has a threshold every input is past: its answers are flagged and
	 * counted as its own.
	 */
	@Test
	void pastTheThresholdAnAnswerIsFlaggedNotADigitAndCountedByVersion() {
		JsonNode answer = http.post("/api/v1/models/2/predictions", "image/png", scribble()).json();
		assertThat(answer.get("outOfDistribution").asBoolean()).as(answer.toString()).isTrue();
		assertThat(answer.at("/model/version").asString()).isEqualTo("2");
		assertThat(http.get("/actuator/prometheus").body()).contains(
				"digits_flags_total{application=\"digit-service\",flag=\"out_of_distribution\",model_version=\"2\"}");
		JsonNode digit = http.post("/api/v1/predictions", "image/png", seven).json();
		assertThat(digit.get("outOfDistribution").asBoolean()).isFalse();
	}

	@Test
	void theUncertainThresholdIsConfigurablePerVersion() {
		JsonNode two = http.post("/api/v1/models/2/predictions", "image/png", seven).json();
		assertThat(two.get("digit").asInt()).isEqualTo(7);
		assertThat(two.get("confidence").asDouble()).isLessThan(1.0);
		assertThat(two.get("uncertain").asBoolean()).as("below the configured 1.0").isTrue();
		JsonNode one = http.post("/api/v1/models/1/predictions", "image/png", seven).json();
		assertThat(one.get("uncertain").asBoolean()).as("version 1 keeps its calibrated 0.96").isFalse();
		assertThat(http.get("/actuator/prometheus").body())
			.contains("digits_flags_total{application=\"digit-service\",flag=\"uncertain\",model_version=\"2\"}");
	}

	@Test
	void allowedDigitsRestrictTheAnswer() {
		JsonNode all = http.post("/api/v1/predictions", "image/png", seven).json();
		JsonNode restricted = http.post("/api/v1/predictions?allowed=1,2,3", "image/png", seven).json();
		int digit = restricted.get("digit").asInt();
		assertThat(digit).isIn(1, 2, 3);
		double sum = 0;
		for (int k = 0; k < 10; k++) {
			double p = restricted.get("probabilities").get(k).asDouble();
			sum += p;
			if (k < 1 || k > 3) {
				assertThat(p).isZero();
			}
		}
		assertThat(sum).isCloseTo(1.0, within(1e-4));
		double[] raw = new double[10];
		for (int k = 0; k < 10; k++) {
			raw[k] = all.get("probabilities").get(k).asDouble();
		}
		int best = raw[1] >= raw[2] && raw[1] >= raw[3] ? 1 : raw[2] >= raw[3] ? 2 : 3;
		assertThat(digit).isEqualTo(best);
		// the network said 7: the restricted answer carries its doubt, not a renormalised
		// certainty
		assertThat(all.get("digit").asInt()).isEqualTo(7);
		assertThat(restricted.get("confidence").asDouble()).isLessThan(0.05);
		assertThat(restricted.get("uncertain").asBoolean()).isTrue();
		assertThat(http.post("/api/v1/predictions?allowed=1,x", "image/png", seven).status()).isEqualTo(400);
		assertThat(http.post("/api/v1/predictions?allowed=10", "image/png", seven).status()).isEqualTo(400);
	}

	@Test
	void theProtocolCarriesTheFlagsToo() {
		String body = "{\"parameters\":{\"allowed_digits\":\"7\"},\"inputs\":[{\"name\":\"image\",\"shape\":[1],"
				+ "\"datatype\":\"BYTES\",\"data\":[\"" + java.util.Base64.getEncoder().encodeToString(seven)
				+ "\"]}]}";
		JsonNode response = http.postJson("/v2/models/mnist-cnn/infer", body).json();
		JsonNode byName = HttpFixtures.JSON.createObjectNode();
		for (JsonNode output : response.get("outputs")) {
			((ObjectNode) byName).set(output.get("name").asString(), output);
		}
		assertThat(byName.at("/digit/data/0").asInt()).isEqualTo(7);
		// allowing only the network's own answer changes nothing: the confidence is not
		// renormalised
		double unrestricted = http.post("/api/v1/predictions", "image/png", seven).json().get("confidence").asDouble();
		assertThat(byName.at("/confidence/data/0").asDouble()).isEqualTo(unrestricted, within(1e-6));
		assertThat(byName.at("/out_of_distribution/datatype").asString()).isEqualTo("BOOL");
		assertThat(byName.at("/out_of_distribution/data/0").asBoolean()).isFalse();
	}

	/** Twelve random thick lines: ink, but no digit. */
	static byte[] scribble() {
		java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(120, 120,
				java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
		java.awt.Graphics2D g = image.createGraphics();
		g.setColor(java.awt.Color.WHITE);
		g.fillRect(0, 0, 120, 120);
		g.setColor(java.awt.Color.BLACK);
		g.setStroke(new java.awt.BasicStroke(6));
		java.util.Random random = new java.util.Random(3);
		for (int i = 0; i < 12; i++) {
			g.drawLine(random.nextInt(120), random.nextInt(120), random.nextInt(120), random.nextInt(120));
		}
		g.dispose();
		return HostileImages.encode(image, "png");
	}

	/**
	 * Version 1 with a calibration section and an ood.json, as the calibrate command
	 * writes them.
	 */
	static Path calibratedRepository() {
		try {
			Path dir = dev.digits.TemporaryFolders.create("calibrated-repository");
			Path one = dir.resolve("mnist-cnn/1");
			ModelVersionsTests.copy(Path.of("models/mnist-cnn/1"), one);
			ObjectNode metadata = (ObjectNode) HttpFixtures.JSON.readTree(one.resolve("model-metadata.json").toFile());
			metadata.set("calibration", HttpFixtures.JSON
				.readTree("{\"temperature\":1.5,\"fittedOn\":\"validation\",\"uncertain\":{\"below\":0.96}}"));
			metadata.set("ood", HttpFixtures.JSON.readTree("{\"file\":\"ood.json\",\"score\":\"energy\"}"));
			Files.writeString(one.resolve("model-metadata.json"), metadata.toString());
			Files.writeString(one.resolve("ood.json"),
					"{\"score\":\"energy\",\"thresholds\":{\"energy\":-6.5},\"temperature\":1.5}");
			Path two = dir.resolve("mnist-cnn/2");
			ModelVersionsTests.copy(Path.of("models/mnist-cnn/2"), two);
			ObjectNode twoMetadata = (ObjectNode) HttpFixtures.JSON
				.readTree(two.resolve("model-metadata.json").toFile());
			twoMetadata.set("ood", HttpFixtures.JSON.readTree("{\"file\":\"ood.json\",\"score\":\"energy\"}"));
			twoMetadata.set("calibration", HttpFixtures.JSON.readTree("{\"temperature\":1.0}"));
			Files.writeString(two.resolve("model-metadata.json"), twoMetadata.toString());
			Files.writeString(two.resolve("ood.json"),
					"{\"score\":\"energy\",\"thresholds\":{\"energy\":-1000},\"temperature\":1.0}");
			return dir;
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

}
