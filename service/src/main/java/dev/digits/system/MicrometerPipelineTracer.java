package dev.digits.system;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.digits.inference.PipelineTracer;
import io.micrometer.tracing.Link;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;

/**
 * The pipeline's spans through Micrometer Tracing (OpenTelemetry underneath). Only
 * sampled requests get spans: an unsampled one would only make non-recording spans. The
 * queue, inference and batch spans are recorded after the fact, with the
 * {@link System#nanoTime()} readings the worker pool took anyway, turned into wall-clock
 * time against a clock read at that moment.
 */
final class MicrometerPipelineTracer implements PipelineTracer {

	private final Tracer tracer;

	private final Clock clock = Clock.systemUTC();

	MicrometerPipelineTracer(Tracer tracer) {
		this.tracer = tracer;
	}

	@Override
	public TraceContext current() {
		TraceContext context = tracer.currentTraceContext().context();
		return context != null && Boolean.TRUE.equals(context.sampled()) ? context : null;
	}

	@Override
	public Span startChild(String name) {
		TraceContext parent = current();
		return parent == null ? null : tracer.spanBuilder().setParent(parent).name(name).start();
	}

	@Override
	public void tagCurrent(String key, String value) {
		if (current() != null) {
			Span span = tracer.currentSpan();
			if (span != null) {
				span.tag(key, value);
			}
		}
	}

	@Override
	public TraceContext batch(List<TraceContext> requests, long start, long end, int images, String version) {
		Wall wall = wall();
		Span.Builder builder = tracer.spanBuilder()
			.setParent(requests.get(0))
			.name("digits.batch")
			.startTimestamp(wall.of(start), TimeUnit.NANOSECONDS)
			.tag("digits.batch.images", images)
			.tag("digits.batch.requests", requests.size())
			.tag("digits.model.version", version)
			.tag("thread.name", Thread.currentThread().getName());
		for (TraceContext request : requests) {
			builder.addLink(new Link(request));
		}
		Span span = builder.start();
		span.end(wall.of(end), TimeUnit.NANOSECONDS);
		return span.context();
	}

	@Override
	public void queuedAndComputed(TraceContext request, long queuedAt, long takenAt, long computeStart, long computeEnd,
			int images, int batchSize, String version, List<TraceContext> batches) {
		Wall wall = wall();
		tracer.spanBuilder()
			.setParent(request)
			.name("digits.queue")
			.startTimestamp(wall.of(queuedAt), TimeUnit.NANOSECONDS)
			.tag("digits.images", images)
			.tag("digits.model.version", version)
			.start()
			.end(wall.of(takenAt), TimeUnit.NANOSECONDS);
		Span.Builder inference = tracer.spanBuilder()
			.setParent(request)
			.name("digits.inference")
			.startTimestamp(wall.of(computeStart), TimeUnit.NANOSECONDS)
			.tag("digits.images", images)
			.tag("digits.batch.size", batchSize)
			.tag("digits.model.version", version);
		if (batches != null) {
			for (TraceContext batch : batches) {
				inference.addLink(new Link(batch));
			}
		}
		inference.start().end(wall.of(computeEnd), TimeUnit.NANOSECONDS);
	}

	private Wall wall() {
		Instant now = clock.instant();
		return new Wall(System.nanoTime(), now.getEpochSecond() * 1_000_000_000L + now.getNano());
	}

	/**
	 * A {@code nanoTime} reading and the wall-clock time (epoch nanoseconds) read with
	 * it.
	 */
	private record Wall(long nanoTime, long epochNanos) {

		long of(long nanos) {
			return epochNanos - (nanoTime - nanos);
		}

	}

}
