package dev.digits.api;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import dev.digits.preprocessing.Reason;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * A kind of failure: its status, the last part of its {@code type} URI
 * ({@value #TYPE_PREFIX}{@code slug}), its title, and its metric reason. The one list of
 * problem types; the README's error table follows it.
 */
public enum ProblemKind {

	UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported image type"),
	UNDECODABLE(HttpStatus.UNPROCESSABLE_CONTENT, "undecodable-image", "Image could not be decoded"),
	TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "too-large", "Upload too large"),
	TOO_MANY_PIXELS(HttpStatus.CONTENT_TOO_LARGE, "too-many-pixels", "Image has too many pixels"),
	TOO_COMPLEX(HttpStatus.UNPROCESSABLE_CONTENT, "too-complex", "Image too costly to decode"),
	TIMEOUT(HttpStatus.UNPROCESSABLE_CONTENT, "timeout", "Image took too long to decode"),
	BLANK(HttpStatus.UNPROCESSABLE_CONTENT, "blank-image", "Image is blank"),
	NOT_A_DIGIT(HttpStatus.UNPROCESSABLE_CONTENT, "not-a-digit", "Ink is not a digit"),
	INVALID_PIXELS(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-pixels", "Invalid pixel values"),
	BAD_REQUEST(HttpStatus.BAD_REQUEST, "bad-request", "Bad request"),
	CLIENT_ABORTED(HttpStatus.BAD_REQUEST, "client-aborted", "Client closed the request"),
	SLOW_BODY(HttpStatus.REQUEST_TIMEOUT, "slow-body", "Request body too slow"),
	NOT_FOUND(HttpStatus.NOT_FOUND, "not-found", "Not found"),
	UNKNOWN_VERSION(HttpStatus.NOT_FOUND, "unknown-model-version", "Unknown model version"),
	UNAUTHORIZED(HttpStatus.UNAUTHORIZED, "unauthorized", "Credentials required"),
	FORBIDDEN(HttpStatus.FORBIDDEN, "forbidden", "Forbidden"),
	CONFLICT(HttpStatus.CONFLICT, "conflict", "Conflicts with the current state"),
	MODEL_LOAD_FAILED(HttpStatus.UNPROCESSABLE_CONTENT, "model-load-failed", "Model version failed to load"),
	FEEDBACK_INVALID(HttpStatus.BAD_REQUEST, "invalid-feedback-token", "Invalid feedback token"),
	FEEDBACK_EXPIRED(HttpStatus.GONE, "expired-feedback-token", "Feedback token expired"),
	FEEDBACK_REPLAYED(HttpStatus.CONFLICT, "feedback-already-recorded", "Feedback already recorded"),
	FEEDBACK_RATE_LIMITED(HttpStatus.TOO_MANY_REQUESTS, "feedback-rate-limited", "Too much feedback from this client"),
	METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed"),
	NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, "not-acceptable", "Not acceptable"),
	NOT_IMPLEMENTED(HttpStatus.NOT_IMPLEMENTED, "not-implemented", "Not implemented"),
	OVERLOADED(HttpStatus.SERVICE_UNAVAILABLE, "overloaded", "Service overloaded"),
	MODEL_NOT_READY(HttpStatus.SERVICE_UNAVAILABLE, "model-not-ready", "Model not ready"),
	INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error");

	static final String TYPE_PREFIX = "urn:digit-service:problem:";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	final HttpStatus status;

	final String slug;

	final String title;

	ProblemKind(HttpStatus status, String slug, String title) {
		this.status = status;
		this.slug = slug;
		this.title = title;
	}

	URI type() {
		return URI.create(TYPE_PREFIX + slug);
	}

	/** The {@code reason} label of {@code digits_failures_total}. */
	String reason() {
		return name().toLowerCase(Locale.ROOT);
	}

	static ProblemKind of(Reason reason) {
		return switch (reason) {
			case UNSUPPORTED_FORMAT -> UNSUPPORTED_MEDIA_TYPE;
			case UNDECODABLE -> UNDECODABLE;
			case TOO_MANY_PIXELS -> TOO_MANY_PIXELS;
			case TOO_COMPLEX -> TOO_COMPLEX;
			case TIMEOUT -> TIMEOUT;
			case BUSY -> OVERLOADED;
			case BLANK -> BLANK;
			case NOT_A_DIGIT -> NOT_A_DIGIT;
			case INVALID_PIXELS -> INVALID_PIXELS;
		};
	}

	static ProblemKind of(HttpStatusCode status) {
		return switch (status.value()) {
			case 401 -> UNAUTHORIZED;
			case 403 -> FORBIDDEN;
			case 404 -> NOT_FOUND;
			case 409 -> CONFLICT;
			case 405 -> METHOD_NOT_ALLOWED;
			case 406 -> NOT_ACCEPTABLE;
			case 413 -> TOO_LARGE;
			case 415 -> UNSUPPORTED_MEDIA_TYPE;
			case 422 -> INVALID_PIXELS;
			case 501 -> NOT_IMPLEMENTED;
			case 503 -> OVERLOADED;
			default -> status.is4xxClientError() ? BAD_REQUEST : INTERNAL;
		};
	}

	/**
	 * Writes this problem as the whole response, for the paths outside Spring MVC's
	 * exception handling (servlet filters, the error page, Tomcat's own errors).
	 */
	public void write(HttpServletResponse response, String detail, String instance, String requestId)
			throws IOException {
		byte[] body = body(status.value(), detail, instance, requestId);
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
		response.setContentLength(body.length);
		if (status == HttpStatus.SERVICE_UNAVAILABLE) {
			response.setHeader(HttpHeaders.RETRY_AFTER, "1");
		}
		response.getOutputStream().write(body);
	}

	/**
	 * Writes this problem as the whole response in {@code dialect}: the Open Inference
	 * Protocol's {@code {"error": "..."}}, or RFC 9457 problem details. For the paths
	 * outside Spring MVC's exception handling (filters, the security entry point), which
	 * learn the request's dialect from {@link EndpointRoles};
	 * {@link InferenceProtocolErrors} and {@link ProblemHandler} answer the same way
	 * inside it.
	 */
	public void writeFor(Endpoint.Dialect dialect, HttpServletRequest request, HttpServletResponse response,
			String detail) throws IOException {
		if (dialect != Endpoint.Dialect.OIP) {
			write(response, detail, request.getRequestURI(), RequestIdFilter.of(request));
			return;
		}
		byte[] body = inferenceProtocolBody(detail);
		response.setStatus(status.value());
		response.setContentType(MediaType.APPLICATION_JSON_VALUE);
		response.setContentLength(body.length);
		if (status == HttpStatus.SERVICE_UNAVAILABLE) {
			response.setHeader(HttpHeaders.RETRY_AFTER, "1");
		}
		response.getOutputStream().write(body);
	}

	/** The Open Inference Protocol's error body. */
	static byte[] inferenceProtocolBody(String detail) {
		return JSON.writeValueAsString(Map.of("error", detail == null ? "the request failed" : detail))
			.getBytes(StandardCharsets.UTF_8);
	}

	/** The RFC 9457 body, as {@link ProblemHandler} writes it through Spring MVC. */
	byte[] body(int statusCode, String detail, String instance, String requestId) {
		Map<String, Object> problem = new LinkedHashMap<>();
		problem.put("type", type().toString());
		problem.put("title", title);
		problem.put("status", statusCode);
		problem.put("detail", detail);
		if (instance != null) {
			problem.put("instance", instance);
		}
		if (requestId != null) {
			problem.put("requestId", requestId);
		}
		problem.put("reason", reason());
		return JSON.writeValueAsString(problem).getBytes(StandardCharsets.UTF_8);
	}

}
