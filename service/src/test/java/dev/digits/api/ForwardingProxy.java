package dev.digits.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A plain HTTP forwarder on a free port of its own, in front of the service: a browser
 * test opens the page through it and closes it to make the service go away for that
 * origin (connections refused), which a running Spring context cannot do to itself.
 */
final class ForwardingProxy implements AutoCloseable {

	/** Hop-by-hop headers and those the client computes itself. */
	private static final Set<String> SKIPPED = Set.of("host", "connection", "content-length", "transfer-encoding",
			"keep-alive", "upgrade", "expect", "te", "trailer", "proxy-connection");

	private final HttpServer server;

	private final ExecutorService executor = Executors.newFixedThreadPool(8);

	private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private final int target;

	private boolean closed;

	ForwardingProxy(int targetPort) throws IOException {
		this.target = targetPort;
		this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
		this.server.createContext("/", this::forward);
		this.server.setExecutor(this.executor);
		this.server.start();
	}

	int port() {
		return this.server.getAddress().getPort();
	}

	private void forward(HttpExchange exchange) throws IOException {
		try (exchange) {
			byte[] body;
			try (InputStream in = exchange.getRequestBody()) {
				body = in.readAllBytes();
			}
			HttpRequest.Builder request = HttpRequest
				.newBuilder(URI.create("http://127.0.0.1:" + this.target + exchange.getRequestURI()))
				.method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
						: HttpRequest.BodyPublishers.ofByteArray(body));
			exchange.getRequestHeaders().forEach((name, values) -> {
				if (!SKIPPED.contains(name.toLowerCase(Locale.ROOT))) {
					values.forEach(v -> request.header(name, v));
				}
			});
			HttpResponse<byte[]> response;
			try {
				response = this.client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IOException(ex);
			}
			response.headers().map().forEach((name, values) -> {
				if (!SKIPPED.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
					exchange.getResponseHeaders().put(name, List.copyOf(values));
				}
			});
			byte[] out = response.body();
			boolean empty = out.length == 0 || response.statusCode() == 304 || response.statusCode() == 204
					|| "HEAD".equals(exchange.getRequestMethod());
			exchange.sendResponseHeaders(response.statusCode(), empty ? -1 : out.length);
			if (!empty) {
				try (OutputStream os = exchange.getResponseBody()) {
					os.write(out);
				}
			}
		}
	}

	/**
	 * Stops listening and closes every connection: the service is gone for this origin.
	 */
	@Override
	public void close() {
		if (!this.closed) {
			this.closed = true;
			this.server.stop(0);
			this.executor.shutdownNow();
		}
	}

}
