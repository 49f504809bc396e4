package dev.digits.model;

import java.nio.file.Path;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Where the model lives.
 *
 * @param dir folder with the artifacts the trainer writes ({@value ModelFiles#NETWORK},
 * {@value ModelFiles#METADATA}, {@value ModelFiles#LABELS})
 */
@Validated
@ConfigurationProperties("digits.model")
public record ModelProperties(@NotNull Path dir) {
}
