package dev.digits.drift;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.digits.model.Calibration;
import dev.digits.model.DigitNetwork;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a version answered on its validation images: the traffic that its live traffic is
 * compared with. Per image, the digit it answered (over all ten), the calibrated
 * probability of that answer and its out-of-distribution score, under the calibration
 * named here ({@code temperature}, {@code oodScore}, {@code oodThreshold},
 * {@code oodTemperature}); a reference whose calibration is not the one served is stale
 * and is not used. Written by the tools' {@code drift-reference} command as
 * {@value #FILE} in the version's folder.
 *
 * @param fittedOn what the images were, in words
 * @param oodScore the OOD score's name, or null for a version without one (its two OOD
 * tests are then not run)
 */
public record DriftReference(String fittedOn, double temperature, String oodScore, double oodThreshold,
		double oodTemperature, byte[] digits, float[] confidence, float[] oodScores) {

	public static final String FILE = "drift-reference.json";

	public static final String FORMAT = "digit-service drift reference, version 1";

	/** Fewer images than this make too coarse a reference. */
	public static final int MIN_IMAGES = 1_000;

	/** A reference holds at most this many images (about 400 KB of JSON). */
	public static final int MAX_IMAGES = 20_000;

	private static final long MAX_FILE_BYTES = 4L << 20;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	public DriftReference {
		int n = digits.length;
		if (n < MIN_IMAGES || n > MAX_IMAGES) {
			throw new IllegalArgumentException(
					"a drift reference holds " + MIN_IMAGES + " to " + MAX_IMAGES + " images, not " + n);
		}
		if (confidence.length != n || oodScores.length != n) {
			throw new IllegalArgumentException("digits, confidence and oodScores must have the same length");
		}
		for (int i = 0; i < n; i++) {
			if (digits[i] < 0 || digits[i] >= DigitNetwork.CLASSES) {
				throw new IllegalArgumentException("digit " + digits[i] + " at " + i + " is not 0 to 9");
			}
			if (!(confidence[i] >= 0 && confidence[i] <= 1)) {
				throw new IllegalArgumentException("confidence " + confidence[i] + " at " + i + " is not in [0, 1]");
			}
			if (oodScore != null && !Float.isFinite(oodScores[i])) {
				throw new IllegalArgumentException("OOD score " + oodScores[i] + " at " + i + " is not finite");
			}
		}
		if (!(temperature > 0)) {
			throw new IllegalArgumentException("temperature must be positive, got " + temperature);
		}
	}

	public int size() {
		return digits.length;
	}

	/** One answer, as drift sees it. */
	public record Observation(int digit, float confidence, float oodScore) {
	}

	/**
	 * What drift sees of one answer: the network's own digit over all ten (whatever a
	 * request allowed), its calibrated probability, and the OOD score.
	 */
	public static Observation observe(float[] logits, Calibration calibration) {
		float[] calibrated = calibration.calibrated(logits);
		int digit = DigitNetwork.argMax(calibrated, 0);
		return new Observation(digit, calibrated[digit], (float) calibration.oodScore(logits));
	}

	/**
	 * Whether this reference was made under {@code calibration}: the same temperature and
	 * OOD score and threshold (to the precision JSON keeps).
	 */
	public boolean matches(Calibration calibration) {
		boolean ood = oodScore == null ? !calibration.hasOod()
				: calibration.hasOod() && oodScore.equals(calibration.oodScore())
						&& close(oodThreshold, calibration.oodThreshold())
						&& close(oodTemperature, calibration.oodTemperature());
		return ood && close(temperature, calibration.temperature());
	}

	private static boolean close(double a, double b) {
		return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
	}

	/** The reference of a version's images under {@code calibration}. */
	public static DriftReference of(String fittedOn, Calibration calibration, float[][] logits) {
		int n = logits.length;
		byte[] digits = new byte[n];
		float[] confidence = new float[n];
		float[] ood = new float[n];
		for (int i = 0; i < n; i++) {
			Observation o = observe(logits[i], calibration);
			digits[i] = (byte) o.digit();
			confidence[i] = o.confidence();
			ood[i] = calibration.hasOod() ? o.oodScore() : 0f;
		}
		return new DriftReference(fittedOn, calibration.temperature(),
				calibration.hasOod() ? calibration.oodScore() : null,
				calibration.hasOod() ? calibration.oodThreshold() : Double.POSITIVE_INFINITY,
				calibration.oodTemperature(), digits, confidence, ood);
	}

	public void write(Path file) throws IOException {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("format", FORMAT);
		json.put("fittedOn", fittedOn);
		json.put("images", size());
		json.put("temperature", temperature);
		json.put("oodScore", oodScore);
		json.put("oodThreshold", oodScore == null ? null : oodThreshold);
		json.put("oodTemperature", oodTemperature);
		json.put("definitions",
				Map.of("digit", "the answer over all ten digits", "confidence",
						"its calibrated probability (softmax of logits / temperature)", "oodScores",
						"the version's OOD score of the same logits (flagged when above oodThreshold)"));
		int[] d = new int[size()];
		for (int i = 0; i < d.length; i++) {
			d[i] = digits[i];
		}
		json.put("digits", d);
		json.put("confidence", confidence);
		json.put("oodScores", oodScore == null ? null : oodScores);
		JSON.writeValue(file.toFile(), json);
	}

	/** Reads a reference file, at most 4 MB. */
	public static DriftReference read(Path file) throws IOException {
		if (Files.size(file) > MAX_FILE_BYTES) {
			throw new IOException(file + " is larger than " + (MAX_FILE_BYTES >> 20) + " MB");
		}
		JsonNode json;
		try (InputStream in = Files.newInputStream(file)) {
			json = JSON.readTree(in);
		}
		catch (JacksonException ex) {
			throw new IOException(file + " is not JSON: " + ex.getOriginalMessage(), ex);
		}
		if (!FORMAT.equals(json.path("format").asString(""))) {
			throw new IOException(file + " is not a " + FORMAT);
		}
		try {
			JsonNode digitsNode = json.path("digits");
			int n = digitsNode.size();
			byte[] digits = new byte[n];
			float[] confidence = new float[n];
			float[] ood = new float[n];
			String score = json.path("oodScore").isString() ? json.path("oodScore").asString() : null;
			for (int i = 0; i < n; i++) {
				int digit = digitsNode.get(i).asInt(-1);
				digits[i] = (byte) (digit >= 0 && digit < DigitNetwork.CLASSES ? digit : -1);
				confidence[i] = number(json.path("confidence").get(i));
				ood[i] = score == null ? 0f : number(json.path("oodScores").get(i));
			}
			return new DriftReference(json.path("fittedOn").asString(""), json.path("temperature").asDouble(), score,
					score == null ? Double.POSITIVE_INFINITY : json.path("oodThreshold").asDouble(),
					json.path("oodTemperature").asDouble(), digits, confidence, ood);
		}
		catch (IllegalArgumentException ex) {
			throw new IOException(file + ": " + ex.getMessage(), ex);
		}
	}

	private static float number(JsonNode node) {
		return node != null && node.isNumber() ? node.floatValue() : Float.NaN;
	}

}
