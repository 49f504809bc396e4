package dev.digits.api;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import dev.digits.preprocessing.Upload;
import dev.digits.serving.DataPlane;
import dev.digits.serving.Explainer;
import dev.digits.serving.RecognitionService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * KServe's v1 explain verb for clients of that protocol:
 * {@code POST /v1/models/mnist-cnn:explain} with {@code {"instances": [one image
 * object]}} (the image objects of the prediction API: {@code {"image": "<base64>"}} or
 * {@code {"pixels": [...]}}), {@code ?method=} ({@code occlusion} by default, or
 * {@code integrated-gradients}) and {@code ?digit=} (the answer by default). Answers
 * {@code {"predictions": [digit], "explanations": [explanation]}}, the explanation as
 * {@code ?explain=} gives it. One instance a request.
 */
@RestController
@Tag(name = "predictions")
@Endpoint(value = Endpoint.Role.PREDICTION, metric = "explain")
class ExplainController {

	/** The method when the request names none: the cheaper of the two, measured. */
	static final String DEFAULT_METHOD = "occlusion";

	private final DataPlane plane;

	private final Explainer explainer;

	private final ApiProperties api;

	ExplainController(DataPlane plane, Explainer explainer, ApiProperties api) {
		this.plane = plane;
		this.explainer = explainer;
		this.api = api;
	}

	@Operation(summary = "Explain one answer (KServe v1 explain)",
			description = "`{\"instances\": [{\"image\": \"<base64>\"}]}` or `{\"instances\": [{\"pixels\": [784 numbers]}]}`; "
					+ "`?method=occlusion` (default) or `integrated-gradients`, `?digit=` the digit to explain "
					+ "(the answer by default).")
	@PostMapping(path = "/v1/models/{name}:explain", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> explain(@PathVariable String name, HttpServletRequest request) throws IOException {
		request.setAttribute(InferenceRequests.ENDPOINT_ATTRIBUTE, "explain");
		plane.checkServed(name, null);
		List<Upload> instances = PredictionBodies.array(request.getInputStream(), "instances", 1,
				api.maxImageSize().toBytes());
		if (instances.isEmpty()) {
			throw new InvalidRequestException("\"instances\" holds no image");
		}
		String method = request.getParameter("method") != null ? request.getParameter("method") : DEFAULT_METHOD;
		ExplanationImages.check(method, request.getParameter("digit"), "digit");
		RecognitionService.Result result = plane.infer(new DataPlane.InferenceRequest(name, instances, false,
				InferenceRequests.routing(request, null, null, null)));
		RecognitionService.Recognized only = result.images().get(0);
		return Map.of("predictions", List.of(only.answer().digit()), "explanations", List.of(ExplanationImages
			.explain(explainer, result.version(), only, method, request.getParameter("digit"), "digit")));
	}

}
