package dev.digits.serving;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * How many feedback votes one client may give in a window: a fixed window per client key
 * (the client's address as the service sees it), so one client cannot decide an A/B test
 * by itself, however many predictions it makes. The clients remembered are bounded: past
 * the bound the least recently seen are forgotten (and get a fresh window).
 */
public final class FeedbackLimiter {

	/** About 120 bytes each (key, counter, cache entry): at most about 6 MB. */
	static final int MAX_CLIENTS = 50_000;

	private final int votesPerClient;

	private final Cache<String, AtomicInteger> windows;

	/**
	 * @param votesPerClient votes per client and window; 0 or less: unlimited
	 */
	public FeedbackLimiter(int votesPerClient, Duration window) {
		this.votesPerClient = votesPerClient;
		this.windows = Caffeine.newBuilder()
			.maximumSize(MAX_CLIENTS)
			.expireAfterWrite(window.toNanos(), TimeUnit.NANOSECONDS)
			.build();
	}

	/** Whether {@code client} may vote now (checked before its token is spent). */
	public boolean allows(String client) {
		if (votesPerClient <= 0) {
			return true;
		}
		AtomicInteger used = windows.getIfPresent(client);
		return used == null || used.get() < votesPerClient;
	}

	/**
	 * Counts one accepted vote of {@code client}. Two votes racing past {@link #allows}
	 * may both count: the bound can be passed by the number of a client's concurrent
	 * requests, no more.
	 */
	public void count(String client) {
		if (votesPerClient > 0) {
			windows.get(client, key -> new AtomicInteger()).incrementAndGet();
		}
	}

	public int votesPerClient() {
		return votesPerClient;
	}

}
