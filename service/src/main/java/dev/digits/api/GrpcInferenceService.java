package dev.digits.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import com.google.protobuf.ByteString;
import dev.digits.grpc.inference.GRPCInferenceServiceGrpc;
import dev.digits.grpc.inference.InferParameter;
import dev.digits.grpc.inference.InferTensorContents;
import dev.digits.grpc.inference.ModelInferRequest;
import dev.digits.grpc.inference.ModelInferResponse;
import dev.digits.grpc.inference.ModelMetadataRequest;
import dev.digits.grpc.inference.ModelMetadataResponse;
import dev.digits.grpc.inference.ModelReadyRequest;
import dev.digits.grpc.inference.ModelReadyResponse;
import dev.digits.grpc.inference.ModelRepositoryParameter;
import dev.digits.grpc.inference.RepositoryIndexRequest;
import dev.digits.grpc.inference.RepositoryIndexResponse;
import dev.digits.grpc.inference.RepositoryModelLoadRequest;
import dev.digits.grpc.inference.RepositoryModelLoadResponse;
import dev.digits.grpc.inference.RepositoryModelUnloadRequest;
import dev.digits.grpc.inference.RepositoryModelUnloadResponse;
import dev.digits.grpc.inference.ServerLiveRequest;
import dev.digits.grpc.inference.ServerLiveResponse;
import dev.digits.grpc.inference.ServerMetadataRequest;
import dev.digits.grpc.inference.ServerMetadataResponse;
import dev.digits.grpc.inference.ServerReadyRequest;
import dev.digits.grpc.inference.ServerReadyResponse;
import dev.digits.model.DigitNetwork;
import dev.digits.preprocessing.Upload;
import dev.digits.serving.DataPlane;
import dev.digits.serving.ModelRepositoryExtension;
import dev.digits.serving.RecognitionService;
import dev.digits.serving.ServedModel;
import io.grpc.BindableService;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import org.springframework.stereotype.Component;

/**
 * The Open Inference Protocol over gRPC ({@code inference.GRPCInferenceService}), an
 * adapter over the same data plane as the REST {@code /v2} endpoints: the same health,
 * metadata, routing, calibration and flags, and the same tensors
 * ({@link InferenceTensors}), read from protobuf instead of JSON. An input's elements
 * come in its typed {@code contents} ({@code fp32_contents} for FP32,
 * {@code uint_contents} for UINT8, {@code bytes_contents} for BYTES images) or in
 * {@code raw_input_contents} (little-endian, row-major; BYTES elements each after a
 * 4-byte little-endian length). The repository calls need the admin bearer token
 * ({@link GrpcAdminAuthentication}); a failure is a status code ({@link GrpcErrors}).
 * ModelInfer is timed as {@code digits_request_seconds{protocol="grpc"}}
 * ({@link GrpcRequestMetrics}).
 */
@Component
class GrpcInferenceService implements GRPCInferenceServiceGrpc.AsyncService, BindableService {

	/** The most dimensions a shape may have (the model's own have at most 4). */
	static final int MAX_DIMENSIONS = 8;

	private final DataPlane plane;

	private final ModelRepositoryExtension repository;

	private final ApiProperties api;

	private final GrpcErrors errors;

	private final GrpcRequestMetrics metrics;

	private final GrpcAdminAuthentication admin;

	GrpcInferenceService(DataPlane plane, ModelRepositoryExtension repository, ApiProperties api, GrpcErrors errors,
			GrpcRequestMetrics metrics, GrpcAdminAuthentication admin) {
		this.plane = plane;
		this.repository = repository;
		this.api = api;
		this.errors = errors;
		this.metrics = metrics;
		this.admin = admin;
	}

	/**
	 * The service with its own interceptors: request metrics, and the admin credential.
	 */
	@Override
	public ServerServiceDefinition bindService() {
		return ServerInterceptors.intercept(GRPCInferenceServiceGrpc.bindService(this), admin, metrics);
	}

	@Override
	public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> response) {
		answer(response, () -> ServerLiveResponse.newBuilder().setLive(plane.live()).build());
	}

	@Override
	public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> response) {
		answer(response, () -> ServerReadyResponse.newBuilder().setReady(plane.ready()).build());
	}

	@Override
	public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> response) {
		answer(response,
				() -> ModelReadyResponse.newBuilder()
					.setReady(plane.modelReady(request.getName(), blankToNull(request.getVersion())))
					.build());
	}

	@Override
	public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> response) {
		answer(response, () -> {
			DataPlane.ServerMetadata server = plane.server();
			return ServerMetadataResponse.newBuilder()
				.setName(server.name())
				.setVersion(server.version())
				.addAllExtensions(server.extensions())
				.build();
		});
	}

	@Override
	public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> response) {
		answer(response, () -> {
			DataPlane.ModelMetadata metadata = plane.metadata(request.getName(), blankToNull(request.getVersion()));
			ModelMetadataResponse.Builder builder = ModelMetadataResponse.newBuilder()
				.setName(metadata.name())
				.addAllVersions(metadata.versions())
				.setPlatform(metadata.platform());
			metadata.inputs().forEach(spec -> builder.addInputs(tensor(spec)));
			metadata.outputs().forEach(spec -> builder.addOutputs(tensor(spec)));
			return builder.build();
		});
	}

	@Override
	public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> response) {
		answer(response, () -> GrpcDeadlines.interruptWhenCancelled(() -> infer(request)));
	}

	private ModelInferResponse infer(ModelInferRequest request) {
		String version = blankToNull(request.getModelVersion());
		plane.checkServed(request.getModelName(), version);
		List<String> wanted = InferenceTensors.wanted(request.getInputsCount(),
				request.getOutputsList().stream().map(ModelInferRequest.InferRequestedOutputTensor::getName).toList());
		List<Upload> uploads = uploads(request);
		RecognitionService.Routing routing = DataPlane.routing(version,
				parameter(request.getParametersMap().get("client_id")),
				parameter(request.getParametersMap().get("allowed_digits")), GrpcRequestMetrics::assigned);
		RecognitionService.Result result = plane
			.infer(new DataPlane.InferenceRequest(request.getModelName(), uploads, true, routing));
		ModelInferResponse.Builder builder = ModelInferResponse.newBuilder()
			.setModelName(result.modelName())
			.setModelVersion(result.version())
			.setId(request.getId());
		for (InferenceTensors.Output output : InferenceTensors.outputs(result, wanted)) {
			builder.addOutputs(output(output));
		}
		return builder.build();
	}

	/**
	 * The one input as uploads: its shape and data type checked before its elements are
	 * read, then its elements from {@code contents} or {@code raw_input_contents}.
	 */
	private List<Upload> uploads(ModelInferRequest request) {
		ModelInferRequest.InferInputTensor input = request.getInputs(0);
		if (input.getShapeCount() > MAX_DIMENSIONS) {
			throw new InvalidRequestException("\"shape\" may have at most " + MAX_DIMENSIONS + " dimensions");
		}
		long[] shape = input.getShapeList().stream().mapToLong(Long::longValue).toArray();
		String datatype = input.getDatatype();
		int raws = request.getRawInputContentsCount();
		if (raws > 0 && (raws != request.getInputsCount() || input.hasContents())) {
			throw new InvalidRequestException(
					"raw_input_contents needs one entry per input, and then no input may have contents");
		}
		ByteString raw = raws > 0 ? request.getRawInputContents(0) : null;
		int maxImages = api.maxBatchImages();
		long maxImageBytes = api.maxImageSize().toBytes();
		if ("BYTES".equals(datatype)) {
			int n = InferenceTensors.checkImages(shape, maxImages);
			List<byte[]> images = raw != null ? rawImages(raw, n)
					: input.getContents().getBytesContentsList().stream().map(ByteString::toByteArray).toList();
			return InferenceTensors.uploads(datatype, shape, null, images, maxImages, maxImageBytes);
		}
		int n = InferenceTensors.checkPixels(datatype, shape, maxImages);
		double[] numbers = raw != null ? rawPixels(datatype, raw, n, shape) : contents(datatype, input.getContents());
		return InferenceTensors.uploads(datatype, shape, numbers, null, maxImages, maxImageBytes);
	}

	/** FP32 from {@code fp32_contents}, UINT8 from {@code uint_contents}. */
	private static double[] contents(String datatype, InferTensorContents contents) {
		if ("FP32".equals(datatype)) {
			double[] numbers = new double[contents.getFp32ContentsCount()];
			for (int i = 0; i < numbers.length; i++) {
				numbers[i] = contents.getFp32Contents(i);
			}
			return numbers;
		}
		double[] numbers = new double[contents.getUintContentsCount()];
		for (int i = 0; i < numbers.length; i++) {
			numbers[i] = Integer.toUnsignedLong(contents.getUintContents(i));
		}
		return numbers;
	}

	/** N images of little-endian FP32 (4 bytes a pixel) or UINT8 (1 byte) pixels. */
	static double[] rawPixels(String datatype, ByteString raw, int n, long[] shape) {
		boolean fp32 = "FP32".equals(datatype);
		long expected = (long) n * DigitNetwork.PIXELS * (fp32 ? Float.BYTES : 1);
		if (raw.size() != expected) {
			throw new InvalidRequestException("raw_input_contents holds " + raw.size() + " bytes; " + datatype
					+ " of shape " + Arrays.toString(shape) + " takes " + expected);
		}
		ByteBuffer buffer = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
		double[] numbers = new double[n * DigitNetwork.PIXELS];
		for (int i = 0; i < numbers.length; i++) {
			numbers[i] = fp32 ? buffer.getFloat() : buffer.get() & 0xFF;
		}
		return numbers;
	}

	/** N byte strings, each after its 4-byte little-endian length, and nothing after. */
	static List<byte[]> rawImages(ByteString raw, int n) {
		ByteBuffer buffer = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
		List<byte[]> images = new ArrayList<>(n);
		for (int i = 0; i < n; i++) {
			if (buffer.remaining() < Integer.BYTES) {
				throw new InvalidRequestException("raw_input_contents ends before element " + i + " of " + n);
			}
			int length = buffer.getInt();
			if (length < 0 || length > buffer.remaining()) {
				throw new InvalidRequestException("raw_input_contents: element " + i + " says " + (length & 0xFFFFFFFFL)
						+ " bytes, " + buffer.remaining() + " remain");
			}
			byte[] image = new byte[length];
			buffer.get(image);
			images.add(image);
		}
		if (buffer.hasRemaining()) {
			throw new InvalidRequestException("raw_input_contents holds " + buffer.remaining() + " bytes after the " + n
					+ " elements of its shape");
		}
		return images;
	}

	private static ModelInferResponse.InferOutputTensor output(InferenceTensors.Output output) {
		InferTensorContents.Builder contents = InferTensorContents.newBuilder();
		for (Object value : output.data()) {
			switch (output.datatype()) {
				case "FP32" -> contents.addFp32Contents((Float) value);
				case "INT64" -> contents.addInt64Contents((Long) value);
				case "BOOL" -> contents.addBoolContents((Boolean) value);
				default -> contents.addBytesContents(value == null ? ByteString.EMPTY
						: ByteString.copyFrom(value.toString(), StandardCharsets.UTF_8));
			}
		}
		ModelInferResponse.InferOutputTensor.Builder tensor = ModelInferResponse.InferOutputTensor.newBuilder()
			.setName(output.name())
			.setDatatype(output.datatype())
			.setContents(contents);
		for (long dimension : output.shape()) {
			tensor.addShape(dimension);
		}
		return tensor.build();
	}

	@Override
	public void repositoryIndex(RepositoryIndexRequest request, StreamObserver<RepositoryIndexResponse> response) {
		answer(response, () -> {
			RepositoryIndexResponse.Builder builder = RepositoryIndexResponse.newBuilder();
			for (ModelRepositoryExtension.IndexEntry entry : repository.index()) {
				if (request.getReady() && !ServedModel.State.READY.name().equals(entry.state())) {
					continue;
				}
				builder.addModels(RepositoryIndexResponse.ModelIndex.newBuilder()
					.setName(entry.name())
					.setVersion(entry.version())
					.setState(entry.state())
					.setReason(entry.reason() == null ? "" : entry.reason()));
			}
			return builder.build();
		});
	}

	@Override
	public void repositoryModelLoad(RepositoryModelLoadRequest request,
			StreamObserver<RepositoryModelLoadResponse> response) {
		answer(response, () -> {
			repository.load(version(request.getModelName(), request.getParametersMap().get("version")));
			return RepositoryModelLoadResponse.getDefaultInstance();
		});
	}

	@Override
	public void repositoryModelUnload(RepositoryModelUnloadRequest request,
			StreamObserver<RepositoryModelUnloadResponse> response) {
		answer(response, () -> {
			try {
				repository.unload(version(request.getModelName(), request.getParametersMap().get("version")));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted while draining", ex);
			}
			return RepositoryModelUnloadResponse.getDefaultInstance();
		});
	}

	/**
	 * The version a repository call names in its {@code version} parameter: a model has
	 * several versions here, and the protocol's calls name models only.
	 */
	private String version(String name, ModelRepositoryParameter parameter) {
		if (!repository.serves(name)) {
			throw new DataPlane.UnknownModelException(name);
		}
		String version = parameter == null ? null : switch (parameter.getParameterChoiceCase()) {
			case STRING_PARAM -> parameter.getStringParam();
			case INT64_PARAM -> Long.toString(parameter.getInt64Param());
			default -> null;
		};
		version = blankToNull(version);
		if (version == null) {
			throw new InvalidRequestException("model " + name + " has several versions: name the one to load or "
					+ "unload in the string parameter \"version\"");
		}
		return version;
	}

	/** A parameter's value as text (null when absent), as the REST body's are read. */
	private static String parameter(InferParameter parameter) {
		if (parameter == null) {
			return null;
		}
		return switch (parameter.getParameterChoiceCase()) {
			case STRING_PARAM -> parameter.getStringParam();
			case INT64_PARAM -> Long.toString(parameter.getInt64Param());
			case BOOL_PARAM -> Boolean.toString(parameter.getBoolParam());
			default -> null;
		};
	}

	private <T> void answer(StreamObserver<T> response, Supplier<T> answer) {
		T value;
		try {
			value = answer.get();
		}
		catch (RuntimeException ex) {
			response.onError(errors.status(ex));
			return;
		}
		response.onNext(value);
		response.onCompleted();
	}

	private static ModelMetadataResponse.TensorMetadata tensor(DataPlane.TensorSpec spec) {
		ModelMetadataResponse.TensorMetadata.Builder builder = ModelMetadataResponse.TensorMetadata.newBuilder()
			.setName(spec.name())
			.setDatatype(spec.datatype());
		for (long dimension : spec.shape()) {
			builder.addShape(dimension);
		}
		return builder.build();
	}

	private static String blankToNull(String text) {
		return text == null || text.isBlank() ? null : text.strip();
	}

}
