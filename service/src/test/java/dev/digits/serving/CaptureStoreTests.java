package dev.digits.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.stream.Stream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bounds a flood of consented predictions meets: inputs waiting for feedback are at
 * most {@code max-pending} (the oldest dropped), written captures at most
 * {@code max-bytes}, and a service without a directory holds nothing.
 */
class CaptureStoreTests {

	private static final FeedbackTokens TOKENS = new FeedbackTokens(FeedbackTokens.randomKey(), Duration.ofHours(1),
			Clock.systemUTC(), 1_000);

	private static float[] input() {
		float[] pixels = new float[784];
		pixels[400] = 1f;
		return pixels;
	}

	@Test
	void consentedInputsWithoutFeedbackAreHeldUpToTheBoundOldestFirstOut(@TempDir Path dir) throws IOException {
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		CaptureStore store = new CaptureStore(
				new CaptureProperties(dir, Duration.ofDays(30), 1_000, DataSize.ofMegabytes(1), 10), TOKENS,
				Clock.systemUTC(), meters);
		String[] tokens = new String[30];
		for (int i = 0; i < tokens.length; i++) {
			tokens[i] = TOKENS.issue("6", i % 10);
			assertThat(store.offer(tokens[i], input())).isTrue();
		}
		assertThat(meters.get("digits.capture.pending").gauge().value()).isEqualTo(10);
		int stored = 0;
		for (String token : tokens) {
			stored += store.labelled(token, TOKENS.signed(token).nonce(), 3) ? 1 : 0;
		}
		assertThat(stored).isEqualTo(10);
		assertThat(store.labelled(tokens[29], TOKENS.signed(tokens[29]).nonce(), 3)).as("once").isFalse();
		store.close();
	}

	@Test
	void pastTheByteBoundNothingIsWritten(@TempDir Path dir) throws IOException {
		CaptureStore store = new CaptureStore(
				new CaptureProperties(dir, Duration.ofDays(30), 1_000, DataSize.ofBytes(300), 100), TOKENS,
				Clock.systemUTC(), new SimpleMeterRegistry());
		int stored = 0;
		for (int i = 0; i < 5; i++) {
			String token = TOKENS.issue("6", 1);
			store.offer(token, input());
			stored += store.labelled(token, TOKENS.signed(token).nonce(), 1) ? 1 : 0;
		}
		long bytes;
		try (Stream<Path> files = Files.walk(dir)) {
			bytes = files.filter(f -> f.toString().endsWith(".png")).mapToLong(f -> f.toFile().length()).sum();
		}
		assertThat(stored).isBetween(1, 4);
		assertThat(bytes).isLessThanOrEqualTo(300);
		store.close();
	}

	@Test
	void withoutADirectoryNothingIsHeld() throws IOException {
		CaptureStore store = new CaptureStore(
				new CaptureProperties(null, Duration.ofDays(30), 1_000, DataSize.ofMegabytes(1), 10), TOKENS,
				Clock.systemUTC(), new SimpleMeterRegistry());
		String token = TOKENS.issue("6", 1);
		assertThat(store.offer(token, input())).isFalse();
		assertThat(store.labelled(token, TOKENS.signed(token).nonce(), 1)).isFalse();
		assertThat(store.delete(token)).isZero();
		store.close();
	}

}
