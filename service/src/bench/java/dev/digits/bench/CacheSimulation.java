package dev.digits.bench;

import java.util.List;

import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;

/**
 * The prediction cache on realistic repetition: uploads drawn from {@code bench.distinct} (3,000)
 * distinct 28x28 PNGs with Zipf frequencies (exponent {@code bench.zipf}, 1.0), so a few uploads
 * recur often and most rarely. run-all.sh runs it against the service with
 * {@code digits.inference.cache-size} on and off; the hit ratio comes from the service's
 * {@code cache_gets_total} between the marks. Phases: a warm-up with the same mix (closed, 32
 * users), {@code zipf-open} at {@code bench.rate} (1,000) req/s, {@code zipf-closed} at
 * {@code bench.users} (64), and {@code noop} at 64 users with one of the uploads.
 */
public class CacheSimulation extends Simulation {

	private final double rate = Double.parseDouble(System.getProperty("bench.rate", "1000"));

	private final int users = Integer.getInteger("bench.users", 64);

	private final int distinct = Integer.getInteger("bench.distinct", 3000);

	private final double exponent = Double.parseDouble(System.getProperty("bench.zipf", "1.0"));

	{
		List<byte[]> uploads = Payloads.distinctUploads(distinct);
		Payloads.Zipf zipf = new Payloads.Zipf(uploads.size(), exponent);
		BenchRun.parameter("rate", rate);
		BenchRun.parameter("users", users);
		BenchRun.parameter("distinctUploads", uploads.size());
		BenchRun.parameter("zipfExponent", exponent);
		BenchRun.parameter("top100Share", zipf.topShare(100));
		BenchRun.parameter("top1000Share", zipf.topShare(1000));
		BenchRun.parameter("durationSeconds", BenchRun.DURATION.toSeconds());
		BenchRun.parameter("warmupSeconds", BenchRun.WARMUP.toSeconds());
		setUp(BenchRun.sequence(List.of("warmup", "zipf-open", "zipf-closed", "noop"), List.of(
				Requests.warmup(Requests.png("warmup-predict", Requests.PREDICT, session -> uploads.get(zipf.next())),
						Requests.png("warmup-noop", Requests.NOOP, uploads.get(0)))
					.injectClosed(constantConcurrentUsers(32).during(BenchRun.WARMUP)),
				Requests.once("zipf-open", Requests.png("zipf-open", Requests.PREDICT, session -> uploads.get(zipf.next())))
					.injectOpen(constantUsersPerSec(rate).during(BenchRun.DURATION).randomized()),
				Requests.once("zipf-closed",
						Requests.png("zipf-closed", Requests.PREDICT, session -> uploads.get(zipf.next())))
					.injectClosed(constantConcurrentUsers(users).during(BenchRun.DURATION)),
				Requests.once("noop", Requests.png("noop", Requests.NOOP, uploads.get(0)))
					.injectClosed(constantConcurrentUsers(users).during(BenchRun.DURATION)))))
			.protocols(Requests.protocol())
			.maxDuration(BenchRun.WARMUP.plus(BenchRun.DURATION.multipliedBy(3)).plusSeconds(60));
	}

	@Override
	public void after() {
		BenchRun.write("cache");
	}

}
