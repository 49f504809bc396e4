package dev.digits.api;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

/**
 * A real OTLP/HTTP trace receiver, as a collector is one: {@code POST /v1/traces} with a
 * protobuf {@code ExportTraceServiceRequest} (gzip or not), answered with an
 * {@code ExportTraceServiceResponse}. Keeps every span it was sent, with the service name
 * of its resource.
 */
final class OtlpReceiver implements AutoCloseable {

	/** A received span, ids in lower-case hex as in logs and headers. */
	record Received(String service, String traceId, String spanId, String parentSpanId, String name, Span.SpanKind kind,
			List<String> linkedSpanIds, List<String> linkedTraceIds, Span raw) {

		String attribute(String key) {
			return raw.getAttributesList()
				.stream()
				.filter(a -> a.getKey().equals(key))
				.map(a -> a.getValue().hasStringValue() ? a.getValue().getStringValue()
						: a.getValue().hasIntValue() ? String.valueOf(a.getValue().getIntValue())
								: a.getValue().toString())
				.findFirst()
				.orElse(null);
		}

	}

	private static final HexFormat HEX = HexFormat.of();

	private final HttpServer server;

	private final ConcurrentLinkedQueue<Received> spans = new ConcurrentLinkedQueue<>();

	private final AtomicInteger exports = new AtomicInteger();

	OtlpReceiver() throws IOException {
		server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		server.createContext("/v1/traces", this::handle);
		server.start();
	}

	String endpoint() {
		return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
	}

	List<Received> spans() {
		return new ArrayList<>(spans);
	}

	int exports() {
		return exports.get();
	}

	private void handle(HttpExchange exchange) throws IOException {
		try (exchange) {
			if (!exchange.getRequestMethod().equals("POST")) {
				exchange.sendResponseHeaders(405, -1);
				return;
			}
			byte[] body;
			try (InputStream in = exchange.getRequestBody()) {
				body = in.readAllBytes();
			}
			if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
				try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
					body = in.readAllBytes();
				}
			}
			String type = exchange.getRequestHeaders().getFirst("Content-Type");
			if (type == null || !type.startsWith("application/x-protobuf")) {
				exchange.sendResponseHeaders(415, -1);
				return;
			}
			ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
			for (ResourceSpans resource : request.getResourceSpansList()) {
				String service = resource.getResource()
					.getAttributesList()
					.stream()
					.filter(a -> a.getKey().equals("service.name"))
					.map(a -> a.getValue().getStringValue())
					.findFirst()
					.orElse(null);
				for (ScopeSpans scope : resource.getScopeSpansList()) {
					for (Span span : scope.getSpansList()) {
						spans.add(new Received(service, hex(span.getTraceId()), hex(span.getSpanId()),
								hex(span.getParentSpanId()), span.getName(), span.getKind(),
								span.getLinksList().stream().map(l -> hex(l.getSpanId())).toList(),
								span.getLinksList().stream().map(l -> hex(l.getTraceId())).toList(), span));
					}
				}
			}
			exports.incrementAndGet();
			byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
			exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
			exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
			if (answer.length > 0) {
				exchange.getResponseBody().write(answer);
			}
		}
	}

	private static String hex(com.google.protobuf.ByteString bytes) {
		return bytes.isEmpty() ? "" : HEX.formatHex(bytes.toByteArray());
	}

	@Override
	public void close() {
		server.stop(0);
	}

}
