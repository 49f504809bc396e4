package dev.digits.api;

import dev.digits.grpc.inference.GRPCInferenceServiceGrpc;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.springframework.stereotype.Component;

/**
 * Times every gRPC ModelInfer call from its start to its status as
 * {@code digits_request_seconds{protocol="grpc",endpoint="oip"}}, beside the REST
 * protocol's {@code endpoint="oip"}, with the same outcomes: {@code success},
 * {@code rejected} (RESOURCE_EXHAUSTED or UNAVAILABLE: shed or not ready),
 * {@code server_error} (INTERNAL, UNKNOWN and the like), {@code client_error} (everything
 * else, a cancelled call too), and the model version that answered.
 */
@Component
class GrpcRequestMetrics implements ServerInterceptor {

	/** The endpoint label: the Open Inference Protocol's inference, as over HTTP. */
	static final String ENDPOINT = "oip";

	private static final Context.Key<String[]> VERSION = Context.key("digits.model-version");

	private final RequestMetrics metrics;

	GrpcRequestMetrics(RequestMetrics metrics) {
		this.metrics = metrics;
	}

	/** Records the version that answers the current call, if it is timed. */
	static void assigned(String version) {
		String[] holder = VERSION.get();
		if (holder != null) {
			holder[0] = version;
		}
	}

	@Override
	public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
			ServerCallHandler<Q, R> next) {
		if (!GRPCInferenceServiceGrpc.getModelInferMethod()
			.getFullMethodName()
			.equals(call.getMethodDescriptor().getFullMethodName())) {
			return next.startCall(call, headers);
		}
		long start = System.nanoTime();
		String[] version = { "none" };
		return GrpcCallEnd.startCall(call, headers, next, Context.current().withValue(VERSION, version),
				(status) -> metrics.record(RequestMetrics.GRPC, ENDPOINT,
						(status == null) ? "client_error" : outcome(status.getCode()), version[0],
						System.nanoTime() - start));
	}

	static String outcome(Status.Code code) {
		return switch (code) {
			case OK -> "success";
			case RESOURCE_EXHAUSTED, UNAVAILABLE -> "rejected";
			case INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED -> "server_error";
			default -> "client_error";
		};
	}

}
