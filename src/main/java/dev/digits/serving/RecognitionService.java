package dev.digits.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.digits.inference.DigitClassifier;
import dev.digits.inference.DigitClassifier.Classification;
import dev.digits.inference.OverloadedException;
import dev.digits.model.DigitNetwork;
import dev.digits.preprocessing.ImagePreprocessor;
import dev.digits.preprocessing.Preprocessed;
import dev.digits.preprocessing.PreprocessingException;
import dev.digits.preprocessing.Upload;
import dev.digits.system.Histograms;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The one data plane every protocol adapter calls: preprocesses what a client sent, assigns the
 * request to a model version by the traffic policy, classifies, signs a feedback token per
 * answer, and runs the shadow version on the side. Knows nothing of HTTP.
 */
public final class RecognitionService {

	/**
	 * How a request asks to be routed.
	 *
	 * @param clientId sticky assignment key, or null
	 * @param pinnedVersion the version the client asked for, or null
	 * @param assigned told the version as soon as one is assigned (for request metrics), or null
	 */
	public record Routing(String clientId, String pinnedVersion, Consumer<String> assigned) {

		public static final Routing NONE = new Routing(null, null, null);

	}

	/** One image: what preprocessing made of it, the answer, and the token to give feedback on it. */
	public record Recognized(Preprocessed input, Classification classification, String feedbackToken) {
	}

	/** A request's images, in order, the version that answered, and the time spent before inference. */
	public record Result(String modelName, String version, String assignment, List<Recognized> images,
			long preprocessNanos) {
	}

	private final ImagePreprocessor preprocessor;

	private final Traffic traffic;

	private final ModelRegistry registry;

	private final DigitClassifier classifier;

	private final FeedbackTokens tokens;

	private final Outcomes outcomes;

	private final String modelName;

	private final MeterRegistry meters;

	private final ConcurrentMap<String, Counter> predictions = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, Timer> preprocessTimers = new ConcurrentHashMap<>();

	public RecognitionService(ImagePreprocessor preprocessor, Traffic traffic, ModelRegistry registry,
			FeedbackTokens tokens, Outcomes outcomes, String modelName, MeterRegistry meters) {
		this.preprocessor = preprocessor;
		this.traffic = traffic;
		this.registry = registry;
		this.classifier = registry.classifier();
		this.tokens = tokens;
		this.outcomes = outcomes;
		this.modelName = modelName;
		this.meters = meters;
	}

	public Result recognize(Upload upload, Routing routing) {
		return recognize(List.of(upload), false, routing);
	}

	/** A batch: preprocessed in order (the first failure, named by its index, stops the request). */
	public Result recognizeBatch(List<Upload> uploads, Routing routing) {
		return recognize(uploads, true, routing);
	}

	/** Preprocessed inputs, from adapters that preprocess themselves (tensors). */
	public Result recognizePrepared(List<Preprocessed> prepared, Routing routing) {
		return classify(prepared, 0, routing);
	}

	private Result recognize(List<Upload> uploads, boolean batch, Routing routing) {
		List<Preprocessed> prepared = new ArrayList<>(uploads.size());
		long preprocessNanos = 0;
		for (int i = 0; i < uploads.size(); i++) {
			long start = System.nanoTime();
			Preprocessed p;
			try {
				p = preprocessor.preprocess(uploads.get(i));
			}
			catch (PreprocessingException ex) {
				throw batch ? new PreprocessingException(ex.reason(), "image " + i + ": " + ex.getMessage()) : ex;
			}
			long nanos = System.nanoTime() - start;
			preprocessNanos += nanos;
			preprocessTimers.computeIfAbsent(p.format(), format -> Timer.builder("digits.preprocess")
				.description("Time to decode and normalise one image")
				.tag("format", format)
				.serviceLevelObjectives(Histograms.STEP)
				.register(meters)).record(nanos, TimeUnit.NANOSECONDS);
			prepared.add(p);
		}
		return classify(prepared, preprocessNanos, routing);
	}

	private Result classify(List<Preprocessed> prepared, long preprocessNanos, Routing routing) {
		Traffic.Assignment assignment = traffic.assign(routing.clientId(), routing.pinnedVersion());
		ServedModel served = assignment.model();
		String version = served.version();
		if (routing.assigned() != null) {
			routing.assigned().accept(version);
		}
		List<float[]> pixels = prepared.stream().map(Preprocessed::pixels).toList();
		List<Classification> answers;
		try {
			answers = classifier.classify(served.engine(), pixels);
		}
		finally {
			served.release();
		}
		List<Recognized> recognized = new ArrayList<>(answers.size());
		for (int i = 0; i < answers.size(); i++) {
			int digit = answers.get(i).digit();
			predictions.computeIfAbsent(version + "/" + digit, key -> Counter.builder("digits.predictions")
				.description("Predictions made, by model version and predicted digit")
				.tag("model_version", version)
				.tag("digit", String.valueOf(digit))
				.register(meters)).increment();
			recognized.add(new Recognized(prepared.get(i), answers.get(i), tokens.issue(version, digit)));
		}
		shadow(served, pixels, answers);
		return new Result(modelName, version, assignment.how(), recognized, preprocessNanos);
	}

	/** The shadow version computes the same inputs on the side; only the comparison is kept. */
	private void shadow(ServedModel served, List<float[]> pixels, List<Classification> answers) {
		TrafficPolicy policy = traffic.policy();
		if (policy.shadow() == null || !served.version().equals(policy.defaultVersion())) {
			return;
		}
		ServedModel candidate = registry.get(policy.shadow()).orElse(null);
		if (candidate == null || !candidate.tryAcquire()) {
			return;
		}
		long start = System.nanoTime();
		try {
			classifier.classifyAsync(candidate.engine(), pixels).whenComplete((shadowAnswers, failure) -> {
				candidate.release();
				if (failure == null) {
					long nanos = System.nanoTime() - start;
					for (int i = 0; i < shadowAnswers.size(); i++) {
						outcomes.shadow(candidate.version(), shadowAnswers.get(i).digit() == answers.get(i).digit(), nanos);
					}
				}
				else {
					outcomes.shadowSkipped(candidate.version());
				}
			});
		}
		catch (OverloadedException | dev.digits.inference.NotReadyException ex) {
			candidate.release();
			outcomes.shadowSkipped(candidate.version());
		}
	}

	/** Feedback on a prediction: whether the version that answered was right. */
	public FeedbackTokens.Claims feedback(String token, int trueDigit) {
		if (trueDigit < 0 || trueDigit >= DigitNetwork.CLASSES) {
			throw new IllegalArgumentException("digit must be 0 to 9, got " + trueDigit);
		}
		FeedbackTokens.Claims claims = tokens.verify(token);
		if (registry.get(claims.version()).isEmpty()) {
			throw new UnknownVersionException(claims.version());
		}
		tokens.redeem(token);
		outcomes.feedback(claims.version(), claims.digit() == trueDigit);
		return claims;
	}

}
