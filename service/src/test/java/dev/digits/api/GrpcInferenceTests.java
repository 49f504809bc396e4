package dev.digits.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.google.protobuf.ByteString;
import dev.digits.grpc.inference.GRPCInferenceServiceGrpc;
import dev.digits.grpc.inference.InferParameter;
import dev.digits.grpc.inference.InferTensorContents;
import dev.digits.grpc.inference.ModelInferRequest;
import dev.digits.grpc.inference.ModelInferResponse;
import dev.digits.grpc.inference.ModelMetadataRequest;
import dev.digits.grpc.inference.ModelMetadataResponse;
import dev.digits.grpc.inference.ModelReadyRequest;
import dev.digits.grpc.inference.ModelRepositoryParameter;
import dev.digits.grpc.inference.RepositoryIndexRequest;
import dev.digits.grpc.inference.RepositoryIndexResponse;
import dev.digits.grpc.inference.RepositoryModelLoadRequest;
import dev.digits.grpc.inference.RepositoryModelUnloadRequest;
import dev.digits.grpc.inference.ServerLiveRequest;
import dev.digits.grpc.inference.ServerMetadataRequest;
import dev.digits.grpc.inference.ServerMetadataResponse;
import dev.digits.grpc.inference.ServerReadyRequest;
import dev.digits.training.Mnist;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The Open Inference Protocol over gRPC, with a client generated from the same
 * definition, against the service started on random ports and a copy of the committed
 * repository (versions 1 and 2): the same answers as the REST protocol for 100 MNIST test
 * images in every input encoding, health and reflection, the repository calls behind the
 * admin credential, and a status code for every kind of bad input.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.grpc.server.port=0", "spring.grpc.server.max-inbound-message-size=2MB",
				// fewer images may wait than a batch may hold: a full batch is shed at
				// once
				"digits.inference.queue-capacity=50" })
class GrpcInferenceTests {

	static final String ADMIN_TOKEN = "test-admin-token-0123456789";

	static final Path REPOSITORY = ModelVersionsTests.copyOfTheRepository();

	static final String MODEL = "mnist-cnn";

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("digits.model.dir", REPOSITORY::toString);
		registry.add("digits.model.default-version", () -> "1");
		registry.add("digits.admin.token", () -> ADMIN_TOKEN);
	}

	private static Mnist.Split digits;

	@LocalServerPort
	int port;

	@Autowired
	GrpcServerLifecycle grpcServer;

	@Autowired
	MeterRegistry registry;

	private ManagedChannel channel;

	private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;

	private HttpFixtures http;

	@BeforeAll
	static void mnist() throws IOException {
		digits = Mnist.loadTest(PredictionApiIntegrationTests.FIXTURE);
	}

	@BeforeEach
	void client() {
		channel = Grpc
			.newChannelBuilderForAddress("localhost", grpcServer.getPort(), InsecureChannelCredentials.create())
			.build();
		stub = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
		http = new HttpFixtures(port);
	}

	@AfterEach
	void close() throws InterruptedException {
		channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
	}

	@Test
	void sameAnswersAsRestFor100ImagesInEveryEncoding() {
		int batch = 25;
		int compared = 0;
		for (int first = 0; first < 100; first += batch) {
			float[][] rest = restProbabilities(first, batch);
			for (String encoding : List.of("UINT8 contents", "UINT8 raw", "FP32 contents", "FP32 raw")) {
				ModelInferResponse reply = stub.modelInfer(pixels(first, batch, encoding));
				assertThat(reply.getModelName()).isEqualTo(MODEL);
				assertThat(reply.getModelVersion()).isEqualTo("1");
				ModelInferResponse.InferOutputTensor probabilities = output(reply, "probabilities");
				ModelInferResponse.InferOutputTensor digit = output(reply, "digit");
				assertThat(probabilities.getShapeList()).containsExactly((long) batch, 10L);
				for (int i = 0; i < batch; i++) {
					assertThat(digit.getContents().getInt64Contents(i)).as(encoding + " image " + (first + i))
						.isEqualTo(argmax(rest[i]));
					for (int c = 0; c < 10; c++) {
						assertThat(probabilities.getContents().getFp32Contents(i * 10 + c))
							.as(encoding + " image " + (first + i) + " class " + c)
							.isCloseTo(rest[i][c], within(1e-6f));
					}
					compared++;
				}
			}
		}
		assertThat(compared).isEqualTo(400);
		int right = 0;
		ModelInferResponse all = stub.modelInfer(pixels(0, 50, "UINT8 raw"));
		for (int i = 0; i < 50; i++) {
			right += output(all, "digit").getContents().getInt64Contents(i) == digits.labels()[i] ? 1 : 0;
		}
		assertThat(right).as("MNIST test images recognised").isGreaterThanOrEqualTo(48);
	}

	@Test
	void encodedImagesAsContentsAndRawGiveTheRestAnswers() {
		List<byte[]> pngs = new ArrayList<>();
		StringJoiner base64 = new StringJoiner(",");
		for (int i = 0; i < 5; i++) {
			byte[] png = HttpFixtures.greyPng(digits.image(i), 28, 28);
			pngs.add(png);
			base64.add("\"" + Base64.getEncoder().encodeToString(png) + "\"");
		}
		HttpFixtures.Reply rest = http.postJson("/v2/models/mnist-cnn/infer",
				"{\"inputs\":[{\"name\":\"image\",\"shape\":[5],\"datatype\":\"BYTES\",\"data\":[" + base64 + "]}]}");
		assertThat(rest.status()).as(rest.body()).isEqualTo(200);
		JsonNode restProbabilities = restOutput(rest.json(), "probabilities").get("data");
		ModelInferRequest.InferInputTensor.Builder tensor = ModelInferRequest.InferInputTensor.newBuilder()
			.setName("image")
			.setDatatype("BYTES")
			.addShape(5);
		InferTensorContents.Builder contents = InferTensorContents.newBuilder();
		ByteBuffer raw = ByteBuffer.allocate(pngs.stream().mapToInt(p -> p.length + 4).sum())
			.order(ByteOrder.LITTLE_ENDIAN);
		for (byte[] png : pngs) {
			contents.addBytesContents(ByteString.copyFrom(png));
			raw.putInt(png.length).put(png);
		}
		ModelInferRequest asContents = request().addInputs(tensor.clone().setContents(contents)).build();
		ModelInferRequest asRaw = request().addInputs(tensor.clone())
			.addRawInputContents(ByteString.copyFrom(raw.array()))
			.build();
		for (ModelInferRequest request : List.of(asContents, asRaw)) {
			ModelInferResponse reply = stub.modelInfer(request);
			ModelInferResponse.InferOutputTensor probabilities = output(reply, "probabilities");
			for (int i = 0; i < 50; i++) {
				assertThat(probabilities.getContents().getFp32Contents(i))
					.isCloseTo(restProbabilities.get(i).floatValue(), within(1e-6f));
			}
			for (int i = 0; i < 5; i++) {
				assertThat(output(reply, "digit").getContents().getInt64Contents(i)).isEqualTo(digits.labels()[i]);
			}
		}
	}

	@Test
	void outputsIdParametersAndVersionsAsRest() {
		ModelInferResponse reply = stub.modelInfer(pixels(0, 2, "UINT8 contents").toBuilder()
			.setId("request-7")
			.setModelVersion("2")
			.putParameters("allowed_digits", InferParameter.newBuilder().setStringParam("1,2,3").build())
			.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("digit"))
			.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("feedback_token"))
			.build());
		assertThat(reply.getId()).isEqualTo("request-7");
		assertThat(reply.getModelVersion()).isEqualTo("2");
		assertThat(reply.getOutputsList()).extracting(ModelInferResponse.InferOutputTensor::getName)
			.containsExactly("digit", "feedback_token");
		assertThat(output(reply, "digit").getContents().getInt64ContentsList()).allMatch(d -> d >= 1 && d <= 3);
		assertThat(output(reply, "feedback_token").getDatatype()).isEqualTo("BYTES");
		double before = grpcRequests("success");
		stub.modelInfer(pixels(0, 1, "UINT8 raw"));
		assertThat(grpcRequests("success")).isEqualTo(before + 1);
	}

	@Test
	void healthMetadataAndReflection() {
		assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
		assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
		assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName(MODEL).build()).getReady()).isTrue();
		assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName(MODEL).setVersion("2").build()).getReady())
			.isTrue();
		ServerMetadataResponse server = stub.serverMetadata(ServerMetadataRequest.getDefaultInstance());
		JsonNode restServer = http.get("/v2").json();
		assertThat(server.getName()).isEqualTo(restServer.get("name").asString());
		assertThat(server.getVersion()).isEqualTo(restServer.get("version").asString());
		ModelMetadataResponse model = stub.modelMetadata(ModelMetadataRequest.newBuilder().setName(MODEL).build());
		assertThat(model.getVersionsList()).contains("1", "2");
		assertThat(model.getInputs(0).getShapeList()).containsExactly(-1L, 28L, 28L);
		assertThat(model.getOutputsList()).extracting(ModelMetadataResponse.TensorMetadata::getName)
			.containsExactlyElementsOf(InferenceTensors.OUTPUTS);
		HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
		for (String service : List.of("", "inference.GRPCInferenceService")) {
			assertThat(health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus())
				.isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
		}
		assertThat(services()).contains("inference.GRPCInferenceService", "grpc.health.v1.Health");
	}

	@Test
	void badInputsGetTheirStatusCodes() {
		ModelInferRequest good = pixels(0, 1, "UINT8 contents");
		assertThat(code(good.toBuilder().setModelName("another-model").build())).isEqualTo(Status.Code.NOT_FOUND);
		assertThat(code(good.toBuilder().setModelVersion("99").build())).isEqualTo(Status.Code.NOT_FOUND);
		// shape, data type, element count
		assertThat(code(withInput(good, t -> t.clearShape().addShape(1).addShape(27).addShape(29))))
			.isEqualTo(Status.Code.INVALID_ARGUMENT);
		assertThat(code(withInput(good, t -> t.setDatatype("INT32")))).isEqualTo(Status.Code.INVALID_ARGUMENT);
		assertThat(code(withInput(good, t -> t.clearShape().addShape(1L << 31).addShape(784))))
			.isEqualTo(Status.Code.INVALID_ARGUMENT);
		assertThat(code(withInput(good, t -> t.clearShape().addShape(-1).addShape(784))))
			.isEqualTo(Status.Code.INVALID_ARGUMENT);
		assertThat(code(withInput(good, t -> {
			for (int i = 0; i < 100; i++) {
				t.addShape(1);
			}
			return t;
		}))).isEqualTo(Status.Code.INVALID_ARGUMENT);
		assertThat(code(withInput(good, t -> t.setContents(InferTensorContents.newBuilder().addUintContents(1)))))
			.isEqualTo(Status.Code.INVALID_ARGUMENT);
		assertThat(code(good.toBuilder().addInputs(good.getInputs(0)).build())).isEqualTo(Status.Code.INVALID_ARGUMENT);
		assertThat(code(good.toBuilder()
			.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("logits"))
			.build())).isEqualTo(Status.Code.INVALID_ARGUMENT);
		// grey levels out of range, as over REST
		assertThat(code(withInput(good,
				t -> t.setContents(InferTensorContents.newBuilder()
					.addAllUintContents(java.util.Collections.nCopies(784, 1000))))))
			.isEqualTo(Status.Code.INVALID_ARGUMENT);
		// raw contents whose length does not match the shape, or beside typed contents
		ModelInferRequest raw = pixels(0, 1, "UINT8 raw");
		assertThat(code(raw.toBuilder().setRawInputContents(0, ByteString.copyFrom(new byte[783])).build()))
			.isEqualTo(Status.Code.INVALID_ARGUMENT);
		assertThat(code(raw.toBuilder().setRawInputContents(0, ByteString.copyFrom(new byte[785])).build()))
			.isEqualTo(Status.Code.INVALID_ARGUMENT);
		assertThat(code(withInput(raw, t -> t.setDatatype("FP32")))).isEqualTo(Status.Code.INVALID_ARGUMENT);
		assertThat(code(withInput(raw, t -> t.setContents(good.getInputs(0).getContents()))))
			.isEqualTo(Status.Code.INVALID_ARGUMENT);
		// BYTES: lengths that lie, undecodable images, an image announcing 2.5 billion
		// pixels
		assertThat(code(bytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(-1).array())))
			.isEqualTo(Status.Code.INVALID_ARGUMENT);
		assertThat(code(bytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(1_000_000).array())))
			.isEqualTo(Status.Code.INVALID_ARGUMENT);
		for (byte[] image : List.of("not an image".getBytes(), HttpFixtures.pngHeaderOnly(50_000, 50_000))) {
			ModelInferRequest request = request()
				.addInputs(ModelInferRequest.InferInputTensor.newBuilder()
					.setName("image")
					.setDatatype("BYTES")
					.addShape(1)
					.setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFrom(image))))
				.build();
			assertThat(code(request)).isEqualTo(Status.Code.INVALID_ARGUMENT);
			HttpFixtures.Reply rest = http.postJson("/v2/models/mnist-cnn/infer",
					"{\"inputs\":[{\"name\":\"image\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\""
							+ Base64.getEncoder().encodeToString(image) + "\"]}]}");
			assertThat(rest.status()).as("the same image over REST").isBetween(400, 499);
		}
		// a message over the server's limit (2 MB here) is refused before it is read
		ModelInferRequest huge = request()
			.addInputs(ModelInferRequest.InferInputTensor.newBuilder()
				.setName("image")
				.setDatatype("BYTES")
				.addShape(1)
				.setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFrom(new byte[3 << 20]))))
			.build();
		assertThat(code(huge)).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
		// the service still answers
		assertThat(stub.modelInfer(good).getOutputsCount()).isEqualTo(InferenceTensors.OUTPUTS.size());
		assertThat(grpcRequests("client_error")).isGreaterThanOrEqualTo(15);
	}

	@Test
	void shedLoadIsResourceExhaustedWhereRestAnswers503() {
		double before = grpcRequests("rejected");
		StatusRuntimeException shed = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
				() -> stub.modelInfer(pixels(0, 64, "UINT8 raw")));
		assertThat(shed.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
		assertThat(shed.getStatus().getDescription()).contains("inference queue full");
		assertThat(grpcRequests("rejected")).isEqualTo(before + 1);
		StringJoiner values = new StringJoiner(",");
		for (int i = 0; i < 64; i++) {
			for (byte b : digits.image(i)) {
				values.add(Integer.toString(b & 0xFF));
			}
		}
		HttpFixtures.Reply rest = http.postJson("/v2/models/mnist-cnn/infer",
				"{\"inputs\":[{\"name\":\"input\",\"shape\":[64,784],\"datatype\":\"UINT8\",\"data\":[" + values
						+ "]}]}");
		assertThat(rest.status()).as(rest.body()).isEqualTo(503);
	}

	@Test
	void underConcurrentLoadCallsAreShedNotLeftWaiting() throws Exception {
		// 24 clients send batches of 25 to two workers whose queue holds 50 images: a
		// call that finds it full is shed at once (before its message is read, or by the
		// classifier), the others are answered; nothing else happens to any
		java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(24);
		try {
			List<java.util.concurrent.Future<Status.Code>> calls = new ArrayList<>();
			for (int i = 0; i < 96; i++) {
				calls.add(clients.submit(() -> code(pixels(0, 25, "UINT8 raw"))));
			}
			List<Status.Code> codes = new ArrayList<>();
			for (java.util.concurrent.Future<Status.Code> call : calls) {
				codes.add(call.get(120, TimeUnit.SECONDS));
			}
			// whether a call finds the queue full depends on the machine's speed (a held
			// worker makes it certain in GrpcLimitsTests)
			assertThat(codes).containsOnly(Status.Code.OK, Status.Code.RESOURCE_EXHAUSTED).contains(Status.Code.OK);
		}
		finally {
			clients.shutdownNow();
		}
	}

	@Test
	void repositoryCallsNeedTheAdminToken() {
		RepositoryIndexRequest index = RepositoryIndexRequest.getDefaultInstance();
		// no credential, another token, the admin token without its scheme
		for (GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub anonymous : List.of(stub,
				withToken("Bearer not-the-admin-token-0123456789"), withToken(ADMIN_TOKEN))) {
			assertThat(code(() -> anonymous.repositoryIndex(index))).isEqualTo(Status.Code.UNAUTHENTICATED);
			assertThat(code(() -> anonymous.repositoryModelUnload(unload("2")))).isEqualTo(Status.Code.UNAUTHENTICATED);
			assertThat(code(() -> anonymous.repositoryModelLoad(load("2")))).isEqualTo(Status.Code.UNAUTHENTICATED);
		}
		assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName(MODEL).setVersion("2").build()).getReady())
			.as("nothing was unloaded")
			.isTrue();
		GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub admin = withToken("Bearer " + ADMIN_TOKEN);
		RepositoryIndexResponse listed = admin.repositoryIndex(index);
		assertThat(listed.getModelsList()).extracting(RepositoryIndexResponse.ModelIndex::getVersion)
			.contains("1", "2");
		assertThat(code(() -> admin.repositoryModelLoad(load("")))).isEqualTo(Status.Code.INVALID_ARGUMENT);
		assertThat(code(() -> admin.repositoryModelLoad(load("42")))).isEqualTo(Status.Code.NOT_FOUND);
		assertThat(code(() -> admin.repositoryModelLoad(load("2").toBuilder().setModelName("other").build())))
			.isEqualTo(Status.Code.NOT_FOUND);
		assertThat(code(() -> admin.repositoryModelUnload(unload("1")))).as("the default version is in use")
			.isEqualTo(Status.Code.FAILED_PRECONDITION);
		admin.repositoryModelUnload(unload("2"));
		assertThat(admin.repositoryIndex(RepositoryIndexRequest.newBuilder().setReady(true).build()).getModelsList())
			.extracting(RepositoryIndexResponse.ModelIndex::getVersion)
			.containsExactly("1");
		assertThat(code(pixels(0, 1, "UINT8 raw").toBuilder().setModelVersion("2").build())).isIn(Status.Code.NOT_FOUND,
				Status.Code.UNAVAILABLE);
		admin.repositoryModelLoad(load("2"));
		assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName(MODEL).setVersion("2").build()).getReady())
			.isTrue();
		assertThat(
				stub.modelInfer(pixels(0, 1, "UINT8 raw").toBuilder().setModelVersion("2").build()).getModelVersion())
			.isEqualTo("2");
	}

	// --- helpers

	private float[][] restProbabilities(int first, int n) {
		StringJoiner values = new StringJoiner(",");
		for (int i = first; i < first + n; i++) {
			for (byte b : digits.image(i)) {
				values.add(Integer.toString(b & 0xFF));
			}
		}
		HttpFixtures.Reply reply = http.postJson("/v2/models/mnist-cnn/infer",
				"{\"inputs\":[{\"name\":\"input\",\"shape\":[" + n + ",28,28],\"datatype\":\"UINT8\",\"data\":["
						+ values + "]}]}");
		assertThat(reply.status()).as(reply.body()).isEqualTo(200);
		JsonNode data = restOutput(reply.json(), "probabilities").get("data");
		float[][] probabilities = new float[n][10];
		for (int i = 0; i < n; i++) {
			for (int c = 0; c < 10; c++) {
				probabilities[i][c] = data.get(i * 10 + c).floatValue();
			}
		}
		return probabilities;
	}

	/** Images first..first+n-1 as FP32 (0..1) or UINT8 (0..255), typed or raw. */
	static ModelInferRequest pixels(int first, int n, String encoding) {
		boolean fp32 = encoding.startsWith("FP32");
		ModelInferRequest.InferInputTensor.Builder tensor = ModelInferRequest.InferInputTensor.newBuilder()
			.setName("input")
			.setDatatype(fp32 ? "FP32" : "UINT8")
			.addShape(n)
			.addShape(28)
			.addShape(28);
		ByteBuffer raw = ByteBuffer.allocate(n * 784 * (fp32 ? 4 : 1)).order(ByteOrder.LITTLE_ENDIAN);
		InferTensorContents.Builder contents = InferTensorContents.newBuilder();
		for (int i = first; i < first + n; i++) {
			for (byte b : digits.image(i)) {
				int grey = b & 0xFF;
				if (fp32) {
					raw.putFloat(grey / 255f);
					contents.addFp32Contents(grey / 255f);
				}
				else {
					raw.put(b);
					contents.addUintContents(grey);
				}
			}
		}
		ModelInferRequest.Builder request = request();
		if (encoding.endsWith("raw")) {
			return request.addInputs(tensor).addRawInputContents(ByteString.copyFrom(raw.array())).build();
		}
		return request.addInputs(tensor.setContents(contents)).build();
	}

	private static ModelInferRequest.Builder request() {
		return ModelInferRequest.newBuilder().setModelName(MODEL);
	}

	private static ModelInferRequest bytes(byte[] raw) {
		return request()
			.addInputs(
					ModelInferRequest.InferInputTensor.newBuilder().setName("image").setDatatype("BYTES").addShape(1))
			.addRawInputContents(ByteString.copyFrom(raw))
			.build();
	}

	private static ModelInferRequest withInput(ModelInferRequest request,
			Function<ModelInferRequest.InferInputTensor.Builder, ModelInferRequest.InferInputTensor.Builder> change) {
		return request.toBuilder().setInputs(0, change.apply(request.getInputs(0).toBuilder())).build();
	}

	private static RepositoryModelLoadRequest load(String version) {
		return RepositoryModelLoadRequest.newBuilder()
			.setModelName(MODEL)
			.putParameters("version", ModelRepositoryParameter.newBuilder().setStringParam(version).build())
			.build();
	}

	private static RepositoryModelUnloadRequest unload(String version) {
		return RepositoryModelUnloadRequest.newBuilder()
			.setModelName(MODEL)
			.putParameters("version", ModelRepositoryParameter.newBuilder().setStringParam(version).build())
			.build();
	}

	private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub withToken(String authorization) {
		Metadata metadata = new Metadata();
		metadata.put(GrpcAdminAuthentication.AUTHORIZATION, authorization);
		return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(metadata));
	}

	private Status.Code code(ModelInferRequest request) {
		return code(() -> stub.modelInfer(request));
	}

	private static Status.Code code(Runnable call) {
		try {
			call.run();
			return Status.Code.OK;
		}
		catch (StatusRuntimeException ex) {
			assertThat(ex.getStatus().getDescription()).as("a status says why").isNotBlank();
			return ex.getStatus().getCode();
		}
	}

	private double grpcRequests(String outcome) {
		return registry.find("digits.request")
			.tag("protocol", "grpc")
			.tag("endpoint", "oip")
			.tag("outcome", outcome)
			.timers()
			.stream()
			.mapToDouble(t -> t.count())
			.sum();
	}

	private List<String> services() {
		List<String> names = new ArrayList<>();
		java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
		StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(channel)
			.serverReflectionInfo(new StreamObserver<>() {
				@Override
				public void onNext(ServerReflectionResponse response) {
					response.getListServicesResponse().getServiceList().forEach(s -> names.add(s.getName()));
				}

				@Override
				public void onError(Throwable t) {
					done.completeExceptionally(t);
				}

				@Override
				public void onCompleted() {
					done.complete(null);
				}
			});
		requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
		requests.onCompleted();
		done.orTimeout(10, TimeUnit.SECONDS).join();
		return names;
	}

	private static ModelInferResponse.InferOutputTensor output(ModelInferResponse reply, String name) {
		return reply.getOutputsList().stream().filter(o -> o.getName().equals(name)).findFirst().orElseThrow();
	}

	private static JsonNode restOutput(JsonNode reply, String name) {
		for (JsonNode output : reply.get("outputs")) {
			if (output.get("name").asString().equals(name)) {
				return output;
			}
		}
		throw new AssertionError("no output " + name);
	}

	private static long argmax(float[] values) {
		int best = 0;
		for (int i = 1; i < values.length; i++) {
			best = values[i] > values[best] ? i : best;
		}
		return best;
	}

}
