package dev.digits.api;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.digits.system.Histograms;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Component;

/**
 * {@code digits_request_seconds}: every prediction request end to end on the server, a
 * histogram with the model card's targets (34 ms average, 42 ms P95, 48 ms P99) as SLO
 * boundaries, tagged with the protocol ({@code http} or {@code grpc}), the endpoint kind,
 * the outcome ({@code success}, {@code client_error}, {@code rejected} when shed or not
 * ready, {@code server_error}) and the model version that answered ({@code none} when the
 * request failed before one was assigned). Recorded by {@link RequestMetricsFilter} for
 * HTTP and {@link GrpcRequestMetrics} for gRPC.
 */
@Component
class RequestMetrics {

	static final String HTTP = "http";

	static final String GRPC = "grpc";

	private final MeterRegistry registry;

	/**
	 * One timer per (protocol, endpoint, outcome, version), built once rather than looked
	 * up on every request.
	 */
	private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();

	RequestMetrics(MeterRegistry registry) {
		this.registry = registry;
	}

	void record(String protocol, String endpoint, String outcome, String version, long nanos) {
		timers
			.computeIfAbsent(protocol + "/" + endpoint + "/" + outcome + "/" + version,
					key -> Timer.builder("digits.request")
						.description("Prediction requests, end to end on the server")
						.tag("protocol", protocol)
						.tag("endpoint", endpoint)
						.tag("outcome", outcome)
						.tag("model_version", version)
						.serviceLevelObjectives(Histograms.REQUEST)
						.register(registry))
			.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
	}

}
