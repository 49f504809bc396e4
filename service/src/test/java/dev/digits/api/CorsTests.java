package dev.digits.api;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Real preflight and cross-origin requests, with the origins narrowed to one. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
		"digits.cors.allowed-origins=https://forms.example.com", "digits.admin.token=cors-test-admin-token-123" })
class CorsTests {

	static final String APP = "https://forms.example.com";

	@LocalServerPort
	int port;

	private HttpFixtures http;

	@BeforeEach
	void client() {
		http = new HttpFixtures(port);
	}

	@Test
	void aPreflightFromAnAllowedOriginIsAnsweredAndCached() {
		for (String path : new String[] { "/api/v1/predictions", "/api/v1/feedback", "/v2/models/mnist-cnn/infer" }) {
			HttpFixtures.Reply reply = preflight(path, APP, "content-type,x-client-id,x-request-id");
			assertThat(reply.status()).as(path).isEqualTo(200);
			var headers = reply.raw().headers();
			assertThat(headers.firstValue("Access-Control-Allow-Origin")).hasValue(APP);
			assertThat(headers.firstValue("Access-Control-Allow-Methods")).get().asString().contains("POST", "DELETE");
			assertThat(headers.firstValue("Access-Control-Allow-Headers")).get()
				.asString()
				.containsIgnoringCase("x-client-id");
			assertThat(headers.firstValue("Access-Control-Max-Age")).hasValue("3600");
			assertThat(headers.firstValue("Access-Control-Allow-Credentials")).isEmpty();
		}
	}

	@Test
	void aCrossOriginPredictionExposesTheRequestId() throws Exception {
		HttpFixtures.Reply reply = http
			.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/predictions"))
				.header("Origin", APP)
				.header("Content-Type", "image/png")
				.POST(HttpRequest.BodyPublishers.ofByteArray(Files.readAllBytes(Path.of("docs/examples/seven.png")))));
		assertThat(reply.status()).isEqualTo(200);
		assertThat(reply.raw().headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
		assertThat(reply.raw().headers().firstValue("Access-Control-Expose-Headers")).get()
			.asString()
			.contains("X-Request-Id");
	}

	@Test
	void otherOriginsAndTheAdminApiGetNoCorsGrant() {
		HttpFixtures.Reply foreign = preflight("/api/v1/predictions", "https://evil.example.net", "content-type");
		assertThat(foreign.status()).isEqualTo(403);
		assertThat(foreign.raw().headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		HttpFixtures.Reply admin = preflight("/admin/traffic", APP, "authorization,content-type");
		assertThat(admin.raw().headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
		assertThat(admin.status()).isIn(401, 403);
	}

	private HttpFixtures.Reply preflight(String path, String origin, String headers) {
		return http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
			.header("Origin", origin)
			.header("Access-Control-Request-Method", "POST")
			.header("Access-Control-Request-Headers", headers)
			.method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
	}

}
