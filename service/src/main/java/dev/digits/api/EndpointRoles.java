package dev.digits.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;
import org.springframework.web.util.pattern.PathPattern;

/**
 * The {@link Endpoint} of a request, from the handler mappings Spring MVC built from the
 * controllers, before the request reaches them (filters run first): the paths and methods
 * of every handler, with its role, matched against the request. So a filter asks "is this
 * a prediction?", and the answer follows the controllers' own mappings, with no list of
 * URL strings to keep in step. The table is built on first use (the mappings exist once
 * the context has started) and the answer is kept on the request, so a request is matched
 * once whatever asks. One bean: every filter and the security chain share its table.
 */
@Component
public final class EndpointRoles {

	/** A handler's paths and methods, and its endpoint. */
	record Route(Set<RequestMethod> methods, List<PathPattern> patterns, Endpoint endpoint, HandlerMethod handler) {

		boolean matches(String method, PathContainer path) {
			RequestMethod requested = RequestMethod.resolve(method);
			if (!methods.isEmpty() && (requested == null || !methods.contains(requested))) {
				return false;
			}
			for (PathPattern pattern : patterns) {
				if (pattern.matches(path)) {
					return true;
				}
			}
			return false;
		}

	}

	private static final String ATTRIBUTE = EndpointRoles.class.getName() + ".endpoint";

	/** Kept on a request that matched no handler. */
	private static final Object NONE = new Object();

	private final ObjectProvider<RequestMappingHandlerMapping> mapping;

	private volatile List<Route> routes;

	public EndpointRoles(
			@Qualifier("requestMappingHandlerMapping") ObjectProvider<RequestMappingHandlerMapping> mapping) {
		this.mapping = mapping;
	}

	/** The endpoint {@code request} is for, or null when no handler of the service is. */
	public Endpoint of(HttpServletRequest request) {
		Object known = request.getAttribute(ATTRIBUTE);
		if (known != null) {
			return (known == NONE) ? null : (Endpoint) known;
		}
		// the path within the application, as the mappings are written
		String uri = request.getRequestURI();
		String context = request.getContextPath();
		Endpoint endpoint = lookUp(request.getMethod(),
				(context != null && !context.isEmpty() && uri.startsWith(context)) ? uri.substring(context.length())
						: uri);
		request.setAttribute(ATTRIBUTE, (endpoint != null) ? endpoint : NONE);
		return endpoint;
	}

	/** Whether {@code request} is for a handler of {@code role}. */
	public boolean is(HttpServletRequest request, Endpoint.Role role) {
		Endpoint endpoint = of(request);
		return endpoint != null && endpoint.value() == role;
	}

	/** Whether {@code request}'s errors are answered in {@code dialect}. */
	public boolean speaks(HttpServletRequest request, Endpoint.Dialect dialect) {
		Endpoint endpoint = of(request);
		return (endpoint != null ? endpoint.dialect() : Endpoint.Dialect.PROBLEM) == dialect;
	}

	Endpoint lookUp(String method, String uri) {
		PathContainer path = PathContainer.parsePath(uri);
		for (Route route : routes()) {
			if (route.matches(method, path)) {
				return route.endpoint();
			}
		}
		return null;
	}

	/** Every handler of the service's controllers, and its endpoint. */
	List<Route> routes() {
		List<Route> built = this.routes;
		if (built == null) {
			built = build(this.mapping.getObject());
			this.routes = built;
		}
		return built;
	}

	private static List<Route> build(RequestMappingHandlerMapping mapping) {
		List<Route> routes = new ArrayList<>();
		mapping.getHandlerMethods().forEach((info, handler) -> {
			Endpoint endpoint = endpointOf(handler);
			List<PathPattern> patterns = patterns(info);
			if (endpoint != null && !patterns.isEmpty()) {
				routes.add(new Route(info.getMethodsCondition().getMethods(), patterns, endpoint, handler));
			}
		});
		return List.copyOf(routes);
	}

	/** The method's {@link Endpoint}, else its controller's, else null. */
	static Endpoint endpointOf(HandlerMethod handler) {
		Endpoint onMethod = AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(), Endpoint.class);
		return (onMethod != null) ? onMethod
				: AnnotatedElementUtils.findMergedAnnotation(handler.getBeanType(), Endpoint.class);
	}

	private static List<PathPattern> patterns(RequestMappingInfo info) {
		return (info.getPathPatternsCondition() != null) ? List.copyOf(info.getPathPatternsCondition().getPatterns())
				: List.of();
	}

}
