package dev.digits.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Limits on what clients may send.
 *
 * @param maxImageSize largest image in bytes (raw body, or one multipart file)
 * @param maxPixels largest image in pixels (width x height), checked from the header before decoding
 * @param maxBatchImages most images in one batch request
 * @param minInkPixels fewer ink pixels than this is a blank image
 */
@Validated
@ConfigurationProperties("digits.api")
public record ApiProperties(@NotNull DataSize maxImageSize, @Min(1) long maxPixels,
		@Min(1) @Max(1024) int maxBatchImages, @Min(1) int minInkPixels) {
}
