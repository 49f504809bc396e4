package dev.digits.api;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The servlet container's error page ({@code /error}): failures outside Spring MVC's
 * handlers (a filter that threw, {@code sendError} from the container) answered as
 * problem details like all others, instead of Spring Boot's default JSON or HTML page.
 */
@RestController
@Endpoint(Endpoint.Role.ERROR)
class ProblemErrorController implements ErrorController {

	private final ProblemHandler problems;

	ProblemErrorController(ProblemHandler problems) {
		this.problems = problems;
	}

	@RequestMapping("${server.error.path:/error}")
	ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
		Object exception = request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
		if (exception instanceof Exception ex) {
			if (ProblemHandler.isClientAbort(ex) && request.getAttribute(ProblemHandler.ANSWERED) != null) {
				// already counted and logged; the client is not there to read anything
				return ResponseEntity.status(HttpStatus.BAD_REQUEST).build();
			}
			return problems.classify(ex, request);
		}
		Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
		HttpStatus status = code instanceof Integer value ? HttpStatus.resolve(value) : null;
		if (status == null || !status.isError()) {
			status = HttpStatus.NOT_FOUND; // /error requested directly
		}
		ProblemKind kind = ProblemKind.of(status);
		Object message = request.getAttribute(RequestDispatcher.ERROR_MESSAGE);
		String detail = message instanceof String text && !text.isBlank() ? text : status.getReasonPhrase();
		return problems.problem(kind, detail, request);
	}

}
