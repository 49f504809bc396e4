package dev.digits.bench;

import java.util.List;

import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;

/**
 * Overload and recovery, open workload model: {@code overload} sends {@code bench.rate} requests
 * per second (run-all.sh passes twice the measured maximum) for {@code bench.duration} s; only 200s
 * and 503s with {@code Retry-After} may come back (counted per phase in bench.json; Gatling's OK
 * statistics are the accepted requests). Right after, {@code recovery} at {@code bench.recoveryRate}
 * (500) req/s must be served without errors; then {@code noop} at the overload rate shows what the
 * framework alone does with that arrival rate on these cores.
 */
public class OverloadSimulation extends Simulation {

	private final double rate = Double.parseDouble(System.getProperty("bench.rate", "10000"));

	private final double recoveryRate = Double.parseDouble(System.getProperty("bench.recoveryRate", "500"));

	{
		byte[] png = Payloads.seven();
		BenchRun.parameter("rate", rate);
		BenchRun.parameter("recoveryRate", recoveryRate);
		BenchRun.parameter("durationSeconds", BenchRun.DURATION.toSeconds());
		BenchRun.parameter("warmupSeconds", BenchRun.WARMUP.toSeconds());
		BenchRun.parameter("bodyBytes", png.length);
		setUp(BenchRun.sequence(List.of("warmup", "overload", "recovery", "noop"), List.of(
				Requests.warmup(Requests.png("warmup-predict", Requests.PREDICT, png),
						Requests.png("warmup-noop", Requests.NOOP, png))
					.injectClosed(constantConcurrentUsers(32).during(BenchRun.WARMUP)),
				Requests.once("overload", Requests.png("overload", Requests.PREDICT, png))
					.injectOpen(constantUsersPerSec(rate).during(BenchRun.DURATION).randomized()),
				Requests.once("recovery", Requests.png("recovery", Requests.PREDICT, png))
					.injectOpen(constantUsersPerSec(recoveryRate).during(BenchRun.DURATION).randomized()),
				Requests.once("noop", Requests.png("noop", Requests.NOOP, png))
					.injectOpen(constantUsersPerSec(rate).during(BenchRun.DURATION).randomized()))))
			.protocols(Requests.protocol())
			.maxDuration(BenchRun.WARMUP.plus(BenchRun.DURATION.multipliedBy(3)).plusSeconds(90));
	}

	@Override
	public void after() {
		BenchRun.write("overload");
	}

}
