package dev.digits.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The JSON the prediction API answers with. */
final class Responses {

	private Responses() {
	}

	/**
	 * Which model answered.
	 *
	 * @param name the model's name
	 * @param version the version that answered
	 * @param assignment why that version: {@code weighted} (drawn by the traffic shares),
	 * {@code sticky} (by the client's {@code X-Client-Id}), {@code pinned} (asked for)
	 */
	record ModelRef(String name, String version, String assignment) {
	}

	/** Server-side time spent, in milliseconds. */
	record Timings(double preprocessMs, double queueMs, double inferenceMs, double totalMs) {
	}

	/**
	 * What the service made of the upload; {@code image} is the 28x28 input the network
	 * saw, as a PNG data URL, only when asked for with {@code ?include=input}.
	 */
	@JsonInclude(JsonInclude.Include.NON_NULL)
	record Input(String format, int width, int height, boolean inverted, boolean reframed, String image) {
	}

	/**
	 * One image's prediction. {@code probabilities} are the network's own softmax output
	 * (raw, as TensorFlow.js gives them for the same model), and {@code probability} is
	 * the answer's; {@code confidence} is the calibrated probability of the answer
	 * (temperature scaling fitted on validation data), which is what to act on. With
	 * {@code ?allowed=...} the probabilities are renormalised over the allowed digits but
	 * the confidence is not: it stays the network's own probability of that digit among
	 * all ten. {@code uncertain}: the confidence is below the version's threshold, or the
	 * network's own answer is a digit that was not allowed, or the picture shows several
	 * digits; {@code outOfDistribution}: the input does not look like a digit;
	 * {@code severalDigits}: the picture shows more than one digit side by side (the
	 * answer is then for one of them). {@code feedbackToken} goes to
	 * {@code POST /api/v1/feedback}.
	 */
	record Prediction(int digit, float probability, float[] probabilities, float confidence, boolean uncertain,
			boolean outOfDistribution, boolean severalDigits, Input input, boolean cached, String feedbackToken) {
	}

	/**
	 * Answer to a single-image request: the fields of {@link Prediction}, with the
	 * request's.
	 */
	record PredictionResponse(String requestId, int digit, float probability, float[] probabilities, float confidence,
			boolean uncertain, boolean outOfDistribution, boolean severalDigits, Input input, boolean cached,
			ModelRef model, Timings timings, String feedbackToken,
			@JsonInclude(JsonInclude.Include.NON_NULL) Explanation explanation,
			@JsonInclude(JsonInclude.Include.NON_NULL) String capture) {
	}

	/**
	 * Why the network answered: the attribution of each of the 28x28 input pixels to
	 * {@code digit} (rows of 28; positive pushed towards it), and the input with the map
	 * laid over it as a PNG data URL (red towards the digit, blue away from it).
	 */
	record Explanation(String method, int digit, String version, float[][] attributions, String overlay,
			double millis) {
	}

	/** Answer to a batch request: predictions in the order the images were sent. */
	record BatchResponse(String requestId, int count, List<Prediction> predictions, ModelRef model, Timings timings) {
	}

}
