package dev.digits.system;

import java.time.Duration;

/**
 * The bucket boundaries of every latency histogram, chosen rather than Micrometer's
 * 72-bucket percentile histogram: each series costs its bucket count, and the label sets
 * multiply (endpoint x outcome x model version). Request latency keeps the model card's
 * 34/42/48 ms exactly (the SLO and alert thresholds, docs/operations.md); the work inside
 * a request (decoding, queueing, a forward pass) is sub-millisecond and gets finer
 * boundaries.
 */
public final class Histograms {

	/** Whole requests: 15 boundaries, the card's targets among them. */
	public static final Duration[] REQUEST = { ms(1), ms(2.5), ms(5), ms(10), ms(20), ms(34), ms(42), ms(48), ms(75),
			ms(100), ms(250), ms(500), ms(1000), ms(2500), ms(5000) };

	/**
	 * Steps of a request (preprocessing, queue wait, inference, shadow): 14 boundaries
	 * from 0.1 ms.
	 */
	public static final Duration[] STEP = { ms(0.1), ms(0.25), ms(0.5), ms(1), ms(2.5), ms(5), ms(10), ms(25), ms(50),
			ms(100), ms(250), ms(500), ms(1000), ms(5000) };

	private Histograms() {
	}

	private static Duration ms(double millis) {
		return Duration.ofNanos(Math.round(millis * 1_000_000));
	}

}
