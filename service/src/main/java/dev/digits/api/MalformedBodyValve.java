package dev.digits.api;

import java.io.IOException;

import jakarta.servlet.ServletException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;

/**
 * After a request whose body Tomcat's decoding refused (a malformed chunk header or
 * trailer, see {@link ProblemHandler#malformedBody}), tells Tomcat not to drain the rest
 * of that body: the answer (400, problem+json) is still written, then the connection
 * closes. Without this Tomcat swallows the remaining input after the response, re-enters
 * its chunked decoder in the state the error left it in, and logs an ERROR with a stack
 * trace (a NullPointerException in its trailer parser) for a request that is the client's
 * fault.
 */
public class MalformedBodyValve extends ValveBase {

	public MalformedBodyValve() {
		super(true);
	}

	@Override
	public void invoke(Request request, Response response) throws IOException, ServletException {
		try {
			getNext().invoke(request, response);
		}
		finally {
			if (request.getAttribute(ProblemHandler.MALFORMED_BODY) != null) {
				request.getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
			}
		}
	}

}
