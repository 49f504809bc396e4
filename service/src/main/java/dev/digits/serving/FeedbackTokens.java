package dev.digits.serving;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Signed feedback tokens: every prediction carries one naming the version that answered,
 * the digit it answered and when; {@code POST /api/v1/feedback} with it records whether
 * that variant was right. HMAC-SHA256 with a key all replicas share, so any replica
 * accepts a token any other issued, with no shared store. A token is accepted once per
 * replica (a bounded set of the nonces seen within its lifetime), so a replay counts at
 * most once per replica, and never after it expires.
 * <p>
 * Every token also names its source, the prediction request that minted it: all the
 * tokens of one batch share it, and a replica accepts at most {@code votesPerSource}
 * votes per source (1 by default), so that one caller cannot turn a batch of 64 images
 * into 64 votes of an A/B test.
 * <p>
 * A token may also name its input (a fingerprint of the 28x28 image the model saw): a
 * replica then accepts one label per input and client, whatever the token, so that
 * recognising the same drawing again (a new request, a new token) does not let one client
 * label it twice.
 */
public final class FeedbackTokens {

	/** What a valid token says. */
	public record Claims(String version, int digit, long issuedAtSeconds, String nonce, String source, String input) {

		public Claims(String version, int digit, long issuedAtSeconds, String nonce) {
			this(version, digit, issuedAtSeconds, nonce, nonce, null);
		}

	}

	private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

	private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

	private static final int MAC_BYTES = 16;

	private final SecretKeySpec key;

	/**
	 * One keyed HMAC per request thread: {@code Mac.getInstance} and {@code init} per
	 * token looked up the provider and built a new HMAC reflectively for every prediction
	 * (with the in-place image stream, -2.7% heap per prediction:
	 * docs/performance-gap.md, "Allocation per request"). {@code doFinal} resets the Mac
	 * for the next use on the same thread.
	 */
	private final ThreadLocal<Mac> macs = ThreadLocal.withInitial(this::newMac);

	private final Duration ttl;

	private final Clock clock;

	private final SecureRandom random = new SecureRandom();

	/**
	 * With one vote per source: the sources that voted (one entry per vote). With more:
	 * nonces seen (keyed {@code n:<nonce>}), and {@link #votesBySource} counts. Measured
	 * by {@code FeedbackCacheFootprint} with {@link #labelledInputs} beside it: 351 bytes
	 * a vote with one vote per source, 535 with 64.
	 */
	private final Cache<String, Boolean> seen;

	/**
	 * Heap one remembered vote holds (measured, rounded up): to size the cache against
	 * the heap.
	 */
	public static final int BYTES_PER_VOTE = 360;

	private final Cache<String, java.util.concurrent.atomic.AtomicInteger> votesBySource;

	/** The inputs each client labelled (keyed {@code i:<client>|<fingerprint>}). */
	private final Cache<String, Boolean> labelledInputs;

	private final int votesPerSource;

	/** One vote per prediction request. */
	public FeedbackTokens(byte[] key, Duration ttl, Clock clock, int maxRemembered) {
		this(key, ttl, clock, maxRemembered, 1);
	}

	/**
	 * @param maxRemembered tokens remembered to refuse replays (and as many sources)
	 * @param votesPerSource votes accepted per prediction request (a batch is one
	 * request)
	 */
	public FeedbackTokens(byte[] key, Duration ttl, Clock clock, int maxRemembered, int votesPerSource) {
		if (key.length < 32) {
			throw new IllegalArgumentException("the feedback key must have at least 32 bytes");
		}
		this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
		this.ttl = ttl;
		this.clock = clock;
		this.seen = Caffeine.newBuilder()
			.expireAfterWrite(ttl.toSeconds() + 60, TimeUnit.SECONDS)
			.maximumSize(maxRemembered)
			.build();
		if (votesPerSource < 1) {
			throw new IllegalArgumentException("votesPerSource must be at least 1, was " + votesPerSource);
		}
		this.votesPerSource = votesPerSource;
		this.labelledInputs = Caffeine.newBuilder()
			.expireAfterWrite(ttl.toSeconds() + 60, TimeUnit.SECONDS)
			.maximumSize(maxRemembered)
			.build();
		this.votesBySource = Caffeine.newBuilder()
			.expireAfterWrite(ttl.toSeconds() + 60, TimeUnit.SECONDS)
			.maximumSize(maxRemembered)
			.build();
	}

	/** A fresh random key, for a single replica that was given none. */
	public static byte[] randomKey() {
		byte[] key = new byte[32];
		new SecureRandom().nextBytes(key);
		return key;
	}

	public Duration ttl() {
		return ttl;
	}

	/** A token of its own source: one image, one request. */
	public String issue(String version, int digit) {
		return issue(version, digit, newSource());
	}

	/**
	 * A new source: one per prediction request, shared by the tokens of all its images.
	 */
	public String newSource() {
		byte[] source = new byte[9];
		random.nextBytes(source);
		return ENCODER.encodeToString(source);
	}

	/** A token of {@code source} (from {@link #newSource()}). */
	public String issue(String version, int digit, String source) {
		return issue(version, digit, source, null);
	}

	/**
	 * A token of {@code source} for the input {@code input} (from {@link #fingerprint}),
	 * or for no particular input when null.
	 */
	public String issue(String version, int digit, String source, String input) {
		byte[] nonce = new byte[9];
		random.nextBytes(nonce);
		String payload = version + "|" + digit + "|" + clock.instant().getEpochSecond() + "|"
				+ ENCODER.encodeToString(nonce) + "|" + source + (input == null ? "" : "|" + input);
		byte[] body = payload.getBytes(StandardCharsets.UTF_8);
		return ENCODER.encodeToString(body) + "." + ENCODER.encodeToString(mac(body));
	}

	/**
	 * A fingerprint of a model input (the 28x28 pixels the network saw), the same for the
	 * same drawing sent again: 64 bits of a multiply-xorshift hash of the pixels' bits,
	 * no allocation but its text (it runs for every prediction). Not a secret: a client
	 * that made two images collide would only block its own second label.
	 */
	public static String fingerprint(float[] pixels) {
		long h = 0x9E3779B97F4A7C15L ^ pixels.length;
		for (float v : pixels) {
			h = (h ^ Float.floatToIntBits(v)) * 0xBF58476D1CE4E5B9L;
			h ^= h >>> 31;
		}
		h = (h ^ (h >>> 30)) * 0x94D049BB133111EBL;
		h ^= h >>> 31;
		byte[] bytes = new byte[8];
		for (int i = 0; i < 8; i++) {
			bytes[i] = (byte) (h >>> (8 * i));
		}
		return ENCODER.encodeToString(bytes);
	}

	/**
	 * Checks the signature, the age, and that this replica has not accepted it before.
	 * @throws FeedbackException {@code INVALID}, {@code EXPIRED} or {@code REPLAYED}
	 */
	public Claims redeem(String token) {
		return redeem(token, null);
	}

	/**
	 * As {@link #redeem(String)}, and when the token names its input, that {@code client}
	 * has not labelled the same input before (with any token).
	 * @throws FeedbackException {@code INVALID}, {@code EXPIRED} or {@code REPLAYED}
	 */
	public Claims redeem(String token, String client) {
		Claims claims = verify(token);
		String inputKey = (claims.input() == null || client == null) ? null : "i:" + client + "|" + claims.input();
		if (inputKey != null && labelledInputs.asMap().putIfAbsent(inputKey, Boolean.TRUE) != null) {
			throw new FeedbackException(FeedbackException.Kind.REPLAYED,
					"this client already labelled the same image (one label per image and client, whatever "
							+ "the prediction that carried it)");
		}
		try {
			return redeemOnce(claims);
		}
		catch (FeedbackException ex) {
			if (inputKey != null) {
				labelledInputs.invalidate(inputKey); // refused: the input stays
														// unlabelled
			}
			throw ex;
		}
	}

	private Claims redeemOnce(Claims claims) {
		if (votesPerSource == 1) {
			if (seen.asMap().putIfAbsent(claims.source(), Boolean.TRUE) != null) {
				throw sourceVoted();
			}
			return claims;
		}
		if (seen.asMap().putIfAbsent("n:" + claims.nonce(), Boolean.TRUE) != null) {
			throw replayed();
		}
		int votes = votesBySource.get(claims.source(), s -> new java.util.concurrent.atomic.AtomicInteger())
			.incrementAndGet();
		if (votes > votesPerSource) {
			throw sourceVoted();
		}
		return claims;
	}

	Claims verify(String token) {
		Claims claims = signed(token);
		long age = clock.instant().getEpochSecond() - claims.issuedAtSeconds();
		if (age > ttl.toSeconds()) {
			throw new FeedbackException(FeedbackException.Kind.EXPIRED,
					"the feedback token expired (tokens are valid for " + ttl.toHours() + " h after the prediction)");
		}
		return claims;
	}

	/**
	 * What a token says if this service signed it, whatever its age (a capture is deleted
	 * by its token long after feedback closed).
	 * @throws FeedbackException {@code INVALID}
	 */
	public Claims signed(String token) {
		if (token == null || token.length() > 512) {
			throw invalid();
		}
		int dot = token.indexOf('.');
		if (dot <= 0) {
			throw invalid();
		}
		byte[] body;
		byte[] signature;
		try {
			body = DECODER.decode(token.substring(0, dot));
			signature = DECODER.decode(token.substring(dot + 1));
		}
		catch (IllegalArgumentException ex) {
			throw invalid();
		}
		if (!ENCODER.encodeToString(signature).equals(token.substring(dot + 1))) {
			throw invalid(); // non-canonical base64: one token has one spelling
		}
		if (!MessageDigest.isEqual(mac(body), signature)) {
			throw invalid();
		}
		String[] parts = new String(body, StandardCharsets.UTF_8).split("\\|");
		if (parts.length < 4 || parts.length > 6) {
			throw invalid();
		}
		Claims claims;
		try {
			// four parts: a token issued before sources, its own source; six: with its
			// input
			claims = new Claims(parts[0], Integer.parseInt(parts[1]), Long.parseLong(parts[2]), parts[3],
					parts.length >= 5 ? parts[4] : parts[3], parts.length == 6 ? parts[5] : null);
		}
		catch (NumberFormatException ex) {
			throw invalid();
		}
		return claims;
	}

	private byte[] mac(byte[] body) {
		return java.util.Arrays.copyOf(macs.get().doFinal(body), MAC_BYTES);
	}

	private Mac newMac() {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(key);
			return mac;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static FeedbackException replayed() {
		return new FeedbackException(FeedbackException.Kind.REPLAYED,
				"feedback for this prediction was already recorded");
	}

	private FeedbackException sourceVoted() {
		return new FeedbackException(FeedbackException.Kind.REPLAYED,
				"feedback for this prediction, or for the " + "request that made it, was already recorded: "
						+ votesPerSource + (votesPerSource == 1 ? " vote" : " votes")
						+ " per prediction request (the images of a batch share one)");
	}

	private static FeedbackException invalid() {
		return new FeedbackException(FeedbackException.Kind.INVALID,
				"the feedback token is not one this service issued (malformed, altered or signed with another key)");
	}

}
