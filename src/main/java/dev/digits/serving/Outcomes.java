package dev.digits.serving;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.digits.system.Histograms;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * What the A/B test measures per version: feedback (right or wrong, with a Wilson interval), and
 * for a shadow version its agreement with the default and its latency. Counted in Prometheus
 * ({@code digits_feedback_total}, {@code digits_shadow_total}, {@code digits_shadow_seconds}) and
 * kept per replica for {@code GET /api/v1/models}; the counts restart with the process.
 */
public final class Outcomes {

	/** Right and total; the interval is Wilson's at 95%. */
	public record Accuracy(long correct, long total) {

		private static final double Z = 1.959964;

		public Double estimate() {
			return total == 0 ? null : correct / (double) total;
		}

		public double[] wilson() {
			if (total == 0) {
				return null;
			}
			double n = total;
			double p = correct / n;
			double z2 = Z * Z;
			double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
			double half = Z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
			return new double[] { Math.max(0, centre - half), Math.min(1, centre + half) };
		}

	}

	private final MeterRegistry registry;

	private final Map<String, AtomicLong[]> feedback = new ConcurrentHashMap<>();

	private final Map<String, AtomicLong[]> shadow = new ConcurrentHashMap<>();

	private final Map<String, Counter> counters = new ConcurrentHashMap<>();

	private final Map<String, Timer> shadowTimers = new ConcurrentHashMap<>();

	public Outcomes(MeterRegistry registry) {
		this.registry = registry;
	}

	public void feedback(String version, boolean correct) {
		feedback.computeIfAbsent(version, v -> new AtomicLong[] { new AtomicLong(), new AtomicLong() })[correct ? 0 : 1]
			.incrementAndGet();
		counter("digits.feedback", "Feedback on predictions, by version and whether they were right", version,
				"correct", correct).increment();
	}

	public void shadow(String version, boolean agrees, long nanos) {
		shadow.computeIfAbsent(version, v -> new AtomicLong[] { new AtomicLong(), new AtomicLong() })[agrees ? 0 : 1]
			.incrementAndGet();
		counter("digits.shadow", "Shadow predictions, by version and whether they agreed with the default", version,
				"agree", agrees).increment();
		shadowTimers.computeIfAbsent(version, v -> Timer.builder("digits.shadow.latency")
			.description("Time from queueing a shadow prediction to its answer")
			.tag("model_version", v)
			.serviceLevelObjectives(Histograms.STEP)
			.register(registry)).record(nanos, TimeUnit.NANOSECONDS);
	}

	public void shadowSkipped(String version) {
		counters.computeIfAbsent("skipped/" + version, key -> Counter.builder("digits.shadow.skipped")
			.description("Shadow predictions not run because the inference queue was busy")
			.tag("model_version", version)
			.register(registry)).increment();
	}

	public Accuracy accuracy(String version) {
		AtomicLong[] c = feedback.get(version);
		return c == null ? new Accuracy(0, 0) : new Accuracy(c[0].get(), c[0].get() + c[1].get());
	}

	/** Agreement of a shadow version with the default: agreed and total. */
	public Accuracy agreement(String version) {
		AtomicLong[] c = shadow.get(version);
		return c == null ? new Accuracy(0, 0) : new Accuracy(c[0].get(), c[0].get() + c[1].get());
	}

	private Counter counter(String name, String description, String version, String tag, boolean value) {
		return counters.computeIfAbsent(name + "/" + version + "/" + value, key -> Counter.builder(name)
			.description(description)
			.tag("model_version", version)
			.tag(tag, String.valueOf(value))
			.register(registry));
	}

}
