package dev.digits.api;

import java.time.Duration;

import dev.digits.grpc.inference.GRPCInferenceServiceGrpc;
import dev.digits.inference.DigitClassifier;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.unit.DataSize;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

/**
 * A ModelInfer call the shedding interceptor lets through is counted in the service from
 * its start until it ends, exactly once however it ends (closed, cancelled, both, or its
 * handler failing to start), as an HTTP prediction is; other methods are not counted.
 */
class GrpcLoadSheddingTests {

	private static final ApiProperties API = new ApiProperties(DataSize.ofMegabytes(4), DataSize.ofMegabytes(8),
			DataSize.ofMegabytes(32), DataSize.ofMegabytes(64), Duration.ofMillis(100), 64, true, DataSize.ofBytes(1),
			Duration.ofSeconds(10), 0);

	private final DigitClassifier inference = mock(DigitClassifier.class);

	@SuppressWarnings("unchecked")
	private final ServerCallHandler<Object, Object> next = mock(ServerCallHandler.class);

	private GrpcLoadShedding interceptor() {
		@SuppressWarnings("unchecked")
		ObjectProvider<DigitClassifier> provider = mock(ObjectProvider.class);
		when(provider.getIfAvailable()).thenReturn(this.inference);
		when(this.next.startCall(any(), any())).thenReturn(new ServerCall.Listener<>() {
		});
		return new GrpcLoadShedding(provider, API, mock(ProblemHandler.class));
	}

	@SuppressWarnings("unchecked")
	private static ServerCall<Object, Object> call(MethodDescriptor<?, ?> method) {
		ServerCall<Object, Object> call = mock(ServerCall.class);
		when(call.getMethodDescriptor()).thenReturn((MethodDescriptor<Object, Object>) method);
		return call;
	}

	/** The call the next handler was given (the interceptor's wrapper). */
	@SuppressWarnings("unchecked")
	private ServerCall<Object, Object> started() {
		org.mockito.ArgumentCaptor<ServerCall<Object, Object>> captor = org.mockito.ArgumentCaptor
			.forClass(ServerCall.class);
		verify(this.next).startCall(captor.capture(), any());
		return captor.getValue();
	}

	@Test
	void aCallIsCountedInUntilItIsClosed() {
		interceptor().interceptCall(call(GRPCInferenceServiceGrpc.getModelInferMethod()), new Metadata(), this.next);
		verify(this.inference).enterService();
		verify(this.inference, never()).leaveService();
		started().close(Status.OK, new Metadata());
		verify(this.inference, times(1)).leaveService();
	}

	@Test
	void aCancelledCallIsCountedOutOnceEvenIfClosedAfterwards() {
		ServerCall.Listener<Object> listener = interceptor()
			.interceptCall(call(GRPCInferenceServiceGrpc.getModelInferMethod()), new Metadata(), this.next);
		listener.onCancel();
		verify(this.inference, times(1)).leaveService();
		started().close(Status.CANCELLED, new Metadata());
		listener.onCancel();
		verify(this.inference, times(1)).leaveService();
	}

	@Test
	void aCallWhoseHandlerFailsToStartIsCountedOut() {
		GrpcLoadShedding shedding = interceptor();
		when(this.next.startCall(any(), any())).thenThrow(new IllegalStateException("no"));
		org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> shedding
			.interceptCall(call(GRPCInferenceServiceGrpc.getModelInferMethod()), new Metadata(), this.next));
		verify(this.inference, times(1)).enterService();
		verify(this.inference, times(1)).leaveService();
	}

	@Test
	void otherMethodsAreNotCounted() {
		interceptor().interceptCall(call(GRPCInferenceServiceGrpc.getServerLiveMethod()), new Metadata(), this.next);
		verify(this.inference, never()).enterService();
	}

	@Test
	void aShedCallIsNotCounted() {
		GrpcLoadShedding shedding = interceptor();
		when(this.inference.queueFull()).thenReturn(true);
		when(this.inference.properties()).thenReturn(mock(dev.digits.inference.InferenceProperties.class));
		ServerCall<Object, Object> call = call(GRPCInferenceServiceGrpc.getModelInferMethod());
		shedding.interceptCall(call, new Metadata(), this.next);
		verify(call).close(
				org.mockito.ArgumentMatchers.argThat((Status s) -> s.getCode() == Status.Code.RESOURCE_EXHAUSTED),
				any());
		verify(this.inference, never()).enterService();
	}

}
