package dev.digits.api;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import dev.digits.model.ModelFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The digit-entry page's files over real HTTP, without a browser: the TF.js model served
 * from the model repository (two fixed names, content types, version header,
 * revalidation, nothing else reachable under its path), and the page itself under the
 * page's CSP with nothing inline for the CSP to forbid.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TfjsModelControllerTests {

	static final Path STATIC = Path.of("service/src/main/resources/static");

	@LocalServerPort
	int port;

	private HttpFixtures http;

	@BeforeEach
	void client() {
		http = new HttpFixtures(port);
	}

	@Test
	void theModelTopologyAndWeightsAreServedFromTheRepository() throws IOException {
		// the default version's export: what the server answers with is what the page
		// runs
		Path folder = Path.of("models", "mnist-cnn", HttpFixtures.DEFAULT_VERSION);
		HttpFixtures.Reply topology = http.get("/models/tfjs/mnist-cnn.json");
		assertThat(topology.status()).isEqualTo(200);
		assertThat(topology.contentType()).startsWith("application/json");
		assertThat(topology.raw().headers().firstValue("X-Model-Version")).hasValue(HttpFixtures.DEFAULT_VERSION);
		assertThat(topology.body()).isEqualTo(Files.readString(folder.resolve(ModelFiles.TFJS)));
		JsonNode manifest = topology.json().get("weightsManifest").get(0);
		assertThat(manifest.get("paths").get(0).asString()).isEqualTo(ModelFiles.TFJS_WEIGHTS);

		HttpFixtures.Reply weights = http.get("/models/tfjs/" + ModelFiles.TFJS_WEIGHTS);
		assertThat(weights.status()).isEqualTo(200);
		assertThat(weights.contentType()).isEqualTo("application/octet-stream");
		assertThat(weights.raw().headers().firstValueAsLong("Content-Length"))
			.hasValue(Files.size(folder.resolve(ModelFiles.TFJS_WEIGHTS)));
		assertThat(weights.raw().headers().firstValue("Cache-Control")).hasValue("no-cache");

		// a browser that has the weights revalidates them: 304, no body
		String etag = weights.raw().headers().firstValue("ETag").orElseThrow();
		HttpFixtures.Reply again = http
			.send(HttpRequest.newBuilder(URI.create(base() + "/models/tfjs/" + ModelFiles.TFJS_WEIGHTS))
				.header("If-None-Match", etag)
				.GET());
		assertThat(again.status()).isEqualTo(304);
		assertThat(again.body()).isEmpty();
	}

	@Test
	void nothingElseIsReachableUnderTheModelPath() {
		for (String path : List.of("/models/tfjs/mnist-cnn.zip", "/models/tfjs/model-metadata.json",
				"/models/tfjs/mnist-cnn-int8.json", "/models/tfjs/..%2Fmnist-cnn.zip", "/models/tfjs/%2e%2e/pom.xml",
				"/models/tfjs/mnist-cnn.json/..%2F..%2Fpom.xml", "/models/tfjs/", "/models/mnist-cnn.zip",
				"/models/tfjs/mnist-cnn.json;x=/../mnist-cnn.zip")) {
			HttpFixtures.Reply reply = http.get(path);
			assertThat(reply.status()).as(path).isBetween(400, 404);
			assertThat(reply.body()).as(path).doesNotContain("modelTopology");
		}
	}

	@Test
	void thePageIsServedUnderThePagePolicyWithNothingInline() throws IOException {
		for (String path : List.of("/", "/app/page.js", "/app/preprocess.js", "/app/ondevice.js", "/app/page.css",
				"/app/icon.svg", "/app/vendor/tfjs-4.22.0/tf-core.es2017.min.js")) {
			HttpFixtures.Reply reply = http.get(path);
			assertThat(reply.status()).as(path).isEqualTo(200);
			assertThat(reply.raw().headers().firstValue("Content-Security-Policy").orElse("")).as(path)
				.startsWith("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self';")
				.contains("object-src 'none'", "frame-ancestors 'none'");
		}
		assertThat(http.get("/").contentType()).startsWith("text/html");
		assertThat(http.get("/app/page.js").contentType()).startsWith("text/javascript");
		// the CSP forbids inline scripts, inline styles and event-handler attributes:
		// there are none
		String html = Files.readString(STATIC.resolve("index.html"));
		assertThat(Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>").matcher(html).find()).as("inline <script>")
			.isFalse();
		assertThat(html).doesNotContain("<style").doesNotContain(" style=");
		assertThat(Pattern.compile("\\son[a-z]+=").matcher(html).find()).as("event-handler attributes").isFalse();
		// and nothing is fetched from another origin
		assertThat(html).doesNotContain("http://").doesNotContain("https://").doesNotContain("//cdn");
	}

	@Test
	void thePagesFilesAreCachedAsLongAsTheyCanBeAndSentCompressed() {
		// TF.js: its path names its version, so it is kept a year and never revalidated
		HttpFixtures.Reply vendor = http.get("/app/vendor/tfjs-4.22.0/tf-core.es2017.min.js");
		assertThat(vendor.raw().headers().firstValue("Cache-Control").orElse("")).contains("max-age=31536000",
				"immutable", "public");
		// the page's own files are revalidated on every visit, never stored unchecked
		for (String path : List.of("/", "/app/page.js", "/app/page.css", "/sw.js", "/about.html", "/app/about.js")) {
			HttpFixtures.Reply reply = http.get(path);
			assertThat(reply.status()).as(path).isEqualTo(200);
			assertThat(reply.raw().headers().firstValue("Cache-Control").orElse("")).as(path)
				.contains("no-cache")
				.doesNotContain("no-store");
		}
		// the API's answers stay no-store
		assertThat(http.get("/api/v1/model").raw().headers().firstValue("Cache-Control").orElse(""))
			.contains("no-store");
		// text goes compressed to a client that asks; JSON answers do not
		for (String path : List.of("/app/page.js", "/app/preprocess.js", "/app/page.css", "/")) {
			HttpFixtures.Reply gzip = http
				.send(HttpRequest.newBuilder(URI.create(base() + path)).header("Accept-Encoding", "gzip"));
			assertThat(gzip.raw().headers().firstValue("Content-Encoding")).as(path).hasValue("gzip");
		}
		HttpFixtures.Reply json = http
			.send(HttpRequest.newBuilder(URI.create(base() + "/api/v1/model")).header("Accept-Encoding", "gzip"));
		assertThat(json.raw().headers().firstValue("Content-Encoding")).isEmpty();
		// a revalidation of an unchanged file costs a 304, not the file
		String lastModified = http.get("/app/page.js").raw().headers().firstValue("Last-Modified").orElseThrow();
		HttpFixtures.Reply again = http.send(
				HttpRequest.newBuilder(URI.create(base() + "/app/page.js")).header("If-Modified-Since", lastModified));
		assertThat(again.status()).isEqualTo(304);
	}

	private String base() {
		return "http://localhost:" + port;
	}

}
