package dev.digits.inference;

import java.util.function.IntFunction;

import io.micrometer.core.instrument.Timer;

/**
 * One network registered with the {@link DigitClassifier}: its per-worker forward passes
 * are built on first use by each worker and dropped once it is
 * {@linkplain DigitClassifier#retire retired}. Many can be registered at once; they share
 * the workers and the queue.
 */
public final class EngineModel {

	private final String version;

	final IntFunction<ForwardPass> passes;

	final Timer queueWait;

	final Timer compute;

	volatile boolean retired;

	/** False while warming up: warm-up passes are not recorded in the metrics. */
	volatile boolean counted;

	/**
	 * Bytes of the weights this model holds (the network and any copy the engine made of
	 * them).
	 */
	final long weightBytes;

	/**
	 * Bytes of the workers' buffers for this model: added as each worker prepares its
	 * pass.
	 */
	final java.util.concurrent.atomic.LongAdder passBytes = new java.util.concurrent.atomic.LongAdder();

	EngineModel(String version, IntFunction<ForwardPass> passes, Timer queueWait, Timer compute) {
		this(version, passes, queueWait, compute, 0);
	}

	EngineModel(String version, IntFunction<ForwardPass> passes, Timer queueWait, Timer compute, long weightBytes) {
		this.weightBytes = weightBytes;
		this.version = version;
		this.passes = passes;
		this.queueWait = queueWait;
		this.compute = compute;
	}

	public String version() {
		return version;
	}

	/**
	 * Memory this version holds: its weights and the activation buffers its workers keep
	 * for it (reserved for the largest batch; the pages a smaller batch never touches
	 * stay virtual).
	 */
	public long memoryBytes() {
		return weightBytes + passBytes.sum();
	}

	@Override
	public String toString() {
		return "EngineModel[" + version + (retired ? ", retired" : "") + "]";
	}

}
