package dev.digits.serving;

import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Feedback tokens.
 *
 * @param key the HMAC key all replicas share (at least 32 characters), e.g. from
 * {@code DIGITS_FEEDBACK_KEY}; empty: {@code keyFile}, else a random key per process (tokens are
 * then only accepted by the replica that issued them)
 * @param keyFile a file holding the key (a mounted secret), or null
 * @param tokenTtl how long after a prediction its feedback is accepted
 * @param remembered tokens a replica remembers to refuse replays
 */
@Validated
@ConfigurationProperties("digits.feedback")
public record FeedbackProperties(String key, Path keyFile, @NotNull Duration tokenTtl, int remembered) {
}
