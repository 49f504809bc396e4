package dev.digits.api;

import java.io.IOException;
import java.util.concurrent.Semaphore;

import dev.digits.inference.DigitClassifier;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.function.SingletonSupplier;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Sheds a prediction request before its body is read when the inference queue is already
 * full: the same 503 {@code overloaded} answer (problem+json, or the Open Inference
 * Protocol's {@code {"error"}} under /v2, with {@code Retry-After: 1}) that the
 * classifier gives once the image has been decoded, but without spending a core on
 * decoding and preprocessing an image that would be refused anyway. Under overload that
 * decoding is what starves the inference workers (docs/BENCHMARKS.md, "Overload"). A
 * request that passes the check is handled as before, and may still be refused at the
 * queue if it filled meanwhile.
 * <p>
 * Runs inside {@link RequestMetricsFilter}, so the 503 is timed as
 * {@code outcome="rejected"}, and counted in
 * {@code digits_failures_total{reason="overloaded"}} like every other. A small body is
 * left to Tomcat to discard, so the connection stays open (a client's pool need not
 * reconnect under load); a large or chunked one closes the connection rather than being
 * read. A request for an explanation, which sends a forward pass's worth of images
 * through the queue, is refused while the queue has no room for that many.
 * {@code digits.api.shed-when-queue-full=false} turns that check off.
 * <p>
 * It also bounds the prediction requests in progress
 * ({@code digits.api.max-in-progress}): one past the bound is refused the same way, at
 * once. On Java 21+ the request threads are virtual, so nothing else bounds them, and an
 * open load above capacity (a fresh JVM at 1,000 requests a second) piled up 2,400
 * requests in progress, each holding Tomcat's buffers (about 50 KB), until the 384 MB
 * heap was gone and the JVM ended.
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE - 10)
class OverloadSheddingFilter extends OncePerRequestFilter {

	/**
	 * Bodies up to this size are swallowed by Tomcat and the connection kept; larger ones
	 * close it.
	 */
	static final long KEEP_ALIVE_BODY = 64 * 1024;

	/**
	 * The classifier, looked up once it exists: a bean-factory lookup on every request
	 * took 7% of the request threads' CPU samples of one client's predictions (JFR),
	 * although no change in throughput or latency was measurable on 2 shared cores.
	 */
	private final SingletonSupplier<DigitClassifier> classifier;

	private final ApiProperties properties;

	private final ProblemHandler problems;

	private final EndpointRoles endpoints;

	/** Permits for prediction requests in progress; null: no bound. */
	private final Semaphore inProgress;

	OverloadSheddingFilter(ObjectProvider<DigitClassifier> classifier, ApiProperties properties,
			ProblemHandler problems, EndpointRoles endpoints) {
		this.endpoints = endpoints;
		this.classifier = SingletonSupplier.of(classifier::getIfAvailable);
		this.properties = properties;
		this.problems = problems;
		this.inProgress = properties.maxInProgress() > 0 ? new Semaphore(properties.maxInProgress()) : null;
	}

	/**
	 * Whether the request asks for an explanation ({@code ?explain=}, or the v1 explain
	 * verb), read from the query string only: never the body.
	 */
	static boolean explains(HttpServletRequest request) {
		String query = request.getQueryString();
		return request.getRequestURI().endsWith(":explain")
				|| query != null && (query.startsWith("explain=") || query.contains("&explain="));
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !"POST".equals(request.getMethod()) || !endpoints.is(request, Endpoint.Role.PREDICTION);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (inProgress != null && !inProgress.tryAcquire()) {
			shed(request, response, properties.maxInProgress() + " prediction requests in progress; retry shortly");
			return;
		}
		DigitClassifier inference = classifier.get();
		if (inference != null) {
			inference.enterService();
		}
		try {
			// an explanation is heavier: it needs room for a forward pass's worth of
			// images
			int images = explains(request) ? (inference != null ? inference.properties().maxBatchSize() : 1) : 1;
			if (!properties.shedWhenQueueFull() || inference == null || !inference.queueFullFor(images)) {
				chain.doFilter(request, response);
				return;
			}
			shed(request, response, "inference queue full (" + inference.properties().queueCapacity()
					+ " images waiting); retry shortly");
		}
		finally {
			if (inference != null) {
				inference.leaveService();
			}
			if (inProgress != null) {
				inProgress.release();
			}
		}
	}

	private void shed(HttpServletRequest request, HttpServletResponse response, String detail) throws IOException {
		problems.count(ProblemKind.OVERLOADED);
		long length = request.getContentLengthLong();
		if (length < 0 || length > KEEP_ALIVE_BODY) {
			response.setHeader("Connection", "close");
		}
		ProblemKind.OVERLOADED.writeFor(endpoints.of(request).dialect(), request, response, detail);
	}

}
