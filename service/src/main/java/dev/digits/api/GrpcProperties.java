package dev.digits.api;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Limits of the gRPC server beside those Spring gRPC sets ({@code spring.grpc.server.*}:
 * its port, the largest message, keepalive and idle connections).
 *
 * @param maxConcurrentCallsPerConnection most calls one connection may have open at once;
 * a client past it waits for one of its calls to end (HTTP/2's
 * {@code MAX_CONCURRENT_STREAMS})
 * @param handshakeTimeout how long a new connection may take to finish its HTTP/2 (and
 * TLS) handshake before it is closed
 * @param maxResetsPerWindow most streams a client may reset in {@code resetWindow} before
 * its connection is closed (HTTP/2 "rapid reset")
 * @param resetWindow the window of {@code maxResetsPerWindow}
 * @param healthInterval how often the standard health service's status
 * ({@code grpc.health.v1.Health}) is brought in line with the service's readiness
 * @param threads the threads that run calls (they wait while their images are inferred).
 * A call beyond them waits for one with its message unread (no more of it is received
 * than the HTTP/2 flow-control window), and is not started if its deadline passes
 * meanwhile; so at most this many whole messages of up to
 * {@code spring.grpc.server.max-inbound-message-size} are in memory at once. Enough to
 * fill the inference queue with batches, which then sheds
 */
@Validated
@ConfigurationProperties("digits.grpc")
record GrpcProperties(@Min(1) @Max(10_000) int maxConcurrentCallsPerConnection, @NotNull Duration handshakeTimeout,
		@Min(1) int maxResetsPerWindow, @NotNull Duration resetWindow, @NotNull Duration healthInterval,
		@Min(1) @Max(1024) int threads) {
}
