package dev.digits.api;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import dev.digits.grpc.inference.GRPCInferenceServiceGrpc;
import dev.digits.grpc.inference.InferTensorContents;
import dev.digits.grpc.inference.ModelInferRequest;
import dev.digits.preprocessing.HostileImages;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile gRPC calls against the packaged jar started as the container starts it (its
 * ENTRYPOINT's memory flags, {@code -XX:MaxRAM} of the Kubernetes limit): the decoding
 * bombs of the HTTP hostile suite as BYTES inputs, a message over the size limit, a shape
 * that overflows, raw contents that lie about their length. Each is refused with a status
 * code, the JVM lives, and a normal call is answered after them all.
 */
class GrpcHostileJarTests {

	private static final Path JAR = Path.of(System.getProperty("digits.jar", "service/target/digit-service-1.0.0.jar"));

	private static ContainerJar service;

	private static ManagedChannel channel;

	@BeforeAll
	static void start() throws Exception {
		service = ContainerJar.start(JAR, Path.of("target/hostile-grpc"));
		channel = Grpc.newChannelBuilderForAddress("127.0.0.1", service.grpcPort, InsecureChannelCredentials.create())
			.maxInboundMessageSize(16 << 20)
			.build();
	}

	@AfterAll
	static void stop() throws Exception {
		if (channel != null) {
			channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
		if (service != null) {
			service.close();
		}
	}

	@Test
	void everyHostileCallIsRefusedAndTheServiceLives() throws Exception {
		Map<String, ModelInferRequest> attacks = new LinkedHashMap<>();
		attacks.put("BMP embedding a 46000x46000 PNG",
				image(HostileImages.bmp(28, 28, 0, 5, 0, HostileImages.png(46_000, 46_000, 1, 0))));
		attacks.put("RLE8 BMP, biSizeImage 1.5 GB",
				image(HostileImages.bmp(28, 28, 8, 1, 1_500_000_000L, new byte[64])));
		attacks.put("PNG 25,000,000 x 1, 16-bit RGBA", image(HostileImages.png(25_000_000, 1, 16, 6)));
		attacks.put("PNG 10000 x 2500, 16-bit RGBA", image(HostileImages.png(10_000, 2_500, 16, 6)));
		attacks.put("progressive JPEG 5000x5000 with 100 extra scans",
				image(HostileImages.progressiveJpegWithScans(5000, 5000, 100)));
		attacks.put("GIF whose 28x28 screen holds a 60000x60000 frame",
				image(HostileImages.gif(28, 1, 60_000, 60_000)));
		attacks.put("WebP whose 28x28 VP8X canvas holds a 12000x12000 VP8 bitstream",
				image(HostileImages.webpCanvasAroundLargerBitstream(12_000, 12_000)));
		attacks.put("WebP whose 28x28 VP8X canvas holds a 16384x16384 VP8L bitstream",
				image(HostileImages.webp(HostileImages.vp8x(28, 28, 0), HostileImages.vp8l(16_384, 16_384, 64))));
		attacks.put("GIF whose second frame is 60000x60000", image(HostileImages.gifWithLargeSecondFrame(28, 60_000)));
		attacks.put("JPEG whose EXIF thumbnail claims 12000x12000",
				image(HostileImages.withExifThumbnail(HostileImages.jpeg(64, 48, false),
						HostileImages.withFrameSize(HostileImages.jpeg(16, 16, false), 12_000, 12_000))));
		attacks.put("a 12 MB message", image(new byte[12 << 20]));
		attacks.put("shape [2^31, 784]", pixels(new long[] { 1L << 31, 784 }, new byte[784]));
		attacks.put("raw contents of 783 bytes for [1,784]", pixels(new long[] { 1, 784 }, new byte[783]));
		attacks.put("raw BYTES element claiming 2 GB",
				raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(Integer.MAX_VALUE).array()));
		GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc
			.newBlockingStub(channel);
		List<String> report = new ArrayList<>();
		assertThat(stub.withDeadlineAfter(30, TimeUnit.SECONDS)
			.serverLive(dev.digits.grpc.inference.ServerLiveRequest.getDefaultInstance())
			.getLive()).as("the gRPC port " + service.grpcPort + " answers").isTrue();
		for (Map.Entry<String, ModelInferRequest> attack : attacks.entrySet()) {
			long start = System.nanoTime();
			Status.Code code;
			String why = "";
			try {
				stub.withDeadlineAfter(60, TimeUnit.SECONDS).modelInfer(attack.getValue());
				code = Status.Code.OK;
			}
			catch (StatusRuntimeException ex) {
				code = ex.getStatus().getCode();
				why = ex.getStatus().getDescription() + (ex.getCause() != null ? " (" + ex.getCause() + ")" : "");
			}
			report.add(String.format("%-70s %-18s %6d ms  %s", attack.getKey(), code,
					(System.nanoTime() - start) / 1_000_000, why));
			System.out.println(report.get(report.size() - 1));
			assertThat(code).as(attack.getKey()).isIn(Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED);
			assertThat(service.process.isAlive()).as("the JVM lives after: " + attack.getKey()).isTrue();
		}
		assertThat(stub.withDeadlineAfter(60, TimeUnit.SECONDS)
			.modelInfer(image(Files.readAllBytes(Path.of("docs/examples/seven.png"))))
			.getOutputs(1)
			.getContents()
			.getInt64Contents(0)).as("a normal call after them all").isEqualTo(7);
	}

	private static ModelInferRequest image(byte[] bytes) {
		return ModelInferRequest.newBuilder()
			.setModelName("mnist-cnn")
			.addInputs(ModelInferRequest.InferInputTensor.newBuilder()
				.setName("image")
				.setDatatype("BYTES")
				.addShape(1)
				.setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFrom(bytes))))
			.build();
	}

	private static ModelInferRequest raw(byte[] bytes) {
		return ModelInferRequest.newBuilder()
			.setModelName("mnist-cnn")
			.addInputs(
					ModelInferRequest.InferInputTensor.newBuilder().setName("image").setDatatype("BYTES").addShape(1))
			.addRawInputContents(ByteString.copyFrom(bytes))
			.build();
	}

	private static ModelInferRequest pixels(long[] shape, byte[] raw) {
		ModelInferRequest.InferInputTensor.Builder tensor = ModelInferRequest.InferInputTensor.newBuilder()
			.setName("input")
			.setDatatype("UINT8");
		for (long dimension : shape) {
			tensor.addShape(dimension);
		}
		return ModelInferRequest.newBuilder()
			.setModelName("mnist-cnn")
			.addInputs(tensor)
			.addRawInputContents(ByteString.copyFrom(raw))
			.build();
	}

}
