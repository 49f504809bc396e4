package dev.digits.api;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import dev.digits.grpc.inference.GRPCInferenceServiceGrpc;
import dev.digits.grpc.inference.ModelInferRequest;
import dev.digits.grpc.inference.ModelInferResponse;
import dev.digits.grpc.inference.ServerLiveRequest;
import dev.digits.inference.HeldEngine;
import dev.digits.inference.InferenceEngine;
import dev.digits.training.Mnist;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.convention.TestBean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The gRPC server's limits exercised end to end, with the one inference worker held busy
 * by the test ({@link HeldEngine}, the real engine with a brake): a client deadline that
 * passes while the call's images wait in the inference queue takes them out of it, and
 * they are never computed; a call beyond the call threads waits with its message unread
 * and, once its deadline has passed, is never started; a call that finds the queue full
 * is refused at once while the queued ones are answered; a connection that never
 * completes its HTTP/2 handshake, and one left idle, are closed by the server.
 */
@SpringBootTest(properties = { "spring.grpc.server.port=0", "digits.inference.workers=1",
		// the queue's behaviour is under test: every call is handed to the worker
		"digits.inference.inline-when-idle=false", "digits.inference.timeout=60s", "digits.grpc.threads=3",
		"digits.inference.queue-capacity=50", "digits.grpc.handshake-timeout=1s",
		"spring.grpc.server.keep-alive.max-idle=1s" })
class GrpcLimitsTests {

	@TestBean
	InferenceEngine inferenceEngine;

	static final HeldEngine ENGINE = new HeldEngine();

	static InferenceEngine inferenceEngine() {
		return ENGINE;
	}

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("digits.model.dir", GrpcInferenceTests.REPOSITORY::toString);
		registry.add("digits.model.default-version", () -> "1");
	}

	private static Mnist.Split digits;

	@Autowired
	GrpcServerLifecycle grpcServer;

	@Autowired
	MeterRegistry registry;

	private ManagedChannel channel;

	private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;

	private final ExecutorService clients = Executors.newCachedThreadPool();

	@BeforeAll
	static void mnist() throws IOException {
		digits = Mnist.loadTest(PredictionApiIntegrationTests.FIXTURE);
	}

	@BeforeEach
	void client() {
		channel = Grpc
			.newChannelBuilderForAddress("localhost", grpcServer.getPort(), InsecureChannelCredentials.create())
			.build();
		stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
	}

	@AfterEach
	void close() throws InterruptedException {
		ENGINE.release();
		clients.shutdownNow();
		channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
	}

	@Test
	void aDeadlineThatPassesInTheQueueTakesTheImagesOutUncomputed() throws Exception {
		int before = ENGINE.imagesComputed();
		ENGINE.hold();
		Future<ModelInferResponse> first = call(1, Duration.ofSeconds(60));
		assertThat(ENGINE.awaitHeld(Duration.ofSeconds(20))).as("the worker took the first call").isTrue();
		Future<ModelInferResponse> late = call(8, Duration.ofSeconds(2));
		assertThat(waitForDepth(8, Duration.ofSeconds(2))).as("the late call's 8 images queued").isTrue();
		assertThat(status(late)).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
		assertThat(waitForDepth(0, Duration.ofSeconds(5))).as("its images left the queue while the worker was held")
			.isTrue();
		ENGINE.release();
		assertThat(first.get(30, TimeUnit.SECONDS).getOutputsCount()).isPositive();
		// the queue is first in, first out: had the 8 images stayed, they would be
		// computed before this one
		assertThat(call(1, Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS).getOutputsCount()).isPositive();
		assertThat(ENGINE.imagesComputed() - before).as("images computed: the first and the last call's").isEqualTo(2);
	}

	@Test
	void aCallBeyondTheThreadsWaitsUnreadAndIsNeverStartedOnceItsDeadlinePassed() throws Exception {
		int before = ENGINE.imagesComputed();
		ENGINE.hold();
		// the three call threads: one waits for the held worker, two for their queued
		// images
		Future<ModelInferResponse> computing = call(1, Duration.ofSeconds(60));
		assertThat(ENGINE.awaitHeld(Duration.ofSeconds(20))).isTrue();
		Future<ModelInferResponse> queued = call(1, Duration.ofSeconds(60));
		Future<ModelInferResponse> alsoQueued = call(1, Duration.ofSeconds(60));
		assertThat(waitForDepth(2, Duration.ofSeconds(5))).isTrue();
		Future<ModelInferResponse> beyond = call(4, Duration.ofMillis(800));
		assertThat(status(beyond)).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
		assertThat(depth()).as("the fourth call's images never reached the queue").isEqualTo(2);
		ENGINE.release();
		for (Future<ModelInferResponse> answered : java.util.List.of(computing, queued, alsoQueued)) {
			assertThat(answered.get(30, TimeUnit.SECONDS).getOutputsCount()).isPositive();
		}
		assertThat(call(1, Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS).getOutputsCount()).isPositive();
		assertThat(ENGINE.imagesComputed() - before).as("the fourth call's 4 images were never computed").isEqualTo(4);
	}

	@Test
	void aCallThatFindsTheQueueFullIsShedAtOnceAndTheQueuedOnesAreAnswered() throws Exception {
		ENGINE.hold();
		Future<ModelInferResponse> computing = call(1, Duration.ofSeconds(60));
		assertThat(ENGINE.awaitHeld(Duration.ofSeconds(20))).isTrue();
		Future<ModelInferResponse> filling = call(50, Duration.ofSeconds(60));
		assertThat(waitForDepth(50, Duration.ofSeconds(5))).as("50 images fill the queue").isTrue();
		long start = System.nanoTime();
		assertThat(status(call(1, Duration.ofSeconds(60)))).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
		assertThat(Duration.ofNanos(System.nanoTime() - start)).as("shed at once, not after waiting")
			.isLessThan(Duration.ofSeconds(5));
		ENGINE.release();
		assertThat(computing.get(30, TimeUnit.SECONDS).getOutputsCount()).isPositive();
		assertThat(filling.get(30, TimeUnit.SECONDS).getOutputs(0).getShape(0)).isEqualTo(50);
	}

	@Test
	void aConnectionThatNeverCompletesItsHandshakeIsClosed() throws IOException {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("localhost", grpcServer.getPort()), 5_000);
			socket.setSoTimeout(15_000);
			long start = System.nanoTime();
			InputStream in = socket.getInputStream();
			byte[] buffer = new byte[1024];
			// the server's own settings frame may come first; then the end of the stream
			while (in.read(buffer) >= 0) {
				assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
			}
			assertThat(Duration.ofNanos(System.nanoTime() - start)).as("closed after the 1 s handshake timeout")
				.isBetween(Duration.ofMillis(500), Duration.ofSeconds(8));
		}
	}

	@Test
	void anIdleConnectionIsClosedByTheServer() throws InterruptedException {
		assertThat(stub.withDeadlineAfter(30, TimeUnit.SECONDS)
			.serverLive(ServerLiveRequest.getDefaultInstance())
			.getLive()).isTrue();
		assertThat(channel.getState(false)).isEqualTo(ConnectivityState.READY);
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (channel.getState(false) == ConnectivityState.READY && System.nanoTime() < deadline) {
			Thread.sleep(50);
		}
		assertThat(channel.getState(false)).as("the server closed the connection idle for 1 s")
			.isEqualTo(ConnectivityState.IDLE);
		assertThat(stub.withDeadlineAfter(30, TimeUnit.SECONDS)
			.serverLive(ServerLiveRequest.getDefaultInstance())
			.getLive()).as("and the client reconnects").isTrue();
	}

	private Future<ModelInferResponse> call(int images, Duration deadline) {
		ModelInferRequest.InferInputTensor tensor = ModelInferRequest.InferInputTensor.newBuilder()
			.setName("input")
			.setDatatype("UINT8")
			.addShape(images)
			.addShape(784)
			.build();
		ByteString.Output raw = ByteString.newOutput(images * 784);
		for (int i = 0; i < images; i++) {
			raw.write(digits.image(i), 0, 784);
		}
		ModelInferRequest request = ModelInferRequest.newBuilder()
			.setModelName(GrpcInferenceTests.MODEL)
			.addInputs(tensor)
			.addRawInputContents(raw.toByteString())
			.build();
		return CompletableFuture.supplyAsync(
				() -> stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS).modelInfer(request), clients);
	}

	private static Status.Code status(Future<ModelInferResponse> call) throws Exception {
		try {
			call.get(30, TimeUnit.SECONDS);
			return Status.Code.OK;
		}
		catch (java.util.concurrent.ExecutionException ex) {
			return assertThrows(StatusRuntimeException.class, () -> {
				throw ex.getCause();
			}).getStatus().getCode();
		}
	}

	private double depth() {
		return registry.get("digits.queue.depth").gauge().value();
	}

	private boolean waitForDepth(double images, Duration timeout) throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (depth() != images && System.nanoTime() < deadline) {
			Thread.sleep(5);
		}
		return depth() == images;
	}

}
