package dev.digits.serving;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Explanations ({@code ?explain=} on a prediction).
 *
 * @param maxConcurrent explanations computed at once; a request past them is answered 503
 * (overloaded) at once. Each costs the work of up to 170 predictions (occlusion) or a
 * forward and backward pass of 32 images (integrated gradients)
 */
@Validated
@ConfigurationProperties("digits.explanations")
public record ExplanationProperties(@Min(1) @Max(64) int maxConcurrent) {
}
