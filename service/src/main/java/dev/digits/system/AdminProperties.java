package dev.digits.system;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Credentials of the admin API ({@code /admin/**}). Without a token the admin API answers
 * 401 to everyone: nothing is enabled by default.
 *
 * @param token the bearer token, e.g. from {@code DIGITS_ADMIN_TOKEN} (at least 16
 * characters)
 * @param tokenFile a file holding it (a mounted secret), used when {@code token} is empty
 */
@ConfigurationProperties("digits.admin")
record AdminProperties(String token, Path tokenFile) {
}
