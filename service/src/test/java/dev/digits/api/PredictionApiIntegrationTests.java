package dev.digits.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.digits.training.Mnist;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The service over real HTTP with the committed model. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class PredictionApiIntegrationTests {

	static final Path FIXTURE = Path.of("core/src/test/resources/mnist-tiny");

	private static Mnist.Split digits;

	@LocalServerPort
	int port;

	private HttpFixtures http;

	@BeforeAll
	static void loadDigits() throws IOException {
		digits = Mnist.loadTest(FIXTURE);
	}

	@BeforeEach
	void client() {
		http = new HttpFixtures(port);
	}

	@Test
	void multipartUploadOfAnMnistDigit() {
		HttpFixtures.Reply reply = http.postFiles("/api/v1/predictions", "file", List.of(png(0)));
		assertThat(reply.status()).isEqualTo(200);
		JsonNode json = reply.json();
		assertThat(json.get("digit").asInt()).isEqualTo(digits.labels()[0]);
		assertThat(json.get("probability").asDouble()).isGreaterThan(0.5);
		double sum = 0;
		for (JsonNode p : json.get("probabilities")) {
			sum += p.asDouble();
		}
		assertThat(json.get("probabilities")).hasSize(10);
		assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
		assertThat(json.at("/model/version").asString()).isNotBlank();
		assertThat(json.at("/input/format").asString()).isEqualTo("png");
		assertThat(json.at("/input/reframed").asBoolean()).isFalse();
		assertThat(json.at("/timings/inferenceMs").asDouble()).isPositive();
		assertThat(json.at("/timings/preprocessMs").asDouble()).isPositive();
		assertThat(json.get("requestId").asString()).isEqualTo(reply.raw().headers().firstValue("X-Request-Id").get());
	}

	@Test
	void theInputTheNetworkSawIsReturnedOnRequest() throws IOException {
		JsonNode plain = http.post("/api/v1/predictions", "image/png", png(6)).json();
		assertThat(plain.at("/input/image").isMissingNode()).isTrue();
		JsonNode withInput = http.post("/api/v1/predictions?include=input", "image/png", png(6)).json();
		String url = withInput.at("/input/image").asString();
		assertThat(url).startsWith("data:image/png;base64,");
		java.awt.image.BufferedImage seen = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(
				java.util.Base64.getDecoder().decode(url.substring(url.indexOf(',') + 1))));
		assertThat(seen.getWidth()).isEqualTo(28);
		byte[] levels = new byte[784];
		seen.getRaster().getDataElements(0, 0, 28, 28, levels);
		assertThat(levels).as("an MNIST digit passes through bit for bit").isEqualTo(digits.image(6));
	}

	@Test
	void imagesCanComeAsBase64OrDataUrlsSingleAndBatched() throws IOException {
		byte[] seven = Files.readAllBytes(Path.of("docs/examples/seven.png"));
		byte[] webp = Files.readAllBytes(Path.of("core/src/test/resources/webp/seven-lossy.webp"));
		String b64 = java.util.Base64.getEncoder().encodeToString(seven);
		JsonNode plain = http.postJson("/api/v1/predictions", "{\"image\":\"" + b64 + "\"}").json();
		assertThat(plain.get("digit").asInt()).isEqualTo(7);
		assertThat(plain.at("/input/format").asString()).isEqualTo("png");
		JsonNode url = http.postJson("/api/v1/predictions", "{\"image\":\"data:image/png;base64," + b64 + "\"}").json();
		assertThat(url.get("probabilities")).isEqualTo(plain.get("probabilities"));
		JsonNode batch = http
			.postJson("/api/v1/predictions/batch",
					"{\"images\":[{\"image\":\"" + b64 + "\"},{\"image\":\"data:image/webp;base64,"
							+ java.util.Base64.getEncoder().encodeToString(webp) + "\"},"
							+ HttpFixtures.pixelsJson(digits.image(0), null) + "]}")
			.json();
		assertThat(batch.get("count").asInt()).isEqualTo(3);
		assertThat(batch.at("/predictions/0/digit").asInt()).isEqualTo(7);
		assertThat(batch.at("/predictions/1/digit").asInt()).isEqualTo(7);
		assertThat(batch.at("/predictions/1/input/format").asString()).isEqualTo("webp");
		assertThat(batch.at("/predictions/2/digit").asInt()).isEqualTo(digits.labels()[0]);
		assertThat(http.post("/api/v1/predictions", "image/webp", webp).json().get("digit").asInt()).isEqualTo(7);
	}

	@Test
	void echoesTheClientsRequestId() {
		HttpFixtures.Reply reply = http.send(java.net.http.HttpRequest
			.newBuilder(java.net.URI.create("http://localhost:" + port + "/api/v1/predictions"))
			.header("Content-Type", "image/png")
			.header("X-Request-Id", "client-42")
			.POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(png(1))));
		assertThat(reply.status()).isEqualTo(200);
		assertThat(reply.json().get("requestId").asString()).isEqualTo("client-42");
		assertThat(reply.raw().headers().firstValue("X-Request-Id")).hasValue("client-42");
	}

	@Test
	void rawBodyPixelsAndUploadAgreeExactly() {
		byte[] grey = digits.image(2);
		JsonNode upload = http.post("/api/v1/predictions", "image/png", png(2)).json();
		JsonNode bytes = http.postJson("/api/v1/predictions", HttpFixtures.pixelsJson(grey, null)).json();
		JsonNode unit = http.postJson("/api/v1/predictions", HttpFixtures.pixelsJson(grey, "0-1")).json();
		assertThat(upload.get("digit").asInt()).isEqualTo(digits.labels()[2]);
		assertThat(bytes.get("probabilities")).isEqualTo(upload.get("probabilities"));
		assertThat(unit.get("digit")).isEqualTo(upload.get("digit"));
		assertThat(bytes.at("/input/format").asString()).isEqualTo("pixels");
	}

	@Test
	void batchAnswersInOrder() {
		List<byte[]> files = new ArrayList<>();
		for (int i = 0; i < 12; i++) {
			files.add(png(i));
		}
		HttpFixtures.Reply reply = http.postFiles("/api/v1/predictions/batch", "files", files);
		assertThat(reply.status()).isEqualTo(200);
		JsonNode predictions = reply.json().get("predictions");
		assertThat(predictions).hasSize(12);
		HttpFixtures.Reply full = http.postFiles("/api/v1/predictions/batch", "files",
				java.util.Collections.nCopies(64, files.get(0)));
		assertThat(full.status()).as("the README's batch limit of 64 files").isEqualTo(200);
		assertThat(full.json().get("count").asInt()).isEqualTo(64);
		assertThat(reply.json().get("count").asInt()).isEqualTo(12);
		int correct = 0;
		for (int i = 0; i < 12; i++) {
			JsonNode single = http.post("/api/v1/predictions", "image/png", files.get(i)).json();
			assertThat(predictions.get(i).get("digit")).isEqualTo(single.get("digit"));
			correct += predictions.get(i).get("digit").asInt() == digits.labels()[i] ? 1 : 0;
		}
		assertThat(correct).isGreaterThanOrEqualTo(11);
		String json = "{\"images\":[" + HttpFixtures.pixelsJson(digits.image(3), null) + ","
				+ HttpFixtures.pixelsJson(digits.image(4), null) + "]}";
		JsonNode pixelBatch = http.postJson("/api/v1/predictions/batch", json).json();
		assertThat(pixelBatch.get("predictions")).hasSize(2);
		assertThat(pixelBatch.at("/predictions/1/digit").asInt()).isEqualTo(predictions.get(4).get("digit").asInt());
	}

	@Test
	void recognisesDarkInkOnPaperPhotos() {
		for (String format : List.of("png", "jpg", "bmp", "gif")) {
			HttpFixtures.Reply reply = http.post("/api/v1/predictions", "image/" + format,
					HttpFixtures.sevenOnPaper(format));
			assertThat(reply.status()).as(format).isEqualTo(200);
			assertThat(reply.json().at("/input/inverted").asBoolean()).isTrue();
			assertThat(reply.json().at("/input/reframed").asBoolean()).isTrue();
			assertThat(reply.json().get("digit").asInt()).as(format).isEqualTo(7);
		}
	}

	@Test
	void modelInfo() {
		JsonNode json = http.get("/api/v1/model").json();
		assertThat(json.get("labels")).hasSize(10);
		assertThat(json.at("/metadata/architecture/parameters").asLong()).isEqualTo(225_034L);
		assertThat(json.at("/metadata/metrics/test/accuracy").asDouble()).isGreaterThan(0.5);
		assertThat(json.get("version").asString()).isEqualTo(HttpFixtures.DEFAULT_VERSION);
		assertThat(json.get("artifact").asString()).isEqualTo(json.at("/metadata/version").asString());
		assertThat(json.at("/metadata/golden").isMissingNode()).isTrue();
	}

	@Test
	void probesAndInfo() {
		assertThat(http.get("/actuator/health/liveness").json().get("status").asString()).isEqualTo("UP");
		JsonNode readiness = http.get("/actuator/health/readiness").json();
		assertThat(readiness.get("status").asString()).isEqualTo("UP");
		assertThat(readiness.at("/components/model/status").asString()).isEqualTo("UP");
		JsonNode info = http.get("/actuator/info").json();
		assertThat(info.at("/model/version").asString()).isNotBlank();
		assertThat(info.at("/build/artifact").asString()).isEqualTo("digit-service");
		assertThat(info.has("java")).as("no JVM vendor or version to anonymous callers").isFalse();
		assertThat(http.get("/actuator/env").status()).isEqualTo(404);
		assertThat(http.get("/actuator/heapdump").status()).isEqualTo(404);
	}

	@Test
	void prometheusScrapeHasTheServiceMetricsAndPassesPromtool() throws Exception {
		http.post("/api/v1/predictions", "image/png", png(5));
		http.post("/api/v1/predictions", "image/png", HttpFixtures.uniform(28, 28, 255));
		String scrape = http.get("/actuator/prometheus").body();
		assertThat(scrape)
			.contains("digits_request_seconds_bucket{application=\"digit-service\",endpoint=\"image\",model_version=\""
					+ HttpFixtures.DEFAULT_VERSION + "\",outcome=\"success\",protocol=\"http\",le=\"0.034\"}")
			.contains("le=\"0.042\"")
			.contains("le=\"0.048\"")
			.contains("digits_preprocess_seconds_bucket")
			.contains("digits_inference_seconds_bucket")
			.contains("digits_queue_wait_seconds_bucket")
			.contains("digits_batch_size_bucket")
			.contains("digits_inference_requests_total{application=\"digit-service\",thread=\"")
			.contains("digits_predictions_total{application=\"digit-service\",digit=\"")
			.contains("digits_failures_total{application=\"digit-service\",reason=\"blank\"}")
			.contains("digits_model_state{application=\"digit-service\",model_version=\"1\",state=\"ready\"} 1.0")
			.contains("digits_model_state{application=\"digit-service\",model_version=\"2\",state=\"ready\"} 1.0")
			.contains("digits_model_state{application=\"digit-service\",model_version=\"" + HttpFixtures.DEFAULT_VERSION
					+ "\",state=\"ready\"} 1.0")
			.contains("digits_model_traffic_share{application=\"digit-service\",model_version=\""
					+ HttpFixtures.DEFAULT_VERSION + "\"} 1.0")
			.contains("digits_model_ready{application=\"digit-service\"} 1.0")
			.contains("digits_queue_depth")
			.contains("digits_offheap_bytes");
		Path promtool = Stream.of("/usr/bin/promtool", "/usr/local/bin/promtool")
			.map(Path::of)
			.filter(Files::isExecutable)
			.findFirst()
			.orElse(null);
		assumeTrue(promtool != null, "promtool not installed (Debian package 'prometheus'; .ci/run installs it)");
		// the whole scrape must parse; Spring's and the JVM's own metrics draw lint
		// remarks we do not own
		String all = promtool(promtool, scrape);
		assertThat(all).doesNotContain("error while linting").doesNotContain("digits_");
		// the service's own metric families must be lint-clean
		String ours = scrape.lines()
			.filter(line -> line.startsWith("digits_") || line.matches("# (HELP|TYPE) digits_.*"))
			.collect(java.util.stream.Collectors.joining("\n", "", "\n"));
		assertThat(ours).contains("digits_request_seconds_bucket");
		assertThat(promtool(promtool, ours)).isEqualTo("exit 0: ");
	}

	private static String promtool(Path promtool, String exposition) throws Exception {
		Process process = new ProcessBuilder(promtool.toString(), "check", "metrics").redirectErrorStream(true).start();
		process.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
		process.getOutputStream().close();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		return "exit " + process.exitValue() + ": " + output.trim();
	}

	/**
	 * Each kind of bad input: its status, its problem type, and nothing lost afterwards.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("badInputs")
	void badInputGetsAProblemAndTheServiceStillAnswers(String name, BadRequest request, int status, String type) {
		HttpFixtures.Reply reply = request.send(http);
		assertThat(reply.status()).as(reply.body()).isEqualTo(status);
		assertThat(reply.contentType()).startsWith("application/problem+json");
		JsonNode problem = reply.json();
		assertThat(problem.get("type").asString()).isEqualTo(ProblemKind.TYPE_PREFIX + type);
		assertThat(problem.get("status").asInt()).isEqualTo(status);
		assertThat(problem.get("title").asString()).isNotBlank();
		assertThat(problem.get("detail").asString()).isNotBlank();
		assertThat(problem.get("requestId").asString()).isNotBlank();
		assertThat(reply.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("java.");
		if (status == 503) {
			assertThat(reply.raw().headers().firstValue("Retry-After")).isPresent();
		}
		JsonNode after = http.post("/api/v1/predictions", "image/png", png(0)).json();
		assertThat(after.get("digit").asInt()).isEqualTo(digits.labels()[0]);
	}

	interface BadRequest {

		HttpFixtures.Reply send(HttpFixtures http);

	}

	static Stream<Arguments> badInputs() throws IOException {
		byte[] first = Mnist.loadTest(FIXTURE).image(0);
		byte[] good = HttpFixtures.greyPng(first, 28, 28);
		byte[] jpeg = HttpFixtures.sevenOnPaper("jpg");
		byte[] huge = new byte[6 * 1024 * 1024];
		System.arraycopy(good, 0, huge, 0, good.length);
		String pixels = HttpFixtures.pixelsJson(first, null);
		String batchOf65 = "{\"images\":[" + String.join(",", java.util.Collections.nCopies(65, pixels)) + "]}";
		HttpFixtures.Multipart twoFiles = HttpFixtures.multipart("files", List.of(good, good), "digit");
		byte[] truncatedMultipart = Arrays.copyOf(twoFiles.body(), twoFiles.body().length - 20);
		byte[] bigJson = ("{\"pixels\":[" + "0,".repeat(4_500_000) + "0]}").getBytes(StandardCharsets.US_ASCII);
		byte[] longJson = ("{\"pixels\":[" + "0,".repeat(1_200_000) + "0]}").getBytes(StandardCharsets.US_ASCII);
		return Stream.of(
				bad("random bytes as image/png",
						h -> h.post("/api/v1/predictions", "image/png",
								"definitely not an image".getBytes(StandardCharsets.UTF_8)),
						415, "unsupported-media-type"),
				bad("truncated WebP",
						h -> h.post("/api/v1/predictions", "image/webp",
								"RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.US_ASCII)),
						422, "undecodable-image"),
				bad("TIFF image",
						h -> h.post("/api/v1/predictions", "image/tiff",
								"II*\0\b\0\0\0".getBytes(StandardCharsets.ISO_8859_1)),
						415, "unsupported-media-type"),
				bad("base64 that is not base64", h -> h.postJson("/api/v1/predictions", "{\"image\":\"%%%\"}"), 400,
						"bad-request"),
				bad("a data URL of HTML",
						h -> h.postJson("/api/v1/predictions", "{\"image\":\"data:text/html;base64,PGh0bWw+\"}"), 415,
						"unsupported-media-type"),
				bad("a data URL of a non-image in a batch",
						h -> h.postJson("/api/v1/predictions/batch",
								"{\"images\":[{\"image\":\"data:application/pdf;base64,JVBERi0=\"}]}"),
						415, "unsupported-media-type"),
				bad("text/plain body",
						h -> h.post("/api/v1/predictions", "text/plain", "seven".getBytes(StandardCharsets.UTF_8)), 415,
						"unsupported-media-type"),
				bad("truncated PNG",
						h -> h.post("/api/v1/predictions", "image/png", Arrays.copyOf(good, good.length / 2)), 422,
						"undecodable-image"),
				bad("truncated JPEG",
						h -> h.post("/api/v1/predictions", "image/jpeg", Arrays.copyOf(jpeg, jpeg.length / 3)), 422,
						"undecodable-image"),
				bad("empty body", h -> h.post("/api/v1/predictions", "image/png", new byte[0]), 422,
						"undecodable-image"),
				bad("body over the byte limit", h -> h.post("/api/v1/predictions", "image/png", huge), 413,
						"too-large"),
				bad("multipart file over the byte limit",
						h -> h.postFiles("/api/v1/predictions", "file", List.of(huge)), 413, "too-large"),
				bad("decompression bomb header",
						h -> h.post("/api/v1/predictions", "image/png", HttpFixtures.pngHeaderOnly(50_000, 50_000)),
						413, "too-many-pixels"),
				bad("blank white image",
						h -> h.post("/api/v1/predictions", "image/png", HttpFixtures.uniform(64, 64, 255)), 422,
						"blank-image"),
				bad("a tap on a drawing pad (a dot)", h -> h.post("/api/v1/predictions", "image/png", tapOnAPad()), 422,
						"not-a-digit"),
				bad("batch with a tap in it",
						h -> h.postFiles("/api/v1/predictions/batch", "files", List.of(good, tapOnAPad())), 422,
						"not-a-digit"),
				bad("blank black image",
						h -> h.post("/api/v1/predictions", "image/png", HttpFixtures.uniform(28, 28, 0)), 422,
						"blank-image"),
				bad("783 pixel values", h -> h.postJson("/api/v1/predictions", pixels.replaceFirst("\\[\\d+,", "[")),
						422, "invalid-pixels"),
				bad("pixel value 256", h -> h.postJson("/api/v1/predictions", pixels.replaceFirst("\\[\\d+,", "[256,")),
						422, "invalid-pixels"),
				bad("fractional value in 0-255 range",
						h -> h.postJson("/api/v1/predictions", pixels.replaceFirst("\\[\\d+,", "[0.5,")), 422,
						"invalid-pixels"),
				bad("unit floats above 1",
						h -> h.postJson("/api/v1/predictions",
								pixels.replace("\"pixels\":[", "\"range\":\"0-1\",\"pixels\":[")),
						422, "invalid-pixels"),
				bad("unknown range",
						h -> h.postJson("/api/v1/predictions", pixels.replace("]}", "],\"range\":\"0-100\"}")), 422,
						"invalid-pixels"),
				bad("malformed JSON", h -> h.postJson("/api/v1/predictions", "{\"pixels\": [1, 2,"), 400,
						"bad-request"),
				bad("JSON without pixels", h -> h.postJson("/api/v1/predictions", "{\"image\": []}"), 400,
						"bad-request"),
				bad("multipart without a file part", h -> h.postFiles("/api/v1/predictions", "picture", List.of(good)),
						400, "bad-request"),
				bad("batch of 65 images", h -> h.postJson("/api/v1/predictions/batch", batchOf65), 413, "too-large"),
				bad("empty batch", h -> h.postJson("/api/v1/predictions/batch", "{\"images\": []}"), 400,
						"bad-request"),
				bad("batch with one blank image",
						h -> h.postFiles("/api/v1/predictions/batch", "files",
								List.of(good, HttpFixtures.uniform(28, 28, 0))),
						422, "blank-image"),
				bad("multipart without a boundary",
						h -> h.post("/api/v1/predictions/batch", "multipart/form-data", twoFiles.body()), 400,
						"bad-request"),
				bad("multipart truncated before its closing boundary",
						h -> h.post("/api/v1/predictions/batch", twoFiles.contentType(), truncatedMultipart), 400,
						"bad-request"),
				bad("batch of 65 files",
						h -> h.postFiles("/api/v1/predictions/batch", "files", java.util.Collections.nCopies(65, good)),
						413, "too-large"),
				bad("multipart of 100 parts",
						h -> h.postFiles("/api/v1/predictions/batch", "files",
								java.util.Collections.nCopies(100, good)),
						413, "too-large"),
				bad("batch JSON with a null image", h -> h.postJson("/api/v1/predictions/batch", "{\"images\":[null]}"),
						400, "bad-request"),
				bad("batch JSON with an empty image", h -> h.postJson("/api/v1/predictions/batch", "{\"images\":[{}]}"),
						400, "bad-request"),
				bad("785 pixel values", h -> h.postJson("/api/v1/predictions", pixels.replace("[", "[0,")), 422,
						"invalid-pixels"),
				bad("a string among the pixels",
						h -> h.postJson("/api/v1/predictions", pixels.replaceFirst("\\[\\d+,", "[\"x\",")), 422,
						"invalid-pixels"),
				bad("JSON body over its limit",
						h -> h.postJson("/api/v1/predictions", new String(bigJson, StandardCharsets.US_ASCII)), 413,
						"too-large"),
				bad("chunked JSON body cut off past 785 values",
						h -> h.postChunked("/api/v1/predictions", "application/json", longJson), 422, "invalid-pixels"),
				bad("chunked JSON body over its limit",
						h -> h.postChunked("/api/v1/predictions", "application/json",
								("{\"padding\":\"" + "a".repeat(9_000_000) + "\"}")
									.getBytes(StandardCharsets.US_ASCII)),
						413, "too-large"),
				bad("chunked image body over its limit", h -> h.postChunked("/api/v1/predictions", "image/png", huge),
						413, "too-large"),
				bad("GET on the prediction endpoint", h -> h.get("/api/v1/predictions"), 405, "method-not-allowed"),
				bad("unknown path", h -> h.get("/api/v1/nothing-here"), 404, "not-found"));
	}

	private static Arguments bad(String name, BadRequest request, int status, String type) {
		return Arguments.of(name, request, status, type);
	}

	private byte[] png(int index) {
		return HttpFixtures.greyPng(digits.image(index), 28, 28);
	}

	/** A 280x280 white pad with one black dot of 20 px across in its middle. */
	static byte[] tapOnAPad() {
		byte[] grey = new byte[280 * 280];
		for (int y = 0; y < 280; y++) {
			for (int x = 0; x < 280; x++) {
				boolean dot = (x - 140) * (x - 140) + (y - 140) * (y - 140) <= 100;
				grey[y * 280 + x] = (byte) (dot ? 0 : 255);
			}
		}
		return HttpFixtures.greyPng(grey, 280, 280);
	}

}
