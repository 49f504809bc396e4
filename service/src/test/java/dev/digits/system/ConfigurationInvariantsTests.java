package dev.digits.system;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigurationInvariantsTests {

	private static final long MB = 1 << 20;

	@Test
	void theShippedDefaultsKeepEveryRule() {
		assertThat(ConfigurationInvariants.violations(200, 128, 5 * MB, 32 * MB, 8 * MB, 64 * MB)).isEmpty();
	}

	@Test
	void eachBrokenRuleIsNamedWithItsKeys() {
		assertThat(ConfigurationInvariants.violations(100, 128, 5 * MB, 32 * MB, 8 * MB, 64 * MB)).singleElement()
			.asString()
			.contains("server.tomcat.threads.max (100)", "digits.inference.queue-capacity (128)");
		assertThat(ConfigurationInvariants.violations(200, 128, 5 * MB, 4 * MB, 8 * MB, 64 * MB)).singleElement()
			.asString()
			.contains("digits.api.max-multipart-size");
		assertThat(ConfigurationInvariants.violations(200, 128, 5 * MB, 32 * MB, 8 * MB, 16 * MB)).isEmpty();
		assertThat(ConfigurationInvariants.doubts(5 * MB, 32 * MB, 8 * MB, 16 * MB)).singleElement()
			.asString()
			.contains("digits.api.max-bodies-in-flight");
		assertThat(ConfigurationInvariants.doubts(5 * MB, 32 * MB, 8 * MB, 64 * MB)).isEmpty();
	}

}
