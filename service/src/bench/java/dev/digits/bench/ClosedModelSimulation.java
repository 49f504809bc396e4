package dev.digits.bench;

import java.util.List;

import io.gatling.javaapi.core.Simulation;

import static io.gatling.javaapi.core.CoreDsl.constantConcurrentUsers;

/**
 * The maximum: closed workload model, {@code bench.users} (64) requests always in flight (a user
 * sends one request, and a new user replaces it when it is answered). Phases after the warm-up,
 * {@code bench.duration} s each: {@code predict} (the 28x28 PNG) and {@code noop} (the same body to
 * the framework ceiling) at {@code bench.users}; then {@code canvas} (a 280x280 PNG, 16 users) and
 * {@code batch16} (16 PNGs per multipart request, 8 users), which the old harness also measured.
 * The overload run takes twice the median {@code predict} rate of these runs.
 */
public class ClosedModelSimulation extends Simulation {

	private final int users = Integer.getInteger("bench.users", 64);

	{
		byte[] png = Payloads.seven();
		byte[] canvas = Payloads.canvas();
		List<byte[]> sixteen = Payloads.testDigits(16);
		BenchRun.parameter("users", users);
		BenchRun.parameter("durationSeconds", BenchRun.DURATION.toSeconds());
		BenchRun.parameter("warmupSeconds", BenchRun.WARMUP.toSeconds());
		BenchRun.parameter("bodyBytes", png.length);
		BenchRun.parameter("canvasBytes", canvas.length);
		setUp(BenchRun.sequence(List.of("warmup", "predict", "multipart", "noop", "canvas", "batch16"), List.of(
				Requests.warmup(Requests.png("warmup-predict", Requests.PREDICT, png),
						Requests.png("warmup-noop", Requests.NOOP, png), Requests.batch("warmup-batch16", sixteen))
					.injectClosed(constantConcurrentUsers(32).during(BenchRun.WARMUP)),
				Requests.once("predict", Requests.png("predict", Requests.PREDICT, png))
					.injectClosed(constantConcurrentUsers(users).during(BenchRun.DURATION)),
				// the same PNG as a multipart file part: what the peer is measured with
				Requests.once("multipart", Requests.file("multipart", Requests.PREDICT, png))
					.injectClosed(constantConcurrentUsers(users).during(BenchRun.DURATION)),
				Requests.once("noop", Requests.png("noop", Requests.NOOP, png))
					.injectClosed(constantConcurrentUsers(users).during(BenchRun.DURATION)),
				Requests.once("canvas", Requests.png("canvas", Requests.PREDICT, canvas))
					.injectClosed(constantConcurrentUsers(16).during(BenchRun.DURATION)),
				Requests.once("batch16", Requests.batch("batch16", sixteen))
					.injectClosed(constantConcurrentUsers(8).during(BenchRun.DURATION)))))
			.protocols(Requests.protocol())
			.maxDuration(BenchRun.WARMUP.plus(BenchRun.DURATION.multipliedBy(5)).plusSeconds(60));
	}

	@Override
	public void after() {
		BenchRun.write("closed-model");
	}

}
