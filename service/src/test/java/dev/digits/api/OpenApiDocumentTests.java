package dev.digits.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The committed OpenAPI documents ({@code docs/openapi.json},
 * {@code docs/openapi-admin.json}) are what the service serves, so clients can generate
 * code from the repository. After an API change, regenerate them with
 * {@code ./mvnw -o test -Dtest=OpenApiDocumentTests -Dopenapi.write=true} (the only way
 * this test writes to {@code docs/}).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = "digits.admin.token=" + OpenApiDocumentTests.ADMIN_TOKEN)
class OpenApiDocumentTests {

	static final String ADMIN_TOKEN = "openapi-test-admin-token-1234";

	@LocalServerPort
	int port;

	private HttpFixtures http;

	@BeforeEach
	void client() {
		http = new HttpFixtures(port);
	}

	@Test
	void theCommittedDocumentsAreWhatTheServiceServes() throws Exception {
		for (String[] group : new String[][] { { "digits", "docs/openapi.json" },
				{ "admin", "docs/openapi-admin.json" } }) {
			JsonNode served = admin("/v3/api-docs/" + group[0]).json();
			String pretty = HttpFixtures.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(served) + "\n";
			Path committed = Path.of(group[1]);
			if (Boolean.getBoolean("openapi.write")) {
				Files.writeString(committed, pretty, StandardCharsets.UTF_8);
			}
			Files.createDirectories(Path.of("target"));
			Files.writeString(Path.of("target", committed.getFileName().toString()), pretty, StandardCharsets.UTF_8);
			assertThat(Files.exists(committed)).as(committed + " is committed").isTrue();
			assertThat(HttpFixtures.JSON.readTree(Files.readString(committed)))
				.as(committed + " differs from what the service serves (target/" + committed.getFileName()
						+ "); regenerate: ./mvnw -o test -Dtest=OpenApiDocumentTests -Dopenapi.write=true")
				.isEqualTo(served);
		}
	}

	@Test
	void everyEndpointBodyFormAndProblemTypeIsDocumented() {
		JsonNode doc = http.get("/v3/api-docs/digits").json();
		JsonNode paths = doc.get("paths");
		for (String path : new String[] { "/api/v1/predictions", "/api/v1/predictions/batch",
				"/api/v1/models/{version}/predictions", "/api/v1/models", "/api/v1/model", "/api/v1/feedback",
				"/v2/models/{name}/infer", "/v2/health/ready" }) {
			assertThat(paths.has(path)).as(path).isTrue();
		}
		JsonNode single = paths.at("/~1api~1v1~1predictions/post/requestBody/content");
		assertThat(single.has("multipart/form-data")).isTrue();
		assertThat(single.has("image/*")).isTrue();
		assertThat(single.has("application/json")).isTrue();
		String description = doc.at("/info/description").asString();
		for (ProblemKind kind : ProblemKind.values()) {
			assertThat(description).contains(kind.type().toString());
		}
		assertThat(paths.at("/~1api~1v1~1predictions/post/responses/422/content").has("application/problem+json"))
			.isTrue();
		assertThat(doc.toString()).doesNotContain("/admin/");
		assertThat(admin("/v3/api-docs/admin").json().get("paths").has("/admin/traffic")).isTrue();
	}

	@Test
	void theAdminApiIsDescribedOnlyToTheAdminCredential() {
		for (String path : new String[] { "/v3/api-docs/admin", "/v3/api-docs/admin.yaml", "/v3/api-docs",
				"/v3/api-docs.yaml" }) {
			HttpFixtures.Reply anonymous = http.get(path);
			assertThat(anonymous.status()).as(path).isEqualTo(401);
			assertThat(anonymous.body()).doesNotContain("/admin/traffic");
		}
		HttpFixtures.Reply wrong = http.send(java.net.http.HttpRequest
			.newBuilder(java.net.URI.create("http://localhost:" + port + "/v3/api-docs/admin"))
			.header("Authorization", "Bearer not-the-admin-token-at-all"));
		assertThat(wrong.status()).isEqualTo(401);
		assertThat(admin("/v3/api-docs/admin").status()).isEqualTo(200);
		for (String path : new String[] { "/v3/api-docs/digits", "/v3/api-docs/swagger-config" }) {
			assertThat(http.get(path).body()).as(path).doesNotContain("/admin/traffic");
		}
	}

	private HttpFixtures.Reply admin(String path) {
		return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://localhost:" + port + path))
			.header("Authorization", "Bearer " + ADMIN_TOKEN));
	}

	@Test
	void swaggerUiOpensOnThePublicApi() {
		JsonNode config = http.get("/v3/api-docs/swagger-config").json();
		String primary = config.get("urls.primaryName").asString();
		JsonNode publicGroup = null;
		for (JsonNode url : config.get("urls")) {
			if (url.get("url").asString().endsWith("/v3/api-docs/digits")) {
				publicGroup = url;
			}
		}
		assertThat(publicGroup).as("the public group in " + config).isNotNull();
		assertThat(primary).as("Swagger UI selects the url whose name is urls.primaryName")
			.isEqualTo(publicGroup.get("name").asString());
	}

	@Test
	void swaggerUiIsServedWithItsOwnPolicy() {
		HttpFixtures.Reply ui = http.get("/swagger-ui/index.html");
		assertThat(ui.status()).isEqualTo(200);
		assertThat(ui.raw().headers().firstValue("Content-Security-Policy")).get()
			.asString()
			.contains("script-src 'self'")
			.doesNotContain("unsafe-eval");
	}

}
