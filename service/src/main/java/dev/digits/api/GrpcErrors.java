package dev.digits.api;

import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Failures of the gRPC protocol as status codes, classified as every HTTP failure is
 * ({@link ProblemHandler#known}: the same kinds, counted in
 * {@code digits_failures_total{reason}} the same way): what the client sent that the
 * model does not take (a shape, data type, element count, undecodable or oversized image)
 * is {@code INVALID_ARGUMENT}; an unknown model or version {@code NOT_FOUND}; an
 * overloaded service {@code RESOURCE_EXHAUSTED} and a version not ready
 * {@code UNAVAILABLE} (both worth a retry); a version in use by the policy
 * {@code FAILED_PRECONDITION}; anything else {@code INTERNAL}, logged, with no detail.
 */
@Component
class GrpcErrors {

	private static final Logger logger = LoggerFactory.getLogger(GrpcErrors.class);

	private final ProblemHandler problems;

	GrpcErrors(ProblemHandler problems) {
		this.problems = problems;
	}

	StatusRuntimeException status(RuntimeException ex) {
		if (ex instanceof StatusRuntimeException status) {
			return status;
		}
		if (Context.current().isCancelled()) {
			// the client went away or its deadline passed: nobody reads the answer
			problems.count(ProblemKind.CLIENT_ABORTED);
			return Status.CANCELLED.withDescription("the call was cancelled").asRuntimeException();
		}
		ProblemHandler.Failure failure = ProblemHandler.known(ex);
		if (failure == null) {
			logger.error("unexpected failure of a gRPC call", ex);
			problems.count(ProblemKind.INTERNAL);
			return Status.INTERNAL.withDescription("the service failed to answer").asRuntimeException();
		}
		problems.count(failure.kind());
		logger.debug("gRPC call answered {}: {}", failure.kind(), failure.detail());
		return code(failure.kind()).withDescription(failure.detail()).asRuntimeException();
	}

	/** The status code of a kind of failure. */
	static Status code(ProblemKind kind) {
		return switch (kind) {
			case OVERLOADED, FEEDBACK_RATE_LIMITED -> Status.RESOURCE_EXHAUSTED;
			case MODEL_NOT_READY -> Status.UNAVAILABLE;
			case UNKNOWN_VERSION, NOT_FOUND -> Status.NOT_FOUND;
			case UNAUTHORIZED -> Status.UNAUTHENTICATED;
			case FORBIDDEN -> Status.PERMISSION_DENIED;
			case CONFLICT, MODEL_LOAD_FAILED, FEEDBACK_EXPIRED, FEEDBACK_REPLAYED -> Status.FAILED_PRECONDITION;
			case CLIENT_ABORTED -> Status.CANCELLED;
			case SLOW_BODY -> Status.DEADLINE_EXCEEDED;
			case NOT_IMPLEMENTED, METHOD_NOT_ALLOWED -> Status.UNIMPLEMENTED;
			case INTERNAL -> Status.INTERNAL;
			default -> Status.INVALID_ARGUMENT;
		};
	}

}
