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
 * {@code DIGITS_FEEDBACK_KEY}; empty: {@code keyFile}, else a random key per process
 * (tokens are then only accepted by the replica that issued them)
 * @param keyFile a file holding the key (a mounted secret), or null
 * @param tokenTtl how long after a prediction its feedback is accepted
 * @param remembered votes a replica remembers to refuse replays, at most: never more than
 * an eighth of the heap holds (about 350 bytes a vote, so about 140,000 in a 384 MB heap)
 * @param votesPerRequest feedback votes a replica accepts per prediction request: the
 * images of a batch share one request, so a batch of 64 is one vote unless this is raised
 * (0 means 1)
 * @param votesPerClient feedback votes a replica accepts from one client address per
 * {@code clientWindow} (0: unlimited): one client cannot decide an A/B test by itself
 * @param clientWindow the window of {@code votesPerClient}
 */
@Validated
@ConfigurationProperties("digits.feedback")
public record FeedbackProperties(String key, Path keyFile, @NotNull Duration tokenTtl, int remembered,
		int votesPerRequest, int votesPerClient, @NotNull Duration clientWindow) {
}
