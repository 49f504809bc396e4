package dev.digits.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Reference inputs with the outputs the trained model gave them, recorded in
 * {@code model-metadata.json} when the model is written. A loaded model must reproduce
 * them within {@link #tolerance()} before it serves: a file that was damaged, swapped or
 * tampered with in any way that changes what the network computes (NaN weights with the
 * right shapes included) is refused, whichever engine runs it.
 *
 * @param tolerance largest difference allowed on any probability
 * @param examples the references, one MNIST test image per digit
 */
public record GoldenSet(double tolerance, List<Example> examples) {

	/** The metadata key. */
	public static final String KEY = "golden";

	/**
	 * Differences between the engines are below 1e-5 (docs/BENCHMARKS.md); damage is far
	 * larger.
	 */
	public static final double DEFAULT_TOLERANCE = 1e-4;

	/**
	 * @param label the image's true digit
	 * @param grey 784 grey levels, ink high, as MNIST stores them
	 * @param probabilities what the model answered when it was recorded
	 */
	public record Example(int label, byte[] grey, float[] probabilities) {

		/** The network input, through the one normalisation. */
		public float[] input() {
			float[] input = new float[DigitNetwork.PIXELS];
			Normalization.normalize(grey, 0, input, 0, DigitNetwork.PIXELS);
			return input;
		}

	}

	/**
	 * The first image of each digit in {@code images}, with the probabilities
	 * {@code forward} gives them.
	 * @param images MNIST images, {@code 784} grey levels each, back to back
	 * @param forward inputs to probabilities, one row per input
	 */
	public static GoldenSet record(byte[] images, byte[] labels, Function<float[][], float[][]> forward) {
		List<byte[]> picked = new ArrayList<>();
		List<Integer> pickedLabels = new ArrayList<>();
		boolean[] seen = new boolean[DigitNetwork.CLASSES];
		for (int i = 0; i < labels.length && picked.size() < DigitNetwork.CLASSES; i++) {
			int label = labels[i];
			if (!seen[label]) {
				seen[label] = true;
				picked
					.add(java.util.Arrays.copyOfRange(images, i * DigitNetwork.PIXELS, (i + 1) * DigitNetwork.PIXELS));
				pickedLabels.add(label);
			}
		}
		float[][] inputs = new float[picked.size()][];
		List<Example> examples = new ArrayList<>();
		for (int i = 0; i < inputs.length; i++) {
			inputs[i] = new Example(pickedLabels.get(i), picked.get(i), null).input();
		}
		float[][] outputs = forward.apply(inputs);
		for (int i = 0; i < inputs.length; i++) {
			examples.add(new Example(pickedLabels.get(i), picked.get(i), outputs[i]));
		}
		return new GoldenSet(DEFAULT_TOLERANCE, examples);
	}

	/** The inputs, one row per example. */
	public float[][] inputs() {
		return examples.stream().map(Example::input).toArray(float[][]::new);
	}

	/**
	 * Checks that {@code forward} reproduces the recorded outputs.
	 * @param what names the model and engine in the message, e.g. the file
	 * @throws ModelCheckException naming {@code what}, the worst example and its
	 * difference
	 */
	public void verify(Function<float[][], float[][]> forward, String what) {
		float[][] outputs = forward.apply(inputs());
		double worst = 0;
		int worstIndex = 0;
		for (int i = 0; i < examples.size(); i++) {
			float[] expected = examples.get(i).probabilities();
			for (int k = 0; k < expected.length; k++) {
				double difference = Math.abs((double) outputs[i][k] - expected[k]);
				if (!(difference <= worst)) { // NaN counts as the worst
					worst = Double.isNaN(difference) ? Double.POSITIVE_INFINITY : difference;
					worstIndex = i;
				}
			}
		}
		if (worst > tolerance) {
			throw new ModelCheckException(String.format(Locale.ROOT,
					"%s does not reproduce its golden outputs: the digit-%d reference differs by %s (tolerance %g); "
							+ "the file is damaged or is not the model its metadata describes",
					what, examples.get(worstIndex).label(),
					Double.isInfinite(worst) ? "NaN" : String.format(Locale.ROOT, "%.3g", worst), tolerance));
		}
	}

	/** The JSON form stored under {@value #KEY} in the metadata. */
	public Map<String, Object> toJson() {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("tolerance", tolerance);
		json.put("description", "first MNIST test image of each digit, grey levels base64, and the probabilities "
				+ "the model gave them when written; checked at every load");
		List<Map<String, Object>> list = new ArrayList<>();
		for (Example e : examples) {
			Map<String, Object> item = new LinkedHashMap<>();
			item.put("label", e.label());
			item.put("grey", Base64.getEncoder().encodeToString(e.grey()));
			List<Float> p = new ArrayList<>();
			for (float v : e.probabilities()) {
				p.add(v);
			}
			item.put("probabilities", p);
			list.add(item);
		}
		json.put("examples", list);
		return json;
	}

	/**
	 * The golden set in {@code metadata}.
	 * @param file the metadata file, named in errors
	 * @throws IOException when there is none or it is malformed
	 */
	public static GoldenSet fromMetadata(Map<String, Object> metadata, Path file) throws IOException {
		if (!(metadata.get(KEY) instanceof Map<?, ?> json)) {
			throw new IOException(file + " has no \"" + KEY + "\" reference outputs, so the model cannot be checked "
					+ "before it serves; record them with: java -jar digit-service.jar golden --model-dir=DIR "
					+ "--mnist-dir=MNIST");
		}
		try {
			double tolerance = ((Number) json.get("tolerance")).doubleValue();
			List<Example> examples = new ArrayList<>();
			for (Object o : (List<?>) json.get("examples")) {
				Map<?, ?> item = (Map<?, ?>) o;
				byte[] grey = Base64.getDecoder().decode((String) item.get("grey"));
				List<?> p = (List<?>) item.get("probabilities");
				if (grey.length != DigitNetwork.PIXELS || p.size() != DigitNetwork.CLASSES) {
					throw new IllegalArgumentException(
							"an example has " + grey.length + " pixels and " + p.size() + " probabilities");
				}
				float[] probabilities = new float[p.size()];
				for (int k = 0; k < probabilities.length; k++) {
					probabilities[k] = ((Number) p.get(k)).floatValue();
				}
				examples.add(new Example(((Number) item.get("label")).intValue(), grey, probabilities));
			}
			if (examples.isEmpty() || !(tolerance > 0)) {
				throw new IllegalArgumentException("no examples, or a tolerance that is not positive");
			}
			return new GoldenSet(tolerance, examples);
		}
		catch (RuntimeException ex) {
			throw new IOException(file + " has a malformed \"" + KEY + "\" section: " + ex.getMessage(), ex);
		}
	}

}
