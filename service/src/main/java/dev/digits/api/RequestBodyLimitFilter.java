package dev.digits.api;

import java.io.IOException;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bounds every request body before anything reads it: a body over its content type's
 * limit is refused with 413 from its {@code Content-Length}, unread; a body without one
 * (chunked) is cut off with 413 at the limit while it is read. And all bodies in flight
 * together may hold at most {@link ApiProperties#maxBodiesInFlight()} bytes: a request
 * that finds no room within {@link ApiProperties#admissionWait()} is answered 503 at
 * once, so two hundred request threads cannot together hold more memory than that,
 * whatever they were sent.
 * <p>
 * A JSON or raw image body reserves that budget as its bytes arrive ({@value #STEP} bytes
 * at a time), not from its declared length when it starts, so a client that sends slowly
 * holds only what it has sent: eight sockets declaring 8 MB and sending a byte every few
 * seconds no longer take the budget from everyone else. A body that finds no room for its
 * next step within the admission wait is answered 503. Multipart bodies are no exception:
 * {@link StreamingMultipartResolver} parses them from this filter's stream.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class RequestBodyLimitFilter extends OncePerRequestFilter {

	/** A body that grew past its limit while being read. */
	static final class BodyTooLargeException extends IOException {

		BodyTooLargeException(String message) {
			super(message);
		}

	}

	private static final int UNIT = 1024;

	/** A body arriving slower than the configured minimum rate, past its grace. */
	static final class SlowBodyException extends IOException {

		SlowBodyException(String message) {
			super(message);
		}

	}

	/** Bytes a streamed body reserves at a time. */
	static final int STEP = 64 * 1024;

	/** No room in the budget for the next bytes of a body already being read. */
	static final class BodyBudgetException extends IOException {

		BodyBudgetException(String message) {
			super(message);
		}

	}

	private final ApiProperties properties;

	private final Semaphore inFlight;

	private final int capacityUnits;

	private final ProblemHandler problems;

	private final EndpointRoles endpoints;

	RequestBodyLimitFilter(ApiProperties properties, ProblemHandler problems, EndpointRoles endpoints) {
		this.endpoints = endpoints;
		this.properties = properties;
		this.problems = problems;
		this.capacityUnits = (int) Math.min(Integer.MAX_VALUE, properties.maxBodiesInFlight().toBytes() / UNIT);
		this.inFlight = new Semaphore(capacityUnits, true);
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		long declared = request.getContentLengthLong();
		boolean chunked = declared < 0 && request.getHeader("Transfer-Encoding") != null;
		if (declared <= 0 && !chunked) {
			chain.doFilter(request, response);
			return;
		}
		String type = request.getContentType() == null ? "" : request.getContentType().toLowerCase(Locale.ROOT);
		long limit = limitFor(type);
		if (declared > limit) {
			refuse(request, response, ProblemKind.TOO_LARGE, "The body is " + declared + " bytes; at most " + limit
					+ " are accepted for " + describe(type) + ".");
			return;
		}
		long reserve = declared > 0 ? declared : limit;
		Reservation reservation = new Reservation(reserve);
		if (!reservation.grow(Math.min(reserve, STEP))) {
			refuse(request, response, ProblemKind.OVERLOADED, BUSY);
			return;
		}
		try {
			chain.doFilter(new Limited(request, limit, describe(type), reservation, pace()), response);
		}
		finally {
			reservation.release();
		}
	}

	/**
	 * The minimum rate, as a check of bytes read so far against the time since the body
	 * started.
	 */
	private Pace pace() {
		return new Pace(System.nanoTime(), properties.bodyGrace().toNanos(), properties.minBodyRate().toBytes());
	}

	/** The body's start, its grace and its minimum rate in bytes a second. */
	record Pace(long startNanos, long graceNanos, long bytesPerSecond) {

		/**
		 * Throws when {@code read} bytes at {@code now} are behind the minimum rate past
		 * the grace.
		 */
		void check(long read, long now) throws SlowBodyException {
			long elapsed = now - startNanos;
			if (elapsed > graceNanos && read < bytesPerSecond * (elapsed / 1_000_000_000.0)) {
				throw new SlowBodyException("The body arrived at " + (long) (read / (elapsed / 1e9))
						+ " bytes a second; " + "at least " + bytesPerSecond + " are required after the first "
						+ graceNanos / 1_000_000_000L + " s. The connection is closed.");
			}
		}

	}

	/** The request attribute that holds the refusal the body's stream threw, if any. */
	private static final String FAILURE = RequestBodyLimitFilter.class.getName() + ".failure";

	/**
	 * Why the body's stream refused to go on (too large, too slow, no budget), if it did:
	 * for readers that swallow what the stream throws (a multipart parser takes any read
	 * failure before the first boundary for "no parts").
	 */
	static java.util.Optional<IOException> failure(HttpServletRequest request) {
		return java.util.Optional.ofNullable((IOException) request.getAttribute(FAILURE));
	}

	private static final String BUSY = "The server holds as many request bodies as it allows at once; retry shortly.";

	/** The part of the in-flight budget one body holds, grown as its bytes arrive. */
	private final class Reservation {

		private final long most;

		private int units;

		private long bytes;

		Reservation(long most) {
			this.most = most;
		}

		/**
		 * Covers {@code needed} bytes (at most the body's whole reservation); false if no
		 * room in time.
		 */
		boolean grow(long needed) {
			if (needed <= bytes || bytes >= most) {
				return true;
			}
			long target = Math.min(most, Math.max(needed, bytes + STEP));
			int total = (int) Math.min(capacityUnits, (target + UNIT - 1) / UNIT);
			int more = total - units;
			if (more <= 0) {
				bytes = target;
				return true;
			}
			try {
				if (!inFlight.tryAcquire(more, properties.admissionWait().toNanos(), TimeUnit.NANOSECONDS)) {
					return false;
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return false;
			}
			units = total;
			bytes = target;
			return true;
		}

		void release() {
			inFlight.release(units);
			units = 0;
		}

	}

	private long limitFor(String type) {
		if (type.startsWith("multipart/")) {
			return properties.maxMultipartSize().toBytes();
		}
		if (type.startsWith("image/") || type.startsWith("application/octet-stream")) {
			return properties.maxImageSize().toBytes();
		}
		return properties.maxJsonSize().toBytes();
	}

	private static String describe(String type) {
		int semicolon = type.indexOf(';');
		String bare = (semicolon >= 0 ? type.substring(0, semicolon) : type).trim();
		return bare.isEmpty() ? "a body without a content type" : bare;
	}

	/**
	 * Answers without reading the body, and closes the connection rather than drain it.
	 */
	private void refuse(HttpServletRequest request, HttpServletResponse response, ProblemKind kind, String detail)
			throws IOException {
		problems.count(kind);
		response.setHeader("Connection", "close");
		Endpoint endpoint = endpoints.of(request);
		kind.writeFor((endpoint != null) ? endpoint.dialect() : Endpoint.Dialect.PROBLEM, request, response, detail);
	}

	/**
	 * The request with its input stream cut off past {@code limit} bytes, reserving the
	 * budget as its bytes arrive.
	 */
	private static final class Limited extends HttpServletRequestWrapper {

		private final ServletInputStream stream;

		Limited(HttpServletRequest request, long limit, String type, Reservation reservation, Pace pace)
				throws IOException {
			super(request);
			ServletInputStream in = request.getInputStream();
			this.stream = new ServletInputStream() {

				private long read;

				@Override
				public int read() throws IOException {
					int b = in.read();
					if (b >= 0) {
						count(1);
					}
					return b;
				}

				@Override
				public int read(byte[] buffer, int offset, int length) throws IOException {
					int n = in.read(buffer, offset, length);
					if (n > 0) {
						count(n);
					}
					return n;
				}

				private void count(int n) throws IOException {
					read += n;
					try {
						pace.check(read, System.nanoTime());
						if (read > limit) {
							throw new BodyTooLargeException(
									"The body is larger than the " + limit + " bytes accepted for " + type + ".");
						}
						if (!reservation.grow(read)) {
							throw new BodyBudgetException(BUSY);
						}
					}
					catch (IOException ex) {
						request.setAttribute(FAILURE, ex);
						throw ex;
					}
				}

				@Override
				public boolean isFinished() {
					return in.isFinished();
				}

				@Override
				public boolean isReady() {
					return in.isReady();
				}

				@Override
				public void setReadListener(ReadListener listener) {
					in.setReadListener(listener);
				}

			};
		}

		@Override
		public ServletInputStream getInputStream() {
			return stream;
		}

	}

}
