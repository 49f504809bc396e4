package dev.digits.api;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.digits.serving.CaptureStore;
import dev.digits.serving.FeedbackTokens;
import dev.digits.serving.RecognitionService;
import jakarta.servlet.http.HttpServletRequest;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /api/v1/feedback {"token": "...", "digit": 3}}: the true digit of an
 * earlier prediction, counted for the version that answered it. Feedback never changes a
 * model.
 */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "feedback", description = "Whether a prediction was right, for the A/B test")
@Endpoint(Endpoint.Role.FEEDBACK)
class FeedbackController {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final RecognitionService recognition;

	private final CaptureStore captures;

	FeedbackController(RecognitionService recognition, CaptureStore captures) {
		this.recognition = recognition;
		this.captures = captures;
	}

	@io.swagger.v3.oas.annotations.Operation(summary = "Record the true digit of a prediction")
	@io.swagger.v3.oas.annotations.parameters.RequestBody(content = @io.swagger.v3.oas.annotations.media.Content(
			mediaType = MediaType.APPLICATION_JSON_VALUE,
			schema = @io.swagger.v3.oas.annotations.media.Schema(implementation = ApiSchemas.FeedbackBody.class)))
	@PostMapping(path = "/feedback", consumes = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> feedback(HttpServletRequest request) throws IOException {
		JsonNode body = JSON.readTree(request.getInputStream());
		if (body == null || !body.isObject() || !body.path("token").isString()
				|| !body.path("digit").isIntegralNumber()) {
			throw new InvalidRequestException("The body must be {\"token\": \"<feedbackToken of a prediction>\", "
					+ "\"digit\": <the true digit, 0-9>}.");
		}
		int digit = body.get("digit").asInt();
		if (digit < 0 || digit > 9) {
			throw new InvalidRequestException("digit must be 0 to 9, got " + body.get("digit"));
		}
		RecognitionService.Feedback feedback = recognition.feedback(body.get("token").asString(), digit,
				request.getRemoteAddr());
		FeedbackTokens.Claims claims = feedback.claims();
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("recorded", true);
		json.put("version", claims.version());
		json.put("predicted", claims.digit());
		json.put("actual", digit);
		json.put("correct", claims.digit() == digit);
		json.put("captured", feedback.captured());
		return json;
	}

	@io.swagger.v3.oas.annotations.Operation(summary = "Delete what was kept of a prediction captured with consent",
			description = "The prediction's feedbackToken, whatever its age, deletes its input (held for feedback or "
					+ "written with its label): how many were deleted, 0 when nothing was kept. A token this service "
					+ "did not sign is refused (400).")
	@DeleteMapping(path = "/captures/{token}")
	Map<String, Object> deleteCapture(@PathVariable String token) {
		return Map.of("deleted", captures.delete(token));
	}

}
