package dev.digits.inference;

import java.util.List;

import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;

/**
 * The spans of the recognition pipeline: preprocessing, the wait for an inference worker,
 * the request's share of the forward pass, and the forward pass itself (one span per
 * batch, linked to every request whose images it carried). {@link #OFF} does nothing and
 * allocates nothing: with tracing off (the default) or a request not sampled,
 * {@link #current()} is null and no other method is reached. Timestamps are
 * {@link System#nanoTime()} readings.
 */
public interface PipelineTracer {

	/** Tracing off. */
	PipelineTracer OFF = new PipelineTracer() {
	};

	/** The calling thread's current span context when it is sampled; otherwise null. */
	default TraceContext current() {
		return null;
	}

	/**
	 * Starts a child of the current span, or answers null when the current span is not
	 * sampled.
	 */
	default Span startChild(String name) {
		return null;
	}

	/** Tags the current span, if it is sampled. */
	default void tagCurrent(String key, String value) {
	}

	/**
	 * One forward pass that carried images of the traced requests {@code requests} (at
	 * least one): a span in the trace of the first of them, linked to each; answers its
	 * context.
	 */
	default TraceContext batch(List<TraceContext> requests, long start, long end, int images, String version) {
		return null;
	}

	/**
	 * A request's time in the queue ({@code queuedAt} to {@code takenAt}) and in the
	 * forward passes that computed its images ({@code computeStart} to
	 * {@code computeEnd}), as two children of {@code request}; the second links to those
	 * passes' spans.
	 */
	default void queuedAndComputed(TraceContext request, long queuedAt, long takenAt, long computeStart,
			long computeEnd, int images, int batchSize, String version, List<TraceContext> batches) {
	}

}
