package dev.digits.serving;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Feedback tokens: any replica with the key accepts them once; altered, foreign or old
 * ones are refused.
 */
class FeedbackTokensTests {

	private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

	@Test
	void aTokenIssuedByOneReplicaIsAcceptedOnceByAnother() {
		Clock clock = Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC);
		String token = new FeedbackTokens(KEY, Duration.ofHours(24), clock, 1000).issue("2", 7);
		FeedbackTokens other = new FeedbackTokens(KEY, Duration.ofHours(24), clock, 1000);
		FeedbackTokens.Claims claims = other.redeem(token);
		assertThat(claims.version()).isEqualTo("2");
		assertThat(claims.digit()).isEqualTo(7);
		assertRefused(() -> other.redeem(token), FeedbackException.Kind.REPLAYED);
	}

	@Test
	void alteredForeignMalformedAndExpiredTokensAreRefused() {
		Clock issued = Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC);
		FeedbackTokens tokens = new FeedbackTokens(KEY, Duration.ofHours(24), issued, 1000);
		String token = tokens.issue("1", 3);
		int dot = token.indexOf('.');
		String otherToken = tokens.issue("1", 8);
		String swapped = otherToken.substring(0, otherToken.indexOf('.')) + token.substring(dot);
		assertRefused(() -> tokens.redeem(swapped), FeedbackException.Kind.INVALID);
		assertRefused(() -> tokens.redeem(token.substring(0, dot) + ".AAAA"), FeedbackException.Kind.INVALID);
		assertRefused(() -> tokens.redeem("not a token"), FeedbackException.Kind.INVALID);
		assertRefused(() -> tokens.redeem(null), FeedbackException.Kind.INVALID);
		byte[] otherKey = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8);
		String foreign = new FeedbackTokens(otherKey, Duration.ofHours(24), issued, 1000).issue("1", 3);
		assertRefused(() -> tokens.redeem(foreign), FeedbackException.Kind.INVALID);
		Clock later = Clock.offset(issued, Duration.ofHours(25));
		assertRefused(() -> new FeedbackTokens(KEY, Duration.ofHours(24), later, 1000).redeem(token),
				FeedbackException.Kind.EXPIRED);
	}

	@Test
	void aBatchOf64IsOneVoteUnlessConfigured() {
		Clock clock = Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC);
		FeedbackTokens tokens = new FeedbackTokens(KEY, Duration.ofHours(24), clock, 1000);
		String batch = tokens.newSource();
		java.util.List<String> minted = new java.util.ArrayList<>();
		for (int i = 0; i < 64; i++) {
			minted.add(tokens.issue("2", i % 10, batch));
		}
		assertThat(tokens.redeem(minted.get(0)).source()).isEqualTo(batch);
		for (String token : minted.subList(1, 64)) {
			assertThatExceptionOfType(FeedbackException.class).isThrownBy(() -> tokens.redeem(token))
				.satisfies(ex -> assertThat(ex.kind()).isEqualTo(FeedbackException.Kind.REPLAYED))
				.withMessageContaining("per prediction request");
		}
		assertRefused(() -> tokens.redeem(minted.get(0)), FeedbackException.Kind.REPLAYED);
		// another request's token still counts
		tokens.redeem(tokens.issue("2", 1));
		// configured to 3 votes a request: three of the batch, each once
		FeedbackTokens three = new FeedbackTokens(KEY, Duration.ofHours(24), clock, 1000, 3);
		three.redeem(minted.get(0));
		assertRefused(() -> three.redeem(minted.get(0)), FeedbackException.Kind.REPLAYED);
		three.redeem(minted.get(1));
		three.redeem(minted.get(2));
		assertRefused(() -> three.redeem(minted.get(3)), FeedbackException.Kind.REPLAYED);
	}

	@Test
	void theReplayCacheIsSizedAgainstTheHeap() {
		// the container's 384 MB heap: an eighth at 360 bytes a vote, not the million
		// configured
		assertThat(ServingConfiguration.remembered(1_000_000, 384L << 20)).isEqualTo(139_810);
		assertThat(ServingConfiguration.remembered(50_000, 384L << 20)).isEqualTo(50_000);
		assertThat(ServingConfiguration.remembered(1_000_000, 1L << 20)).isEqualTo(1_000);
	}

	@Test
	void tokensIssuedBeforeSourcesAreTheirOwnSource() {
		FeedbackTokens.Claims legacy = new FeedbackTokens.Claims("1", 3, 0, "nonce");
		assertThat(legacy.source()).isEqualTo("nonce");
	}

	@Test
	void aShortKeyIsRefused() {
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> new FeedbackTokens(new byte[8], Duration.ofHours(1), Clock.systemUTC(), 10));
	}

	private static void assertRefused(Runnable call, FeedbackException.Kind kind) {
		assertThatExceptionOfType(FeedbackException.class).isThrownBy(call::run)
			.satisfies(ex -> assertThat(ex.kind()).isEqualTo(kind));
	}

	@Test
	void aClientLabelsAnInputOnceWhateverTheToken() {
		Clock clock = Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC);
		FeedbackTokens tokens = new FeedbackTokens(KEY, Duration.ofHours(24), clock, 1000);
		float[] drawing = new float[784];
		drawing[400] = 1f;
		String input = FeedbackTokens.fingerprint(drawing);
		assertThat(FeedbackTokens.fingerprint(drawing.clone())).isEqualTo(input);
		float[] other = drawing.clone();
		other[401] = 0.5f;
		assertThat(FeedbackTokens.fingerprint(other)).isNotEqualTo(input);

		String first = tokens.issue("5", 7, tokens.newSource(), input);
		String again = tokens.issue("3", 7, tokens.newSource(), input); // recognised
																		// again, another
																		// version
		assertThat(tokens.redeem(first, "203.0.113.9").input()).isEqualTo(input);
		assertRefused(() -> tokens.redeem(again, "203.0.113.9"), FeedbackException.Kind.REPLAYED);
		// another client may label the same image; the refused token was not spent
		assertThat(tokens.redeem(again, "198.51.100.4").digit()).isEqualTo(7);
		// a token without an input (issued before inputs were named) is judged as before
		assertThat(tokens.redeem(tokens.issue("5", 2), "203.0.113.9").input()).isNull();
	}

	@Test
	void aRefusedVoteLeavesItsInputUnlabelled() {
		Clock clock = Clock.fixed(Instant.parse("2026-11-27T12:00:00Z"), ZoneOffset.UTC);
		FeedbackTokens tokens = new FeedbackTokens(KEY, Duration.ofHours(24), clock, 1000);
		String source = tokens.newSource();
		String a = tokens.issue("5", 1, source, "inputA");
		String b = tokens.issue("5", 2, source, "inputB"); // the same request (a batch):
															// one vote
		tokens.redeem(a, "c");
		assertRefused(() -> tokens.redeem(b, "c"), FeedbackException.Kind.REPLAYED);
		String later = tokens.issue("5", 2, tokens.newSource(), "inputB");
		assertThat(tokens.redeem(later, "c").input()).isEqualTo("inputB");
	}

}
