package dev.digits.api;

import java.io.IOException;

import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * With tracing on, answers the request's trace id in {@code X-Trace-Id} (the id to look
 * the request up in the tracing backend, sampled or not: the logs carry it either way)
 * and keeps it and the server span's id for the access log, which is written after the
 * span has ended. Runs inside Boot's {@code ServerHttpObservationFilter} (order
 * {@code HIGHEST_PRECEDENCE + 1}), which starts the server span, continuing the caller's
 * {@code traceparent}. With tracing off it is skipped.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class TraceIdFilter extends OncePerRequestFilter {

	static final String HEADER = "X-Trace-Id";

	static final String TRACE_ID = TraceIdFilter.class.getName() + ".traceId";

	static final String SPAN_ID = TraceIdFilter.class.getName() + ".spanId";

	private final Tracer tracer;

	TraceIdFilter(ObjectProvider<Tracer> tracer) {
		this.tracer = tracer.getIfAvailable(() -> Tracer.NOOP);
	}

	@Override
	protected boolean shouldNotFilter(HttpServletRequest request) {
		return tracer == Tracer.NOOP;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		TraceContext context = tracer.currentTraceContext().context();
		if (context != null) {
			response.setHeader(HEADER, context.traceId());
			request.setAttribute(TRACE_ID, context.traceId());
			request.setAttribute(SPAN_ID, context.spanId());
		}
		chain.doFilter(request, response);
	}

}
