package dev.digits.serving;

import java.nio.file.Path;
import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Capture of labelled inputs, with the client's consent ({@code ?capture=consent}): the
 * 28x28 input the model saw is held until feedback labels it, then written as {@code
 *
<dir>
 * /<digit>/<id>.png}, the folder-per-digit layout {@code finetune} reads.
 *
 * @param dir where captures are written; unset, nothing is captured (consent or not)
 * @param retention a capture older than this is deleted
 * @param maxFiles captures kept at most; past it new ones are not written
 * @param maxBytes disk the captures may use at most; past it new ones are not written
 * @param maxPending consented inputs held in memory waiting for their feedback (about 1
 * KB each with its token, for as long as the token is valid); past it the oldest are
 * dropped
 */
@Validated
@ConfigurationProperties("digits.capture")
public record CaptureProperties(Path dir, @NotNull Duration retention, @Min(1) @Max(10_000_000) int maxFiles,
		@NotNull DataSize maxBytes, @Min(1) @Max(1_000_000) int maxPending) {
}
