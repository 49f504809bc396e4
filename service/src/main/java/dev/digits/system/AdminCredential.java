package dev.digits.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin credential ({@code digits.admin.token} or its file), for every protocol that
 * guards admin operations: the HTTP admin API and repository extension
 * ({@link SecurityConfiguration}) and the gRPC repository calls. Only its SHA-256 is
 * kept; a presented token is compared by digest in constant time. Without a configured
 * token nothing is accepted.
 */
public final class AdminCredential {

	private static final Logger logger = LoggerFactory.getLogger(AdminCredential.class);

	private final byte[] digest;

	private AdminCredential(byte[] digest) {
		this.digest = digest;
	}

	static AdminCredential of(AdminProperties properties) throws IOException {
		String token = properties.token();
		if ((token == null || token.isBlank()) && properties.tokenFile() != null) {
			token = Files.readString(properties.tokenFile()).strip();
		}
		if (token == null || token.isBlank()) {
			logger.info("admin API disabled: no digits.admin.token (DIGITS_ADMIN_TOKEN) or digits.admin.token-file");
			return new AdminCredential(null);
		}
		if (token.length() < 16) {
			throw new IllegalArgumentException("digits.admin.token must have at least 16 characters");
		}
		return new AdminCredential(sha256(token));
	}

	/** Whether an admin token is configured at all. */
	public boolean enabled() {
		return this.digest != null;
	}

	/**
	 * Whether {@code authorization} (an {@code Authorization} header or gRPC metadata
	 * value) is {@code Bearer <the admin token>}.
	 */
	public boolean accepts(String authorization) {
		return this.digest != null && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
				&& MessageDigest.isEqual(this.digest, sha256(authorization.substring(7).strip()));
	}

	private static byte[] sha256(String text) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
