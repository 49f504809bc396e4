package dev.digits.serving;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import dev.digits.explain.Attributions;
import dev.digits.inference.DigitClassifier;
import dev.digits.inference.NhwcGradients;
import dev.digits.inference.NotReadyException;
import dev.digits.inference.OverloadedException;
import dev.digits.model.DigitNetwork;
import dev.digits.model.LoadedModel;
import dev.digits.system.Histograms;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Explains an answer: the 28x28 attribution map of one input for one digit, by occlusion
 * (its occluded copies classified through the inference queue in chunks of one forward
 * pass, so they wait and are shed like any other images) or by integrated gradients (a
 * forward and backward pass of the version's network on the request's thread, on a
 * dropout-free copy kept per loaded network). Explanations cost several predictions: at
 * most {@code maxConcurrent} are computed at once and a request past them is refused at
 * once (overloaded), and each method is timed in {@code digits_explanation_seconds}.
 */
public final class Explainer {

	/**
	 * One explanation.
	 *
	 * @param method {@code occlusion} or {@code integrated-gradients}
	 * @param digit the digit explained
	 * @param attributions 784 values, row by row: positive pushed the network towards the
	 * digit
	 * @param version the version whose network was explained
	 */
	public record Explanation(String method, int digit, float[] attributions, String version) {
	}

	/**
	 * Gradients through the serving engine's channels-last ops, one per loaded network
	 * (the last few).
	 */
	private final Map<LoadedModel, NhwcGradients> gradients = new LinkedHashMap<>(4, 0.75f, true) {

		@Override
		protected boolean removeEldestEntry(Map.Entry<LoadedModel, NhwcGradients> eldest) {
			return size() > 4;
		}

	};

	private final ModelManager manager;

	private final DigitClassifier classifier;

	private final Semaphore permits;

	private final Map<String, Timer> timers = new ConcurrentHashMap<>();

	private final MeterRegistry meters;

	public Explainer(ModelManager manager, DigitClassifier classifier, int maxConcurrent, MeterRegistry meters) {
		this.manager = manager;
		this.classifier = classifier;
		this.permits = new Semaphore(maxConcurrent);
		this.meters = meters;
	}

	/**
	 * The map of {@code input} (a preprocessed 28x28 image) for {@code digit} by
	 * {@code method}, on {@code version}'s network.
	 * @throws DataPlane.InvalidInferenceException an unknown method, a digit out of 0-9,
	 * or an ensemble version
	 * @throws OverloadedException when as many explanations are being computed as allowed
	 * @throws NotReadyException when the version is no longer READY
	 */
	public Explanation explain(String version, float[] input, int digit, String method) {
		if (!Attributions.METHODS.contains(method)) {
			throw new DataPlane.InvalidInferenceException(
					"unknown explanation method '" + method + "'; one of " + String.join(", ", Attributions.METHODS));
		}
		if (digit < 0 || digit >= DigitNetwork.CLASSES) {
			throw new DataPlane.InvalidInferenceException("the digit to explain is 0 to 9, got " + digit);
		}
		if (!permits.tryAcquire()) {
			throw new OverloadedException(
					"as many explanations are being computed as the service allows; retry shortly");
		}
		long start = System.nanoTime();
		try (Lease lease = manager.tryLease(version)) {
			if (lease == null) {
				throw new NotReadyException("model version " + version + " is no longer READY");
			}
			if (lease.isEnsemble()) {
				throw new DataPlane.InvalidInferenceException(
						"version " + version + " is an ensemble; explanations are for a single network");
			}
			float[] map = switch (method) {
				case "occlusion" -> Attributions.occlusion(input, digit, images -> probabilities(lease, images));
				default -> integratedGradients(lease.model(), input, digit);
			};
			timer(method).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
			return new Explanation(method, digit, map, version);
		}
		finally {
			permits.release();
		}
	}

	/**
	 * The images classified in chunks of one forward pass each, one after the other: no
	 * chunk asks the queue for more room than a prediction batch would.
	 */
	private float[][] probabilities(Lease lease, float[][] images) {
		int chunk = classifier.properties().maxBatchSize();
		float[][] p = new float[images.length][];
		for (int from = 0; from < images.length; from += chunk) {
			int to = Math.min(images.length, from + chunk);
			List<DigitClassifier.Classification> answers = classifier.classify(lease.engine(),
					java.util.Arrays.asList(images).subList(from, to));
			for (int i = from; i < to; i++) {
				p[i] = answers.get(i - from).probabilities();
			}
		}
		return p;
	}

	private float[] integratedGradients(LoadedModel model, float[] input, int digit) {
		NhwcGradients g;
		synchronized (gradients) {
			g = gradients.computeIfAbsent(model, m -> NhwcGradients.of(m.network()));
		}
		return Attributions.integratedGradients(g::logProbabilityGradients, input, digit, Attributions.STEPS);
	}

	private Timer timer(String method) {
		return timers.computeIfAbsent(method,
				m -> Timer.builder("digits.explanation")
					.description("Time to compute one explanation, by method")
					.tag("method", m)
					.serviceLevelObjectives(Histograms.STEP)
					.register(meters));
	}

}
