package dev.digits.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Clients that hold request threads: the probes and metrics answer from their own port
 * whatever the request port is doing, and a body that trickles in is cut once it falls
 * behind the minimum rate, freeing its thread for the others. Four request threads and
 * twice as many slow sockets, with a short grace, so the test takes seconds.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "management.server.port=0", "server.tomcat.threads.max=4", "digits.inference.queue-capacity=2",
				"digits.api.body-grace=2s", "digits.api.min-body-rate=1KB" })
class SlowClientsTests {

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	@Test
	void probesAndMetricsAreOnTheManagementPortAndReadinessAlsoOnTheRequestPort() throws Exception {
		assertThat(managementPort).isNotEqualTo(port);
		assertThat(get(managementPort, "/actuator/health/liveness", 5).statusCode()).isEqualTo(200);
		assertThat(get(managementPort, "/actuator/prometheus", 5).body()).contains("digits_engines_live");
		assertThat(get(port, "/actuator/health/liveness", 5).statusCode()).isEqualTo(404);
		assertThat(get(port, "/readyz", 5).statusCode()).isEqualTo(200);
		assertThat(get(port, "/livez", 5).statusCode()).isEqualTo(200);
	}

	@Test
	void slowBodiesHoldingEveryRequestThreadNeitherSilenceTheProbesNorOutlastTheMinimumRate() throws Exception {
		byte[] seven = Files.readAllBytes(Path.of("docs/examples/seven.png"));
		int sockets = 8;
		ExecutorService pool = Executors.newFixedThreadPool(sockets + 1);
		try {
			List<Future<String>> slow = new ArrayList<>();
			for (int i = 0; i < sockets; i++) {
				// half of them multipart uploads, parsed from the same rate-checked
				// stream
				boolean multipart = i % 2 == 1;
				slow.add(pool.submit(() -> trickle(seven, multipart)));
			}
			Thread.sleep(1_000); // every request thread now waits for a body byte
			long start = System.nanoTime();
			HttpResponse<String> liveness = get(managementPort, "/actuator/health/liveness", 1);
			long probeMillis = (System.nanoTime() - start) / 1_000_000;
			assertThat(liveness.statusCode()).isEqualTo(200);
			assertThat(probeMillis).as("the liveness probe under attack, ms").isLessThan(1_000);
			// a normal client waits for a thread, which the minimum rate frees within
			// seconds
			Future<HttpResponse<String>> normal = pool.submit(() -> client
				.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/predictions"))
					.timeout(Duration.ofSeconds(20))
					.header("Content-Type", "image/png")
					.POST(HttpRequest.BodyPublishers.ofByteArray(seven))
					.build(), HttpResponse.BodyHandlers.ofString()));
			for (Future<String> trickled : slow) {
				String response = trickled.get(30, TimeUnit.SECONDS);
				assertThat(response).startsWith("HTTP/1.1 408").contains("slow-body");
			}
			HttpResponse<String> answer = normal.get(30, TimeUnit.SECONDS);
			assertThat(answer.statusCode()).isEqualTo(200);
			assertThat(answer.body()).contains("\"digit\":7");
		}
		finally {
			pool.shutdownNow();
		}
	}

	/**
	 * A raw or multipart image upload whose body comes a byte every 400 ms; what the
	 * server answered.
	 */
	private String trickle(byte[] image, boolean multipart) throws IOException, InterruptedException {
		byte[] body = image;
		String type = "image/png";
		if (multipart) {
			HttpFixtures.Multipart form = HttpFixtures.multipart("file", List.of(image), "seven");
			body = form.body();
			type = form.contentType();
		}
		try (Socket socket = new Socket("localhost", port)) {
			socket.setSoTimeout(30_000);
			OutputStream out = socket.getOutputStream();
			out.write(("POST /api/v1/predictions HTTP/1.1\r\nHost: localhost\r\nContent-Type: " + type + "\r\n"
					+ "Content-Length: " + body.length + "\r\n\r\n")
				.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			for (byte b : body) {
				if (in.available() > 0) {
					break; // answered: stop sending
				}
				try {
					out.write(b);
					out.flush();
				}
				catch (IOException closed) {
					break;
				}
				Thread.sleep(400);
			}
			return new String(in.readNBytes(4096), StandardCharsets.UTF_8);
		}
	}

	private HttpResponse<String> get(int to, String path, int timeoutSeconds) throws Exception {
		return client.send(HttpRequest.newBuilder(URI.create("http://localhost:" + to + path))
			.timeout(Duration.ofSeconds(timeoutSeconds))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

}
