package dev.digits.system;

import java.util.concurrent.TimeUnit;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.boot.logging.logback.StructuredLogEncoder;

/**
 * One JSON access log line, encoded by Spring Boot's structured encoder and by
 * {@link CompactStructuredLogEncoder}: time per line, and with {@code -prof gc} the heap
 * allocated per line ({@code gc.alloc.rate.norm}). Run:
 * {@code ./mvnw -Pbenchmark test-compile exec:exec@jmh -Djmh.args="LogEncoderBenchmark -prof gc"}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
@State(Scope.Thread)
public class LogEncoderBenchmark {

	@Param({ "ecs", "logstash" })
	public String format;

	private StructuredLogEncoder boot;

	private CompactStructuredLogEncoder compact;

	private LoggingEvent event;

	@Setup
	public void setUp() {
		LoggerContext context = LogEvents.context();
		this.boot = LogEvents.started(new StructuredLogEncoder(), context, this.format);
		this.compact = LogEvents.started(new CompactStructuredLogEncoder(), context, this.format);
		this.event = LogEvents.accessLine(context, null);
	}

	@Benchmark
	public byte[] boot() {
		return this.boot.encode(this.event);
	}

	@Benchmark
	public byte[] compact() {
		return this.compact.encode(this.event);
	}

}
