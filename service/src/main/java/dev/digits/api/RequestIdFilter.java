package dev.digits.api;

import java.io.IOException;
import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id: the client's {@code X-Request-Id} when it is a sensible
 * token, else a new UUID. Echoed in the response header, in every response body, and in
 * the logs (MDC {@code requestId}, and {@code modelVersion} once a version is assigned,
 * both removed when the request is done).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestIdFilter extends OncePerRequestFilter {

	static final String HEADER = "X-Request-Id";

	static final String ATTRIBUTE = RequestIdFilter.class.getName() + ".id";

	/**
	 * The model version that answers, in the logs from the moment it is assigned (set by
	 * the controllers).
	 */
	static final String MODEL_VERSION_MDC = "modelVersion";

	private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		Object known = request.getAttribute(ATTRIBUTE); // an error dispatch of a request
														// already seen
		String id = known != null ? known.toString() : request.getHeader(HEADER);
		if (id == null || !SAFE.matcher(id).matches()) {
			id = UUID.randomUUID().toString();
		}
		String protocol = request.getProtocol();
		if (protocol == null || !(protocol.startsWith("HTTP/1.") || protocol.startsWith("HTTP/2"))) {
			// no status line and no headers can be sent: refuse to serve anything
			response.getOutputStream()
				.write(ProblemKind.BAD_REQUEST.body(400,
						"HTTP/0.9 (a request line without a version) is not supported: use HTTP/1.1 or later.",
						request.getRequestURI(), id));
			return;
		}
		request.setAttribute(ATTRIBUTE, id);
		response.setHeader(HEADER, id);
		MDC.put("requestId", id);
		try {
			chain.doFilter(request, response);
		}
		finally {
			MDC.remove("requestId");
			MDC.remove(MODEL_VERSION_MDC);
		}
	}

	/** Also on the error page's dispatch, so what it logs carries the id. */
	@Override
	protected boolean shouldNotFilterErrorDispatch() {
		return false;
	}

	static String of(HttpServletRequest request) {
		Object id = request.getAttribute(ATTRIBUTE);
		return id != null ? id.toString() : "none";
	}

}
