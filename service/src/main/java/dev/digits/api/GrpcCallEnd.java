package dev.digits.api;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;

/**
 * Starts a gRPC call through the next handler and tells, once, how it ended: the status
 * it was closed with (or that of what the handler threw as it started), or null when the
 * client cancelled it first (a cancelled call may never be closed).
 */
final class GrpcCallEnd {

	private GrpcCallEnd() {
	}

	static <Q, R> ServerCall.Listener<Q> startCall(ServerCall<Q, R> call, Metadata headers,
			ServerCallHandler<Q, R> next, Context context, Consumer<Status> ended) {
		AtomicBoolean done = new AtomicBoolean();
		ServerCall<Q, R> watched = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
			@Override
			public void close(Status status, Metadata trailers) {
				if (done.compareAndSet(false, true)) {
					ended.accept(status);
				}
				super.close(status, trailers);
			}
		};
		ServerCall.Listener<Q> listener;
		try {
			listener = Contexts.interceptCall(context, watched, headers, next);
		}
		catch (RuntimeException | Error ex) {
			// gRPC closes the stream itself, past the wrapper
			if (done.compareAndSet(false, true)) {
				ended.accept(Status.fromThrowable(ex));
			}
			throw ex;
		}
		return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
			@Override
			public void onCancel() {
				if (done.compareAndSet(false, true)) {
					ended.accept(null);
				}
				super.onCancel();
			}
		};
	}

}
