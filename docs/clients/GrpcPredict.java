import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import com.google.protobuf.ByteString;
import dev.digits.grpc.inference.GRPCInferenceServiceGrpc;
import dev.digits.grpc.inference.InferTensorContents;
import dev.digits.grpc.inference.ModelInferRequest;
import dev.digits.grpc.inference.ModelInferResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;

/**
 * Recognise a digit over gRPC with the stubs generated from grpc_predict_v2.proto and
 * grpc-java (grpc-netty-shaded, grpc-protobuf, grpc-stub) on the class path:
 *
 *     java -cp "$CLASSPATH" docs/clients/GrpcPredict.java localhost:9090 docs/examples/seven.png
 */
public class GrpcPredict {

	public static void main(String[] args) throws Exception {
		ManagedChannel channel = Grpc.newChannelBuilder(args[0], InsecureChannelCredentials.create()).build();
		try {
			var stub = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
			ModelInferRequest request = ModelInferRequest.newBuilder()
				.setModelName("mnist-cnn")
				.setId("grpc-client-1")
				.addInputs(ModelInferRequest.InferInputTensor.newBuilder()
					.setName("image")
					.setDatatype("BYTES")
					.addShape(1)
					.setContents(InferTensorContents.newBuilder()
						.addBytesContents(ByteString.copyFrom(Files.readAllBytes(Path.of(args[1]))))))
				.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("digit"))
				.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("confidence"))
				.build();
			ModelInferResponse response = stub.modelInfer(request);
			long digit = response.getOutputs(0).getContents().getInt64Contents(0);
			float confidence = response.getOutputs(1).getContents().getFp32Contents(0);
			System.out.printf("digit %d, confidence %.3f, model %s version %s, id %s%n", digit, confidence,
					response.getModelName(), response.getModelVersion(), response.getId());
		}
		finally {
			channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
	}

}
