package dev.digits.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import dev.digits.serving.FeedbackTokens;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Versions and A/B tests over real HTTP, on a copy of the committed repository (versions
 * 1 and 2) in a temporary folder: lifecycle, a poisoned version, weights, stickiness,
 * pinning, shadow, feedback, the admin API's credentials, and a promotion and rollback
 * under load without an error.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ModelVersionsTests {

	static final String ADMIN_TOKEN = "test-admin-token-0123456789";

	static final String FEEDBACK_KEY = "test-feedback-key-0123456789-0123456789";

	static final Path REPOSITORY = copyOfTheRepository();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("digits.model.dir", REPOSITORY::toString);
		registry.add("digits.model.poll-interval", () -> "200ms");
		// the walk-through starts from the first version, whatever the repository serves
		// by default
		registry.add("digits.model.default-version", () -> "1");
		registry.add("digits.admin.token", () -> ADMIN_TOKEN);
		registry.add("digits.feedback.key", () -> FEEDBACK_KEY);
		// every request here comes from one address: a small limit and a short window
		registry.add("digits.feedback.votes-per-client", () -> "3");
		registry.add("digits.feedback.client-window", () -> "3s");
	}

	/** Waits out the feedback window of this test client's address. */
	private static void freshFeedbackWindow() throws InterruptedException {
		Thread.sleep(3_100);
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

	@AfterEach
	void backToOneVersion() {
		admin("PUT", "/admin/traffic", "{\"defaultVersion\":\"1\",\"weights\":{\"1\":100}}");
	}

	@Test
	void bothCommittedVersionsAreReadyAndListed() {
		JsonNode models = http.get("/api/v1/models").json();
		assertThat(models.get("default").asString()).isEqualTo("1");
		assertThat(version(models, "1").get("state").asString()).isEqualTo("READY");
		assertThat(version(models, "1").get("trafficShare").asDouble()).isEqualTo(1.0);
		JsonNode quantized = version(models, "2");
		assertThat(quantized.get("state").asString()).isEqualTo("READY");
		assertThat(quantized.get("trafficShare").asDouble()).isZero();
		assertThat(quantized.at("/summary/testAccuracy").asDouble()).isGreaterThan(0.99);
		assertThat(quantized.has("dir")).as("no filesystem path on a public endpoint").isFalse();
		assertThat(http.get("/actuator/health/readiness").json().at("/components/model/details/versions/2").asString())
			.isEqualTo("READY");
		// each version holds the network's float weights and the engine's channels-last
		// copy, and each worker that ran it one set of activation buffers for a batch of
		// 32, and the requests that ran alone one set for 4 (the inline pass)
		long weights = 2L * 225_034 * 4;
		long perImage = (784 + 26 * 26 * 32 + 13 * 13 * 32 + 11 * 11 * 64 + 5 * 5 * 64 + 128 + 10) * 4L;
		long pass = 32 * perImage;
		long inline = 4 * perImage;
		for (String v : new String[] { "1", "2" }) {
			assertThat(version(models, v).get("memoryBytes").asLong()).as("memory of version " + v)
				.isBetween(weights + pass, weights + Runtime.getRuntime().availableProcessors() * pass + inline);
		}
	}

	@Test
	void aPoisonedVersionFailsAndTakesNoTraffic() throws IOException {
		Path poisoned = REPOSITORY.resolve("mnist-cnn/9");
		copy(REPOSITORY.resolve("mnist-cnn/2"), poisoned);
		byte[] weights = Files.readAllBytes(poisoned.resolve("mnist-cnn-int8-weights.bin"));
		for (int i = 1000; i < 1400; i++) {
			weights[i] ^= 0x3C; // kernels changed, shapes intact
		}
		Files.write(poisoned.resolve("mnist-cnn-int8-weights.bin"), weights);
		HttpFixtures.Reply load = admin("POST", "/admin/models/9/load", "");
		assertThat(load.status()).as(load.body()).isEqualTo(422);
		assertThat(load.body()).contains("model-load-failed").contains("golden outputs");
		JsonNode nine = version(http.get("/api/v1/models").json(), "9");
		assertThat(nine.get("state").asString()).isEqualTo("FAILED");
		HttpFixtures.Reply route = admin("PUT", "/admin/traffic",
				"{\"defaultVersion\":\"1\",\"weights\":{\"1\":50,\"9\":50}}");
		assertThat(route.status()).isEqualTo(409);
		assertThat(pinned("9").status()).isEqualTo(503);
		assertThat(predict(null).at("/model/version").asString()).isEqualTo("1");
	}

	@Test
	void weightsSplitTrafficWithinStatisticalTolerance() {
		assertThat(
				admin("PUT", "/admin/traffic", "{\"defaultVersion\":\"1\",\"weights\":{\"1\":80,\"2\":20}}").status())
			.isEqualTo(200);
		int n = 1000;
		int two = 0;
		for (int i = 0; i < n; i++) {
			JsonNode answer = predict(null);
			assertThat(answer.at("/model/assignment").asString()).isEqualTo("weighted");
			two += answer.at("/model/version").asString().equals("2") ? 1 : 0;
		}
		// 20% of 1000: the standard deviation is 12.6; five of them either side
		assertThat(two).isBetween(200 - 63, 200 + 63);
	}

	@Test
	void aClientKeepsItsVariant() {
		admin("PUT", "/admin/traffic", "{\"defaultVersion\":\"1\",\"weights\":{\"1\":50,\"2\":50}}");
		Map<String, String> first = new HashMap<>();
		for (int round = 0; round < 3; round++) {
			for (int client = 0; client < 40; client++) {
				JsonNode answer = predict("client-" + client);
				assertThat(answer.at("/model/assignment").asString()).isEqualTo("sticky");
				String version = answer.at("/model/version").asString();
				assertThat(first.putIfAbsent("client-" + client, version) == null
						|| first.get("client-" + client).equals(version))
					.as("client-%d keeps version %s", client, first.get("client-" + client))
					.isTrue();
			}
		}
		assertThat(first.values()).contains("1", "2");
	}

	@Test
	void aVersionCanBePinnedByPathOrHeader() {
		assertThat(pinned("2").json().at("/model/version").asString()).isEqualTo("2");
		assertThat(pinned("2").json().at("/model/assignment").asString()).isEqualTo("pinned");
		HttpFixtures.Reply byHeader = http
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/predictions"))
				.header("Content-Type", "image/png")
				.header("X-Model-Version", "2")
				.POST(HttpRequest.BodyPublishers.ofByteArray(seven)));
		assertThat(byHeader.json().at("/model/version").asString()).isEqualTo("2");
		HttpFixtures.Reply unknown = pinned("77");
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(unknown.body()).contains("urn:digit-service:problem:unknown-model-version");
		assertThat(pinned("..").status()).isIn(400, 404);
	}

	@Test
	void shadowComputesEveryRequestOfTheDefaultAndIsCompared() throws Exception {
		long before = version(http.get("/api/v1/models").json(), "2").at("/shadowAgreement/total").asLong(0);
		admin("PUT", "/admin/traffic", "{\"defaultVersion\":\"1\",\"weights\":{\"1\":100},\"shadow\":\"2\"}");
		for (int i = 0; i < 100; i++) {
			assertThat(predict(null).at("/model/version").asString()).isEqualTo("1");
		}
		JsonNode agreement = null;
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (System.nanoTime() < deadline) {
			agreement = version(http.get("/api/v1/models").json(), "2").get("shadowAgreement");
			if (agreement != null && agreement.get("total").asLong() - before >= 100) {
				break;
			}
			Thread.sleep(50);
		}
		assertThat(agreement.get("total").asLong() - before).isEqualTo(100);
		assertThat(agreement.get("rate").asDouble()).isEqualTo(1.0);
		assertThat(http.get("/actuator/prometheus").body()).contains("digits_shadow_total{")
			.contains("digits_shadow_latency_seconds_count{");
	}

	@Test
	void feedbackCountsForTheVersionThatAnsweredAndRefusesBadTokens() throws InterruptedException {
		freshFeedbackWindow();
		JsonNode answer = pinnedNewImage("2").json();
		String token = answer.get("feedbackToken").asString();
		long before = version(http.get("/api/v1/models").json(), "2").at("/feedback/total").asLong();
		HttpFixtures.Reply recorded = http.postJson("/api/v1/feedback", "{\"token\":\"" + token + "\",\"digit\":7}");
		assertThat(recorded.status()).as(recorded.body()).isEqualTo(200);
		assertThat(recorded.json().get("version").asString()).isEqualTo("2");
		assertThat(recorded.json().get("correct").asBoolean()).isTrue();
		JsonNode feedback = version(http.get("/api/v1/models").json(), "2").get("feedback");
		assertThat(feedback.get("total").asLong()).isEqualTo(before + 1);
		assertThat(feedback.get("wilson95")).hasSize(2);
		// replayed, forged, unknown version, nonsense
		assertThat(http.postJson("/api/v1/feedback", "{\"token\":\"" + token + "\",\"digit\":7}").body())
			.contains("feedback-already-recorded");
		int at = token.indexOf('.') + 5;
		String forged = token.substring(0, at) + (token.charAt(at) == 'x' ? 'y' : 'x') + token.substring(at + 1);
		HttpFixtures.Reply refused = http.postJson("/api/v1/feedback", "{\"token\":\"" + forged + "\",\"digit\":7}");
		assertThat(refused.status()).isEqualTo(400);
		assertThat(refused.body()).contains("invalid-feedback-token");
		FeedbackTokens sameKey = new FeedbackTokens(FEEDBACK_KEY.getBytes(StandardCharsets.UTF_8), Duration.ofHours(1),
				java.time.Clock.systemUTC(), 1000);
		HttpFixtures.Reply unknown = http.postJson("/api/v1/feedback",
				"{\"token\":\"" + sameKey.issue("55", 3) + "\",\"digit\":3}");
		assertThat(unknown.status()).isEqualTo(404);
		assertThat(http.postJson("/api/v1/feedback", "{\"token\":\"" + token + "\",\"digit\":12}").status())
			.isEqualTo(400);
		assertThat(http.postJson("/api/v1/feedback", "{\"digit\":1}").status()).isEqualTo(400);
		assertThat(http.get("/actuator/prometheus").body())
			.contains("digits_feedback_total{application=\"digit-service\",correct=\"true\",model_version=\"2\"}");
	}

	@Test
	void oneClientCannotOutvoteTheRest() throws InterruptedException {
		freshFeedbackWindow();
		for (int vote = 0; vote < 3; vote++) {
			String token = pinnedNewImage("2").json().get("feedbackToken").asString();
			assertThat(http.postJson("/api/v1/feedback", "{\"token\":\"" + token + "\",\"digit\":7}").status())
				.isEqualTo(200);
		}
		String fourth = pinnedNewImage("2").json().get("feedbackToken").asString();
		HttpFixtures.Reply limited = http.postJson("/api/v1/feedback", "{\"token\":\"" + fourth + "\",\"digit\":7}");
		assertThat(limited.status()).as(limited.body()).isEqualTo(429);
		assertThat(limited.body()).contains("feedback-rate-limited");
		// the A/B figures say how many clients they rest on: this one address
		assertThat(version(http.get("/api/v1/models").json(), "2").at("/feedback/clients").asLong()).isEqualTo(1);
		assertThat(http.get("/actuator/prometheus").body()).contains("digits_feedback_clients{");
		// a refused vote did not spend its token
		freshFeedbackWindow();
		assertThat(http.postJson("/api/v1/feedback", "{\"token\":\"" + fourth + "\",\"digit\":7}").status())
			.isEqualTo(200);
	}

	@Test
	void theAdminApiWantsItsTokenAndChangesNothingWithout() {
		String policyBefore = admin("GET", "/admin/traffic", null).body();
		for (String authorization : new String[] { null, "Bearer wrong-token-0123456789", "Basic YWRtaW46YWRtaW4=" }) {
			for (String[] call : new String[][] { { "GET", "/admin/models" }, { "POST", "/admin/models/2/promote" },
					{ "PUT", "/admin/traffic" }, { "POST", "/admin/models/2/unload" } }) {
				HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + call[1]))
					.header("Content-Type", "application/json")
					.method(call[0], HttpRequest.BodyPublishers.ofString("{\"defaultVersion\":\"2\"}"));
				if (authorization != null) {
					request.header("Authorization", authorization);
				}
				HttpFixtures.Reply reply = http.send(request);
				assertThat(reply.status()).as(call[0] + " " + call[1] + " with " + authorization).isEqualTo(401);
				assertThat(reply.contentType()).startsWith("application/problem+json");
				assertThat(reply.raw().headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer");
			}
		}
		assertThat(admin("GET", "/admin/traffic", null).body()).isEqualTo(policyBefore);
		assertThat(version(http.get("/api/v1/models").json(), "2").get("state").asString()).isEqualTo("READY");
		assertThat(admin("POST", "/admin/models/1/unload", "").status()).as("the default cannot be unloaded")
			.isEqualTo(409);
	}

	@Test
	void theInferenceProtocolsRepositoryExtensionIndexesLoadsAndUnloadsBehindTheAdminToken() {
		assertThat(http.get("/v2").json().get("extensions").toString()).contains("model_repository");
		HttpFixtures.Reply anonymous = http.postJson("/v2/repository/index", "");
		assertThat(anonymous.status()).isEqualTo(401);
		assertThat(anonymous.contentType()).startsWith("application/json");
		assertThat(anonymous.json().get("error").asString()).contains("Bearer");

		JsonNode index = admin("POST", "/v2/repository/index", null).json();
		assertThat(index.findValuesAsString("version")).containsSequence("1", "2");
		assertThat(index.get(0).get("name").asString()).isEqualTo("mnist-cnn");
		assertThat(index.get(0).get("state").asString()).isEqualTo("READY");

		HttpFixtures.Reply unloaded = admin("POST", "/v2/repository/models/mnist-cnn/versions/2/unload", null);
		assertThat(unloaded.status()).as(unloaded.body()).isEqualTo(200);
		assertThat(unloaded.json().get("unload").asBoolean()).isTrue();
		assertThat(unloaded.json().get("state").asString()).isEqualTo("UNLOADED");
		assertThat(http.get("/v2/models/mnist-cnn/versions/2/ready").status()).isEqualTo(400);
		assertThat(admin("POST", "/v2/repository/index", null).json().toString())
			.contains("{\"name\":\"mnist-cnn\",\"version\":\"2\",\"state\":\"UNLOADED\"}");

		HttpFixtures.Reply loaded = admin("POST", "/v2/repository/models/mnist-cnn/versions/2/load", null);
		assertThat(loaded.status()).as(loaded.body()).isEqualTo(200);
		assertThat(loaded.json().get("state").asString()).isEqualTo("READY");
		assertThat(http.get("/v2/models/mnist-cnn/versions/2/ready").status()).isEqualTo(200);

		// the protocol's error form for every refusal
		for (String[] call : new String[][] { { "/v2/repository/models/mnist-cnn/load", "400" },
				{ "/v2/repository/models/other/versions/2/load", "404" },
				{ "/v2/repository/models/mnist-cnn/versions/99/load", "404" },
				{ "/v2/repository/models/mnist-cnn/versions/1/unload", "409" } }) {
			HttpFixtures.Reply refused = admin("POST", call[0], null);
			assertThat(refused.status()).as(call[0] + ": " + refused.body()).isEqualTo(Integer.parseInt(call[1]));
			assertThat(refused.contentType()).startsWith("application/json");
			assertThat(refused.json().get("error").asString()).isNotBlank();
		}
		assertThat(version(http.get("/api/v1/models").json(), "1").get("state").asString()).isEqualTo("READY");
	}

	@Test
	void aNewVersionFolderIsLoadedByTheWatcherAndRemovedOnesUnloaded() throws Exception {
		copy(REPOSITORY.resolve("mnist-cnn/2"), REPOSITORY.resolve("mnist-cnn/2a"));
		JsonNode added = awaitState("2a", "READY");
		assertThat(added.get("trafficShare").asDouble()).as("new versions get traffic only by policy").isZero();
		try (Stream<Path> files = Files.walk(REPOSITORY.resolve("mnist-cnn/2a"))) {
			files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
		awaitState("2a", "UNLOADED");
	}

	/**
	 * Promote and roll back, twice, while about 1,000 requests a second run: not one
	 * fails.
	 */
	@Test
	void promotionAndRollbackUnderLoadLoseNoRequest() throws Exception {
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicInteger ok = new AtomicInteger();
		List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
		Map<String, AtomicInteger> byVersion = new java.util.concurrent.ConcurrentHashMap<>();
		ExecutorService clients = Executors.newFixedThreadPool(8);
		List<Future<?>> load = new ArrayList<>();
		long start = System.nanoTime();
		for (int c = 0; c < 8; c++) {
			load.add(clients.submit(() -> {
				long next = System.nanoTime();
				while (running.get()) {
					HttpFixtures.Reply reply = http.post("/api/v1/predictions", "image/png", seven);
					if (reply.status() == 200) {
						ok.incrementAndGet();
						byVersion
							.computeIfAbsent(reply.json().at("/model/version").asString(), v -> new AtomicInteger())
							.incrementAndGet();
					}
					else {
						failures.add(reply.status() + " " + reply.body());
					}
					next += 8_000_000; // 125 per second per client
					long wait = next - System.nanoTime();
					if (wait > 0) {
						java.util.concurrent.locks.LockSupport.parkNanos(wait);
					}
				}
				return null;
			}));
		}
		for (int i = 0; i < 2; i++) {
			Thread.sleep(1_000);
			assertThat(admin("POST", "/admin/models/2/promote", "").status()).isEqualTo(200);
			Thread.sleep(1_000);
			assertThat(admin("POST", "/admin/traffic/rollback", "").status()).isEqualTo(200);
		}
		Thread.sleep(1_000);
		running.set(false);
		for (Future<?> f : load) {
			f.get(30, TimeUnit.SECONDS);
		}
		clients.shutdown();
		double seconds = (System.nanoTime() - start) / 1e9;
		System.out.printf("promotion under load: %d requests in %.1f s (%.0f/s), by version %s, failures %d%n",
				ok.get(), seconds, ok.get() / seconds, byVersion, failures.size());
		assertThat(failures).isEmpty();
		assertThat(byVersion).containsKeys("1", "2");
		assertThat(ok.get() / seconds).as("requests per second").isGreaterThan(300);
	}

	private JsonNode awaitState(String version, String state) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		JsonNode found = null;
		while (System.nanoTime() < deadline) {
			found = version(http.get("/api/v1/models").json(), version);
			if (found != null && state.equals(found.get("state").asString())) {
				return found;
			}
			Thread.sleep(100);
		}
		throw new AssertionError("version " + version + " did not become " + state + ": " + found);
	}

	private JsonNode predict(String clientId) {
		HttpRequest.Builder request = HttpRequest
			.newBuilder(URI.create("http://localhost:" + port + "/api/v1/predictions"))
			.header("Content-Type", "image/png")
			.POST(HttpRequest.BodyPublishers.ofByteArray(seven));
		if (clientId != null) {
			request.header("X-Client-Id", clientId);
		}
		HttpFixtures.Reply reply = http.send(request);
		assertThat(reply.status()).as(reply.body()).isEqualTo(200);
		return reply.json();
	}

	private HttpFixtures.Reply pinned(String version) {
		return http.post("/api/v1/models/" + version + "/predictions", "image/png", seven);
	}

	/** How many images {@link #pinnedNewImage} made, in every test of the class. */
	private static final java.util.concurrent.atomic.AtomicInteger VARIANTS = new java.util.concurrent.atomic.AtomicInteger();

	/**
	 * As {@link #pinned(String)}, with another image each time (the seven with one faint
	 * corner pixel changed), so that this one client may label each: the service takes
	 * one label per image and client.
	 */
	private HttpFixtures.Reply pinnedNewImage(String version) {
		try {
			java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(seven));
			byte[] grey = new byte[28 * 28];
			for (int i = 0; i < grey.length; i++) {
				grey[i] = (byte) (image.getRaster().getSample(i % 28, i / 28, 0));
			}
			int level = grey[0] & 0xFF;
			int step = 1 + VARIANTS.getAndIncrement() % 40;
			grey[0] = (byte) (level < 128 ? level + step : level - step);
			return http.post("/api/v1/models/" + version + "/predictions", "image/png",
					HttpFixtures.greyPng(grey, 28, 28));
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private HttpFixtures.Reply admin(String method, String path, String json) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.header("Authorization", "Bearer " + ADMIN_TOKEN)
			.method(method,
					json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
		if (json != null) {
			request.header("Content-Type", "application/json");
		}
		return http.send(request);
	}

	static JsonNode version(JsonNode models, String version) {
		for (JsonNode v : models.get("versions")) {
			if (v.get("version").asString().equals(version)) {
				return v;
			}
		}
		return null;
	}

	/**
	 * The committed repository's versions 1 and 2, in a temporary folder the tests may
	 * change.
	 */
	static Path copyOfTheRepository() {
		try {
			Path dir = dev.digits.TemporaryFolders.create("model-repository");
			for (String version : List.of("1", "2")) {
				copy(Path.of("models/mnist-cnn", version), dir.resolve("mnist-cnn").resolve(version));
			}
			return dir;
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	static void copy(Path from, Path to) throws IOException {
		Files.createDirectories(to);
		try (Stream<Path> files = Files.list(from)) {
			for (Path file : files.toList()) {
				Files.copy(file, to.resolve(file.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
			}
		}
		// settled: the watcher loads folders whose files have not changed for one poll
		// interval
		try (Stream<Path> files = Files.list(to)) {
			for (Path file : files.toList()) {
				Files.setLastModifiedTime(file,
						java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 10_000));
			}
		}
	}

}
