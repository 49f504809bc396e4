package dev.digits.api;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import javax.imageio.ImageIO;

import dev.digits.inference.DigitClassifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Before the service says it is ready, it sends itself
 * {@link WarmUpProperties#requests()} real requests over loopback, through the whole
 * stack, two at a time (one per core), so that a new replica answers at full speed from
 * its first client. Its own requests are left out of the metrics and logged at DEBUG only
 * ({@link DigitClassifier#quiet}). Runs after the web server has started and before
 * readiness turns to accepting traffic (Spring Boot runs the application runners in
 * between).
 */
@Component
@Order(Ordered.LOWEST_PRECEDENCE)
class SelfWarmUp implements ApplicationRunner {

	private static final Logger logger = LoggerFactory.getLogger(SelfWarmUp.class);

	private static final String BOUNDARY = "digits-warm-up-boundary";

	/**
	 * The header that marks the service's own warm-up requests, with a value only this
	 * process knows.
	 */
	static final String HEADER = "X-Digits-Warm-Up";

	private static final String SECRET = newSecret();

	private static String newSecret() {
		byte[] bytes = new byte[16];
		new java.security.SecureRandom().nextBytes(bytes);
		return java.util.HexFormat.of().formatHex(bytes);
	}

	/**
	 * Whether a request is one of the service's own warm-up requests: the access log and
	 * the request metrics ask it per request, since their work ends after the client has
	 * its answer.
	 */
	static boolean isWarmUp(String headerValue) {
		return SECRET.equals(headerValue);
	}

	private final WarmUpProperties properties;

	private final DigitClassifier classifier;

	private final Environment environment;

	private final ApplicationContext context;

	SelfWarmUp(WarmUpProperties properties, DigitClassifier classifier, Environment environment,
			ApplicationContext context) {
		this.properties = properties;
		this.classifier = classifier;
		this.environment = environment;
		this.context = context;
	}

	@Override
	public void run(ApplicationArguments args) throws InterruptedException {
		warmUp();
		if (properties.exitWhenDone()) {
			logger.info("warmed up; exiting, as digits.warm-up.exit-when-done asks (a run that records the AOT cache)");
			System.exit(SpringApplication.exit(context));
		}
	}

	private void warmUp() throws InterruptedException {
		String port = environment.getProperty("local.server.port");
		if (properties.requests() == 0 || port == null) {
			return;
		}
		String address = environment.getProperty("server.address", "127.0.0.1");
		if (address.isBlank() || address.equals("0.0.0.0") || address.equals("::")) {
			address = "127.0.0.1"; // listening on every address: loopback is one of them
		}
		String host = address.contains(":") ? "[" + address + "]" : address;
		List<HttpRequest.Builder> kinds = requests("http://" + host + ":" + port,
				environment.getProperty("digits.model.name", "mnist-cnn"));
		HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
		long start = System.nanoTime();
		long deadline = start + properties.maxDuration().toNanos();
		AtomicInteger next = new AtomicInteger();
		long[] took = new long[properties.requests()];
		long[] ended = new long[properties.requests()];
		AtomicInteger failed = new AtomicInteger();
		AtomicReference<String> firstFailure = new AtomicReference<>();
		classifier.quiet(true);
		ExecutorService senders = Executors.newFixedThreadPool(2, runnable -> {
			Thread thread = new Thread(runnable, "warm-up");
			thread.setDaemon(true);
			return thread;
		});
		try {
			List<Future<?>> running = new ArrayList<>();
			for (int t = 0; t < 2; t++) {
				running.add(senders.submit(() -> {
					int i;
					while ((i = next.getAndIncrement()) < properties.requests() && System.nanoTime() < deadline) {
						HttpRequest request = kinds.get(i % kinds.size())
							.copy()
							.header(HEADER, SECRET)
							.timeout(Duration.ofSeconds(10))
							.build();
						try {
							long sentAt = System.nanoTime();
							HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
							ended[i] = System.nanoTime();
							took[i] = ended[i] - sentAt;
							if (response.statusCode() != 200) {
								failed.incrementAndGet();
								firstFailure.compareAndSet(null,
										request.uri().getPath() + " answered " + response.statusCode());
							}
						}
						catch (IOException ex) {
							failed.incrementAndGet();
							firstFailure.compareAndSet(null, request.uri().getPath() + ": " + ex);
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
							return;
						}
					}
				}));
			}
			for (Future<?> sender : running) {
				try {
					sender.get();
				}
				catch (java.util.concurrent.ExecutionException ex) {
					firstFailure.compareAndSet(null, String.valueOf(ex.getCause()));
				}
			}
		}
		finally {
			senders.shutdownNow();
			classifier.quiet(false);
		}
		int sent = Math.min(next.get(), properties.requests());
		if (logger.isDebugEnabled()) {
			logger.debug("warm-up timings: {}", timings(took, ended, sent, start, kinds.size()));
		}
		logger.info("warmed up with {} requests to itself in {} ms{}", sent, (System.nanoTime() - start) / 1_000_000,
				failed.get() == 0 ? "" : " (" + failed.get() + " answered otherwise than 200, e.g. "
						+ firstFailure.get() + "; they warmed the code they ran all the same)");
	}

	/**
	 * For the debug log: each kind's median milliseconds in the first and the last fifth
	 * of the requests, and the requests answered in each second.
	 */
	static String timings(long[] took, long[] ended, int sent, long start, int kinds) {
		StringBuilder text = new StringBuilder("median ms per kind, first fifth -> last fifth:");
		for (int kind = 0; kind < kinds; kind++) {
			text.append(' ').append(kind).append(": ").append(median(took, kind, kinds, 0, sent / 5));
			text.append(" -> ").append(median(took, kind, kinds, sent - sent / 5, sent));
		}
		text.append("; answered per second:");
		int[] perSecond = new int[64];
		for (int i = 0; i < sent; i++) {
			if (ended[i] > 0) {
				perSecond[(int) Math.min(63, (ended[i] - start) / 1_000_000_000L)]++;
			}
		}
		int last = 63;
		while (last > 0 && perSecond[last] == 0) {
			last--;
		}
		for (int second = 0; second <= last; second++) {
			text.append(' ').append(perSecond[second]);
		}
		return text.toString();
	}

	private static String median(long[] took, int kind, int kinds, int from, int to) {
		List<Long> values = new ArrayList<>();
		for (int i = from; i < to; i++) {
			if (i % kinds == kind && took[i] > 0) {
				values.add(took[i]);
			}
		}
		if (values.isEmpty()) {
			return "-";
		}
		values.sort(null);
		return String.format(java.util.Locale.ROOT, "%.1f", values.get(values.size() / 2) / 1e6);
	}

	/**
	 * One request of each kind, every eighth a photo (decoding one costs as much as
	 * several of the rest).
	 */
	static List<HttpRequest.Builder> requests(String base, String modelName) {
		Random random = new Random(7);
		byte[] canvas = encode(digit(280, 280, 18, random, false), "png");
		byte[] small = encode(digit(28, 28, 3, random, false), "png");
		byte[] photo = encode(digit(640, 480, 20, random, true), "jpg");
		BufferedImage grey = digit(28, 28, 3, random, false);
		StringBuilder pixels = new StringBuilder();
		for (int y = 0; y < 28; y++) {
			for (int x = 0; x < 28; x++) {
				pixels.append(pixels.isEmpty() ? "" : ",").append(255 - (grey.getRGB(x, y) & 0xFF));
			}
		}
		List<HttpRequest.Builder> one = List.of(
				HttpRequest.newBuilder(URI.create(base + "/api/v1/predictions"))
					.header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
					.POST(HttpRequest.BodyPublishers.ofByteArray(multipart(canvas))),
				HttpRequest.newBuilder(URI.create(base + "/api/v1/predictions"))
					.header("Content-Type", "image/png")
					.POST(HttpRequest.BodyPublishers.ofByteArray(small)),
				HttpRequest.newBuilder(URI.create(base + "/api/v1/predictions"))
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString("{\"pixels\":[" + pixels + "]}")),
				HttpRequest.newBuilder(URI.create(base + "/v2/models/" + modelName + "/infer"))
					.header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,784],"
							+ "\"datatype\":\"UINT8\",\"data\":[" + pixels + "]}]}")));
		List<HttpRequest.Builder> kinds = new ArrayList<>();
		for (int i = 0; i < 7; i++) {
			kinds.add(one.get(i % one.size()));
		}
		kinds.add(HttpRequest.newBuilder(URI.create(base + "/api/v1/predictions"))
			.header("Content-Type", "image/jpeg")
			.POST(HttpRequest.BodyPublishers.ofByteArray(photo)));
		return kinds;
	}

	/**
	 * A "4" drawn in dark ink on white (or, as a photo, on slightly uneven grey paper).
	 */
	static BufferedImage digit(int width, int height, float stroke, Random random, boolean photo) {
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
		g.setColor(photo ? new Color(214, 210, 200) : Color.WHITE);
		g.fillRect(0, 0, width, height);
		if (photo) {
			g.setPaint(new java.awt.GradientPaint(0, 0, new Color(230, 226, 218), width, height,
					new Color(180, 176, 168)));
			g.fillRect(0, 0, width, height);
		}
		g.setColor(photo ? new Color(30, 30, 60) : Color.BLACK);
		g.setStroke(new BasicStroke(stroke, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
		int cx = width / 2;
		int cy = height / 2;
		int s = Math.min(width, height) * 3 / 10;
		g.drawLine(cx - s / 2, cy - s, cx - s / 2 - s / 6, cy + s / 8);
		g.drawLine(cx - s / 2 - s / 6, cy + s / 8, cx + s / 2, cy + s / 8);
		g.drawLine(cx + s / 4, cy - s, cx + s / 4 + random.nextInt(3) - 1, cy + s);
		g.dispose();
		return image;
	}

	private static byte[] encode(BufferedImage image, String format) {
		try {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			ImageIO.write(image, format, out);
			return out.toByteArray();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static byte[] multipart(byte[] png) {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		body.writeBytes(
				("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"digit.png\"\r\n"
						+ "Content-Type: image/png\r\n\r\n")
					.getBytes(StandardCharsets.US_ASCII));
		body.writeBytes(png);
		body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
		return body.toByteArray();
	}

}
