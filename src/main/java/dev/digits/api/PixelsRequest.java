package dev.digits.api;

import java.util.List;

import jakarta.validation.constraints.NotNull;

/**
 * A 28x28 image as numbers, row-major: 784 grey levels.
 *
 * @param pixels the values: integers 0..255 when {@code range} is {@code "0-255"} (the default),
 * or floats 0..1 when it is {@code "0-1"}; ink high (MNIST) or ink dark, either is recognised
 * @param range {@code "0-255"} or {@code "0-1"}
 */
record PixelsRequest(@NotNull List<Double> pixels, String range) {

	/** Several images for the batch endpoint. */
	record Batch(@NotNull List<PixelsRequest> images) {
	}

}
