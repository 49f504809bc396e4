package dev.digits.api;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.digits.training.EnsembleCommand;
import dev.digits.training.Mnist;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * An ensemble version served: versions 1 and 2 averaged, made by the {@code ensemble}
 * command in a copy of the repository, loaded after its members, answering the average of
 * what they answer.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EnsembleTests {

	static final Path REPOSITORY = withEnsemble();

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("digits.model.dir", REPOSITORY::toString);
		// a copy of versions 1 and 2 only
		registry.add("digits.model.default-version", () -> "1");
		registry.add("digits.admin.token", () -> ModelVersionsTests.ADMIN_TOKEN);
	}

	@LocalServerPort
	int port;

	private HttpFixtures http;

	private byte[] seven;

	@BeforeEach
	void client() throws IOException {
		http = new HttpFixtures(port);
		seven = Files.readAllBytes(Path.of("docs/examples/seven.png"));
	}

	@Test
	void theEnsembleAnswersTheAverageOfItsMembers() {
		JsonNode ensemble = ModelVersionsTests.version(http.get("/api/v1/models").json(), "e12");
		assertThat(ensemble.get("state").asString()).as(ensemble.toString()).isEqualTo("READY");
		JsonNode both = http.post("/api/v1/models/e12/predictions", "image/png", seven).json();
		JsonNode one = http.post("/api/v1/models/1/predictions", "image/png", seven).json();
		JsonNode two = http.post("/api/v1/models/2/predictions", "image/png", seven).json();
		assertThat(both.get("digit").asInt()).isEqualTo(7);
		assertThat(both.at("/model/version").asString()).isEqualTo("e12");
		for (int k = 0; k < 10; k++) {
			double mean = (one.get("probabilities").get(k).asDouble() + two.get("probabilities").get(k).asDouble()) / 2;
			assertThat(both.get("probabilities").get(k).asDouble()).isCloseTo(mean, within(1e-5));
		}
	}

	@Test
	void aMemberCannotBeUnloadedUnderItsEnsemble() {
		HttpFixtures.Reply reply = http.send(java.net.http.HttpRequest
			.newBuilder(java.net.URI.create("http://localhost:" + port + "/admin/models/2/unload"))
			.header("Authorization", "Bearer " + ModelVersionsTests.ADMIN_TOKEN)
			.POST(java.net.http.HttpRequest.BodyPublishers.noBody()));
		assertThat(reply.status()).isEqualTo(409);
		assertThat(reply.body()).contains("member of ensemble e12");
	}

	static Path withEnsemble() {
		try {
			Path repository = ModelVersionsTests.copyOfTheRepository();
			EnsembleCommand.run(repository, List.of("1", "2"), repository.resolve("mnist-cnn/e12"),
					Mnist.loadTest(PredictionApiIntegrationTests.FIXTURE),
					new PrintStream(PrintStream.nullOutputStream()));
			return repository;
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

}
