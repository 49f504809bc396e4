package dev.digits.bench;

import java.util.List;

import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;

/**
 * The peer (../shared/peer: FastAPI + PyTorch serving the same weights under uvicorn) under the
 * closed model of {@link ClosedModelSimulation}'s {@code predict} phase: {@code bench.users} (64)
 * requests always in flight, the README's 28x28 PNG ({@code docs/examples/seven.png}) per request,
 * here as a multipart {@code file} part POSTed to {@code bench.peerPath} ({@code /predict}), the
 * only form the peer takes. Phases: a warm-up (closed, 32 users), then {@code predict} for
 * {@code bench.duration} s. scripts/bench/run-all.sh starts the peer, runs this against it with
 * {@code -Dbench.servicePid} set to uvicorn's parent process (its workers are counted with it) and
 * {@code -Dbench.managementUrl=none} (the peer has no metrics), and stops it before the service
 * starts. One connection's latency is not compared: with one connection the peer shows a flat 40 ms
 * or so, a delayed-ACK interaction, not its compute (../shared/peer/README.md).
 */
public class PeerSimulation extends Simulation {

	private final int users = Integer.getInteger("bench.users", 64);

	private final String path = System.getProperty("bench.peerPath", "/predict");

	{
		byte[] png = Payloads.seven();
		BenchRun.parameter("users", users);
		BenchRun.parameter("path", path);
		BenchRun.parameter("durationSeconds", BenchRun.DURATION.toSeconds());
		BenchRun.parameter("warmupSeconds", BenchRun.WARMUP.toSeconds());
		BenchRun.parameter("bodyBytes", png.length);
		setUp(BenchRun.sequence(List.of("warmup", "predict"), List.of(
				Requests.warmup(Requests.file("warmup-predict", path, png))
					.injectClosed(constantConcurrentUsers(32).during(BenchRun.WARMUP)),
				Requests.once("predict", Requests.file("predict", path, png))
					.injectClosed(constantConcurrentUsers(users).during(BenchRun.DURATION)))))
			.protocols(Requests.protocol())
			.maxDuration(BenchRun.WARMUP.plus(BenchRun.DURATION).plusSeconds(60));
	}

	@Override
	public void after() {
		BenchRun.write("peer");
	}

}
