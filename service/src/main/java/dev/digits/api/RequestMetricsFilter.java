package dev.digits.api;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Times every HTTP prediction request end to end in {@link RequestMetrics}
 * ({@code digits_request_seconds{protocol="http"}}), tagged with the endpoint kind, the
 * outcome and the model version that answered.
 */
@Component
// explicit, so OverloadSheddingFilter can run inside it and its 503s are timed as
// "rejected"
@org.springframework.core.annotation.Order(org.springframework.core.Ordered.LOWEST_PRECEDENCE - 20)
class RequestMetricsFilter extends OncePerRequestFilter {

	private final RequestMetrics metrics;

	private final EndpointRoles endpoints;

	RequestMetricsFilter(RequestMetrics metrics, EndpointRoles endpoints) {
		this.metrics = metrics;
		this.endpoints = endpoints;
	}

	/** Times the requests that run inference ({@link Endpoint.Role#PREDICTION}). */
	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return !endpoints.is(request, Endpoint.Role.PREDICTION);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		long start = System.nanoTime();
		try {
			chain.doFilter(request, response);
		}
		finally {
			if (!SelfWarmUp.isWarmUp(request.getHeader(SelfWarmUp.HEADER))) {
				record(request, response, start);
			}
		}
	}

	private void record(HttpServletRequest request, HttpServletResponse response, long start) {
		Object attribute = request.getAttribute(InferenceRequests.ENDPOINT_ATTRIBUTE);
		String endpoint = attribute != null ? attribute.toString() : endpointOf(request);
		String outcome = outcome(response.getStatus());
		Object assigned = request.getAttribute(InferenceRequests.VERSION_ATTRIBUTE);
		String version = assigned != null ? assigned.toString() : "none";
		metrics.record(RequestMetrics.HTTP, endpoint, outcome, version, System.nanoTime() - start);
	}

	private String endpointOf(HttpServletRequest request) {
		Endpoint endpoint = endpoints.of(request);
		if (endpoint != null && !endpoint.metric().isEmpty()) {
			return endpoint.metric();
		}
		String type = request.getContentType();
		return type != null && type.startsWith("application/json") ? "pixels" : "image";
	}

	static String outcome(int status) {
		if (status == 503) {
			return "rejected";
		}
		if (status >= 500) {
			return "server_error";
		}
		return status >= 400 ? "client_error" : "success";
	}

}
