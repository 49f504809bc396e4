package dev.digits.serving;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.digits.model.DigitNetwork;
import dev.digits.preprocessing.ImageEncoding;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Labelled inputs kept with the client's consent. A consented prediction's 28x28 input is
 * held in memory under its feedback token (bounded in count, for the token's life); when
 * feedback on that token arrives, the input is written as a PNG under the true digit:
 * {@code
 *
<dir>
 * /<digit>/<id>.png}, {@code id} the token's nonce. Nothing is held or written without
 * consent; a capture is deleted by its token; captures older than the retention are
 * deleted hourly; past the file or byte bound nothing new is written. Each file is
 * written to a temporary name and moved into place, so {@code finetune} never reads half
 * a file. Writing, deleting and sweeping hold the store's lock (a capture is a few
 * hundred bytes, and feedback is rate-limited per client): the counts always match the
 * files.
 */
public final class CaptureStore implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(CaptureStore.class);

	/** What became of a consented input. */
	public enum Outcome {

		/** Written, with its label. */
		STORED,
		/** Not written: the file or byte bound is reached. */
		FULL,
		/** Consent given on a service that captures nothing (no directory set). */
		OFF

	}

	/**
	 * The marker {@code finetune} reads as "model inputs, not to be preprocessed again"
	 * (the tools' {@code UserDigits.MODEL_INPUTS}).
	 */
	public static final String MODEL_INPUTS = ".model-inputs";

	private final Path dir;

	private final CaptureProperties properties;

	private final FeedbackTokens tokens;

	private final Clock clock;

	private final Cache<String, byte[]> pending;

	private final AtomicLong files = new AtomicLong();

	private final AtomicLong bytes = new AtomicLong();

	private final MeterRegistry meters;

	private final ScheduledExecutorService timer = Timers.daemon("capture-retention");

	public CaptureStore(CaptureProperties properties, FeedbackTokens tokens, Clock clock, MeterRegistry meters)
			throws IOException {
		this.properties = properties;
		this.tokens = tokens;
		this.clock = clock;
		this.meters = meters;
		this.dir = properties.dir();
		this.pending = Caffeine.newBuilder()
			// evictions on the calling thread: the bound holds when put returns
			.executor(Runnable::run)
			.maximumSize(properties.maxPending())
			.expireAfterWrite(tokens.ttl())
			.build();
		Gauge.builder("digits.capture.files", files, AtomicLong::get)
			.description("Labelled inputs kept with consent (files under digits.capture.dir)")
			.register(meters);
		Gauge.builder("digits.capture.bytes", bytes, AtomicLong::get)
			.description("Disk the kept labelled inputs use")
			.baseUnit("bytes")
			.register(meters);
		Gauge.builder("digits.capture.pending", pending, c -> c.estimatedSize())
			.description("Consented inputs held in memory until their feedback arrives")
			.register(meters);
		if (dir != null) {
			Files.createDirectories(dir);
			// tells finetune the images are model inputs, to be read as they are
			Path marker = dir.resolve(MODEL_INPUTS);
			if (!Files.exists(marker)) {
				Files
					.writeString(marker, "The images under the digit folders are 28x28 inputs the model saw, kept with "
							+ "their users' consent and labelled by their feedback; finetune reads them as they are.\n");
			}
			sweep();
			long hour = TimeUnit.HOURS.toMillis(1);
			timer.scheduleWithFixedDelay(this::sweepQuietly, hour, hour, TimeUnit.MILLISECONDS);
		}
	}

	public boolean enabled() {
		return dir != null;
	}

	/**
	 * Holds the input of a consented prediction until feedback on {@code token}; false
	 * when this service captures nothing.
	 */
	public boolean offer(String token, float[] pixels) {
		if (dir == null) {
			count(Outcome.OFF);
			return false;
		}
		byte[] grey = new byte[pixels.length];
		for (int i = 0; i < pixels.length; i++) {
			grey[i] = (byte) Math.round(Math.max(0, Math.min(1, pixels[i])) * 255);
		}
		pending.put(token, grey);
		return true;
	}

	/**
	 * Feedback on {@code token} said the input was {@code digit}: its capture, if its
	 * client consented, is written. Returns whether it was.
	 */
	public synchronized boolean labelled(String token, String nonce, int digit) {
		byte[] grey = pending.asMap().remove(token);
		if (grey == null || dir == null) {
			return false;
		}
		byte[] png = png(grey);
		if (files.get() + 1 > properties.maxFiles() || bytes.get() + png.length > properties.maxBytes().toBytes()) {
			count(Outcome.FULL);
			return false;
		}
		try {
			Path folder = Files.createDirectories(dir.resolve(Integer.toString(digit)));
			Path target = folder.resolve(nonce + ".png");
			Path temporary = Files.createTempFile(dir, ".capture-", ".tmp");
			Files.write(temporary, png);
			try {
				Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (AtomicMoveNotSupportedException ex) {
				Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
			}
			files.incrementAndGet();
			bytes.addAndGet(png.length);
			count(Outcome.STORED);
			return true;
		}
		catch (IOException ex) {
			logger.warn("could not write a capture under {}: {}", dir, ex.toString());
			return false;
		}
	}

	/**
	 * Deletes what is kept of the prediction {@code token} answered (held or written);
	 * returns how many things were deleted. The token must be one this service signed.
	 */
	public int delete(String token) {
		FeedbackTokens.Claims claims = tokens.signed(token);
		return deleteKept(token, claims.nonce());
	}

	/**
	 * Under the store's lock, as {@link #labelled} and {@link #sweep}: a delete racing
	 * the feedback that writes the same capture finds it written or never written, and
	 * the counts match the files.
	 */
	private synchronized int deleteKept(String token, String nonce) {
		int deleted = pending.asMap().remove(token) != null ? 1 : 0;
		if (dir != null) {
			for (int digit = 0; digit < DigitNetwork.CLASSES; digit++) {
				Path file = dir.resolve(Integer.toString(digit)).resolve(nonce + ".png");
				deleted += deleteFile(file) ? 1 : 0;
			}
		}
		if (deleted > 0) {
			counter("deleted").increment(deleted);
		}
		return deleted;
	}

	/**
	 * Deletes captures older than the retention (and temporary files a crash left), and
	 * recounts what is kept.
	 */
	public synchronized void sweep() {
		if (dir == null) {
			return;
		}
		Instant oldest = clock.instant().minus(properties.retention());
		long keptFiles = 0;
		long keptBytes = 0;
		try (Stream<Path> walk = Files.walk(dir, 2)) {
			for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
				FileTime modified = Files.getLastModifiedTime(file);
				if (file.getParent().equals(dir) && !file.getFileName().toString().endsWith(".tmp")) {
					continue; // the marker
				}
				boolean temporary = file.getFileName().toString().endsWith(".tmp");
				if (modified.toInstant().isBefore(oldest)
						|| (temporary && modified.toInstant().isBefore(clock.instant().minusSeconds(3600)))) {
					if (deleteFile(file) && !temporary) {
						counter("expired").increment();
					}
				}
				else if (!temporary) {
					keptFiles++;
					keptBytes += Files.size(file);
				}
			}
		}
		catch (IOException | UncheckedIOException ex) {
			logger.warn("could not sweep the captures under {}: {}", dir, ex.toString());
			return;
		}
		files.set(keptFiles);
		bytes.set(keptBytes);
	}

	private void sweepQuietly() {
		try {
			sweep();
		}
		catch (RuntimeException ex) {
			logger.warn("sweeping the captures failed: {}", ex.toString());
		}
	}

	private boolean deleteFile(Path file) {
		try {
			long size = Files.exists(file) ? Files.size(file) : 0;
			if (Files.deleteIfExists(file)) {
				if (!file.getFileName().toString().endsWith(".tmp")) {
					files.decrementAndGet();
					bytes.addAndGet(-size);
				}
				return true;
			}
		}
		catch (IOException ex) {
			logger.warn("could not delete the capture {}: {}", file, ex.toString());
		}
		return false;
	}

	private static byte[] png(byte[] grey) {
		int[] levels = new int[grey.length];
		for (int i = 0; i < grey.length; i++) {
			levels[i] = grey[i] & 0xFF;
		}
		BufferedImage image = ImageEncoding.grey8(DigitNetwork.WIDTH, DigitNetwork.WIDTH, levels);
		return ImageEncoding.encode(image, "png");
	}

	private void count(Outcome outcome) {
		counter(outcome.name().toLowerCase(java.util.Locale.ROOT)).increment();
	}

	private Counter counter(String outcome) {
		return Counter.builder("digits.captures")
			.description("Consented inputs: stored with their label, not stored (full, or capture off), "
					+ "deleted by their token, expired")
			.tag("outcome", outcome)
			.register(meters);
	}

	@Override
	public void close() {
		timer.shutdownNow();
	}

}
