package dev.digits.api;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.digits.api.OtlpReceiver.Received;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tracing end to end, against a real OTLP/HTTP receiver ({@link OtlpReceiver}) that
 * decodes what the service exports with the protocol's own classes: the service continues
 * the caller's W3C trace, the request span has children for preprocessing, the queue and
 * inference, each forward pass has a span linked to every request span whose images it
 * carried, and the request's ECS log lines carry the trace id. One inference worker and a
 * long queue delay make concurrent requests share a forward pass for certain.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.tracing.export.enabled=true", "management.tracing.sampling.probability=1.0",
				"management.opentelemetry.tracing.export.schedule-delay=100ms", "logging.structured.format.console=ecs",
				"logging.level.dev.digits.api.ProblemHandler=DEBUG", "digits.inference.workers=1",
				"digits.inference.max-queue-delay=1s",
				// requests are batched by the worker, not computed by their own threads
				"digits.inference.inline-when-idle=false" })
@ExtendWith(OutputCaptureExtension.class)
class TracingTests {

	static final OtlpReceiver RECEIVER = receiver();

	static final int CONCURRENT = 4;

	@LocalServerPort
	int port;

	/**
	 * Boot hands the format to logback.xml as a system property, set once per JVM and
	 * never overwritten: cleared before this class's context starts, and after it, so
	 * that test classes that start a context later log text again.
	 */
	static final String FORMAT_PROPERTY = "CONSOLE_LOG_STRUCTURED_FORMAT";

	@DynamicPropertySource
	static void endpoint(DynamicPropertyRegistry registry) {
		System.clearProperty(FORMAT_PROPERTY);
		registry.add("management.opentelemetry.tracing.export.otlp.endpoint", RECEIVER::endpoint);
	}

	@AfterAll
	static void stop() {
		RECEIVER.close();
		System.clearProperty(FORMAT_PROPERTY);
	}

	/**
	 * A caller's trace: its id and the id of the caller's span, the parent of the
	 * server's.
	 */
	record Caller(String traceId, String spanId) {

		static Caller random() {
			HexFormat hex = HexFormat.of();
			byte[] trace = new byte[16];
			byte[] span = new byte[8];
			ThreadLocalRandom.current().nextBytes(trace);
			ThreadLocalRandom.current().nextBytes(span);
			trace[0] |= 1;
			span[0] |= 1;
			return new Caller(hex.formatHex(trace), hex.formatHex(span));
		}

		String traceparent(boolean sampled) {
			return "00-" + traceId + "-" + spanId + (sampled ? "-01" : "-00");
		}

	}

	@Test
	void concurrentPredictionsAreTracedFromTheCallerThroughTheSharedForwardPass(CapturedOutput output)
			throws Exception {
		byte[] seven = Files.readAllBytes(Path.of("docs/examples/seven.png"));
		List<Caller> callers = new ArrayList<>();
		Map<String, Received> batches = Map.of();
		// one worker waiting a second for company: concurrent requests share a pass; a
		// machine stalled
		// for longer than that gets another round
		for (int round = 0; round < 3
				&& batches.values().stream().noneMatch(b -> b.linkedSpanIds().size() > 1); round++) {
			List<Caller> these = new ArrayList<>();
			for (int i = 0; i < CONCURRENT; i++) {
				these.add(Caller.random());
			}
			List<HttpFixtures.Reply> replies = sendTogether(these, seven);
			for (int i = 0; i < these.size(); i++) {
				HttpFixtures.Reply reply = replies.get(i);
				assertThat(reply.status()).as(reply.body()).isEqualTo(200);
				assertThat(reply.json().get("digit").asInt()).isEqualTo(7);
				// the caller's trace continues, and the service says so
				assertThat(reply.raw().headers().firstValue("X-Trace-Id")).contains(these.get(i).traceId());
			}
			callers.addAll(these);
			await().atMost(Duration.ofSeconds(30)).until(() -> callers.stream().allMatch(c -> traced(c) != null));
			batches = RECEIVER.spans()
				.stream()
				.filter(s -> s.name().equals("digits.batch"))
				.collect(Collectors.toMap(Received::spanId, Function.identity(), (a, b) -> a));
		}

		for (Caller caller : callers) {
			Received server = traced(caller);
			assertThat(server.service()).isEqualTo("digit-service");
			assertThat(server.parentSpanId()).as("the server span is a child of the caller's span")
				.isEqualTo(caller.spanId());
			assertThat(server.attribute("digits.model.version")).isEqualTo(HttpFixtures.DEFAULT_VERSION);
			Map<String, Received> children = childrenOf(server);
			assertThat(children).containsKeys("digits.preprocess", "digits.queue", "digits.inference");
			assertThat(children.get("digits.preprocess").attribute("digits.image.format")).isEqualTo("png");
			Received inference = children.get("digits.inference");
			assertThat(inference.attribute("digits.model.version")).isEqualTo(HttpFixtures.DEFAULT_VERSION);
			// the request's inference span links to the forward pass that computed its
			// image ...
			assertThat(inference.linkedSpanIds()).hasSize(1);
			Received batch = batches.get(inference.linkedSpanIds().get(0));
			assertThat(batch).as("the linked batch span was exported").isNotNull();
			// ... and that pass links back to this request's span
			assertThat(batch.linkedSpanIds()).contains(server.spanId());
			assertThat(batch.linkedTraceIds()).contains(caller.traceId());
		}
		// every pass links exactly the requests it carried, and lives in the trace of the
		// first of them
		Map<String, Set<String>> carried = new java.util.HashMap<>();
		for (Caller caller : callers) {
			Received server = traced(caller);
			carried
				.computeIfAbsent(childrenOf(server).get("digits.inference").linkedSpanIds().get(0),
						k -> new java.util.HashSet<>())
				.add(server.spanId());
		}
		for (Map.Entry<String, Set<String>> entry : carried.entrySet()) {
			Received batch = batches.get(entry.getKey());
			assertThat(Set.copyOf(batch.linkedSpanIds())).isEqualTo(entry.getValue());
			assertThat(entry.getValue()).contains(batch.parentSpanId());
			assertThat(Integer.parseInt(batch.attribute("digits.batch.requests"))).isEqualTo(entry.getValue().size());
		}
		assertThat(carried.values()).as("some forward pass carried several requests").anyMatch(s -> s.size() > 1);
		writeTree(callers);

		// the logs: JSON lines, the access line of each request with its trace id,
		// version and outcome
		for (Caller caller : callers) {
			List<JsonNode> lines = logLines(output, caller.traceId());
			assertThat(lines).as("log lines of trace " + caller.traceId()).isNotEmpty();
			JsonNode access = lines.stream()
				.filter(l -> l.path("log").path("logger").asString().equals("dev.digits.access"))
				.findFirst()
				.orElseThrow();
			assertThat(access.path("modelVersion").asString()).isEqualTo(HttpFixtures.DEFAULT_VERSION);
			assertThat(access.path("outcome").asString()).isEqualTo("success");
			assertThat(access.path("requestId").asString()).isNotBlank();
			assertThat(access.path("spanId").asString()).isEqualTo(traced(caller).spanId());
			assertThat(access.path("http").path("response").path("status_code").asInt()).isEqualTo(200);
		}
	}

	@Test
	void aFailedRequestIsTracedAndEveryLineItLogsCarriesItsIds(CapturedOutput output) {
		Caller caller = Caller.random();
		HttpFixtures.Reply reply = new HttpFixtures(port)
			.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/predictions"))
				.header("Content-Type", "image/png")
				.header("traceparent", caller.traceparent(true))
				.header("X-Request-Id", "trace-test-blank")
				.POST(HttpRequest.BodyPublishers.ofByteArray(HttpFixtures.uniform(28, 28, 0))));
		assertThat(reply.status()).isEqualTo(422);
		assertThat(reply.raw().headers().firstValue("X-Trace-Id")).contains(caller.traceId());
		await().atMost(Duration.ofSeconds(30)).until(() -> traced(caller) != null);
		Received preprocess = childrenOf(traced(caller)).get("digits.preprocess");
		assertThat(preprocess).isNotNull();
		assertThat(preprocess.raw().getStatus().getCode().name()).isEqualTo("STATUS_CODE_ERROR");
		assertThat(preprocess.attribute("digits.failure.reason")).isNotBlank();
		// the problem handler's DEBUG line and the access line: both in the request's
		// trace
		List<JsonNode> lines = await().atMost(Duration.ofSeconds(10))
			.until(() -> logLines(output, caller.traceId()), l -> l.size() >= 2);
		assertThat(lines).extracting(l -> l.path("log").path("logger").asString())
			.contains("dev.digits.api.ProblemHandler", "dev.digits.access");
		assertThat(lines).allSatisfy(l -> assertThat(l.path("requestId").asString()).isEqualTo("trace-test-blank"));
		assertThat(lines).filteredOn(l -> l.path("log").path("logger").asString().equals("dev.digits.access"))
			.singleElement()
			.satisfies(l -> assertThat(l.path("outcome").asString()).isEqualTo("client_error"));
	}

	@Test
	void anUnsampledCallerIsFollowedInTheLogsButNotRecorded(CapturedOutput output) {
		Caller caller = Caller.random();
		HttpFixtures.Reply reply = new HttpFixtures(port)
			.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/model"))
				.header("traceparent", caller.traceparent(false))
				.GET());
		assertThat(reply.status()).isEqualTo(200);
		assertThat(reply.raw().headers().firstValue("X-Trace-Id")).contains(caller.traceId());
		List<JsonNode> lines = await().atMost(Duration.ofSeconds(10))
			.until(() -> logLines(output, caller.traceId()), l -> !l.isEmpty());
		assertThat(lines).anySatisfy(l -> assertThat(l.path("url").path("path").asString()).isEqualTo("/api/v1/model"));
	}

	@Test
	void probesAndScrapesAreNotExported() {
		Caller probe = Caller.random();
		Caller after = Caller.random();
		HttpFixtures http = new HttpFixtures(port);
		assertThat(http
			.send(HttpRequest.newBuilder(http.uri("/actuator/health/liveness"))
				.header("traceparent", probe.traceparent(true))
				.GET())
			.status()).isEqualTo(200);
		assertThat(http
			.send(HttpRequest.newBuilder(URI.create(base() + "/readyz"))
				.header("traceparent", probe.traceparent(true))
				.GET())
			.status()).isEqualTo(200);
		assertThat(http
			.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/model"))
				.header("traceparent", after.traceparent(true))
				.GET())
			.status()).isEqualTo(200);
		// spans are exported in the order they end: once the later request's span is in,
		// the probe's
		// would be too
		await().atMost(Duration.ofSeconds(30)).until(() -> traced(after) != null);
		assertThat(RECEIVER.spans()).noneMatch(s -> s.traceId().equals(probe.traceId()));
	}

	private List<HttpFixtures.Reply> sendTogether(List<Caller> callers, byte[] image) throws Exception {
		HttpFixtures http = new HttpFixtures(port);
		CountDownLatch start = new CountDownLatch(1);
		ExecutorService pool = Executors.newFixedThreadPool(callers.size());
		try {
			List<Future<HttpFixtures.Reply>> futures = new ArrayList<>();
			for (Caller caller : callers) {
				futures.add(pool.submit(() -> {
					start.await();
					return http.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/predictions"))
						.header("Content-Type", "image/png")
						.header("traceparent", caller.traceparent(true))
						.POST(HttpRequest.BodyPublishers.ofByteArray(image)));
				}));
			}
			start.countDown();
			List<HttpFixtures.Reply> replies = new ArrayList<>();
			for (Future<HttpFixtures.Reply> future : futures) {
				replies.add(future.get());
			}
			return replies;
		}
		finally {
			pool.shutdownNow();
		}
	}

	private String base() {
		return "http://localhost:" + port;
	}

	/** The service's server span in the caller's trace, once exported. */
	private static Received traced(Caller caller) {
		return RECEIVER.spans()
			.stream()
			.filter(s -> s.traceId().equals(caller.traceId()) && s.kind() == SpanKind.SPAN_KIND_SERVER)
			.findFirst()
			.orElse(null);
	}

	private static Map<String, Received> childrenOf(Received parent) {
		return RECEIVER.spans()
			.stream()
			.filter(s -> s.parentSpanId().equals(parent.spanId()))
			.collect(Collectors.toMap(Received::name, Function.identity(), (a, b) -> a));
	}

	/** The JSON log lines whose traceId is {@code traceId}. */
	private static List<JsonNode> logLines(CapturedOutput output, String traceId) {
		return output.getOut()
			.lines()
			.filter(l -> l.startsWith("{") && l.contains(traceId))
			.map(l -> Optional.ofNullable(HttpFixtures.JSON.readTree(l)))
			.flatMap(Optional::stream)
			.filter(j -> j.path("traceId").asString().equals(traceId))
			.toList();
	}

	/** The span trees seen, for a person to read: target/tracing/span-tree.txt. */
	private static void writeTree(List<Caller> callers) throws java.io.IOException {
		StringBuilder tree = new StringBuilder();
		for (Caller caller : callers) {
			Received server = traced(caller);
			tree.append("trace ")
				.append(caller.traceId())
				.append(" (caller span ")
				.append(caller.spanId())
				.append(")\n");
			appendTree(tree, server, "  ");
		}
		Path file = Path.of("target", "tracing", "span-tree.txt");
		Files.createDirectories(file.getParent());
		Files.writeString(file, tree);
		System.out.println(tree);
	}

	private static void appendTree(StringBuilder tree, Received span, String indent) {
		long micros = (span.raw().getEndTimeUnixNano() - span.raw().getStartTimeUnixNano()) / 1_000;
		tree.append(indent)
			.append(span.name())
			.append(" [")
			.append(span.kind().name().replace("SPAN_KIND_", ""))
			.append("] ")
			.append(span.spanId())
			.append(' ')
			.append(micros)
			.append(" us");
		if (!span.linkedSpanIds().isEmpty()) {
			tree.append(" links ").append(span.linkedSpanIds());
		}
		tree.append('\n');
		RECEIVER.spans()
			.stream()
			.filter(s -> s.parentSpanId().equals(span.spanId()))
			.sorted(java.util.Comparator.comparingLong(s -> s.raw().getStartTimeUnixNano()))
			.forEach(child -> appendTree(tree, child, indent + "  "));
	}

	private static OtlpReceiver receiver() {
		try {
			return new OtlpReceiver();
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

}
