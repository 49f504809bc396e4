package dev.digits.api;

import dev.digits.grpc.inference.GRPCInferenceServiceGrpc;
import dev.digits.system.AdminCredential;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import org.springframework.stereotype.Component;

/**
 * The repository calls (index, load, unload) need the admin credential, as
 * {@code /v2/repository} and {@code /admin} do over HTTP: metadata
 * {@code authorization: Bearer <token>}. Without it, or with another token, the call ends
 * UNAUTHENTICATED before its message is read; without a configured token every repository
 * call does.
 */
@Component
class GrpcAdminAuthentication implements ServerInterceptor {

	static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization",
			Metadata.ASCII_STRING_MARSHALLER);

	private final AdminCredential credential;

	private final ProblemHandler problems;

	GrpcAdminAuthentication(AdminCredential credential, ProblemHandler problems) {
		this.credential = credential;
		this.problems = problems;
	}

	@Override
	public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
			ServerCallHandler<Q, R> next) {
		if (!isAdmin(call.getMethodDescriptor().getFullMethodName())
				|| credential.accepts(headers.get(AUTHORIZATION))) {
			return next.startCall(call, headers);
		}
		problems.count(ProblemKind.UNAUTHORIZED);
		call.close(Status.UNAUTHENTICATED
			.withDescription(credential.enabled() ? "send metadata authorization: Bearer <admin token>"
					: "the repository calls are disabled: set digits.admin.token (DIGITS_ADMIN_TOKEN) to enable them"),
				new Metadata());
		return new ServerCall.Listener<>() {
		};
	}

	static boolean isAdmin(String fullMethodName) {
		return fullMethodName.equals(GRPCInferenceServiceGrpc.getRepositoryIndexMethod().getFullMethodName())
				|| fullMethodName.equals(GRPCInferenceServiceGrpc.getRepositoryModelLoadMethod().getFullMethodName())
				|| fullMethodName.equals(GRPCInferenceServiceGrpc.getRepositoryModelUnloadMethod().getFullMethodName());
	}

}
