package dev.digits.api;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32;

import javax.imageio.ImageIO;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Real HTTP requests and test images for the API tests. */
final class HttpFixtures {

	static final JsonMapper JSON = JsonMapper.builder().build();

	/**
	 * The version served by default, as {@code application.yml} configures it
	 * ({@code digits.model.default-version}): the tests that check the default answers
	 * follow a promotion without edits.
	 */
	static final String DEFAULT_VERSION = defaultVersion();

	private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private final String base;

	/** Where {@code /actuator/**} is served: the service's management port. */
	private final String management;

	private static String defaultVersion() {
		try {
			String yaml = java.nio.file.Files
				.readString(java.nio.file.Path.of("service/src/main/resources/application.yml"));
			java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s+default-version: \"([^\"]+)\"")
				.matcher(yaml);
			if (!m.find()) {
				throw new IllegalStateException("application.yml names no digits.model.default-version");
			}
			return m.group(1);
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	HttpFixtures(int port) {
		this.base = "http://localhost:" + port;
		this.management = "http://localhost:" + ManagementPorts.of(port);
	}

	/**
	 * The URI of {@code path}: the actuator's paths on the management port, the rest on
	 * the request port.
	 */
	URI uri(String path) {
		return URI.create((path.startsWith("/actuator") ? management : base) + path);
	}

	record Reply(int status, String contentType, String body, HttpResponse<String> raw) {

		JsonNode json() {
			return JSON.readTree(body);
		}

	}

	Reply get(String path) {
		return send(HttpRequest.newBuilder(uri(path)).GET());
	}

	Reply delete(String path) {
		return send(HttpRequest.newBuilder(uri(path)).DELETE());
	}

	Reply post(String path, String contentType, byte[] body) {
		return send(HttpRequest.newBuilder(URI.create(base + path))
			.header("Content-Type", contentType)
			.POST(HttpRequest.BodyPublishers.ofByteArray(body)));
	}

	Reply postJson(String path, String json) {
		return post(path, "application/json", json.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * A multipart/form-data request with one part per file, all under {@code partName}.
	 */
	Reply postFiles(String path, String partName, List<byte[]> files) {
		Multipart multipart = multipart(partName, files, "digit");
		return post(path, multipart.contentType(), multipart.body());
	}

	/** A multipart body and its content type. */
	record Multipart(String contentType, byte[] body) {
	}

	/**
	 * One part per file under {@code partName}, named {@code fileName + index + ".png"}.
	 */
	static Multipart multipart(String partName, List<byte[]> files, String fileName) {
		String boundary = "----digits" + UUID.randomUUID();
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		for (int i = 0; i < files.size(); i++) {
			String head = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + partName + "\"; filename=\""
					+ fileName + i + ".png\"\r\nContent-Type: image/png\r\n\r\n";
			body.writeBytes(head.getBytes(StandardCharsets.UTF_8));
			body.writeBytes(files.get(i));
			body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
		}
		body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
		return new Multipart("multipart/form-data; boundary=" + boundary, body.toByteArray());
	}

	/**
	 * A POST whose body is sent chunked (no Content-Length), as a streaming client sends
	 * it.
	 */
	Reply postChunked(String path, String contentType, byte[] body) {
		return send(HttpRequest.newBuilder(URI.create(base + path))
			.header("Content-Type", contentType)
			.POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))));
	}

	Reply send(HttpRequest.Builder request) {
		try {
			HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
			HttpResponse<String> response;
			try {
				response = CLIENT.send(built, HttpResponse.BodyHandlers.ofString());
			}
			catch (IOException ex) {
				// a pooled connection the server closed after refusing an unread body
				// ("Connection:
				// close"); clients retry on a new connection, as this does once
				if (ex.getMessage() == null || !ex.getMessage().contains("received no bytes")) {
					throw ex;
				}
				response = CLIENT.send(built, HttpResponse.BodyHandlers.ofString());
			}
			return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
					response.body(), response);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** An 8-bit grey PNG of the given grey levels. */
	static byte[] greyPng(byte[] grey, int width, int height) {
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
		image.getRaster().setDataElements(0, 0, width, height, grey);
		return encode(image, "png");
	}

	/** A dark digit-like stroke on white paper, as a phone photo of a note might be. */
	static byte[] sevenOnPaper(String format) {
		BufferedImage image = new BufferedImage(200, 240, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		g.setColor(Color.WHITE);
		g.fillRect(0, 0, 200, 240);
		g.setColor(Color.BLACK);
		g.setStroke(new java.awt.BasicStroke(16, java.awt.BasicStroke.CAP_ROUND, java.awt.BasicStroke.JOIN_ROUND));
		g.drawLine(50, 50, 150, 50);
		g.drawLine(150, 50, 85, 200);
		g.dispose();
		return encode(image, format);
	}

	static byte[] uniform(int width, int height, int grey) {
		byte[] pixels = new byte[width * height];
		java.util.Arrays.fill(pixels, (byte) grey);
		return greyPng(pixels, width, height);
	}

	static byte[] encode(BufferedImage image, String format) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try {
			ImageIO.write(image, format, out);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return out.toByteArray();
	}

	/**
	 * A valid PNG signature and header announcing width x height, with no image data
	 * after it.
	 */
	static byte[] pngHeaderOnly(int width, int height) {
		ByteBuffer ihdr = ByteBuffer.allocate(13)
			.putInt(width)
			.putInt(height)
			.put((byte) 8)
			.put((byte) 0)
			.put((byte) 0)
			.put((byte) 0)
			.put((byte) 0);
		ByteBuffer png = ByteBuffer.allocate(8 + 25);
		png.put(new byte[] { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' });
		png.putInt(13).put("IHDR".getBytes(StandardCharsets.US_ASCII)).put(ihdr.array());
		CRC32 crc = new CRC32();
		crc.update("IHDR".getBytes(StandardCharsets.US_ASCII));
		crc.update(ihdr.array());
		png.putInt((int) crc.getValue());
		return png.array();
	}

	static String pixelsJson(byte[] grey, String range) {
		StringBuilder json = new StringBuilder("{\"pixels\":[");
		for (int i = 0; i < grey.length; i++) {
			json.append(i == 0 ? "" : ",");
			int v = grey[i] & 0xFF;
			json.append("0-1".equals(range) ? String.valueOf(v / 255f) : String.valueOf(v));
		}
		json.append("]");
		if (range != null) {
			json.append(",\"range\":\"").append(range).append('"');
		}
		return json.append('}').toString();
	}

}
