package dev.digits.system;

import java.time.Duration;
import java.util.List;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Cross-origin access to the public API ({@code /api/**}, {@code /v2/**}) from browser
 * apps on other origins. Never for {@code /admin/**}.
 * <p>
 * The default allows every origin: the public API takes no cookies or credentials and
 * answers nothing a script on another origin could not get with curl, while the apps that
 * use it (web front ends, notebooks, the model card's "UI input" use case) live on
 * origins the operator may not know in advance. Set explicit origins (e.g.
 * {@code https://forms.example.com}) to narrow it; credentials are never allowed.
 *
 * @param allowedOrigins origin patterns, {@code *} for all
 * @param maxAge how long browsers may cache a preflight answer
 */
@Validated
@ConfigurationProperties("digits.cors")
record CorsProperties(@NotNull List<String> allowedOrigins, @NotNull Duration maxAge) {
}
