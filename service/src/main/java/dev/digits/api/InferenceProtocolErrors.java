package dev.digits.api;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Errors of the Open Inference Protocol endpoints, in the protocol's form
 * {@code {"error": "..."}}: 400 for what the client sent (the protocol's "typically
 * 400"), 404 for an unknown model or version, 413 for a request over its limits, 503 with
 * {@code Retry-After} when overloaded or not ready. Counted by reason like every other
 * failure.
 */
@RestControllerAdvice(assignableTypes = { InferenceProtocolController.class, RepositoryExtensionController.class })
@Order(Ordered.HIGHEST_PRECEDENCE)
class InferenceProtocolErrors {

	private final ProblemHandler problems;

	InferenceProtocolErrors(ProblemHandler problems) {
		this.problems = problems;
	}

	/**
	 * Every failure of the protocol's endpoints, classified as every other endpoint's
	 * ({@link ProblemHandler#classify}: the same kinds, counts and logs), in the
	 * protocol's {@code {"error"}} form.
	 */
	@ExceptionHandler(Exception.class)
	ResponseEntity<Map<String, String>> handle(Exception ex, HttpServletRequest request) {
		return adapted(problems.classify(ex, request), request);
	}

	/**
	 * The protocol answers a request it cannot serve with 400 where problem details are
	 * more specific: an input that is not a digit or not an image (422, 415), a version
	 * that failed to load (422). Limits (413), unknown models (404), conflicts (409) and
	 * an overloaded or unready service (503) keep their status.
	 */
	static HttpStatusCode status(HttpStatusCode problem) {
		int code = problem.value();
		return (code == 422 || code == 415) ? HttpStatus.BAD_REQUEST : problem;
	}

	private static ResponseEntity<Map<String, String>> adapted(ResponseEntity<ProblemDetail> problem,
			HttpServletRequest request) {
		HttpHeaders headers = new HttpHeaders();
		headers.putAll(problem.getHeaders());
		headers.setContentType(MediaType.APPLICATION_JSON);
		headers.set(RequestIdFilter.HEADER, RequestIdFilter.of(request));
		ProblemDetail body = problem.getBody();
		return ResponseEntity.status(status(problem.getStatusCode()))
			.headers(headers)
			.body(Map.of("error", body == null || body.getDetail() == null ? "the request failed" : body.getDetail()));
	}

}
