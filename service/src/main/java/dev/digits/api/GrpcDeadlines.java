package dev.digits.api;

import java.util.function.Supplier;

import io.grpc.Context;

/**
 * A call whose client goes away or whose deadline passes stops waiting: the thread that
 * serves it is interrupted, and the inference engine withdraws the call's images from its
 * queue if no worker took them yet (as it does for a request that timed out). A call
 * already cancelled when it is taken up is not started.
 */
final class GrpcDeadlines {

	private GrpcDeadlines() {
	}

	static <T> T interruptWhenCancelled(Supplier<T> work) {
		Context context = Context.current();
		if (context.isCancelled()) {
			throw io.grpc.Status.CANCELLED.withDescription("cancelled before it started").asRuntimeException();
		}
		Thread thread = Thread.currentThread();
		Object lock = new Object();
		boolean[] running = { true };
		Context.CancellationListener listener = cancelled -> {
			synchronized (lock) {
				if (running[0]) {
					thread.interrupt();
				}
			}
		};
		context.addListener(listener, Runnable::run);
		try {
			return work.get();
		}
		finally {
			synchronized (lock) {
				running[0] = false;
			}
			context.removeListener(listener);
			// the thread goes back to the server's pool: never with an interrupt pending
			Thread.interrupted();
		}
	}

}
