package dev.digits.api;

import java.io.IOException;

import jakarta.servlet.http.HttpServletResponse;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.HttpStatus;

/**
 * Tomcat's last word, for errors no servlet saw (a malformed request line, HTTP/0.9, an
 * invalid header, a transfer coding it does not implement): a problem+json body like
 * every other error, instead of Tomcat's HTML report page, with the status Tomcat chose
 * (400, 501...). Nothing is logged here: the access log has the one line per request.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

	@Override
	protected void report(Request request, Response response, Throwable throwable) {
		int status = response.getStatus();
		if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
			return;
		}
		HttpStatus resolved = HttpStatus.resolve(status);
		ProblemKind kind = resolved != null ? ProblemKind.of(resolved) : ProblemKind.BAD_REQUEST;
		String detail = resolved != null ? resolved.getReasonPhrase() : "Bad request";
		if (status == HttpStatus.NOT_IMPLEMENTED.value()) {
			// Tomcat's answer to a transfer coding (or a method) it does not implement
			detail = "Not implemented: send the body with Content-Length or Transfer-Encoding: chunked";
		}
		try {
			HttpServletResponse servletResponse = response.getResponse();
			servletResponse.resetBuffer();
			kind.write(servletResponse, detail + " (the server could not read the request)", null, null);
			response.finishResponse();
		}
		catch (IOException | IllegalStateException ex) {
			// the connection is gone or the response committed; nothing more to say
		}
	}

}
