package dev.digits.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a version knows about its own confidence, fitted on the validation split when the
 * model was made ({@code calibrate} command): the temperature that calibrates its
 * probabilities, the calibrated confidence below which an answer is "uncertain", and the
 * out-of-distribution score and threshold ({@code ood.json}) past which the input does
 * not look like a digit. A version without them answers with temperature 1 and no flags.
 *
 * @param temperature calibrated = softmax(logits / temperature)
 * @param uncertainBelow a calibrated confidence under this is uncertain; 0 for never
 * @param oodScore {@code energy} ({@code -T logsumexp(z / T)} on the logits) or
 * {@code max-softmax} ({@code -max softmax(z / T)}); null for none
 * @param oodThreshold the input is out of distribution when the score is above it
 * @param oodTemperature the T of the score
 */
public record Calibration(double temperature, double uncertainBelow, String oodScore, double oodThreshold,
		double oodTemperature) {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	public static final Calibration NONE = new Calibration(1.0, 0.0, null, Double.POSITIVE_INFINITY, 1.0);

	public Calibration {
		if (!(temperature > 0) || !(oodTemperature > 0) || !(uncertainBelow >= 0 && uncertainBelow <= 1)) {
			throw new IllegalArgumentException("temperature " + temperature + ", uncertain below " + uncertainBelow
					+ ", OOD temperature " + oodTemperature);
		}
		if (oodScore != null && !oodScore.equals("energy") && !oodScore.equals("max-softmax")) {
			throw new IllegalArgumentException("OOD score " + oodScore + " is not served (energy or max-softmax)");
		}
	}

	/** This calibration with another {@code uncertain} threshold. */
	public Calibration withUncertainBelow(double below) {
		return new Calibration(temperature, below, oodScore, oodThreshold, oodTemperature);
	}

	public boolean hasOod() {
		return oodScore != null;
	}

	/**
	 * The calibration of the version in {@code dir} (its {@code model-metadata.json} and
	 * the OOD file it names), as the service serves it.
	 */
	public static Calibration ofVersion(Path dir) throws IOException {
		JsonNode metadata = JSON.readTree(new ModelFiles(dir).metadata().toFile());
		return of(JSON.convertValue(metadata, new tools.jackson.core.type.TypeReference<Map<String, Object>>() {
		}), dir);
	}

	/**
	 * The version's calibration: {@code metadata.calibration}, and the file its
	 * {@code metadata.ood} names.
	 */
	static Calibration of(Map<String, Object> metadata, Path dir) throws IOException {
		JsonNode json = JSON.valueToTree(metadata);
		JsonNode calibration = json.path("calibration");
		if (calibration.isMissingNode()) {
			return NONE;
		}
		double temperature = calibration.path("temperature").asDouble(1.0);
		double uncertain = calibration.path("uncertain").path("below").asDouble(0.0);
		JsonNode ood = json.path("ood");
		if (ood.isMissingNode()) {
			return new Calibration(temperature, uncertain, null, Double.POSITIVE_INFINITY, 1.0);
		}
		Path file = dir.resolve(ood.path("file").asString("ood.json"));
		if (!Files.isRegularFile(file)) {
			throw new IOException(file.toAbsolutePath() + " (named by metadata.ood) is missing");
		}
		JsonNode scores = JSON.readTree(file.toFile());
		String score = scores.path("score").asString(null);
		JsonNode threshold = scores.path("thresholds").path(score);
		if (score == null || !threshold.isNumber()) {
			throw new IOException(file.toAbsolutePath() + " names no score with a threshold");
		}
		try {
			return new Calibration(temperature, uncertain, score, threshold.asDouble(),
					scores.path("temperature").asDouble(temperature));
		}
		catch (IllegalArgumentException ex) {
			throw new IOException(file.toAbsolutePath() + ": " + ex.getMessage(), ex);
		}
	}

	/** The calibrated probabilities of {@code logits}. */
	public float[] calibrated(float[] logits) {
		return softmax(logits, temperature);
	}

	/**
	 * The out-of-distribution score of {@code logits} (higher is less like a digit), or
	 * NaN without one.
	 */
	public double oodScore(float[] logits) {
		if (oodScore == null) {
			return Double.NaN;
		}
		if (oodScore.equals("energy")) {
			double max = Double.NEGATIVE_INFINITY;
			for (float z : logits) {
				max = Math.max(max, z / oodTemperature);
			}
			double sum = 0;
			for (float z : logits) {
				sum += Math.exp(z / oodTemperature - max);
			}
			return -oodTemperature * (max + Math.log(sum));
		}
		float[] p = softmax(logits, oodTemperature);
		float best = 0;
		for (float v : p) {
			best = Math.max(best, v);
		}
		return -best;
	}

	public boolean outOfDistribution(float[] logits) {
		return hasOod() && oodScore(logits) > oodThreshold;
	}

	static float[] softmax(float[] logits, double temperature) {
		double max = Double.NEGATIVE_INFINITY;
		for (float z : logits) {
			max = Math.max(max, z / temperature);
		}
		double[] e = new double[logits.length];
		double sum = 0;
		for (int k = 0; k < logits.length; k++) {
			e[k] = Math.exp(logits[k] / temperature - max);
			sum += e[k];
		}
		float[] p = new float[logits.length];
		for (int k = 0; k < p.length; k++) {
			p[k] = (float) (e[k] / sum);
		}
		return p;
	}

}
