package dev.digits.system;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.slf4j.event.KeyValuePair;
import org.springframework.boot.logging.logback.StructuredLogEncoder;
import org.springframework.core.env.Environment;
import org.springframework.core.env.StandardEnvironment;

/**
 * Access-log-like events and started structured encoders, for the encoder's tests and
 * benchmark.
 */
final class LogEvents {

	private LogEvents() {
	}

	static LoggerContext context() {
		LoggerContext context = new LoggerContext();
		context.putObject(Environment.class.getName(), new StandardEnvironment());
		return context;
	}

	static <E extends StructuredLogEncoder> E started(E encoder, LoggerContext context, String format) {
		encoder.setContext(context);
		encoder.setFormat(format);
		encoder.start();
		return encoder;
	}

	/**
	 * One access log line as the service writes it: its message, key-value pairs and MDC.
	 */
	static LoggingEvent accessLine(LoggerContext context, Throwable thrown) {
		LoggingEvent event = new LoggingEvent(LogEvents.class.getName(), context.getLogger("dev.digits.access"),
				Level.INFO, "POST /api/v1/predictions?include 200 1.234 ms in=2345 out=456 model=4 client=10.0.0.7",
				thrown, null);
		event.addKeyValuePair(new KeyValuePair("http.request.method", "POST"));
		event.addKeyValuePair(new KeyValuePair("url.path", "/api/v1/predictions"));
		event.addKeyValuePair(new KeyValuePair("url.query", "include"));
		event.addKeyValuePair(new KeyValuePair("http.response.status_code", 200));
		event.addKeyValuePair(new KeyValuePair("event.duration", 1_234_567L));
		event.addKeyValuePair(new KeyValuePair("http.request.body.bytes", 2345L));
		event.addKeyValuePair(new KeyValuePair("http.response.body.bytes", 456L));
		event.addKeyValuePair(new KeyValuePair("client.address", "10.0.0.7 \"quoted\" é"));
		event.setMDCPropertyMap(java.util.Map.of("requestId", "0f1e2d3c-aaaa-bbbb-cccc-1234567890ab", "traceId",
				"4bf92f3577b34da6a3ce929d0e0e4736", "spanId", "00f067aa0ba902b7", "modelVersion", "4", "outcome",
				"SUCCESS"));
		return event;
	}

}
