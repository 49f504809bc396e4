package dev.digits.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.http.BodyPart;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import io.gatling.javaapi.http.HttpRequestActionBuilder;

import static io.gatling.javaapi.core.CoreDsl.ByteArrayBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.ByteArrayBodyPart;
import static io.gatling.javaapi.http.HttpDsl.header;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * The requests of the HTTP benchmarks. Each is named after its phase (the name Gatling's
 * statistics carry), checks for a 200 (so a 503 is a KO and Gatling's OK statistics are the
 * accepted requests' latency), and saves the status and the 503's form for {@link BenchRun#count}.
 */
final class Requests {

	static final String PREDICT = "/api/v1/predictions";

	static final String BATCH = "/api/v1/predictions/batch";

	/** The framework ceiling: same body, read and discarded (BenchmarkController, benchmark profile). */
	static final String NOOP = "/bench/noop";

	private Requests() {
	}

	/**
	 * Connections shared by all virtual users, as a client's pool would be: each open-model arrival
	 * is a new user, and a connection per user would measure TCP set-up instead of the service.
	 */
	static HttpProtocolBuilder protocol() {
		return http.baseUrl(BenchRun.BASE_URL).shareConnections().disableWarmUp().disableCaching()
			.acceptHeader("application/json").userAgentHeader("gatling digit-service benchmark");
	}

	/** One raw PNG body POSTed to {@code path}. */
	static HttpRequestActionBuilder png(String name, String path, Function<Session, byte[]> body) {
		return checked(http(name).post(path).header("Content-Type", "image/png").body(ByteArrayBody(body)));
	}

	static HttpRequestActionBuilder png(String name, String path, byte[] body) {
		return png(name, path, session -> body);
	}

	/**
	 * One PNG as a multipart {@code file} part POSTed to {@code path}: the form the peer
	 * (../shared/peer, FastAPI) takes, and the service too.
	 */
	static HttpRequestActionBuilder file(String name, String path, byte[] png) {
		return checked(http(name).post(path)
			.bodyPart(ByteArrayBodyPart("file", png).fileName("seven.png").contentType("image/png")));
	}

	/** A multipart batch: each image a {@code files} part. */
	static HttpRequestActionBuilder batch(String name, List<byte[]> images) {
		List<BodyPart> parts = new ArrayList<>();
		for (int i = 0; i < images.size(); i++) {
			parts.add(ByteArrayBodyPart("files", images.get(i)).fileName("digit-" + i + ".png").contentType("image/png"));
		}
		return checked(http(name).post(BATCH).bodyParts(parts));
	}

	private static HttpRequestActionBuilder checked(HttpRequestActionBuilder request) {
		return request.check(status().saveAs("status"), responseTimeInMillis().saveAs("responseMillis"),
				header("Retry-After").optional().saveAs("retryAfter"),
				header("Content-Type").optional().saveAs("contentType"), status().is(200));
	}

	/** A scenario of one request, counted under its phase: one virtual user per request. */
	static ScenarioBuilder once(String phase, HttpRequestActionBuilder request) {
		return scenario(phase).exec(request).exec(BenchRun.count(phase));
	}

	/** The warm-up: predictions and no-ops in turn (JIT, connections, native set-up). */
	static ScenarioBuilder warmup(HttpRequestActionBuilder... requests) {
		ChainBuilder chain = exec(requests[0]);
		for (int i = 1; i < requests.length; i++) {
			chain = chain.exec(requests[i]);
		}
		return scenario("warmup").exec(chain);
	}

}
