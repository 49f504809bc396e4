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
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the README's curl examples exactly as printed, against the service on its test
 * ports: the request port 8080 becomes the test's server port, the management port 8081
 * its management port.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ReadmeExamplesTests {

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@Test
	void curlExamplesWorkAsPrinted() throws Exception {
		assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl not installed");
		List<String> examples = examples();
		assertThat(examples).hasSizeGreaterThanOrEqualTo(7);
		for (String example : examples) {
			String output = run(example.replace("localhost:8080", "localhost:" + port)
				.replace("localhost:8081", "localhost:" + managementPort));
			if (example.contains("/v2/models/mnist-cnn/infer")) {
				assertThat(output).contains("\"name\":\"digit\"").contains("\"data\":[7]");
			}
			else if (example.contains("/predictions/batch")) {
				assertThat(output).contains("\"count\":2").containsPattern("\"digit\":7.*\"digit\":3");
			}
			else if (example.contains("explain=")) {
				assertThat(output).contains("\"digit\":7")
					.contains("\"explanation\":{\"method\":\"integrated-gradients\",\"digit\":7")
					.contains("\"overlay\":\"data:image/png;base64,");
			}
			else if (example.contains("ruled-seven.jpg")) {
				assertThat(output).contains("\"digit\":7").contains("\"severalDigits\":false");
			}
			else if (example.contains("two-digits.jpg")) {
				assertThat(output).contains("\"severalDigits\":true").contains("\"uncertain\":true");
			}
			else if (example.contains("seven.png")) {
				assertThat(output).contains("\"digit\":7");
			}
			else if (example.contains("three-canvas.png")) {
				assertThat(output).contains("\"digit\":3").contains("\"reframed\":true");
			}
			else if (example.contains("pixels")) {
				assertThat(output).contains("\"type\":\"urn:digit-service:problem:blank-image\"");
			}
			else if (example.contains("/api/v1/model")) {
				assertThat(output).contains("\"parameters\":225034");
			}
			else if (example.contains("readiness") || example.contains("/readyz")) {
				assertThat(output).contains("\"status\":\"UP\"");
			}
			else if (example.contains("prometheus")) {
				assertThat(output).contains("digits_request_seconds_count");
			}
		}
	}

	/** The curl lines of the README's "Try it" and "Clients" sections. */
	static List<String> examples() throws IOException {
		List<String> curls = new ArrayList<>(curls("## Try it"));
		curls.addAll(curls("## Clients"));
		return curls;
	}

	/**
	 * The curl lines of the first code block after {@code heading} (indented ones too).
	 */
	private static List<String> curls(String heading) throws IOException {
		List<String> lines = Files.readAllLines(Path.of("README.md"), StandardCharsets.UTF_8);
		int start = lines.indexOf(heading);
		List<String> curls = new ArrayList<>();
		boolean inCode = false;
		for (String line : lines.subList(start, lines.size())) {
			String text = line.strip();
			if (text.startsWith("```") && (inCode || !heading.equals("## Clients") || text.equals("```bash"))) {
				if (inCode) {
					break;
				}
				inCode = true;
			}
			else if (inCode && text.startsWith("curl ")) {
				curls.add(text);
			}
		}
		return curls;
	}

	private static String run(String command) throws Exception {
		Process process = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true).start();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
		assertThat(process.exitValue()).as(command + "\n" + output).isZero();
		assertThat(output).as(command).isNotBlank();
		return output;
	}

}
