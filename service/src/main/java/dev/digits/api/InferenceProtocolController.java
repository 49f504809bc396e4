package dev.digits.api;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.digits.preprocessing.Upload;
import dev.digits.serving.DataPlane;
import dev.digits.serving.RecognitionService;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The KServe Open Inference Protocol, version 2 (REST), as an adapter over the same
 * recognition service as {@code /api/v1}: health, server and model metadata, model
 * readiness, and inference.
 * <p>
 * Inputs (one tensor): {@code FP32} values 0..1 (MNIST's normalisation: ink 1, paper 0;
 * either polarity is recognised) or {@code UINT8} grey levels 0..255, shaped
 * {@code [N,28,28]}, {@code [N,28,28,1]} or {@code [N,784]}; or {@code BYTES} of shape
 * {@code [N]} or {@code [N,1]}, each element an encoded image (PNG, JPEG, GIF, BMP, WebP)
 * in base64 or as a data URL, through the same preprocessing and limits as uploads. N is
 * at most the batch limit. Outputs: {@code probabilities} FP32 {@code [N,10]} (raw
 * softmax), {@code digit} INT64 {@code [N]}, {@code confidence} FP32 {@code [N]}
 * (calibrated), {@code uncertain}, {@code out_of_distribution} and {@code several_digits}
 * BOOL {@code [N]}, {@code feedback_token} BYTES {@code [N]}; the request's
 * {@code outputs} choose among them. Parameters: {@code client_id} keeps a client's A/B
 * variant like {@code X-Client-Id}; {@code allowed_digits} ("1,2,3") restricts the answer
 * like {@code ?allowed=}; {@code explain} ({@code occlusion} or
 * {@code integrated-gradients}, one image only) adds an {@code explanation} output, FP32
 * {@code [1,28,28]}, of the answer or of {@code explain_digit}. Errors are
 * {@code {"error": "..."}}, as the protocol wants.
 */
@RestController
@RequestMapping(path = "/v2", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "open-inference-protocol-v2",
		description = "KServe Open Inference Protocol v2 (REST); errors are {\"error\": \"...\"}")
@Endpoint(value = Endpoint.Role.READ, dialect = Endpoint.Dialect.OIP)
class InferenceProtocolController {

	private final DataPlane plane;

	private final ApiProperties api;

	private final org.springframework.beans.factory.ObjectProvider<dev.digits.serving.Explainer> explainer;

	InferenceProtocolController(DataPlane plane, ApiProperties api,
			org.springframework.beans.factory.ObjectProvider<dev.digits.serving.Explainer> explainer) {
		this.plane = plane;
		this.api = api;
		this.explainer = explainer;
	}

	@GetMapping({ "", "/" })
	Map<String, Object> server() {
		DataPlane.ServerMetadata server = plane.server();
		return Map.of("name", server.name(), "version", server.version(), "extensions", server.extensions());
	}

	@Endpoint(value = Endpoint.Role.PROBE, dialect = Endpoint.Dialect.OIP)
	@GetMapping("/health/live")
	ResponseEntity<Void> live() {
		return ResponseEntity.status(plane.live() ? HttpStatus.OK : HttpStatus.BAD_REQUEST).build();
	}

	/**
	 * 200 when every version that takes traffic is READY, else 400 (the protocol's "4xx
	 * is false").
	 */
	@Endpoint(value = Endpoint.Role.PROBE, dialect = Endpoint.Dialect.OIP)
	@GetMapping("/health/ready")
	ResponseEntity<Void> ready() {
		boolean ready = plane.ready();
		return ResponseEntity.status(ready ? HttpStatus.OK : HttpStatus.BAD_REQUEST).build();
	}

	@Endpoint(value = Endpoint.Role.PROBE, dialect = Endpoint.Dialect.OIP)
	@GetMapping({ "/models/{name}/ready", "/models/{name}/versions/{version}/ready" })
	ResponseEntity<Void> modelReady(@PathVariable String name, @PathVariable(required = false) String version) {
		return ResponseEntity.status(plane.modelReady(name, version) ? HttpStatus.OK : HttpStatus.BAD_REQUEST).build();
	}

	@GetMapping({ "/models/{name}", "/models/{name}/versions/{version}" })
	Map<String, Object> metadata(@PathVariable String name, @PathVariable(required = false) String version) {
		DataPlane.ModelMetadata metadata = plane.metadata(name, version);
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("name", metadata.name());
		json.put("versions", metadata.versions());
		json.put("platform", metadata.platform());
		json.put("inputs", metadata.inputs().stream().map(InferenceProtocolController::tensor).toList());
		json.put("outputs", metadata.outputs().stream().map(InferenceProtocolController::tensor).toList());
		return json;
	}

	@io.swagger.v3.oas.annotations.Operation(summary = "Inference",
			description = "An $inference_request of the protocol: one input tensor, FP32 (0..1) or UINT8 (0..255) "
					+ "[N,28,28], [N,28,28,1] or [N,784], or BYTES [N] of base64 images; outputs probabilities, "
					+ "digit, feedback_token")
	@io.swagger.v3.oas.annotations.parameters.RequestBody(
			content = @io.swagger.v3.oas.annotations.media.Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
					schema = @io.swagger.v3.oas.annotations.media.Schema(type = "object",
							description = "the protocol's $inference_request")))
	@Endpoint(value = Endpoint.Role.PREDICTION, dialect = Endpoint.Dialect.OIP, metric = "oip")
	@PostMapping(path = { "/models/{name}/infer", "/models/{name}/versions/{version}/infer" },
			consumes = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> infer(@PathVariable String name, @PathVariable(required = false) String version,
			HttpServletRequest request) throws IOException {
		request.setAttribute(InferenceRequests.ENDPOINT_ATTRIBUTE, "oip");
		plane.checkServed(name, version);
		OipBodies.InferRequest infer = OipBodies.infer(request.getInputStream(), api.maxBatchImages(),
				api.maxImageSize().toBytes());
		List<String> wanted = InferenceTensors.wanted(infer.inputs().size(), infer.outputs());
		OipBodies.Tensor input = infer.inputs().get(0);
		List<Upload> uploads = InferenceTensors.uploads(input.datatype(), input.shape(), input.numbers(), input.bytes(),
				api.maxBatchImages(), api.maxImageSize().toBytes());
		Object explain = infer.parameters().get("explain");
		Object explainDigit = infer.parameters().get("explain_digit");
		if (explain != null) {
			if (uploads.size() != 1) {
				throw new DataPlane.InvalidInferenceException(
						"explain is for one image at a time; this request holds " + uploads.size());
			}
			ExplanationImages.check(explain.toString(), explainDigit != null ? explainDigit.toString() : null,
					"explain_digit");
		}
		Object client = infer.parameters().get("client_id");
		Object allowed = infer.parameters().get("allowed_digits");
		RecognitionService.Routing routing = InferenceRequests.routing(request, version,
				client != null ? client.toString() : null, allowed != null ? allowed.toString() : null);
		RecognitionService.Result result = plane.infer(new DataPlane.InferenceRequest(name, uploads, true, routing));
		Map<String, Object> response = new LinkedHashMap<>();
		response.put("model_name", result.modelName());
		response.put("model_version", result.version());
		if (infer.id() != null) {
			response.put("id", infer.id());
		}
		List<Map<String, Object>> outputs = new java.util.ArrayList<>(InferenceTensors.outputs(result, wanted)
			.stream()
			.map(output -> output(output.name(), output.datatype(), output.shape(), output.data()))
			.toList());
		if (explain != null) {
			outputs.add(explanation(result, explain.toString(), explainDigit));
		}
		response.put("outputs", outputs);
		return response;
	}

	/**
	 * The {@code explanation} output: FP32 {@code [1,28,28]}, with the method and digit
	 * as its parameters.
	 */
	private Map<String, Object> explanation(RecognitionService.Result result, String method, Object digit) {
		Responses.Explanation explained = ExplanationImages.explain(explainer.getObject(), result.version(),
				result.images().get(0), method, digit != null ? digit.toString() : null, "explain_digit");
		List<Float> data = new java.util.ArrayList<>(784);
		for (float[] row : explained.attributions()) {
			for (float a : row) {
				data.add(a);
			}
		}
		Map<String, Object> output = output("explanation", "FP32", new long[] { 1, 28, 28 }, data);
		output.put("parameters", Map.of("method", explained.method(), "digit", explained.digit()));
		return output;
	}

	private static Map<String, Object> tensor(DataPlane.TensorSpec spec) {
		return tensor(spec.name(), spec.datatype(), spec.shape());
	}

	private static Map<String, Object> tensor(String name, String datatype, long... shape) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("name", name);
		json.put("datatype", datatype);
		json.put("shape", shape);
		return json;
	}

	private static Map<String, Object> output(String name, String datatype, long[] shape, List<?> data) {
		Map<String, Object> json = tensor(name, datatype, shape);
		json.put("data", data);
		return json;
	}

}
