package dev.digits.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.core.CoreDsl.stopLoadGenerator;

/**
 * Load through a balancer while its replicas are replaced or killed (docker/tests/check-replicas.sh):
 * open workload model, {@code bench.rate} predictions a second (Poisson arrivals), one 28x28 PNG
 * each, every answer counted under the phase that was current when its request was sent. The phase
 * is the content of the file {@code phase} in {@code bench.out}, written by the script that drives
 * the replicas (read every 100 ms; none yet: {@code warmup}); {@code stop} ends the load. The
 * simulation writes {@code started} there once it sends. {@code bench.maxSeconds} bounds the run.
 * The phases' counts, statuses and latencies go to {@code bench.json}.
 */
public class RollingLoadSimulation extends Simulation {

	private static final double RATE = Double.parseDouble(System.getProperty("bench.rate", "200"));

	private static final Duration MAX = Duration.ofSeconds(Long.getLong("bench.maxSeconds", 900L));

	/** The current phase, set by the watcher, read as each request is sent. */
	private static volatile String phase = "warmup";

	private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor(r -> {
		Thread t = new Thread(r, "phase-watcher");
		t.setDaemon(true);
		return t;
	});

	{
		byte[] png = Payloads.seven();
		BenchRun.parameter("rate", RATE);
		BenchRun.parameter("bodyBytes", png.length);
		setUp(scenario("rolling")
			.exec(session -> session.set("phase", phase))
			.doIfEqualsOrElse(session -> session.getString("phase"), "stop")
			.then(stopLoadGenerator("the script said stop"))
			.orElse(exec(Requests.png("predict", Requests.PREDICT, png))
				.exec(BenchRun.count(session -> session.getString("phase"))))
			.injectOpen(constantUsersPerSec(RATE).during(MAX).randomized())).protocols(Requests.protocol())
			.maxDuration(MAX.plusSeconds(30));
	}

	@Override
	public void before() {
		try {
			Files.createDirectories(BenchRun.OUT);
			Files.writeString(BenchRun.OUT.resolve("started"), "");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		watcher.scheduleWithFixedDelay(RollingLoadSimulation::watch, 100, 100, TimeUnit.MILLISECONDS);
	}

	private static void watch() {
		Path file = BenchRun.OUT.resolve("phase");
		try {
			if (Files.exists(file)) {
				String name = Files.readString(file).strip();
				if (!name.isEmpty()) {
					phase = name;
				}
			}
		}
		catch (IOException ex) {
			// written as it is read: the next read sees it whole
		}
	}

	@Override
	public void after() {
		watcher.shutdownNow();
		BenchRun.write("rolling-load");
	}

}
