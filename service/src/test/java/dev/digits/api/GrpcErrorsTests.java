package dev.digits.api;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.digits.inference.NotReadyException;
import dev.digits.inference.OverloadedException;
import dev.digits.preprocessing.PreprocessingException;
import dev.digits.preprocessing.Reason;
import dev.digits.serving.DataPlane;
import dev.digits.serving.PolicyConflictException;
import dev.digits.serving.UnknownVersionException;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The gRPC status of every kind of failure, counted as HTTP's are; and a cancelled call's
 * thread is interrupted while it waits, and handed back without the interrupt.
 */
class GrpcErrorsTests {

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final GrpcErrors errors = new GrpcErrors(new ProblemHandler(registry, null));

	@Test
	void eachFailureHasItsStatusAndIsCounted() {
		assertThat(code(new OverloadedException("inference queue full"))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
		assertThat(code(new NotReadyException("version 2 is unloaded"))).isEqualTo(Status.Code.UNAVAILABLE);
		assertThat(code(new UnknownVersionException("9"))).isEqualTo(Status.Code.NOT_FOUND);
		assertThat(code(new DataPlane.UnknownModelException("other"))).isEqualTo(Status.Code.NOT_FOUND);
		assertThat(code(new InvalidRequestException("bad shape"))).isEqualTo(Status.Code.INVALID_ARGUMENT);
		assertThat(code(new TooLargeException("too large"))).isEqualTo(Status.Code.INVALID_ARGUMENT);
		assertThat(code(new PreprocessingException(Reason.UNDECODABLE, "not an image")))
			.isEqualTo(Status.Code.INVALID_ARGUMENT);
		assertThat(code(new PolicyConflictException("in use"))).isEqualTo(Status.Code.FAILED_PRECONDITION);
		assertThat(registry.get("digits.failures").tag("reason", "overloaded").counter().count()).isEqualTo(1);
		assertThat(registry.get("digits.failures").tag("reason", "model_not_ready").counter().count()).isEqualTo(1);
	}

	@Test
	void anUnexpectedFailureIsInternalAndSaysNothingOfItself() {
		StatusRuntimeException status = errors.status(new IllegalStateException("secret path /srv/x"));
		assertThat(status.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
		assertThat(status.getStatus().getDescription()).doesNotContain("secret");
		assertThat(registry.get("digits.failures").tag("reason", "internal").counter().count()).isEqualTo(1);
	}

	@Test
	void aCancelledCallStopsWaitingAndItsThreadIsNotLeftInterrupted() throws Exception {
		Context.CancellableContext call = Context.current().withCancellation();
		CountDownLatch waiting = new CountDownLatch(1);
		AtomicBoolean interrupted = new AtomicBoolean();
		ScheduledExecutorService canceller = Executors.newSingleThreadScheduledExecutor();
		try {
			canceller.execute(() -> {
				try {
					waiting.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
				call.cancel(null);
			});
			call.run(() -> assertThatThrownBy(() -> GrpcDeadlines.interruptWhenCancelled(() -> {
				waiting.countDown();
				try {
					Thread.sleep(60_000);
					return "finished";
				}
				catch (InterruptedException ex) {
					interrupted.set(true);
					throw new NotReadyException("interrupted while waiting for inference");
				}
			})).isInstanceOf(NotReadyException.class));
			assertThat(interrupted).isTrue();
			assertThat(Thread.currentThread().isInterrupted()).isFalse();
			assertThat(call.isCancelled()).isTrue();
			// a call cancelled before it starts does not start
			call.run(() -> assertThatThrownBy(() -> GrpcDeadlines.interruptWhenCancelled(() -> "started"))
				.isInstanceOf(StatusRuntimeException.class));
		}
		finally {
			canceller.shutdownNow();
			canceller.awaitTermination(5, TimeUnit.SECONDS);
		}
	}

	private Status.Code code(RuntimeException ex) {
		StatusRuntimeException status = errors.status(ex);
		assertThat(status.getStatus().getDescription()).isNotBlank();
		return status.getStatus().getCode();
	}

}
