package dev.digits.serving;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Where requests go: the default version, traffic shares by version (e.g. 90/10), and an
 * optional shadow version that also computes what the default answers. Immutable; the
 * service swaps whole policies atomically.
 *
 * @param defaultVersion answers when the shares say nothing else, and is what shadow is
 * compared to
 * @param weights shares by version (non-negative, not all zero, summing to at most
 * {@link #MAX_TOTAL_WEIGHT}); empty means all to the default
 * @param shadow computes every request of the default, compared, never returned; null for
 * none
 */
public record TrafficPolicy(String defaultVersion, Map<String, Integer> weights, String shadow) {

	/**
	 * The most the weights may sum to: a share of one in a million is finer than any A/B
	 * test needs, and the sum (added as a long) can then never overflow the int
	 * arithmetic of the shares.
	 */
	public static final int MAX_TOTAL_WEIGHT = 1_000_000;

	public TrafficPolicy {
		if (defaultVersion == null || defaultVersion.isBlank()) {
			throw new IllegalArgumentException("a default version is required");
		}
		Map<String, Integer> sorted = new TreeMap<>(
				weights == null || weights.isEmpty() ? Map.of(defaultVersion, 100) : weights);
		long total = 0;
		for (Map.Entry<String, Integer> e : sorted.entrySet()) {
			if (e.getValue() == null || e.getValue() < 0) {
				throw new IllegalArgumentException("the weight of version " + e.getKey() + " must be 0 or more");
			}
			total += e.getValue();
		}
		if (total <= 0) {
			throw new IllegalArgumentException("the weights must not all be zero");
		}
		if (total > MAX_TOTAL_WEIGHT) {
			throw new IllegalArgumentException("the weights sum to " + total + "; at most " + MAX_TOTAL_WEIGHT
					+ " (they are relative shares: 90 and 10 give 90%/10%)");
		}
		weights = java.util.Collections.unmodifiableMap(sorted);
		shadow = shadow == null || shadow.isBlank() ? null : shadow;
		if (defaultVersion.equals(shadow)) {
			throw new IllegalArgumentException("the default version cannot also be its own shadow");
		}
	}

	/** All traffic to one version. */
	public static TrafficPolicy only(String version) {
		return new TrafficPolicy(version, Map.of(version, 100), null);
	}

	int total() {
		return weights.values().stream().mapToInt(Integer::intValue).sum();
	}

	/** The version whose share holds {@code point}, a number in {@code [0, total())}. */
	String pick(long point) {
		long upTo = 0;
		for (Map.Entry<String, Integer> e : weights.entrySet()) {
			upTo += e.getValue();
			if (point < upTo) {
				return e.getKey();
			}
		}
		return defaultVersion;
	}

	/** The share of traffic of {@code version}, 0 to 1. */
	public double share(String version) {
		return weights.getOrDefault(version, 0) / (double) total();
	}

	/** Every version this policy sends requests to (or shadows). */
	public Set<String> versions() {
		Set<String> versions = new LinkedHashSet<>();
		versions.add(defaultVersion);
		weights.forEach((version, weight) -> {
			if (weight > 0) {
				versions.add(version);
			}
		});
		if (shadow != null) {
			versions.add(shadow);
		}
		return versions;
	}

}
