package dev.digits.model;

import java.nio.file.Path;

/**
 * The names of the artifacts in a model folder, shared by the trainer that writes them
 * and the service.
 */
public record ModelFiles(Path dir) {

	public static final String NETWORK = "mnist-cnn.zip";

	public static final String TFJS = "mnist-cnn.json";

	public static final String TFJS_WEIGHTS = "mnist-cnn-weights.bin";

	public static final String QUANTIZED = "mnist-cnn-int8.json";

	public static final String QUANTIZED_WEIGHTS = "mnist-cnn-int8-weights.bin";

	public static final String METADATA = "model-metadata.json";

	public static final String LABELS = "label-mapping.json";

	/**
	 * An ensemble version's members: {@code {"members": ["1", "3"]}} (average of their
	 * probabilities).
	 */
	public static final String ENSEMBLE = "ensemble.json";

	public Path network() {
		return dir.resolve(NETWORK);
	}

	/**
	 * What the service loads from this folder: the DL4J zip when there is one, else the
	 * TF.js layers model {@value #TFJS} (float, or 8-bit as in a quantized version's
	 * folder).
	 */
	public Path served() {
		return java.nio.file.Files.isRegularFile(network()) || !java.nio.file.Files.isRegularFile(tfjs()) ? network()
				: tfjs();
	}

	public Path tfjs() {
		return dir.resolve(TFJS);
	}

	public Path quantized() {
		return dir.resolve(QUANTIZED);
	}

	public Path ensemble() {
		return dir.resolve(ENSEMBLE);
	}

	public Path metadata() {
		return dir.resolve(METADATA);
	}

	public Path labels() {
		return dir.resolve(LABELS);
	}

	public Path curvesChart() {
		return dir.resolve("training-curves.png");
	}

	public Path confusionChart() {
		return dir.resolve("confusion-matrix.png");
	}

}
