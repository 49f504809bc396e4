package dev.digits.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import dev.digits.inference.PipelineTracer;
import io.micrometer.tracing.Tracer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The access log (one line per request on {@code dev.digits.access}) and tracing off,
 * with the service's default configuration: text logs, no tracer, {@code traceparent}
 * ignored. The access logger's default level is said again so that this class gets a
 * context of its own, whose start sets up logging anew (text), whatever a test class
 * before it chose (TracingTests logs JSON).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "logging.level.dev.digits.access=INFO")
@ExtendWith(OutputCaptureExtension.class)
class AccessLogTests {

	@LocalServerPort
	int port;

	@Autowired
	Tracer tracer;

	@Autowired
	PipelineTracer pipelineTracer;

	@AfterEach
	void clearMdc() {
		MDC.clear();
	}

	@Test
	void aPredictionIsOneLineWithWhatAnOperatorAsks(CapturedOutput output) throws IOException {
		byte[] seven = Files.readAllBytes(Path.of("docs/examples/seven.png"));
		HttpFixtures.Reply reply = new HttpFixtures(port)
			.send(request("/api/v1/predictions?include=input&allowed=1,7").header("Content-Type", "image/png")
				.header("X-Request-Id", "access-log-seven")
				.POST(HttpRequest.BodyPublishers.ofByteArray(seven)));
		assertThat(reply.status()).isEqualTo(200);
		String line = accessLine(output, "access-log-seven");
		assertThat(line).contains("[access-log-seven]")
			.contains("POST /api/v1/predictions?include&allowed 200 ")
			.contains(" in=" + seven.length + " ")
			.contains(" out=" + reply.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + " ")
			.contains(" model=" + HttpFixtures.DEFAULT_VERSION + " ")
			.contains(" client=127.0.0.1")
			.doesNotContain("1,7")
			.doesNotContain("=input");
		assertThat(lines(output, "access-log-seven")).hasSize(1);
	}

	@Test
	void errorsAndUnknownPathsAreLoggedToo(CapturedOutput output) throws IOException {
		HttpFixtures http = new HttpFixtures(port);
		http.send(request("/no/such/path?secret=hunter2").header("X-Request-Id", "access-log-404").GET());
		http.send(request("/api/v1/predictions").header("X-Request-Id", "access-log-422")
			.header("Content-Type", "image/png")
			.POST(HttpRequest.BodyPublishers.ofByteArray(HttpFixtures.uniform(28, 28, 0))));
		assertThat(accessLine(output, "access-log-404")).contains("GET /no/such/path?secret 404 ")
			.doesNotContain("hunter2")
			.doesNotContain(" model=");
		// refused before a version was assigned
		assertThat(accessLine(output, "access-log-422")).contains("POST /api/v1/predictions 422 ")
			.doesNotContain(" model=");
	}

	@Test
	void requestsTomcatRefusesItselfAreLogged(CapturedOutput output) throws IOException {
		String response = RawHttp.exchange(port, "GET /\u0001access-log-bad HTTP/1.1\r\nHost: x\r\n\r\n", new byte[0],
				false);
		assertThat(RawHttp.status(response)).isEqualTo(400);
		List<String> refused = await().atMost(Duration.ofSeconds(10))
			.until(() -> output.getAll()
				.lines()
				.filter(l -> l.contains("dev.digits.access") && l.contains(" 400 "))
				.toList(), l -> !l.isEmpty());
		assertThat(refused).isNotEmpty();
	}

	@Test
	void probesAndScrapesAreNotLoggedAtInfo(CapturedOutput output) {
		HttpFixtures http = new HttpFixtures(port);
		http.send(request("/readyz").header("X-Request-Id", "access-log-readyz").GET());
		http.send(request("/livez").header("X-Request-Id", "access-log-livez").GET());
		http.send(request("/api/v1/model").header("X-Request-Id", "access-log-after-probe").GET());
		accessLine(output, "access-log-after-probe");
		assertThat(lines(output, "access-log-readyz")).isEmpty();
		assertThat(lines(output, "access-log-livez")).isEmpty();
	}

	@Test
	void tracingIsOffByDefaultAndCostsNoSpans(CapturedOutput output) {
		assertThat(tracer).isSameAs(Tracer.NOOP);
		assertThat(pipelineTracer).isSameAs(PipelineTracer.OFF);
		HttpFixtures.Reply reply = new HttpFixtures(port).send(request("/api/v1/model")
			.header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
			.header("X-Request-Id", "access-log-untraced")
			.GET());
		assertThat(reply.raw().headers().firstValue("X-Trace-Id")).isEmpty();
		assertThat(accessLine(output, "access-log-untraced")).contains("[access-log-untraced]")
			.doesNotContain("4bf92f3577b34da6a3ce929d0e0e4736")
			.doesNotContain("trace=");
	}

	@Test
	void theModelVersionJoinsTheLogContextWhenAssignedAndLeavesWithTheRequest() {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/predictions");
		InferenceRequests.routing(request, null, null, null).assigned().accept("2");
		assertThat(MDC.get("modelVersion")).isEqualTo("2");
		assertThat(request.getAttribute(InferenceRequests.VERSION_ATTRIBUTE)).isEqualTo("2");
	}

	@Test
	void queryValuesNeverReachTheLog() {
		assertThat(AccessLogValve.queryNames("a=1&b=2&a=3")).isEqualTo("a&b&a");
		assertThat(AccessLogValve.queryNames("token")).isEqualTo("token");
		assertThat(AccessLogValve.queryNames("")).isNull();
		assertThat(AccessLogValve.queryNames("&&x=1&")).isEqualTo("x");
		String many = String.join("&", java.util.Collections.nCopies(40, "k=v"));
		assertThat(AccessLogValve.queryNames(many)).endsWith("&...").doesNotContain("v");
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path));
	}

	/** The access line of the request, once written (after the response is complete). */
	private static String accessLine(CapturedOutput output, String requestId) {
		return await().atMost(Duration.ofSeconds(10)).until(() -> lines(output, requestId), l -> !l.isEmpty()).get(0);
	}

	private static List<String> lines(CapturedOutput output, String requestId) {
		return output.getAll()
			.lines()
			.filter(l -> l.contains("dev.digits.access") && l.contains("[" + requestId + "]"))
			.toList();
	}

}
