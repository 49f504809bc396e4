package dev.digits.system;

import java.time.Duration;

import dev.digits.preprocessing.PreprocessingLimits;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The decoding budget (see {@link PreprocessingLimits} for what each limit bounds and why
 * its default is what it is), and the admission shared by all requests.
 *
 * @param maxWidth widest image, pixels
 * @param maxHeight tallest image, pixels
 * @param maxPixels largest width x height
 * @param maxDecodeSize most memory one image may need to decode
 * @param maxFrames most frames in a GIF
 * @param maxJpegScans most scans in a JPEG
 * @param timeBudget longest one image may take to decode and normalise
 * @param decodePixels pixels decoded at most (larger images are subsampled while
 * decoding)
 * @param minInkPixels fewer ink pixels than this is a blank image
 * @param decodeMemory decoding memory all requests together may hold
 * @param largeDecodes images decoded subsampled (the costly ones) at once; 0 = half the
 * cores
 * @param largeDecodeShare share of a core each of those may use over time (after a large
 * decode of d, the next one waits d x (1 / share - 1)); 1 = no rest
 */
@Validated
@ConfigurationProperties("digits.preprocessing")
record PreprocessingProperties(@Min(1) int maxWidth, @Min(1) int maxHeight, @Min(1) long maxPixels,
		@NotNull DataSize maxDecodeSize, @Min(1) int maxFrames, @Min(1) int maxJpegScans, @NotNull Duration timeBudget,
		@Min(1) long decodePixels, @Min(1) int minInkPixels, @NotNull DataSize decodeMemory,
		@Min(0) @Max(256) int largeDecodes,
		@DecimalMin(value = "0", inclusive = false) @DecimalMax("1") double largeDecodeShare) {

	PreprocessingLimits limits() {
		return new PreprocessingLimits(maxWidth, maxHeight, maxPixels, maxDecodeSize.toBytes(), maxFrames, maxJpegScans,
				timeBudget, decodePixels, minInkPixels);
	}

	int effectiveLargeDecodes() {
		return largeDecodes > 0 ? largeDecodes : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
	}

}
