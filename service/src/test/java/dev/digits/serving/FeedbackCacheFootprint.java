package dev.digits.serving;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Heap held by the replay caches of {@link FeedbackTokens} (sources or nonces, and the
 * inputs each client labelled), per redeemed token: fills them with {@code n} votes
 * (default 200,000) and prints the retained heap difference after full GCs. A measurement
 * to run by hand, not a test:
 * {@code java -Xmx1g -cp service/target/test-classes:service/target/classes:<deps> dev.digits.serving.FeedbackCacheFootprint}.
 */
public final class FeedbackCacheFootprint {

	private FeedbackCacheFootprint() {
	}

	public static void main(String[] args) throws Exception {
		int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
		byte[] key = FeedbackTokens.randomKey();
		for (int votesPerSource : new int[] { 1, 64 }) {
			FeedbackTokens issuer = new FeedbackTokens(key, Duration.ofHours(24), Clock.systemUTC(), n);
			List<String> tokens = new ArrayList<>(n);
			for (int i = 0; i < n; i++) {
				float[] pixels = new float[784];
				pixels[i % 784] = i; // a different input per token, as from different
										// drawings
				tokens.add(issuer.issue("1", i % 10, issuer.newSource(), FeedbackTokens.fingerprint(pixels)));
			}
			long before = used();
			FeedbackTokens replica = new FeedbackTokens(key, Duration.ofHours(24), Clock.systemUTC(), n,
					votesPerSource);
			int client = 0;
			for (String token : tokens) {
				replica.redeem(token, "198.51.100." + (client++ % 250));
			}
			long after = used();
			System.out.printf(Locale.ROOT, "votes per source %d: %d tokens, %.1f MB retained, %.1f bytes a token%n",
					votesPerSource, n, (after - before) / 1e6, (after - before) / (double) n);
			// both stay reachable until measured (else the JIT may let the GC take them
			// early)
			java.lang.ref.Reference.reachabilityFence(replica);
			java.lang.ref.Reference.reachabilityFence(tokens);
			java.lang.ref.Reference.reachabilityFence(issuer);
		}
	}

	private static long used() throws InterruptedException {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		for (int i = 0; i < 4; i++) {
			System.gc();
			Thread.sleep(100);
		}
		return memory.getHeapMemoryUsage().getUsed();
	}

}
