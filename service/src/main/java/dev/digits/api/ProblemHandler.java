package dev.digits.api;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.digits.inference.NotReadyException;
import dev.digits.inference.OverloadedException;
import dev.digits.preprocessing.PreprocessingException;
import dev.digits.serving.FeedbackException;
import dev.digits.serving.DataPlane;
import dev.digits.serving.ModelRepositoryExtension;
import dev.digits.serving.PolicyConflictException;
import dev.digits.serving.UnknownVersionException;
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
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;

/**
 * The one place errors become responses: RFC 9457 {@code application/problem+json} with a
 * stable {@code type} per kind of failure (see {@link ProblemKind}), the request id, and
 * no stack trace. Every failure is counted in {@code digits_failures_total{reason}};
 * client errors are logged at DEBUG, a client that went away once at INFO, and only
 * server errors at ERROR.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

	private static final Logger logger = LoggerFactory.getLogger(ProblemHandler.class);

	/** Set on a request once its failure was counted and logged. */
	static final String ANSWERED = ProblemHandler.class.getName() + ".answered";

	/**
	 * Set on a request whose body Tomcat's decoding refused; see
	 * {@link MalformedBodyValve}.
	 */
	static final String MALFORMED_BODY = ProblemHandler.class.getName() + ".malformedBody";

	private final MeterRegistry registry;

	private final ApiProperties properties;

	private final ConcurrentMap<ProblemKind, Counter> failures = new ConcurrentHashMap<>();

	ProblemHandler(MeterRegistry registry, ApiProperties properties) {
		this.registry = registry;
		this.properties = properties;
	}

	/**
	 * Every exception a handler lets out, answered by {@link #classify}; Spring MVC's own
	 * (415, 405, 400 of binding...) reach {@link #handleExceptionInternal} first, through
	 * the handlers {@link ResponseEntityExceptionHandler} declares for them.
	 */
	@ExceptionHandler(Exception.class)
	ResponseEntity<ProblemDetail> handle(Exception ex, HttpServletRequest request) {
		return classify(ex, request);
	}

	/** A failure of the service's own, whatever the protocol: its kind and its detail. */
	record Failure(ProblemKind kind, String detail) {
	}

	/**
	 * The kind and detail of the service's own exceptions (what a request asked for that
	 * the service refuses, and why), or null for any other exception. Shared by every
	 * protocol: HTTP answers them through {@link #classify}, gRPC through its status
	 * codes.
	 */
	static Failure known(Exception ex) {
		if (ex instanceof PreprocessingException preprocessing) {
			return new Failure(ProblemKind.of(preprocessing.reason()), ex.getMessage());
		}
		if (ex instanceof TooLargeException) {
			return new Failure(ProblemKind.TOO_LARGE, ex.getMessage());
		}
		if (ex instanceof DataPlane.InvalidInferenceException) {
			return new Failure(ProblemKind.BAD_REQUEST, ex.getMessage());
		}
		if (ex instanceof OverloadedException) {
			return new Failure(ProblemKind.OVERLOADED, ex.getMessage() + "; retry shortly");
		}
		if (ex instanceof UnknownVersionException || ex instanceof DataPlane.UnknownModelException) {
			return new Failure(ProblemKind.UNKNOWN_VERSION, ex.getMessage());
		}
		if (ex instanceof PolicyConflictException) {
			return new Failure(ProblemKind.CONFLICT, ex.getMessage());
		}
		if (ex instanceof ModelRepositoryExtension.LoadFailedException) {
			return new Failure(ProblemKind.MODEL_LOAD_FAILED, ex.getMessage());
		}
		if (ex instanceof FeedbackException feedback) {
			ProblemKind kind = switch (feedback.kind()) {
				case INVALID -> ProblemKind.FEEDBACK_INVALID;
				case EXPIRED -> ProblemKind.FEEDBACK_EXPIRED;
				case REPLAYED -> ProblemKind.FEEDBACK_REPLAYED;
				case RATE_LIMITED -> ProblemKind.FEEDBACK_RATE_LIMITED;
			};
			return new Failure(kind, ex.getMessage());
		}
		if (ex instanceof NotReadyException) {
			return new Failure(ProblemKind.MODEL_NOT_READY, ex.getMessage());
		}
		return null;
	}

	/**
	 * The one classifier of failures, for every protocol: a kind (its status, type and
	 * reason) and a detail for the client, counted and logged as {@link #respond} does. A
	 * body that failed while being read (the client went away, a limit was crossed, the
	 * encoding was malformed) wins over whatever its reader wrapped it in; an exception
	 * nothing names is a server failure, logged with its stack trace, and never shown.
	 * {@link InferenceProtocolErrors} renders the same answer in the Open Inference
	 * Protocol's form.
	 */
	ResponseEntity<ProblemDetail> classify(Exception ex, HttpServletRequest request) {
		Failure known = known(ex);
		if (known != null) {
			return problem(known.kind(), known.detail(), request);
		}
		// the service's own exceptions above say what failed (a truncated PNG's decoder
		// ends with an EOFException that is no client going away); what the body's
		// readers
		// throw may wrap a body that failed while being read
		ResponseEntity<ProblemDetail> failed = ifBodyFailed(ex, request);
		if (failed != null) {
			return failed;
		}
		if (ex instanceof MultipartException multipart) {
			// malformed multipart bodies: no boundary, truncated, too many parts,
			// oversized
			// part headers
			return problem(multipartKind(multipart), multipartDetail(multipart), request);
		}
		if (ex instanceof JacksonException json) {
			// JSON that does not parse (bodies read by PredictionBodies and OipBodies)
			String where = json instanceof StreamReadException read && read.getLocation() != null
					? " (line " + read.getLocation().getLineNr() + ", column " + read.getLocation().getColumnNr() + ")"
					: "";
			return problem(ProblemKind.BAD_REQUEST, "The request body is not valid JSON" + where + ".", request);
		}
		if (ex instanceof org.springframework.web.ErrorResponse) {
			// Spring MVC's own, thrown where a protocol's advice caught it first
			try {
				ResponseEntity<Object> framework = handleException(ex, new ServletWebRequest(request));
				if (framework != null && framework.getBody() instanceof ProblemDetail body) {
					return ResponseEntity.status(framework.getStatusCode()).headers(framework.getHeaders()).body(body);
				}
			}
			catch (Exception unhandled) {
				// not one ResponseEntityExceptionHandler knows: a server failure below
			}
		}
		logger.error("unexpected failure of {} {}", request.getMethod(), request.getRequestURI(), ex);
		return problem(ProblemKind.INTERNAL, "the service failed to answer; the request id identifies it in the logs",
				request);
	}

	ResponseEntity<ProblemDetail> problem(ProblemKind kind, String detail, HttpServletRequest request) {
		ProblemDetail body = ProblemDetail.forStatusAndDetail(kind.status, detail);
		return respond(kind, body, new HttpHeaders(), request);
	}

	/**
	 * Spring MVC's own exceptions (415, 413, 400, 404, 405...) get the same treatment.
	 */
	@Override
	protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
			HttpStatusCode statusCode, WebRequest request) {
		HttpServletRequest servletRequest = ((ServletWebRequest) request).getRequest();
		ResponseEntity<ProblemDetail> special = ifBodyFailed(ex, servletRequest);
		if (special == null && ex instanceof MaxUploadSizeExceededException upload) {
			special = problem(multipartKind(upload), multipartDetail(upload), servletRequest);
		}
		if (special != null) {
			return ResponseEntity.status(special.getStatusCode()).headers(special.getHeaders()).body(special.getBody());
		}
		ProblemKind kind = ProblemKind.of(statusCode);
		ProblemDetail problem = body instanceof ProblemDetail p ? p
				: ProblemDetail.forStatusAndDetail(statusCode, ex.getMessage());
		if (kind == ProblemKind.BAD_REQUEST || kind == ProblemKind.INVALID_PIXELS) {
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

	private ResponseEntity<ProblemDetail> respond(ProblemKind kind, ProblemDetail body, HttpHeaders headers,
			HttpServletRequest request) {
		body.setType(kind.type());
		body.setTitle(kind.title);
		body.setInstance(URI.create(request.getRequestURI()));
		body.setProperty("requestId", RequestIdFilter.of(request));
		body.setProperty("reason", kind.reason());
		count(kind);
		request.setAttribute(ANSWERED, kind);
		if (kind.status.is4xxClientError() && kind != ProblemKind.CLIENT_ABORTED) {
			logger.debug("{} {} answered {} {}: {}", request.getMethod(), request.getRequestURI(), kind.status.value(),
					kind.slug, body.getDetail());
		}
		if (kind.status == HttpStatus.SERVICE_UNAVAILABLE) {
			headers.set(HttpHeaders.RETRY_AFTER, "1");
		}
		if (bodyLeftUnread(request)) {
			// reading stopped early (a limit, or the first invalid value): close rather
			// than drain the rest
			headers.set(HttpHeaders.CONNECTION, "close");
		}
		headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
		return ResponseEntity.status(body.getStatus()).headers(headers).body(body);
	}

	private static boolean bodyLeftUnread(HttpServletRequest request) {
		if (request.getContentLengthLong() <= 0 && request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null) {
			return false;
		}
		try {
			return !request.getInputStream().isFinished();
		}
		catch (IOException | IllegalStateException ex) {
			return true;
		}
	}

	void count(ProblemKind kind) {
		failures
			.computeIfAbsent(kind,
					k -> Counter.builder("digits.failures")
						.description("Failed requests, by reason")
						.tag("reason", k.reason())
						.register(registry))
			.increment();
	}

	/**
	 * The client went away, or its body broke a limit while being read: found anywhere in
	 * the cause chain, since readers wrap what the servlet stream throws.
	 */
	ResponseEntity<ProblemDetail> ifBodyFailed(Throwable ex, HttpServletRequest request) {
		ResponseEntity<ProblemDetail> aborted = ifClientAborted(ex, request);
		if (aborted != null) {
			return aborted;
		}
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof RequestBodyLimitFilter.BodyTooLargeException tooLarge) {
				return problem(ProblemKind.TOO_LARGE, tooLarge.getMessage(), request);
			}
			if (t instanceof RequestBodyLimitFilter.BodyBudgetException busy) {
				return problem(ProblemKind.OVERLOADED, busy.getMessage(), request);
			}
			if (t instanceof RequestBodyLimitFilter.SlowBodyException slow) {
				request.setAttribute(MALFORMED_BODY, Boolean.TRUE); // the rest of it is
																	// not read: close
				return problem(ProblemKind.SLOW_BODY, slow.getMessage(), request);
			}
		}
		String malformed = malformedBody(ex);
		if (malformed != null) {
			request.setAttribute(MALFORMED_BODY, Boolean.TRUE);
			malformedLog.log(request.getRemoteAddr(), () -> logger.info(
					"malformed request body from {} on {} {} ({}); further ones from this client are not logged for {} s",
					request.getRemoteAddr(), request.getMethod(), request.getRequestURI(), malformed,
					OncePerClient.INTERVAL.toSeconds()));
			return problem(ProblemKind.BAD_REQUEST, "The request body's transfer encoding is malformed or over the "
					+ "server's limits (" + malformed + "); the connection is closed.", request);
		}
		return null;
	}

	private final OncePerClient malformedLog = new OncePerClient();

	/**
	 * What Tomcat's body decoding refused, if that is why {@code ex} was thrown: a
	 * {@code BadRequestException} (bad chunk header, chunk-size overflow, a chunk
	 * extension over its limit, a malformed trailer), or anything thrown from inside its
	 * input filters (too many trailer headers surfaces as an IllegalStateException, and
	 * the next read of the same broken stream as a NullPointerException). Client errors,
	 * not server failures.
	 */
	static String malformedBody(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof org.apache.coyote.BadRequestException) {
				return t.getMessage() != null && !t.getMessage().isBlank() ? t.getMessage() : "bad request body";
			}
			for (StackTraceElement frame : t.getStackTrace()) {
				if (frame.getClassName().startsWith("org.apache.coyote.http11.filters.")) {
					return "malformed chunked body or trailer";
				}
			}
		}
		return null;
	}

	/**
	 * Lets one log line through per client address and interval, so that a client
	 * repeating a malformed request cannot multiply the log; remembers at most
	 * {@link #MAX_CLIENTS} addresses.
	 */
	static final class OncePerClient {

		static final java.time.Duration INTERVAL = java.time.Duration.ofMinutes(1);

		static final int MAX_CLIENTS = 10_000;

		private final ConcurrentMap<String, Long> last = new ConcurrentHashMap<>();

		void log(String client, Runnable line) {
			long now = System.nanoTime();
			if (last.size() >= MAX_CLIENTS) {
				last.clear();
			}
			Long previous = last.get(client);
			if (previous != null && now - previous < INTERVAL.toNanos()) {
				return;
			}
			if (previous == null ? last.putIfAbsent(client, now) == null : last.replace(client, previous, now)) {
				line.run();
			}
		}

		int size() {
			return last.size();
		}

	}

	private ResponseEntity<ProblemDetail> ifClientAborted(Throwable ex, HttpServletRequest request) {
		if (!isClientAbort(ex)) {
			return null;
		}
		logger.info("client went away during {} {} ({})", request.getMethod(), request.getRequestURI(),
				rootMessage(ex));
		return problem(ProblemKind.CLIENT_ABORTED, "The connection closed before the request was read.", request);
	}

	/**
	 * Tomcat's {@code ClientAbortException}, or an end of stream or timeout while reading
	 * the body.
	 */
	static boolean isClientAbort(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t.getClass().getSimpleName().equals("ClientAbortException") || t instanceof EOFException
					|| t instanceof SocketTimeoutException) {
				return true;
			}
		}
		return false;
	}

	private static String rootMessage(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null) {
			root = root.getCause();
		}
		return root.getClass().getSimpleName() + (root.getMessage() != null ? ": " + root.getMessage() : "");
	}

	private static ProblemKind multipartKind(MultipartException ex) {
		return ex instanceof MaxUploadSizeExceededException
				|| ex instanceof StreamingMultipartResolver.TooManyPartsException ? ProblemKind.TOO_LARGE
						: ProblemKind.BAD_REQUEST;
	}

	private String multipartDetail(MultipartException ex) {
		if (ex instanceof StreamingMultipartResolver.TooManyPartsException) {
			return ex.getMessage();
		}
		if (ex instanceof MaxUploadSizeExceededException) {
			return "The upload is too large: each image may have at most " + properties.maxImageSize().toBytes()
					+ " bytes and a multipart request at most " + properties.maxMultipartSize().toBytes() + " bytes.";
		}
		String message = rootMessageText(ex);
		if (message.contains("boundary")) {
			return "The multipart body has no boundary: send Content-Type multipart/form-data; boundary=...";
		}
		if (message.contains("Header section")) {
			return "A part's headers are too long (a very long file name?).";
		}
		return "The multipart body is malformed or truncated.";
	}

	private static String rootMessageText(Throwable ex) {
		StringBuilder all = new StringBuilder();
		for (Throwable t = ex; t != null; t = t.getCause()) {
			all.append(t.getMessage()).append(' ');
		}
		return all.toString();
	}

	private static String clientDetail(Exception ex, String detail) {
		if (ex instanceof org.springframework.http.converter.HttpMessageNotReadableException) {
			return "the request body is not valid JSON of the expected shape";
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
