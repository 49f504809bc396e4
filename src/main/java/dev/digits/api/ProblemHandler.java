package dev.digits.api;

import java.net.URI;

import dev.digits.inference.NotReadyException;
import dev.digits.inference.OverloadedException;
import dev.digits.preprocessing.PreprocessingException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * The one place errors become responses: RFC 9457 {@code application/problem+json} with a stable
 * {@code type} per kind of failure, the request id, and no stack trace. Every failure is counted in
 * {@code digits_failures_total{reason}}.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

	private static final Logger logger = LoggerFactory.getLogger(ProblemHandler.class);

	static final String TYPE_PREFIX = "urn:digit-service:problem:";

	/** A kind of failure: its status, its type URI's last part, and its metric reason. */
	enum Kind {

		UNSUPPORTED_MEDIA_TYPE(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported image type"),
		UNDECODABLE(HttpStatus.UNPROCESSABLE_CONTENT, "undecodable-image", "Image could not be decoded"),
		TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE, "too-large", "Upload too large"),
		TOO_MANY_PIXELS(HttpStatus.CONTENT_TOO_LARGE, "too-many-pixels", "Image has too many pixels"),
		BLANK(HttpStatus.UNPROCESSABLE_CONTENT, "blank-image", "Image is blank"),
		INVALID_PIXELS(HttpStatus.UNPROCESSABLE_CONTENT, "invalid-pixels", "Invalid pixel values"),
		BAD_REQUEST(HttpStatus.BAD_REQUEST, "bad-request", "Bad request"),
		NOT_FOUND(HttpStatus.NOT_FOUND, "not-found", "Not found"),
		METHOD_NOT_ALLOWED(HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed"),
		NOT_ACCEPTABLE(HttpStatus.NOT_ACCEPTABLE, "not-acceptable", "Not acceptable"),
		OVERLOADED(HttpStatus.SERVICE_UNAVAILABLE, "overloaded", "Service overloaded"),
		MODEL_NOT_READY(HttpStatus.SERVICE_UNAVAILABLE, "model-not-ready", "Model not ready"),
		INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error");

		final HttpStatus status;

		final String slug;

		final String title;

		Kind(HttpStatus status, String slug, String title) {
			this.status = status;
			this.slug = slug;
			this.title = title;
		}

		URI type() {
			return URI.create(TYPE_PREFIX + slug);
		}

		String reason() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

		static Kind of(PreprocessingException ex) {
			return switch (ex.reason()) {
				case UNSUPPORTED_FORMAT -> UNSUPPORTED_MEDIA_TYPE;
				case UNDECODABLE -> UNDECODABLE;
				case TOO_MANY_PIXELS -> TOO_MANY_PIXELS;
				case BLANK -> BLANK;
				case INVALID_PIXELS -> INVALID_PIXELS;
			};
		}

		static Kind of(HttpStatusCode status) {
			return switch (status.value()) {
				case 404 -> NOT_FOUND;
				case 405 -> METHOD_NOT_ALLOWED;
				case 406 -> NOT_ACCEPTABLE;
				case 413 -> TOO_LARGE;
				case 415 -> UNSUPPORTED_MEDIA_TYPE;
				case 422 -> INVALID_PIXELS;
				case 503 -> OVERLOADED;
				default -> status.is4xxClientError() ? BAD_REQUEST : INTERNAL;
			};
		}

	}

	private final MeterRegistry registry;

	ProblemHandler(MeterRegistry registry) {
		this.registry = registry;
	}

	@ExceptionHandler(PreprocessingException.class)
	ResponseEntity<ProblemDetail> preprocessing(PreprocessingException ex, HttpServletRequest request) {
		return problem(Kind.of(ex), ex.getMessage(), request);
	}

	@ExceptionHandler(TooLargeException.class)
	ResponseEntity<ProblemDetail> tooLarge(TooLargeException ex, HttpServletRequest request) {
		return problem(Kind.TOO_LARGE, ex.getMessage(), request);
	}

	@ExceptionHandler(InvalidRequestException.class)
	ResponseEntity<ProblemDetail> invalid(InvalidRequestException ex, HttpServletRequest request) {
		return problem(Kind.BAD_REQUEST, ex.getMessage(), request);
	}

	@ExceptionHandler(OverloadedException.class)
	ResponseEntity<ProblemDetail> overloaded(OverloadedException ex, HttpServletRequest request) {
		return problem(Kind.OVERLOADED, ex.getMessage() + "; retry shortly", request);
	}

	@ExceptionHandler(NotReadyException.class)
	ResponseEntity<ProblemDetail> notReady(NotReadyException ex, HttpServletRequest request) {
		return problem(Kind.MODEL_NOT_READY, ex.getMessage(), request);
	}

	@ExceptionHandler(Exception.class)
	ResponseEntity<ProblemDetail> unexpected(Exception ex, HttpServletRequest request) {
		logger.error("unexpected failure of {} {}", request.getMethod(), request.getRequestURI(), ex);
		return problem(Kind.INTERNAL, "the service failed to answer; the request id identifies it in the logs", request);
	}

	ResponseEntity<ProblemDetail> problem(Kind kind, String detail, HttpServletRequest request) {
		ProblemDetail body = ProblemDetail.forStatusAndDetail(kind.status, detail);
		return respond(kind, body, new HttpHeaders(), request);
	}

	/** Spring MVC's own exceptions (415, 413, 400, 404, 405...) get the same treatment. */
	@Override
	protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
			HttpStatusCode statusCode, WebRequest request) {
		HttpServletRequest servletRequest = ((ServletWebRequest) request).getRequest();
		Kind kind = ex instanceof MaxUploadSizeExceededException ? Kind.TOO_LARGE : Kind.of(statusCode);
		ProblemDetail problem = body instanceof ProblemDetail p ? p
				: ProblemDetail.forStatusAndDetail(statusCode, ex.getMessage());
		if (kind == Kind.BAD_REQUEST || kind == Kind.INVALID_PIXELS) {
			// the framework's detail can name Java types; keep a client-facing message
			problem.setDetail(clientDetail(ex, problem.getDetail()));
		}
		HttpHeaders merged = new HttpHeaders();
		if (headers != null) {
			merged.putAll(headers);
		}
		ResponseEntity<ProblemDetail> response = respond(kind, problem, merged, servletRequest);
		return ResponseEntity.status(response.getStatusCode()).headers(response.getHeaders()).body(response.getBody());
	}

	private ResponseEntity<ProblemDetail> respond(Kind kind, ProblemDetail body, HttpHeaders headers,
			HttpServletRequest request) {
		body.setType(kind.type());
		body.setTitle(kind.title);
		body.setInstance(URI.create(request.getRequestURI()));
		body.setProperty("requestId", RequestIdFilter.of(request));
		body.setProperty("reason", kind.reason());
		Counter.builder("digits.failures")
			.description("Failed requests, by reason")
			.tag("reason", kind.reason())
			.register(registry)
			.increment();
		if (kind.status == HttpStatus.SERVICE_UNAVAILABLE) {
			headers.set(HttpHeaders.RETRY_AFTER, "1");
		}
		headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		return ResponseEntity.status(body.getStatus()).headers(headers).body(body);
	}

	private static String clientDetail(Exception ex, String detail) {
		if (ex instanceof org.springframework.http.converter.HttpMessageNotReadableException) {
			return "the request body is not valid JSON of the expected shape "
					+ "({\"pixels\": [784 numbers], \"range\": \"0-255\" or \"0-1\"})";
		}
		if (ex instanceof org.springframework.web.bind.MethodArgumentNotValidException invalid) {
			return invalid.getBindingResult()
				.getFieldErrors()
				.stream()
				.map(e -> e.getField() + " " + e.getDefaultMessage())
				.reduce((a, b) -> a + "; " + b)
				.orElse("invalid request");
		}
		return detail == null ? "bad request" : detail;
	}


}
