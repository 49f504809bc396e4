package dev.digits.system;

import java.net.URL;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.status.Status;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.core.env.Environment;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The committed logback.xml picks the console encoder the way Boot does without one: JSON
 * when {@code CONSOLE_LOG_STRUCTURED_FORMAT} (Boot's name for
 * logging.structured.format.console) is set, the human pattern when it is not, or empty,
 * as for the commands that run without Spring.
 */
class LogbackConfigurationTests {

	@Test
	void withoutAStructuredFormatTheConsoleIsText() throws Exception {
		LoggerContext context = configure(Map.of());
		assertThat(console(context).getEncoder()).isInstanceOf(PatternLayoutEncoder.class);
		assertThat(errors(context)).isEmpty();
	}

	@Test
	void anEmptyStructuredFormatIsText() throws Exception {
		LoggerContext context = configure(Map.of("CONSOLE_LOG_STRUCTURED_FORMAT", ""));
		assertThat(console(context).getEncoder()).isInstanceOf(PatternLayoutEncoder.class);
		assertThat(errors(context)).isEmpty();
	}

	@ParameterizedTest
	@ValueSource(strings = { "ecs", "logstash" })
	void aStructuredFormatMakesTheConsoleJson(String format) throws Exception {
		LoggerContext context = configure(Map.of("CONSOLE_LOG_STRUCTURED_FORMAT", format));
		assertThat(console(context).getEncoder()).isInstanceOf(StructuredLogEncoder.class)
			.isInstanceOfSatisfying(CompactStructuredLogEncoder.class,
					(encoder) -> assertThat(encoder.compact()).as("lines written through the string form").isTrue());
		assertThat(errors(context)).isEmpty();
		assertThat(console(context).isStarted()).isTrue();
	}

	@Test
	void anEcsLineCarriesTheRequestsContextAsFields() throws Exception {
		LoggerContext context = configure(Map.of("CONSOLE_LOG_STRUCTURED_FORMAT", "ecs"),
				Map.of("logging.structured.json.rename.traceId", "trace.id"));
		Logger logger = context.getLogger("dev.digits.access");
		ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
				Logger.class.getName(), logger, ch.qos.logback.classic.Level.INFO, "POST /api/v1/predictions 200", null,
				null);
		event.setMDCPropertyMap(Map.of("requestId", "r-1", "traceId", "0af7651916cd43dd8448eb211c80319c",
				"modelVersion", "1", "outcome", "success"));
		event.addKeyValuePair(new org.slf4j.event.KeyValuePair("http.response.status_code", 200));
		String line = new String(console(context).getEncoder().encode(event), java.nio.charset.StandardCharsets.UTF_8);
		tools.jackson.databind.JsonNode json = tools.jackson.databind.json.JsonMapper.builder().build().readTree(line);
		assertThat(json.path("requestId").asString()).isEqualTo("r-1");
		assertThat(json.path("trace.id").asString()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
		assertThat(json.path("modelVersion").asString()).isEqualTo("1");
		assertThat(json.path("outcome").asString()).isEqualTo("success");
		assertThat(json.path("http").path("response").path("status_code").asInt()).isEqualTo(200);
		assertThat(json.path("service").path("name").asString()).isEqualTo("digit-service");
		assertThat(line).endsWith("\n").doesNotContain("\n{");
	}

	@Test
	void theLevelsOfTheFileHold() throws Exception {
		LoggerContext context = configure(Map.of());
		assertThat(context.getLogger("org.nd4j").getLevel()).hasToString("WARN");
		assertThat(context.getLogger("dev.digits.access").getLevel()).hasToString("INFO");
	}

	private static LoggerContext configure(Map<String, String> properties) throws Exception {
		return configure(properties, Map.of());
	}

	private static LoggerContext configure(Map<String, String> properties, Map<String, String> spring)
			throws Exception {
		LoggerContext context = new LoggerContext();
		properties.forEach(context::putProperty);
		MockEnvironment environment = new MockEnvironment().withProperty("spring.application.name", "digit-service");
		spring.forEach(environment::setProperty);
		context.putObject(Environment.class.getName(), environment);
		JoranConfigurator configurator = new JoranConfigurator();
		configurator.setContext(context);
		URL file = LogbackConfigurationTests.class.getResource("/logback.xml");
		configurator.doConfigure(file);
		return context;
	}

	@SuppressWarnings("unchecked")
	private static ConsoleAppender<ILoggingEvent> console(LoggerContext context) {
		Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
		return (ConsoleAppender<ILoggingEvent>) root.getAppender("CONSOLE");
	}

	private static java.util.List<String> errors(LoggerContext context) {
		return context.getStatusManager()
			.getCopyOfStatusList()
			.stream()
			.filter(s -> s.getLevel() >= Status.WARN)
			.map(Status::getMessage)
			.toList();
	}

}
