package dev.digits.serving;

import java.time.Duration;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Drift detection: each version's last answers against its answers on its validation
 * images ({@code drift-reference.json} in its folder).
 *
 * @param enabled whether answers are watched at all
 * @param window how many of a version's last answers are tested together (at most half
 * its reference); docs/drift.md measures false alarms and detection at the default
 * @param period how often each version's window is tested (once it is full)
 * @param alpha the false-alarm rate wanted on traffic like the reference, for the four
 * tests together
 * @param iterations windows drawn from the reference to correct for testing four
 * (dependent) things, at least 20 / alpha; more make the correction finer and the first
 * test of a version slower (0.1-0.3 ms each on a 2-core machine)
 */
@Validated
@ConfigurationProperties("digits.drift")
public record DriftProperties(boolean enabled, @Min(50) @Max(10_000) int window, @NotNull Duration period,
		@DecimalMin("0.001") @DecimalMax("0.2") double alpha, @Min(400) @Max(100_000) int iterations) {
}
