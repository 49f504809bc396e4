package dev.digits.system;

import java.nio.charset.StandardCharsets;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.logging.logback.StructuredLogEncoder;

import static org.assertj.core.api.Assertions.assertThat;

class CompactStructuredLogEncoderTests {

	@ParameterizedTest
	@ValueSource(strings = { "ecs", "logstash" })
	void writesExactlyTheLinesOfBootsEncoderThroughTheFormattersStringForm(String format) {
		LoggerContext context = LogEvents.context();
		StructuredLogEncoder boot = LogEvents.started(new StructuredLogEncoder(), context, format);
		CompactStructuredLogEncoder compact = LogEvents.started(new CompactStructuredLogEncoder(), context, format);
		assertThat(compact.compact()).as("Boot's formatter found (a Boot upgrade may have renamed its field)").isTrue();
		for (Throwable thrown : new Throwable[] { null, new IllegalStateException("broken\n\"quoted\"") }) {
			LoggingEvent event = LogEvents.accessLine(context, thrown);
			String expected = new String(boot.encode(event), StandardCharsets.UTF_8);
			assertThat(new String(compact.encode(event), StandardCharsets.UTF_8)).isEqualTo(expected)
				.contains("\"/api/v1/predictions\"", "1234567", "0f1e2d3c-aaaa-bbbb-cccc-1234567890ab",
						"\\\"quoted\\\" é")
				.endsWith("\n");
		}
		compact.stop();
		assertThat(compact.compact()).isFalse();
	}

}
