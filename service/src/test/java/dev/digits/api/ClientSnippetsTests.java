package dev.digits.api;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The client snippets of {@code docs/clients/} (shown in the README's "Clients" section),
 * run as a user runs them against the service: Python with requests, Java with the JDK's
 * HttpClient, an Open Inference Protocol v2 call, and the same protocol over gRPC from
 * Java. (The browser snippet runs in Chromium: DigitPageBrowserTests.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ClientSnippetsTests {

	@LocalServerPort
	int port;

	@Autowired
	GrpcServerLifecycle grpcServer;

	@Test
	void pythonRequests() throws Exception {
		assumeTrue(pythonWithRequests(),
				"python3 with requests not installed (Debian: python3-requests; .ci/run installs it)");
		String out = run("python3", "docs/clients/predict.py", base(), "docs/examples/seven.png");
		assertThat(out).contains("upload: 7 ")
			.contains("base64: 7")
			.contains("blank: 422 urn:digit-service:problem:blank-image")
			.contains("feedback: True");
	}

	@Test
	void openInferenceProtocolV2() throws Exception {
		assumeTrue(pythonWithRequests(),
				"python3 with requests not installed (Debian: python3-requests; .ci/run installs it)");
		String out = run("python3", "docs/clients/oip_v2.py", base(), "docs/examples/seven.png");
		assertThat(out).contains("model mnist-cnn version " + HttpFixtures.DEFAULT_VERSION + " id oip-example-1")
			.contains("digit: 7")
			.contains("probabilities shape: [1, 10]")
			.contains("ready: True");
	}

	@Test
	void javaHttpClient() throws Exception {
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		String out = run(java, "docs/clients/Predict.java", base(), "docs/examples/seven.png");
		assertThat(out).contains("status 200, digit 7, request id java-client-1");
	}

	/**
	 * The gRPC client of docs/api.md, run as printed there (the page holds the file
	 * verbatim): with the generated stubs and grpc-java on the class path, against the
	 * gRPC port.
	 */
	@Test
	void javaGrpcClient() throws Exception {
		String source = Files.readString(Path.of("docs/clients/GrpcPredict.java"));
		assertThat(Files.readString(Path.of("docs/api.md"))).as("docs/api.md shows docs/clients/GrpcPredict.java")
			.contains("```java\n" + source + "```");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
		String out = run(java, "-cp", classPath, "docs/clients/GrpcPredict.java", "localhost:" + grpcServer.getPort(),
				"docs/examples/seven.png");
		assertThat(out).containsPattern("digit 7, confidence [01]\\.\\d{3}, model mnist-cnn version "
				+ HttpFixtures.DEFAULT_VERSION + ", id grpc-client-1");
	}

	/**
	 * The Node gRPC client of docs/api.md ({@code @grpc/grpc-js} and
	 * {@code @grpc/proto-loader} reading the service's own .proto), run as printed there.
	 */
	@Test
	void nodeGrpcClient() throws Exception {
		String source = Files.readString(Path.of("docs/clients/node/predict.mjs"));
		assertThat(Files.readString(Path.of("docs/api.md"))).as("docs/api.md shows docs/clients/node/predict.mjs")
			.contains("```js\n" + source + "```");
		assumeTrue(Files.isDirectory(Path.of("docs/clients/node/node_modules/@grpc/grpc-js")),
				"docs/clients/node/node_modules missing: run npm ci --prefix docs/clients/node (.ci/run does)");
		String out = run("node", "docs/clients/node/predict.mjs", "localhost:" + grpcServer.getPort(),
				"docs/examples/seven.png");
		assertThat(out).containsPattern("digit 7, confidence [01]\\.\\d{3}, model mnist-cnn version "
				+ HttpFixtures.DEFAULT_VERSION + ", id node-client-1");
	}

	private String base() {
		return "http://localhost:" + port;
	}

	private static boolean pythonWithRequests() {
		try {
			Process p = new ProcessBuilder("python3", "-c", "import requests").start();
			return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
		}
		catch (Exception ex) {
			return false;
		}
	}

	private static String run(String... command) throws Exception {
		Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
		String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(out).isZero();
		return out;
	}

}
