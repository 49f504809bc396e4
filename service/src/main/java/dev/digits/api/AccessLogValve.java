package dev.digits.api;

import java.io.IOException;

import jakarta.servlet.ServletException;
import org.apache.catalina.AccessLog;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One log line per request on the logger {@code dev.digits.access}: method, path with the
 * names (never the values) of its query parameters, status, duration, body bytes read and
 * written, the model version that answered, the client's address; the request id, trace
 * and span ids, model version and outcome in the MDC like every other line of the
 * request, and the same facts as key-value pairs with ECS names for structured logs.
 * Probes and scrapes ({@code /readyz} and {@code /livez} here; the management port's
 * {@code /actuator/**} has no access log) are logged at DEBUG, everything else at INFO;
 * the logger's level turns either off, at the cost of one level check per request.
 * <p>
 * A Tomcat access log rather than a servlet filter, so that it sees what a filter cannot:
 * requests Tomcat answers itself (a malformed request line, HTTP/0.9), the final status
 * after error pages, and the bytes actually read and written, counted by Tomcat (no
 * wrapped streams). It runs after the response is complete, on the request's thread, once
 * its span and filters are done: the request id, model version and trace ids come from
 * request attributes the filters left.
 */
public class AccessLogValve extends ValveBase implements AccessLog {

	private static final Logger logger = LoggerFactory.getLogger("dev.digits.access");

	private static final int MAX_PATH = 512;

	private static final int MAX_QUERY_NAMES = 16;

	private static final int MAX_QUERY_NAME = 64;

	private boolean requestAttributesEnabled;

	public AccessLogValve() {
		super(true);
	}

	@Override
	public void invoke(Request request, Response response) throws IOException, ServletException {
		getNext().invoke(request, response);
	}

	@Override
	public void log(Request request, Response response, long time) {
		String path = request.getRequestURI();
		boolean probe = dev.digits.system.Probes.isProbe(path)
				|| SelfWarmUp.isWarmUp(request.getHeader(SelfWarmUp.HEADER));
		if (probe ? !logger.isDebugEnabled() : !logger.isInfoEnabled()) {
			return;
		}
		String method = request.getMethod() != null ? request.getMethod() : "-";
		path = path == null || path.isEmpty() ? "-" : abbreviate(path, MAX_PATH);
		String query = queryNames(request.getQueryString());
		int status = response.getStatus();
		long in = request.getCoyoteRequest().getBytesRead();
		long out = response.getBytesWritten(false);
		String client = request.getRemoteAddr();
		String requestId = attribute(request, RequestIdFilter.ATTRIBUTE);
		String version = attribute(request, InferenceRequests.VERSION_ATTRIBUTE);
		String traceId = attribute(request, TraceIdFilter.TRACE_ID);
		String outcome = RequestMetricsFilter.outcome(status);
		StringBuilder message = new StringBuilder(128).append(method).append(' ').append(path);
		if (query != null) {
			message.append('?').append(query);
		}
		message.append(' ')
			.append(status)
			.append(' ')
			.append(millis(time))
			.append(" ms in=")
			.append(in)
			.append(" out=")
			.append(out);
		if (version != null) {
			message.append(" model=").append(version);
		}
		message.append(" client=").append(client);
		put("requestId", requestId);
		put("traceId", traceId);
		put("spanId", attribute(request, TraceIdFilter.SPAN_ID));
		put(RequestIdFilter.MODEL_VERSION_MDC, version);
		MDC.put("outcome", outcome);
		try {
			LoggingEventBuilder event = (probe ? logger.atDebug() : logger.atInfo())
				.addKeyValue("http.request.method", method)
				.addKeyValue("url.path", path);
			if (query != null) {
				event.addKeyValue("url.query", query);
			}
			event.addKeyValue("http.response.status_code", status)
				.addKeyValue("event.duration", time)
				.addKeyValue("http.request.body.bytes", in)
				.addKeyValue("http.response.body.bytes", out)
				.addKeyValue("client.address", client)
				.log(message.toString());
		}
		finally {
			MDC.remove("requestId");
			MDC.remove("traceId");
			MDC.remove("spanId");
			MDC.remove(RequestIdFilter.MODEL_VERSION_MDC);
			MDC.remove("outcome");
		}
	}

	/**
	 * {@code a=1&b=2&a=3} as {@code a&b&a}: which parameters were sent, never what they
	 * said.
	 */
	static String queryNames(String query) {
		if (query == null || query.isEmpty()) {
			return null;
		}
		StringBuilder names = new StringBuilder();
		int count = 0;
		for (String pair : query.split("&", MAX_QUERY_NAMES + 1)) {
			if (pair.isEmpty()) {
				continue;
			}
			if (++count > MAX_QUERY_NAMES) {
				names.append("&...");
				break;
			}
			int eq = pair.indexOf('=');
			String name = eq >= 0 ? pair.substring(0, eq) : pair;
			if (names.length() > 0) {
				names.append('&');
			}
			names.append(abbreviate(name, MAX_QUERY_NAME));
		}
		return names.length() > 0 ? names.toString() : null;
	}

	private static String abbreviate(String text, int max) {
		return text.length() > max ? text.substring(0, max) + "..." : text;
	}

	private static String millis(long nanos) {
		return String.valueOf(Math.round(nanos / 1_000.0) / 1_000.0);
	}

	private static String attribute(Request request, String name) {
		Object value = request.getAttribute(name);
		return value != null ? value.toString() : null;
	}

	private static void put(String key, String value) {
		if (value != null) {
			MDC.put(key, value);
		}
	}

	@Override
	public void setRequestAttributesEnabled(boolean enabled) {
		this.requestAttributesEnabled = enabled;
	}

	@Override
	public boolean getRequestAttributesEnabled() {
		return requestAttributesEnabled;
	}

}
