package dev.digits.inference;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * How inference runs. Defaults derive from the cores available (see docs/BENCHMARKS.md
 * for the measurements behind them).
 *
 * @param engine {@code nhwc} (ND4J ops on oneDNN, the fast path) or {@code dl4j} (DL4J
 * layers)
 * @param workers inference threads; 0 = one per core
 * @param nativeThreads OpenMP/BLAS threads each ND4J call may use (1: the workers are the
 * parallelism)
 * @param maxBatchSize most images one forward pass takes (1 turns dynamic batching off)
 * @param maxQueueDelay how long the first queued image waits for others to join its
 * batch; zero batches only what is already waiting
 * @param queueCapacity images that may wait; beyond it requests are refused at once with
 * 503
 * @param timeout longest a request waits for its result before it is answered 503
 * @param cacheSize predictions kept, keyed on the normalized input; 0 turns the cache off
 * @param inlineWhenIdle a request of a few images that finds no other request in flight
 * runs its forward pass on its own thread instead of handing it to a worker, saving the
 * hand-off's two thread wake-ups (docs/performance-gap.md, "One client");
 * digits_inference_requests_total counts the requests each thread ("caller", "worker")
 * computed
 */
@Validated
@ConfigurationProperties("digits.inference")
public record InferenceProperties(@NotNull Engine engine, @Min(0) @Max(256) int workers,
		@Min(1) @Max(256) int nativeThreads, @Min(1) @Max(1024) int maxBatchSize, @NotNull Duration maxQueueDelay,
		@Min(1) int queueCapacity, @NotNull Duration timeout, @Min(0) int cacheSize, boolean inlineWhenIdle) {

	public enum Engine {

		NHWC, DL4J

	}

	/** Worker threads to start: the configured number, or one per available core. */
	public int effectiveWorkers() {
		return workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
	}

}
