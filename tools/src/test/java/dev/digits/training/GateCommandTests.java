package dev.digits.training;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gate on the fine-tuning fixture (50 labelled digits, the tiny MNIST): its verdict
 * follows its rules from its own figures, its report is written beside the candidate, and
 * the verdict is applied to a service through the admin API (a stand-in server records
 * the calls): a passing candidate promoted, a failing one made the shadow.
 */
class GateCommandTests {

	private static final Path DIGITS = Path.of("tools/src/test/resources/finetune/digits");

	private static final Path MNIST = Path.of("core/src/test/resources/mnist-tiny");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	static Path shared;

	private static Path repository;

	private static HttpServer service;

	/** The calls the stand-in service received: method, path, authorization, body. */
	private static final List<String> calls = new CopyOnWriteArrayList<>();

	@BeforeAll
	static void repositoryAndService() throws IOException {
		repository = shared.resolve("models");
		Path one = Files.createDirectories(repository.resolve("mnist-cnn/1"));
		try (Stream<Path> files = Files.list(Path.of("models/mnist-cnn/1"))) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				Files.copy(file, one.resolve(file.getFileName()));
			}
		}
		service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
		service.createContext("/", exchange -> {
			String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
			String path = exchange.getRequestURI().getPath();
			calls.add(exchange.getRequestMethod() + " " + path + " "
					+ exchange.getRequestHeaders().getFirst("Authorization") + " " + body);
			String answer;
			if (path.startsWith("/api/v1/models/")) {
				answer = "{\"state\":\"READY\"}";
			}
			else if (path.equals("/admin/traffic") && exchange.getRequestMethod().equals("GET")) {
				answer = "{\"defaultVersion\":\"1\",\"weights\":{\"1\":100},\"shadow\":null}";
			}
			else {
				answer = "{\"defaultVersion\":\"1\"}";
			}
			byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
			exchange.sendResponseHeaders(200, bytes.length);
			exchange.getResponseBody().write(bytes);
			exchange.close();
		});
		service.start();
	}

	@AfterAll
	static void stop() {
		service.stop(0);
	}

	private static GateCommand.Options options(String to, double margin) {
		FineTuneCommand.Options tune = FineTuneCommand.Options
			.parse(new String[] { "--from=1", "--to=" + to, "--data=" + DIGITS, "--models=" + repository,
					"--mnist-dir=" + MNIST, "--epochs=3", "--calibration-set-size=20", "--non-digits=10" });
		return new GateCommand.Options(tune, margin, 1.0, 1.0, 10.0, 100,
				URI.create("http://127.0.0.1:" + service.getAddress().getPort()), "gate-token");
	}

	private static PrintStream quiet() {
		return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
	}

	@Test
	void aCandidateThatPassesEveryCheckIsPromotedAndItsReportSaysWhy() throws Exception {
		calls.clear();
		GateCommand.Result result = GateCommand.run(options("2", -1.0), quiet());
		assertThat(result.promote()).isTrue();
		assertThat(result.checks()).extracting(GateCommand.Check::name)
			.containsExactly("mnist", "captures", "calibration", "speed");
		assertThat(result.sets()).extracting(GateCommand.SetFigures::set)
			.containsExactly("mnist-test", "held-out-captures", "rotated", "noisy", "low-resolution");
		assertThat(result.sets().get(1).examples()).isEqualTo(10);
		JsonNode report = JSON.readTree(result.dir().resolve("gate-report.json").toFile());
		assertThat(report.get("promote").asBoolean()).isTrue();
		assertThat(Files.readString(result.dir().resolve("gate-report.md"))).contains("**Passes the gate**",
				"| held-out-captures | 10 |");
		assertThat(calls).anyMatch(c -> c.startsWith("GET /api/v1/models/2"))
			.anyMatch(c -> c.startsWith("POST /admin/models/2/promote Bearer gate-token"));
	}

	@Test
	void aCandidateNotBetterByTheMarginStaysACandidateAndBecomesTheShadow() throws Exception {
		calls.clear();
		GateCommand.Result result = GateCommand.run(options("3", 1.0), quiet());
		GateCommand.SetFigures captures = result.sets().get(1);
		// the verdict follows from the figures: no candidate is 100 points better
		assertThat(captures.accuracyAfter()).isLessThan(captures.accuracyBefore() + 1.0);
		assertThat(result.checks().get(1).passed()).isFalse();
		assertThat(result.promote()).isFalse();
		assertThat(Files.readString(result.dir().resolve("gate-report.md"))).contains("**Does not pass the gate**",
				"| captures | held-out captures");
		assertThat(calls).noneMatch(c -> c.contains("/promote"))
			.anyMatch(c -> c.startsWith("PUT /admin/traffic Bearer gate-token") && c.contains("\"shadow\":\"3\"")
					&& c.contains("\"defaultVersion\":\"1\""));
	}

}
