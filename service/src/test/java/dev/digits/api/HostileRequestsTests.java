package dev.digits.api;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests as an attacker or a broken client writes them, on raw sockets where an HTTP
 * client library would refuse to: lying lengths, malformed request lines, clients that
 * vanish mid-upload, more bodies at once than the server holds. Each is answered
 * problem+json (or not at all, when the client is gone), logged in proportion, and
 * counted by reason.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "logging.level.dev.digits.api=DEBUG", "digits.api.max-bodies-in-flight=1MB",
				"digits.api.admission-wait=100ms" })
@ExtendWith(OutputCaptureExtension.class)
class HostileRequestsTests {

	@LocalServerPort
	int port;

	private HttpFixtures http;

	@BeforeEach
	void client() {
		http = new HttpFixtures(port);
	}

	@Test
	void aDeclaredLengthOverTheLimitIsRefusedWithoutReadingTheBody() throws IOException {
		String response = exchange("POST /api/v1/predictions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
				+ "Content-Length: 40000000\r\n\r\n", new byte[0], false);
		assertThat(response).startsWith("HTTP/1.1 413")
			.contains("application/problem+json")
			.contains("urn:digit-service:problem:too-large")
			.contains("40000000 bytes")
			.containsIgnoringCase("connection: close");
	}

	@Test
	void requestsTomcatCannotParseGetProblemJsonNotHtml() throws IOException {
		for (String request : new String[] { "GARBAGE\r\n\r\n",
				"GET /api/v1/model HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
				"GET /\u0001 HTTP/1.1\r\nHost: x\r\n\r\n" }) {
			String response = exchange(request, new byte[0], false);
			assertThat(response).as(request)
				.startsWith("HTTP/1.1 400")
				.contains("application/problem+json")
				.contains("urn:digit-service:problem:bad-request")
				.doesNotContainIgnoringCase("<html");
		}
		String http09 = exchange("GET /api/v1/model\r\n", new byte[0], false);
		assertThat(http09).doesNotContainIgnoringCase("<html")
			.doesNotContain("\"metadata\"")
			.contains("urn:digit-service:problem:bad-request");
	}

	@Test
	void everyResponseCarriesSecurityHeaders() {
		for (HttpFixtures.Reply reply : new HttpFixtures.Reply[] { http.get("/api/v1/model"), http.get("/nothing"),
				http.get("/actuator/health"), http.post("/api/v1/predictions", "image/png", new byte[] { 1, 2 }) }) {
			var headers = reply.raw().headers();
			assertThat(headers.firstValue("X-Content-Type-Options")).hasValue("nosniff");
			assertThat(headers.firstValue("X-Frame-Options")).hasValue("DENY");
			assertThat(headers.firstValue("Content-Security-Policy")).get().asString().contains("default-src 'none'");
			assertThat(headers.firstValue("Referrer-Policy")).hasValue("no-referrer");
			assertThat(headers.firstValue("Cache-Control")).get().asString().contains("no-store");
		}
	}

	@Test
	void healthShowsNoFilesystemPath() {
		String health = http.get("/actuator/health").body();
		assertThat(health).contains("\"status\":\"UP\"").doesNotContain("\"path\"").doesNotContain("/work");
		assertThat(http.get("/actuator/health/readiness").json().at("/components/model/status").asString())
			.isEqualTo("UP");
	}

	@Test
	void aClientThatVanishesMidUploadIsLoggedOnceAndCountedApart(CapturedOutput output) throws Exception {
		double before = failures("client_aborted");
		byte[] png = HttpFixtures.sevenOnPaper("png");
		exchange("POST /api/v1/predictions HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: "
				+ (png.length * 10) + "\r\nX-Request-Id: vanishing-client\r\n\r\n", png, true);
		long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
		while (failures("client_aborted") == before && System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
		assertThat(failures("client_aborted")).isEqualTo(before + 1);
		String log = output.getAll();
		assertThat(log).contains("client went away").contains("[vanishing-client]");
		assertThat(log.lines().filter(line -> line.contains("vanishing-client")))
			.noneMatch(line -> line.contains("ERROR"));
		assertThat(log).doesNotContain("\tat org.apache.catalina");
	}

	@Test
	void theRequestIdIsOnTheLogLinesOfItsRequest(CapturedOutput output) {
		http.send(java.net.http.HttpRequest
			.newBuilder(java.net.URI.create("http://localhost:" + port + "/api/v1/predictions"))
			.header("Content-Type", "image/png")
			.header("X-Request-Id", "find-me-in-the-log-42")
			.POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(HttpFixtures.uniform(28, 28, 0))));
		assertThat(output.getAll().lines().filter(line -> line.contains("blank-image")))
			.anyMatch(line -> line.contains("[find-me-in-the-log-42]"));
	}

	/**
	 * What a part declares is the client's error: a file name holding a NUL (the parser's
	 * path check threw InvalidPathException, a 500, found by fuzzing) and more parts than
	 * a batch's images and fields (the parser counts files only when not streaming).
	 */
	@Test
	void malformedOrTooManyMultipartPartsAreClientErrors() {
		byte[] nul = ("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.p\0ng\"\r\n"
				+ "Content-Type: image/png\r\n\r\nxyz\r\n--b--\r\n")
			.getBytes(StandardCharsets.ISO_8859_1);
		HttpFixtures.Reply named = http.post("/api/v1/predictions", "multipart/form-data; boundary=b", nul);
		assertThat(named.status()).as(named.body()).isEqualTo(400);
		assertThat(named.body()).contains("multipart body is malformed");
		String tiny = "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n";
		byte[] many = (tiny.repeat(5_000) + "--b--\r\n").getBytes(StandardCharsets.US_ASCII);
		HttpFixtures.Reply parts = http.post("/api/v1/predictions/batch", "multipart/form-data; boundary=b", many);
		assertThat(parts.status()).as(parts.body()).isEqualTo(413);
		assertThat(parts.body()).contains("too many parts");
	}

	/**
	 * Multipart bodies too: two clients declare 900 KB uploads each (1.8 MB against the 1
	 * MB budget) and send their first part's headers, then nothing. Reserved from
	 * Content-Length when they started (Tomcat parsed multipart from its own buffers),
	 * the first took 900 KB and every other upload was answered 503; parsed from the
	 * budgeted stream, each holds the 64 KB step it has started.
	 */
	@Test
	void slowMultipartBodiesHoldOnlyWhatTheyHaveSent() throws Exception {
		String head = "POST /api/v1/predictions HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
				+ "boundary=b\r\nContent-Length: 900000\r\n\r\n";
		java.util.List<Socket> slow = new java.util.ArrayList<>();
		try {
			for (int i = 0; i < 2; i++) {
				Socket socket = new Socket("localhost", port);
				slow.add(socket);
				OutputStream out = socket.getOutputStream();
				out.write(head.getBytes(StandardCharsets.US_ASCII));
				out.write(("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.png\"\r\n"
						+ "Content-Type: image/png\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
				out.write(new byte[1000]);
				out.flush();
			}
			Thread.sleep(300);
			HttpFixtures.Reply upload = http.postFiles("/api/v1/predictions", "file",
					java.util.List.of(HttpFixtures.sevenOnPaper("png")));
			assertThat(upload.status()).as(upload.body()).isEqualTo(200);
		}
		finally {
			for (Socket socket : slow) {
				socket.close();
			}
		}
		awaitBudgetBack();
	}

	/**
	 * Eight clients declare 256 KB image bodies each (2 MB against the 1 MB budget) and
	 * send a kilobyte, then nothing: each holds only the 64 KB step it has started, so a
	 * normal upload is still answered 200, where reserving from Content-Length (four of
	 * them took the whole budget) answered it 503 for as long as the slow clients kept
	 * their sockets open.
	 */
	@Test
	void slowBodiesHoldOnlyWhatTheyHaveSent() throws Exception {
		java.util.List<Socket> slow = new java.util.ArrayList<>();
		try {
			for (int i = 0; i < 8; i++) {
				Socket socket = new Socket("localhost", port);
				slow.add(socket);
				OutputStream out = socket.getOutputStream();
				out.write(("POST /api/v1/predictions HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\n"
						+ "Content-Length: 262144\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
				out.write(new byte[1000]);
				out.flush();
			}
			Thread.sleep(300);
			assertThat(http.post("/api/v1/predictions", "image/png", HttpFixtures.sevenOnPaper("png")).status())
				.isEqualTo(200);
			assertThat(http
				.postJson("/api/v1/predictions",
						"{\"pixels\":[" + "0,".repeat(400) + "255,".repeat(20) + "0,".repeat(363) + "0]}")
				.status()).isEqualTo(200);
		}
		finally {
			for (Socket socket : slow) {
				socket.close();
			}
		}
		awaitBudgetBack();
	}

	/** The slow clients' connections are gone: their share of the budget comes back. */
	private void awaitBudgetBack() throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		int status;
		do {
			status = http.post("/api/v1/predictions", "image/png", HttpFixtures.sevenOnPaper("png")).status();
		}
		while (status == 503 && System.nanoTime() < deadline && sleep());
		assertThat(status).isEqualTo(200);
	}

	/**
	 * Bodies and methods the HTTP parser refuses: each is a client error as RFC 9112
	 * names it (400 for a malformed chunked body, 501 for a transfer coding the server
	 * does not implement and for CONNECT, a method an origin server does not implement
	 * for any resource, RFC 9110 15.6.2), answered problem+json, and logged in one line
	 * at most, never as an ERROR with a stack trace: a 78-byte request must not write 29
	 * KB of log.
	 */
	@ParameterizedTest(name = "{0}")
	@MethodSource("malformedTransfers")
	void malformedTransferEncodingsAreClientErrorsLoggedInOneLine(String name, String request, int status,
			CapturedOutput output) throws IOException {
		int logBefore = output.getAll().length();
		String response = exchange(request, new byte[0], false);
		assertThat(RawHttp.status(response)).as(name + ": " + response).isEqualTo(status);
		assertThat(response).contains("application/problem+json")
			.doesNotContainIgnoringCase("<html")
			.doesNotContain("Exception");
		String log = output.getAll().substring(logBefore);
		assertThat(log).as("log for " + name).doesNotContain("\tat ").doesNotContain(" ERROR ");
		assertThat(log.length()).as("log bytes for a %d-byte request", request.length()).isLessThan(2_000);
	}

	static java.util.stream.Stream<org.junit.jupiter.params.provider.Arguments> malformedTransfers() {
		String head = "POST /api/v1/predictions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
		String chunked = head + "Transfer-Encoding: chunked\r\n\r\n";
		String trailers = "X-T: 1\r\n".repeat(9);
		return java.util.stream.Stream.of(
				org.junit.jupiter.params.provider.Arguments.of("bad chunk size", chunked + "zz\r\n{}\r\n0\r\n\r\n",
						400),
				org.junit.jupiter.params.provider.Arguments.of("chunk size overflow",
						chunked + "FFFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n", 400),
				org.junit.jupiter.params.provider.Arguments.of("10 KB chunk extension",
						chunked + "2;" + "e".repeat(10_240) + "\r\n{}\r\n0\r\n\r\n", 400),
				org.junit.jupiter.params.provider.Arguments.of("9 trailer headers",
						chunked + "2\r\n{}\r\n0\r\n" + trailers + "X-Long: " + "t".repeat(9_000) + "\r\n\r\n", 400),
				org.junit.jupiter.params.provider.Arguments.of("Transfer-Encoding: xchunked",
						head + "Transfer-Encoding: xchunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 501),
				org.junit.jupiter.params.provider.Arguments.of("CONNECT",
						"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 501));
	}

	private static boolean sleep() {
		try {
			Thread.sleep(100);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		return true;
	}

	private double failures(String reason) {
		return http.get("/actuator/prometheus")
			.body()
			.lines()
			.filter(line -> line.startsWith("digits_failures_total{") && line.contains("reason=\"" + reason + "\""))
			.mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

	private String exchange(String head, byte[] body, boolean closeAfterWriting) throws IOException {
		return RawHttp.exchange(port, head, body, closeAfterWriting);
	}

}
