package dev.digits.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;

/**
 * The capacity of one replica, and the signals an autoscaler would see, under a load ramp: open
 * workload model (Poisson arrivals), one 28x28 PNG prediction per request, at each rate of
 * {@code bench.rates} (comma-separated requests a second) for {@code bench.duration} s in turn.
 * A mark at every step boundary records the service's CPU ticks and its Prometheus metrics, so
 * that each step's mean requests in flight (the growth of {@code digits_request_seconds_sum} over
 * the step's seconds: Little's law), queue depth and CPU can be read beside its latencies
 * ({@code scripts/bench/scaling-ramp.sh} turns them into docs/scaling.md's table).
 */
public class RampSimulation extends Simulation {

	private static final List<Double> RATES = Arrays
		.stream(System.getProperty("bench.rates", "100,200,400,800,1200,1600,2000,2400,3200").split(","))
		.map(String::strip)
		.map(Double::parseDouble)
		.toList();

	{
		byte[] png = Payloads.seven();
		BenchRun.parameter("rates", RATES.toString());
		BenchRun.parameter("durationSeconds", BenchRun.DURATION.toSeconds());
		BenchRun.parameter("bodyBytes", png.length);
		List<String> names = new ArrayList<>();
		List<PopulationBuilder> steps = new ArrayList<>();
		for (double rate : RATES) {
			String name = "rate-" + Math.round(rate);
			names.add(name);
			steps.add(Requests.once(name, Requests.png(name, Requests.PREDICT, png))
				.injectOpen(constantUsersPerSec(rate).during(BenchRun.DURATION).randomized()));
		}
		setUp(BenchRun.sequence(names, steps)).protocols(Requests.protocol())
			.maxDuration(BenchRun.DURATION.multipliedBy(RATES.size()).plusSeconds(120));
	}

	@Override
	public void after() {
		BenchRun.write("ramp");
	}

}
