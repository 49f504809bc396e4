package dev.digits.api;

import java.util.List;

/** The JSON the prediction API answers with. */
final class Responses {

	private Responses() {
	}

	/** Which model answered. */
	record ModelRef(String name, String version) {
	}

	/** Server-side time spent, in milliseconds. */
	record Timings(double preprocessMs, double queueMs, double inferenceMs, double totalMs) {
	}

	/** What the service made of the upload. */
	record Input(String format, int width, int height, boolean inverted, boolean reframed) {
	}

	/** One image's prediction. */
	record Prediction(int digit, float probability, float[] probabilities, Input input, boolean cached) {
	}

	/** Answer to a single-image request. */
	record PredictionResponse(String requestId, int digit, float probability, float[] probabilities, Input input,
			boolean cached, ModelRef model, Timings timings) {
	}

	/** Answer to a batch request: predictions in the order the images were sent. */
	record BatchResponse(String requestId, int count, List<Prediction> predictions, ModelRef model, Timings timings) {
	}

}
