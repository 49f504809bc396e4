package dev.digits.api;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.StringJoiner;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import dev.digits.serving.CaptureStore;
import dev.digits.training.Mnist;
import dev.digits.training.UserDigits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Capture with consent over HTTP: a consented prediction's input is written under the
 * digit its feedback gives, in the folder layout {@code finetune} reads, and deleted by
 * its token; nothing is kept without consent; bad consent values and batches are refused;
 * the file bound and the retention hold.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "digits.capture.max-files=25", "digits.feedback.votes-per-client=1000" })
class CaptureApiTests {

	private static Path dir;

	private static Mnist.Split digits;

	@DynamicPropertySource
	static void captureDir(DynamicPropertyRegistry registry) throws IOException {
		dir = Files.createTempDirectory("captures");
		registry.add("digits.capture.dir", dir::toString);
	}

	@BeforeAll
	static void fixture() throws IOException {
		digits = Mnist.loadTest(PredictionApiIntegrationTests.FIXTURE);
	}

	@AfterAll
	static void clean() throws IOException {
		dev.digits.TemporaryFolders.delete(dir);
	}

	@LocalServerPort
	int port;

	@Autowired
	CaptureStore captures;

	private HttpFixtures http;

	/** The next fixture digit to send (each input is labelled once per client). */
	private static int next = 0;

	@BeforeEach
	void emptyFolder() throws IOException {
		http = new HttpFixtures(port);
		for (Path file : files()) {
			Files.delete(file);
		}
		captures.sweep(); // recounts what is kept
	}

	@Test
	void aConsentedInputIsKeptUnderItsLabelReadByFinetuneAndDeletedByItsToken() throws Exception {
		int index = next++;
		JsonNode answer = predict(index, "?capture=consent");
		assertThat(answer.get("capture").asString()).isEqualTo("pending");
		String token = answer.get("feedbackToken").asString();
		int label = digits.labels()[index];
		JsonNode feedback = feedback(token, label);
		assertThat(feedback.get("captured").asBoolean()).isTrue();
		Path file = only(dir.resolve(Integer.toString(label)), token);
		BufferedImage image = ImageIO.read(new ByteArrayInputStream(Files.readAllBytes(file)));
		assertThat(image.getWidth()).isEqualTo(28);
		assertThat(image.getHeight()).isEqualTo(28);
		assertThat(image.getRaster().getNumBands()).isEqualTo(1);

		// enough of them, and finetune reads the folder as it is
		for (int i = 0; i < UserDigits.MIN_IMAGES; i++) {
			int k = next++;
			JsonNode a = predict(k, "?capture=consent");
			assertThat(feedback(a.get("feedbackToken").asString(), digits.labels()[k]).get("captured").asBoolean())
				.isTrue();
		}
		assertThat(dir.resolve(UserDigits.MODEL_INPUTS)).isRegularFile();
		UserDigits read = UserDigits.read(dir);
		assertThat(read.labels()).hasSizeGreaterThanOrEqualTo(UserDigits.MIN_IMAGES + 1);
		int at = read.files().indexOf(label + "/" + file.getFileName());
		assertThat(at).isNotNegative();
		// exactly the input the model saw
		int[] grey = image.getRaster().getSamples(0, 0, 28, 28, 0, (int[]) null);
		for (int p = 0; p < grey.length; p++) {
			assertThat(read.pixels()[at * 784 + p]).isEqualTo(grey[p] / 255f);
		}

		// deleted by its token, once
		assertThat(http.delete("/api/v1/captures/" + token).json().get("deleted").asInt()).isEqualTo(1);
		assertThat(file).doesNotExist();
		assertThat(http.delete("/api/v1/captures/" + token).json().get("deleted").asInt()).isZero();
		// one character of the signature changed (its first: all six of its bits count)
		int sig = token.indexOf('.') + 1;
		String forgedToken = token.substring(0, sig) + (token.charAt(sig) == 'x' ? 'y' : 'x')
				+ token.substring(sig + 1);
		HttpFixtures.Reply forged = http.delete("/api/v1/captures/" + forgedToken);
		assertThat(forged.status()).isEqualTo(400);
	}

	@Test
	void withoutConsentNothingIsKept() throws Exception {
		int index = next++;
		JsonNode answer = predict(index, "");
		assertThat(answer.has("capture")).isFalse();
		JsonNode feedback = feedback(answer.get("feedbackToken").asString(), digits.labels()[index]);
		assertThat(feedback.get("captured").asBoolean()).isFalse();
		assertThat(files()).noneMatch(f -> f.toString().contains(nonce(answer.get("feedbackToken").asString())));
	}

	@Test
	void badConsentAndBatchesAreRefusedBeforeThePrediction() {
		HttpFixtures.Reply bad = http.postJson("/api/v1/predictions?capture=yes", pixels(0));
		assertThat(bad.status()).isEqualTo(400);
		assertThat(bad.body()).contains("capture takes one value, consent");
		HttpFixtures.Reply batch = http.postJson("/api/v1/predictions/batch?capture=consent",
				"{\"images\":[" + pixels(0) + "]}");
		assertThat(batch.status()).isEqualTo(400);
		assertThat(batch.body()).contains("capture is for one image at a time");
	}

	@Test
	void pastTheFileBoundNothingNewIsWrittenAndOldCapturesExpire() throws Exception {
		long kept;
		do {
			int k = next++;
			JsonNode a = predict(k, "?capture=consent");
			feedback(a.get("feedbackToken").asString(), digits.labels()[k]);
			kept = files().size();
		}
		while (kept < 25 && next < digits.size());
		assertThat(kept).isEqualTo(25);
		int k = next++;
		JsonNode a = predict(k, "?capture=consent");
		assertThat(feedback(a.get("feedbackToken").asString(), digits.labels()[k]).get("captured").asBoolean())
			.isFalse();
		assertThat(files()).hasSize(25);
		assertThat(http.get("/actuator/prometheus").body())
			.containsPattern("digits_captures_total\\{[^}]*outcome=\"full\"");

		// the retention (30 days) deletes what is older
		Path old = files().get(0);
		Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(31, ChronoUnit.DAYS)));
		captures.sweep();
		assertThat(old).doesNotExist();
		assertThat(files()).hasSize(24);
	}

	private java.util.List<Path> files() throws IOException {
		try (Stream<Path> walk = Files.walk(dir)) {
			return walk.filter(Files::isRegularFile)
				.filter(f -> !f.getFileName().toString().startsWith("."))
				.sorted()
				.toList();
		}
	}

	private static Path only(Path folder, String token) throws IOException {
		Path file = folder.resolve(nonce(token) + ".png");
		assertThat(file).exists();
		return file;
	}

	/** The token's nonce: the fourth field of its payload. */
	private static String nonce(String token) {
		String payload = new String(java.util.Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.'))),
				java.nio.charset.StandardCharsets.UTF_8);
		return payload.split("\\|")[3];
	}

	private JsonNode predict(int index, String query) {
		HttpFixtures.Reply reply = http.postJson("/api/v1/predictions" + query, pixels(index));
		assertThat(reply.status()).as(reply.body()).isEqualTo(200);
		return reply.json();
	}

	private JsonNode feedback(String token, int digit) {
		HttpFixtures.Reply reply = http.postJson("/api/v1/feedback",
				"{\"token\":\"" + token + "\",\"digit\":" + digit + "}");
		assertThat(reply.status()).as(reply.body()).isEqualTo(200);
		return reply.json();
	}

	private static String pixels(int index) {
		StringJoiner values = new StringJoiner(",", "{\"pixels\":[", "]}");
		for (byte b : digits.image(index)) {
			values.add(Integer.toString(b & 0xFF));
		}
		return values.toString();
	}

}
