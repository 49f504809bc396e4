package dev.digits.api;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the "Versions and A/B tests" walk-through of docs/versions.md exactly as printed,
 * as one shell script, in a folder whose {@code models/} is the repository of the service
 * under test.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class VersionsReadmeTests {

	static final Path WORK = workingFolder();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("digits.model.dir", () -> WORK.resolve("models").toString());
		// a copy of versions 1 and 2 only
		registry.add("digits.model.default-version", () -> "1");
		registry.add("digits.model.poll-interval", () -> "500ms");
		registry.add("digits.admin.token", () -> ModelVersionsTests.ADMIN_TOKEN);
	}

	@LocalServerPort
	int port;

	@Test
	void theWalkThroughWorksAsPrinted() throws Exception {
		assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl not installed");
		List<String> lines = walkThrough();
		assertThat(lines).hasSizeGreaterThanOrEqualTo(12);
		String script = "set -euo pipefail\n" + String.join("\n", lines).replace("localhost:8080", "localhost:" + port)
				+ "\n";
		ProcessBuilder builder = new ProcessBuilder("bash", "-c", script).directory(WORK.toFile())
			.redirectErrorStream(true);
		builder.environment().put("DIGITS_ADMIN_TOKEN", ModelVersionsTests.ADMIN_TOKEN);
		Process process = builder.start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(output).isZero();
		assertThat(output).as(output)
			.contains("\"shadow\":\"2a\"")
			.contains("\"weights\":{\"1\":90,\"2a\":10}")
			.contains("\"model\":{\"name\":\"mnist-cnn\",\"version\":\"2a\",\"assignment\":\"pinned\"}")
			.contains("\"recorded\":true,\"version\":\"2a\",\"predicted\":7,\"actual\":7,\"correct\":true")
			.contains("\"shadowAgreement\":{\"right\":")
			.contains("\"defaultVersion\":\"2a\",\"weights\":{\"2a\":100}")
			.contains("\"state\":\"UNLOADED\"")
			.doesNotContain("urn:digit-service:problem");
	}

	/** The commands of the README's walk-through (comments dropped). */
	static List<String> walkThrough() throws IOException {
		List<String> lines = Files.readAllLines(Path.of("docs/versions.md"), StandardCharsets.UTF_8);
		int start = lines.indexOf("# Versions and A/B tests");
		List<String> commands = new ArrayList<>();
		boolean inCode = false;
		for (String line : lines.subList(start, lines.size())) {
			if (line.startsWith("```")) {
				if (inCode) {
					break;
				}
				inCode = true;
			}
			else if (inCode && !line.startsWith("#") && !line.isBlank()) {
				commands.add(line);
			}
		}
		return commands;
	}

	private static Path workingFolder() {
		try {
			Path work = dev.digits.TemporaryFolders.create("versions-readme");
			Path repository = ModelVersionsTests.copyOfTheRepository();
			Files.move(repository, work.resolve("models"));
			Files.createDirectories(work.resolve("docs"));
			Files.createSymbolicLink(work.resolve("docs/examples"), Path.of("docs/examples").toAbsolutePath());
			return work;
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

}
