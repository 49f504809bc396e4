package dev.digits.api;

import dev.digits.grpc.inference.GRPCInferenceServiceGrpc;
import dev.digits.inference.DigitClassifier;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.stereotype.Component;

/**
 * Sheds a ModelInfer call before its message is read when the inference queue is already
 * full, as {@link OverloadSheddingFilter} sheds an HTTP prediction before its body is
 * read: RESOURCE_EXHAUSTED at once, instead of decoding images the queue would refuse. A
 * call it lets through is counted in the service until it ends
 * ({@link DigitClassifier#enterService()}), as an HTTP prediction is. Counted in
 * {@code digits_failures_total{reason="overloaded"}} and timed as
 * {@code outcome="rejected"}; {@code digits.api.shed-when-queue-full=false} turns it off
 * for both protocols.
 */
@Component
class GrpcLoadShedding implements ServerInterceptor {

	/**
	 * The classifier, looked up once it exists: a bean-factory lookup on every request
	 * took 7% of the request threads' CPU samples of one client's predictions (JFR),
	 * although no change in throughput or latency was measurable on 2 shared cores.
	 */
	private final SingletonSupplier<DigitClassifier> classifier;

	private final ApiProperties properties;

	private final ProblemHandler problems;

	GrpcLoadShedding(ObjectProvider<DigitClassifier> classifier, ApiProperties properties, ProblemHandler problems) {
		this.classifier = SingletonSupplier.of(classifier::getIfAvailable);
		this.properties = properties;
		this.problems = problems;
	}

	@Override
	public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
			ServerCallHandler<Q, R> next) {
		DigitClassifier inference = classifier.get();
		if (inference == null || !GRPCInferenceServiceGrpc.getModelInferMethod()
			.getFullMethodName()
			.equals(call.getMethodDescriptor().getFullMethodName())) {
			return next.startCall(call, headers);
		}
		if (!properties.shedWhenQueueFull() || !inference.queueFull()) {
			// counted in the service until it ends, as an HTTP prediction is: alone, it
			// computes its own forward pass; among others, the workers batch it
			inference.enterService();
			return GrpcCallEnd.startCall(call, headers, next, Context.current(), (status) -> inference.leaveService());
		}
		problems.count(ProblemKind.OVERLOADED);
		call.close(Status.RESOURCE_EXHAUSTED.withDescription(
				"inference queue full (" + inference.properties().queueCapacity() + " images waiting); retry shortly"),
				new Metadata());
		return new ServerCall.Listener<>() {
		};
	}

}
