package dev.digits.api;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A client repeating a malformed request writes one log line per interval, whatever it
 * sends.
 */
class OncePerClientTests {

	@Test
	void oneLinePerClientAndInterval() {
		ProblemHandler.OncePerClient once = new ProblemHandler.OncePerClient();
		List<String> lines = new ArrayList<>();
		for (int i = 0; i < 1000; i++) {
			once.log("10.0.0.1", () -> lines.add("10.0.0.1"));
		}
		once.log("10.0.0.2", () -> lines.add("10.0.0.2"));
		assertThat(lines).containsExactly("10.0.0.1", "10.0.0.2");
	}

	@Test
	void rememberedClientsAreBounded() {
		ProblemHandler.OncePerClient once = new ProblemHandler.OncePerClient();
		List<String> lines = new ArrayList<>();
		for (int i = 0; i < 3 * ProblemHandler.OncePerClient.MAX_CLIENTS; i++) {
			once.log("client-" + i, () -> lines.add("x"));
		}
		assertThat(lines).hasSize(3 * ProblemHandler.OncePerClient.MAX_CLIENTS);
		assertThat(once.size()).isLessThanOrEqualTo(ProblemHandler.OncePerClient.MAX_CLIENTS);
	}

	@Test
	void tomcatsBodyDecodingErrorsAreRecognisedAndOthersAreNot() {
		assertThat(ProblemHandler
			.malformedBody(new java.io.IOException(new org.apache.coyote.BadRequestException("Invalid chunk header"))))
			.isEqualTo("Invalid chunk header");
		assertThat(ProblemHandler.malformedBody(new IllegalStateException("a bug of ours"))).isNull();
	}

}
