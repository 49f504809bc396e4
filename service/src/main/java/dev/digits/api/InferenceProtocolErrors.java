package dev.digits.api;

import java.util.Map;

import dev.digits.inference.NotReadyException;
import dev.digits.inference.OverloadedException;
import dev.digits.preprocessing.PreprocessingException;
import dev.digits.serving.DataPlane;
import dev.digits.serving.ModelRepositoryExtension;
import dev.digits.serving.PolicyConflictException;
import dev.digits.serving.UnknownVersionException;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import tools.jackson.core.JacksonException;

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

	@ExceptionHandler(PreprocessingException.class)
	ResponseEntity<Map<String, String>> preprocessing(PreprocessingException ex, HttpServletRequest request) {
		ProblemKind kind = ProblemKind.of(ex.reason());
		HttpStatus status = kind.status == HttpStatus.CONTENT_TOO_LARGE || kind.status == HttpStatus.SERVICE_UNAVAILABLE
				? kind.status : HttpStatus.BAD_REQUEST;
		return error(kind, status, ex.getMessage(), request);
	}

	@ExceptionHandler({ DataPlane.InvalidInferenceException.class, JacksonException.class })
	ResponseEntity<Map<String, String>> invalid(RuntimeException ex, HttpServletRequest request) {
		if (ex instanceof JacksonException) {
			// Jackson wraps what the body's stream threw: a body over its limit, too
			// slow, or cut off
			ResponseEntity<ProblemDetail> failed = problems.ifBodyFailed(ex, request);
			if (failed != null) {
				return adapted(failed, request);
			}
		}
		String message = ex instanceof JacksonException ? "the request body is not valid JSON" : ex.getMessage();
		return error(ProblemKind.BAD_REQUEST, HttpStatus.BAD_REQUEST, message, request);
	}

	/**
	 * Anything else: classified once, by the same rules as every other endpoint, in this
	 * protocol's form.
	 */
	@ExceptionHandler(Exception.class)
	ResponseEntity<Map<String, String>> unexpected(Exception ex, HttpServletRequest request) {
		return adapted(problems.unexpected(ex, request), request);
	}

	/**
	 * A problem the shared classifier answered (and counted), in the protocol's
	 * {@code {"error"}} form.
	 */
	private static ResponseEntity<Map<String, String>> adapted(ResponseEntity<ProblemDetail> problem,
			HttpServletRequest request) {
		HttpHeaders headers = new HttpHeaders();
		headers.putAll(problem.getHeaders());
		headers.setContentType(MediaType.APPLICATION_JSON);
		headers.set(RequestIdFilter.HEADER, RequestIdFilter.of(request));
		ProblemDetail body = problem.getBody();
		return ResponseEntity.status(problem.getStatusCode())
			.headers(headers)
			.body(Map.of("error", body == null || body.getDetail() == null ? "the request failed" : body.getDetail()));
	}

	@ExceptionHandler(TooLargeException.class)
	ResponseEntity<Map<String, String>> tooLarge(TooLargeException ex, HttpServletRequest request) {
		return error(ProblemKind.TOO_LARGE, HttpStatus.CONTENT_TOO_LARGE, ex.getMessage(), request);
	}

	@ExceptionHandler({ UnknownVersionException.class, DataPlane.UnknownModelException.class })
	ResponseEntity<Map<String, String>> unknown(RuntimeException ex, HttpServletRequest request) {
		return error(ProblemKind.UNKNOWN_VERSION, HttpStatus.NOT_FOUND, ex.getMessage(), request);
	}

	@ExceptionHandler(PolicyConflictException.class)
	ResponseEntity<Map<String, String>> conflict(PolicyConflictException ex, HttpServletRequest request) {
		return error(ProblemKind.CONFLICT, HttpStatus.CONFLICT, ex.getMessage(), request);
	}

	@ExceptionHandler(ModelRepositoryExtension.LoadFailedException.class)
	ResponseEntity<Map<String, String>> loadFailed(ModelRepositoryExtension.LoadFailedException ex,
			HttpServletRequest request) {
		return error(ProblemKind.MODEL_LOAD_FAILED, HttpStatus.BAD_REQUEST, ex.getMessage(), request);
	}

	@ExceptionHandler(OverloadedException.class)
	ResponseEntity<Map<String, String>> overloaded(OverloadedException ex, HttpServletRequest request) {
		return error(ProblemKind.OVERLOADED, HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage() + "; retry shortly",
				request);
	}

	@ExceptionHandler(NotReadyException.class)
	ResponseEntity<Map<String, String>> notReady(NotReadyException ex, HttpServletRequest request) {
		return error(ProblemKind.MODEL_NOT_READY, HttpStatus.SERVICE_UNAVAILABLE, ex.getMessage(), request);
	}

	private ResponseEntity<Map<String, String>> error(ProblemKind kind, HttpStatus status, String message,
			HttpServletRequest request) {
		problems.count(kind);
		HttpHeaders headers = new HttpHeaders();
		headers.setContentType(MediaType.APPLICATION_JSON);
		if (status == HttpStatus.SERVICE_UNAVAILABLE) {
			headers.set(HttpHeaders.RETRY_AFTER, "1");
		}
		headers.set(RequestIdFilter.HEADER, RequestIdFilter.of(request));
		return ResponseEntity.status(status).headers(headers).body(Map.of("error", message));
	}

}
