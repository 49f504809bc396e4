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
 * What the A/B test measures per version: feedback (right or wrong, with a Wilson
 * interval), and for a shadow version its agreement with the default and its latency.
 * Counted in Prometheus ({@code digits_feedback_total}, {@code digits_shadow_total},
 * {@code digits_shadow_seconds}) and kept per replica for {@code GET /api/v1/models}; the
 * counts restart with the process.
 */
public final class Outcomes {

	/**
	 * Right and total; the interval is Wilson's at 95%; {@code clients}: how many
	 * distinct clients the votes came from (counted up to {@link #MAX_CLIENTS} per
	 * version, -1 where not counted).
	 */
	public record Accuracy(long correct, long total, long clients) {

		public Accuracy(long correct, long total) {
			this(correct, total, -1);
		}

		public Double estimate() {
			return total == 0 ? null : correct / (double) total;
		}

		public double[] wilson() {
			return dev.digits.model.Wilson.interval(correct, total);
		}

	}

	private final MeterRegistry registry;

	/**
	 * Distinct clients remembered per version (a 64-bit hash each): about 5 MB at most
	 * per version.
	 */
	public static final int MAX_CLIENTS = 100_000;

	private final Map<String, AtomicLong[]> feedback = new ConcurrentHashMap<>();

	private final Map<String, java.util.Set<Long>> voters = new ConcurrentHashMap<>();

	private final Map<String, AtomicLong[]> shadow = new ConcurrentHashMap<>();

	private final Map<String, Counter> counters = new ConcurrentHashMap<>();

	private final Map<String, Timer> shadowTimers = new ConcurrentHashMap<>();

	public Outcomes(MeterRegistry registry) {
		this.registry = registry;
	}

	/** A vote on {@code version} from {@code client} (its address, or any stable key). */
	public void feedback(String version, boolean correct, String client) {
		feedback.computeIfAbsent(version, v -> new AtomicLong[] { new AtomicLong(), new AtomicLong() })[correct ? 0 : 1]
			.incrementAndGet();
		java.util.Set<Long> clients = voters.computeIfAbsent(version, v -> {
			java.util.Set<Long> set = ConcurrentHashMap.newKeySet();
			io.micrometer.core.instrument.Gauge.builder("digits.feedback.clients", set, java.util.Set::size)
				.description("Distinct clients whose feedback on the version this replica counted (since it started)")
				.tag("model_version", v)
				.register(registry);
			return set;
		});
		if (clients.size() < MAX_CLIENTS) {
			clients.add(hash(client));
		}
		counter("digits.feedback", "Feedback on predictions, by version and whether they were right", version,
				"correct", correct)
			.increment();
	}

	public void shadow(String version, boolean agrees, long nanos) {
		shadow.computeIfAbsent(version, v -> new AtomicLong[] { new AtomicLong(), new AtomicLong() })[agrees ? 0 : 1]
			.incrementAndGet();
		counter("digits.shadow", "Shadow predictions, by version and whether they agreed with the default", version,
				"agree", agrees)
			.increment();
		shadowTimers
			.computeIfAbsent(version,
					v -> Timer.builder("digits.shadow.latency")
						.description("Time from queueing a shadow prediction to its answer")
						.tag("model_version", v)
						.serviceLevelObjectives(Histograms.STEP)
						.register(registry))
			.record(nanos, TimeUnit.NANOSECONDS);
	}

	public void shadowSkipped(String version) {
		counters
			.computeIfAbsent("skipped/" + version,
					key -> Counter.builder("digits.shadow.skipped")
						.description("Shadow predictions not run because the inference queue was busy")
						.tag("model_version", version)
						.register(registry))
			.increment();
	}

	public Accuracy accuracy(String version) {
		AtomicLong[] c = feedback.get(version);
		java.util.Set<Long> clients = voters.get(version);
		return c == null ? new Accuracy(0, 0, 0)
				: new Accuracy(c[0].get(), c[0].get() + c[1].get(), clients == null ? 0 : clients.size());
	}

	private static long hash(String client) {
		byte[] bytes = String.valueOf(client).getBytes(java.nio.charset.StandardCharsets.UTF_8);
		long h = 0xcbf29ce484222325L; // FNV-1a, 64 bits: a count of distinct clients, not
										// a secret
		for (byte b : bytes) {
			h = (h ^ (b & 0xFF)) * 0x100000001b3L;
		}
		return h;
	}

	/** Agreement of a shadow version with the default: agreed and total. */
	public Accuracy agreement(String version) {
		AtomicLong[] c = shadow.get(version);
		return c == null ? new Accuracy(0, 0) : new Accuracy(c[0].get(), c[0].get() + c[1].get());
	}

	private Counter counter(String name, String description, String version, String tag, boolean value) {
		return counters.computeIfAbsent(name + "/" + version + "/" + value,
				key -> Counter.builder(name)
					.description(description)
					.tag("model_version", version)
					.tag(tag, String.valueOf(value))
					.register(registry));
	}

}
