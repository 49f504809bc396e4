package dev.digits.bench;

import java.util.List;

import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;

/**
 * Latency at a given arrival rate, open workload model: {@code bench.rate} new requests per second
 * (Poisson arrivals: Gatling's randomized constant rate), each independent of the answers to the
 * others, so a slow answer does not hold the next request back and latency includes queueing
 * (no coordinated omission). One 28x28 PNG ({@code docs/examples/seven.png}) per request. Phases:
 * a warm-up (closed, 32 users, predictions and no-ops), then {@code predict} and {@code noop}
 * (the framework ceiling with the same body) at the same rate for {@code bench.duration} s each.
 */
public class OpenModelSimulation extends Simulation {

	private final double rate = Double.parseDouble(System.getProperty("bench.rate", "1000"));

	{
		byte[] png = Payloads.seven();
		BenchRun.parameter("rate", rate);
		BenchRun.parameter("durationSeconds", BenchRun.DURATION.toSeconds());
		BenchRun.parameter("warmupSeconds", BenchRun.WARMUP.toSeconds());
		BenchRun.parameter("bodyBytes", png.length);
		setUp(BenchRun.sequence(List.of("warmup", "predict", "noop"), List.of(
				Requests.warmup(Requests.png("warmup-predict", Requests.PREDICT, png),
						Requests.png("warmup-noop", Requests.NOOP, png))
					.injectClosed(constantConcurrentUsers(32).during(BenchRun.WARMUP)),
				Requests.once("predict", Requests.png("predict", Requests.PREDICT, png))
					.injectOpen(constantUsersPerSec(rate).during(BenchRun.DURATION).randomized()),
				Requests.once("noop", Requests.png("noop", Requests.NOOP, png))
					.injectOpen(constantUsersPerSec(rate).during(BenchRun.DURATION).randomized()))))
			.protocols(Requests.protocol())
			.maxDuration(BenchRun.WARMUP.plus(BenchRun.DURATION.multipliedBy(2)).plusSeconds(60));
	}

	@Override
	public void after() {
		BenchRun.write("open-model");
	}

}
