package dev.digits.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * What a handler is for, read by the filters that treat endpoints differently (timing and
 * shedding predictions, answering in a protocol's error dialect) through
 * {@link EndpointRoles}, instead of each matching URL strings of its own. On a controller
 * it applies to every handler of it; on a method it overrides the controller's. Every
 * handler of this service declares one ({@code EndpointRolesTests} checks).
 */
@Target({ ElementType.TYPE, ElementType.METHOD })
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Endpoint {

	Role value();

	/** The error body the endpoint's clients expect. */
	Dialect dialect() default Dialect.PROBLEM;

	/**
	 * The {@code endpoint} tag of the request timer, for {@link Role#PREDICTION}s; empty:
	 * by the body's type ({@code image} or {@code pixels}).
	 */
	String metric() default "";

	/** The kinds of endpoint. */
	enum Role {

		/**
		 * Runs the network: timed as {@code digits.request}, refused early when the
		 * inference queue is full.
		 */
		PREDICTION,
		/** A client's report on an answer. */
		FEEDBACK,
		/** Reads the service's state (models, metadata, files); no side effects. */
		READ,
		/** Changes what is served; needs the admin token. */
		ADMIN,
		/** Liveness and readiness, for orchestrators. */
		PROBE,
		/** The same-run baseline of the benchmarks (a request that does nothing). */
		BENCHMARK,
		/** The error page the container forwards to. */
		ERROR

	}

	/** Error bodies. */
	enum Dialect {

		/** RFC 9457 problem details. */
		PROBLEM,
		/** The Open Inference Protocol's {@code {"error": "..."}}. */
		OIP

	}

}
