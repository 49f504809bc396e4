package dev.digits.serving;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The model repository and the traffic policy the service starts with (the admin API
 * changes the policy at run time, in memory only: a restart comes back to these).
 *
 * @param dir the repository: each version is a folder {@code <dir>/<name>/<version>/}
 * @param name the model's name ({@code mnist-cnn})
 * @param defaultVersion the version that answers when no weight, pin or stickiness says
 * otherwise
 * @param weights traffic shares by version, e.g. {@code {"1": 90, "2": 10}}; empty: all
 * to the default
 * @param shadow a version that also computes every request the default answers, compared
 * and never returned; empty for none
 * @param experiment salt of the sticky assignment hash: clients keep their variant across
 * replicas and restarts, and get a fresh draw when this changes
 * @param pollInterval how often the repository is scanned for added or removed version
 * folders; zero turns the scan off
 * @param uncertainBelow per version, the calibrated confidence under which an answer is
 * {@code uncertain}, in place of the one its {@code calibrate} run suggested
 * ({@code calibration.uncertain.below} of its metadata), e.g. {@code {"3": 0.9}}; 0 never
 * flags
 */
@Validated
@ConfigurationProperties("digits.model")
public record ModelProperties(@NotNull Path dir, @NotBlank String name,
		@NotBlank @Pattern(regexp = VERSION) String defaultVersion, Map<String, Integer> weights, String shadow,
		@NotBlank String experiment, @NotNull Duration pollInterval, Map<String, Double> uncertainBelow) {

	/** What a version label may be: a folder name without path tricks. */
	/** A version name: the repository's rule. */
	public static final String VERSION = dev.digits.model.ModelRepository.VERSION;

	public ModelProperties {
		weights = weights == null ? Map.of() : Map.copyOf(weights);
		shadow = shadow == null || shadow.isBlank() ? null : shadow;
		uncertainBelow = uncertainBelow == null ? Map.of() : Map.copyOf(uncertainBelow);
		uncertainBelow.forEach((version, below) -> {
			if (!(below >= 0 && below <= 1)) {
				throw new IllegalArgumentException(
						"digits.model.uncertain-below." + version + " must be in [0, 1], got " + below);
			}
		});
	}

}
