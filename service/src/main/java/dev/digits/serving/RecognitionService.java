package dev.digits.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.digits.inference.DigitClassifier;
import dev.digits.inference.DigitClassifier.Classification;
import dev.digits.inference.OverloadedException;
import dev.digits.inference.PipelineTracer;
import dev.digits.drift.DriftReference;
import dev.digits.model.Calibration;
import dev.digits.model.DigitNetwork;
import dev.digits.preprocessing.ImagePreprocessor;
import dev.digits.preprocessing.Preprocessed;
import dev.digits.preprocessing.PreprocessingException;
import dev.digits.preprocessing.Upload;
import dev.digits.system.Histograms;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.tracing.Span;

/**
 * The one data plane every protocol adapter calls: preprocesses what a client sent,
 * assigns the request to a model version by the traffic policy, classifies, signs a
 * feedback token per answer, and runs the shadow version on the side. Knows nothing of
 * HTTP.
 */
public final class RecognitionService {

	/**
	 * How a request asks to be answered.
	 *
	 * @param clientId sticky assignment key, or null
	 * @param pinnedVersion the version the client asked for, or null
	 * @param allowedDigits the only digits the answer may be (a form field that takes
	 * 1-5), or null
	 * @param assigned told the version as soon as one is assigned (for request metrics),
	 * or null
	 */
	public record Routing(String clientId, String pinnedVersion, Set<Integer> allowedDigits,
			Consumer<String> assigned) {

		public static final Routing NONE = new Routing(null, null, null, null);

		public Routing {
			if (allowedDigits != null) {
				if (allowedDigits.isEmpty()
						|| allowedDigits.stream().anyMatch(d -> d < 0 || d >= DigitNetwork.CLASSES)) {
					throw new IllegalArgumentException("allowed digits must be a non-empty set of 0 to 9");
				}
				allowedDigits = Set.copyOf(allowedDigits);
			}
		}

	}

	/**
	 * One image's answer.
	 *
	 * @param digit the answer (among the allowed digits, if the request restricted them)
	 * @param probabilities the network's own softmax output, renormalised over the
	 * allowed digits
	 * @param confidence the calibrated probability of the answer (temperature scaling,
	 * NOT renormalised over the allowed digits)
	 * @param uncertain the confidence is below the version's threshold, or the network's
	 * own answer is a digit the request did not allow
	 * @param outOfDistribution the input does not look like a digit (the version's OOD
	 * score is past its threshold, on all ten logits whatever was allowed)
	 * @param oodScore that score, NaN when the version has none
	 */
	public record Answer(int digit, float[] probabilities, float confidence, boolean uncertain,
			boolean outOfDistribution, double oodScore) {
	}

	/**
	 * One image: what preprocessing made of it, the answer, its cost, and the token to
	 * give feedback on it.
	 */
	public record Recognized(Preprocessed input, Answer answer, Classification classification, String feedbackToken) {
	}

	/**
	 * A request's images, in order, the version that answered, and the time spent before
	 * inference.
	 */
	public record Result(String modelName, String version, String assignment, List<Recognized> images,
			long preprocessNanos) {
	}

	private final ImagePreprocessor preprocessor;

	private final ModelManager manager;

	private final DigitClassifier classifier;

	private final FeedbackTokens tokens;

	private final FeedbackLimiter limiter;

	private final Outcomes outcomes;

	private final String modelName;

	private final MeterRegistry meters;

	private final ConcurrentMap<String, Counter> predictions = new ConcurrentHashMap<>();

	private final ConcurrentMap<String, Timer> preprocessTimers = new ConcurrentHashMap<>();

	private final PipelineTracer tracer;

	private final Map<String, Double> uncertainBelow;

	private final DriftMonitor drift;

	private final CaptureStore captures;

	/**
	 * @param uncertainBelow per version, an {@code uncertain} threshold in place of its
	 * calibration's
	 * @param drift told every answer of every version
	 * @param captures the consented inputs, labelled by feedback
	 */
	public RecognitionService(ImagePreprocessor preprocessor, ModelManager manager, FeedbackTokens tokens,
			FeedbackLimiter limiter, Outcomes outcomes, String modelName, MeterRegistry meters, PipelineTracer tracer,
			Map<String, Double> uncertainBelow, DriftMonitor drift, CaptureStore captures) {
		this.drift = drift;
		this.captures = captures;
		this.limiter = limiter;
		this.uncertainBelow = Map.copyOf(uncertainBelow);
		this.preprocessor = preprocessor;
		this.manager = manager;
		this.classifier = manager.classifier();
		this.tokens = tokens;
		this.outcomes = outcomes;
		this.modelName = modelName;
		this.meters = meters;
		this.tracer = tracer;
	}

	public Result recognize(Upload upload, Routing routing) {
		return recognize(List.of(upload), false, routing);
	}

	/**
	 * A batch: preprocessed in order (the first failure, named by its index, stops the
	 * request).
	 */
	public Result recognizeBatch(List<Upload> uploads, Routing routing) {
		return recognize(uploads, true, routing);
	}

	private Result recognize(List<Upload> uploads, boolean batch, Routing routing) {
		List<Preprocessed> prepared = new ArrayList<>(uploads.size());
		long preprocessNanos = 0;
		Span span = tracer.startChild("digits.preprocess");
		for (int i = 0; i < uploads.size(); i++) {
			long start = System.nanoTime();
			Preprocessed p;
			try {
				p = preprocessor.preprocess(uploads.get(i));
			}
			catch (PreprocessingException ex) {
				PreprocessingException failure = batch
						? new PreprocessingException(ex.reason(), "image " + i + ": " + ex.getMessage()) : ex;
				if (span != null) {
					span.tag("digits.images", uploads.size())
						.tag("digits.failure.reason", ex.reason().name())
						.error(failure)
						.end();
				}
				throw failure;
			}
			catch (RuntimeException | Error ex) {
				if (span != null) {
					span.error(ex).end();
				}
				throw ex;
			}
			long nanos = System.nanoTime() - start;
			preprocessNanos += nanos;
			if (!classifier.isQuiet()) {
				preprocessTimers
					.computeIfAbsent(p.format(),
							format -> Timer.builder("digits.preprocess")
								.description("Time to decode and normalise one image")
								.tag("format", format)
								.serviceLevelObjectives(Histograms.STEP)
								.register(meters))
					.record(nanos, TimeUnit.NANOSECONDS);
			}
			prepared.add(p);
		}
		if (span != null) {
			span.tag("digits.images", uploads.size());
			if (prepared.size() == 1) {
				span.tag("digits.image.format", prepared.get(0).format());
			}
			span.end();
		}
		return classify(prepared, preprocessNanos, routing);
	}

	private Result classify(List<Preprocessed> prepared, long preprocessNanos, Routing routing) {
		List<float[]> pixels = prepared.stream().map(Preprocessed::pixels).toList();
		String version;
		String how;
		List<Classification> answers;
		Calibration calibration;
		try (Lease lease = manager.acquire(routing.clientId(), routing.pinnedVersion())) {
			version = lease.version();
			how = lease.how();
			if (routing.assigned() != null) {
				routing.assigned().accept(version);
			}
			tracer.tagCurrent("digits.model.version", version);
			answers = lease.isEnsemble() ? ensemble(lease, pixels) : classifier.classify(lease.engine(), pixels);
			calibration = lease.calibration();
		}
		Calibration served = calibration; // the version's own: drift keys its window on
											// it
		List<DriftReference.Observation> observed = new ArrayList<>(answers.size());
		List<Recognized> recognized = new ArrayList<>(answers.size());
		Double below = uncertainBelow.get(version);
		if (below != null) {
			calibration = calibration.withUncertainBelow(below);
		}
		String source = tokens.newSource(); // one vote for the whole request, however
											// many images
		for (int i = 0; i < answers.size(); i++) {
			Answer answer = answer(answers.get(i), calibration, routing.allowedDigits());
			observed.add(observation(answers.get(i), answer, calibration, routing.allowedDigits()));
			if (prepared.get(i).severalDigits()) {
				// the network answers for one digit of several: never a confident answer
				answer = new Answer(answer.digit(), answer.probabilities(), answer.confidence(), true,
						answer.outOfDistribution(), answer.oodScore());
				flag(version, "several_digits");
			}
			int digit = answer.digit();
			if (answer.uncertain()) {
				flag(version, "uncertain");
			}
			if (answer.outOfDistribution()) {
				flag(version, "out_of_distribution");
			}
			if (!classifier.isQuiet()) {
				predictions
					.computeIfAbsent(version + "/" + digit,
							key -> Counter.builder("digits.predictions")
								.description("Predictions made, by model version and predicted digit")
								.tag("model_version", version)
								.tag("digit", String.valueOf(digit))
								.register(meters))
					.increment();
			}
			recognized.add(new Recognized(prepared.get(i), answer, answers.get(i),
					tokens.issue(version, digit, source, FeedbackTokens.fingerprint(prepared.get(i).pixels()))));
		}
		if (!classifier.isQuiet()) {
			drift.observe(version, served, observed);
		}
		shadow(version, pixels, answers, routing);
		return new Result(modelName, version, how, recognized, preprocessNanos);
	}

	/**
	 * An ensemble's answer: its members (held by the lease) classify the same images
	 * together, their probabilities are averaged, and the logits become the log of that
	 * average (so the ensemble's own calibration, if any, applies to it).
	 */
	private List<Classification> ensemble(Lease lease, List<float[]> pixels) {
		List<List<Classification>> each = classifier.classifyEach(lease.memberEngines(), pixels);
		float[][] mean = ModelManager.average(each.stream()
			.map(member -> member.stream().map(Classification::probabilities).toArray(float[][]::new))
			.toList());
		List<Classification> answers = new ArrayList<>(mean.length);
		for (int i = 0; i < mean.length; i++) {
			float[] logits = new float[mean[i].length];
			for (int k = 0; k < logits.length; k++) {
				logits[k] = (float) Math.log(Math.max(mean[i][k], 1e-30f));
			}
			long queue = 0;
			long compute = 0;
			for (List<Classification> member : each) {
				queue = Math.max(queue, member.get(i).queueNanos());
				compute += member.get(i).computeNanos();
			}
			answers.add(new Classification(DigitNetwork.argMax(mean[i], 0), mean[i], logits, false, queue, compute,
					each.get(0).get(i).batchSize()));
		}
		return answers;
	}

	/**
	 * The answer to one classification under the version's calibration and the allowed
	 * digits. A restricted answer keeps the network's own doubt: its {@code confidence}
	 * is the calibrated probability the network gave that digit among ALL ten (not
	 * renormalised over the allowed ones), and it is {@code uncertain} when that is under
	 * the threshold or when the network's own answer is a digit the request did not
	 * allow. Only {@code probabilities} are renormalised, to say which allowed digit is
	 * likeliest.
	 */
	static Answer answer(Classification c, Calibration calibration, Set<Integer> allowed) {
		float[] raw = c.probabilities();
		float[] calibrated = calibration.calibrated(c.logits());
		boolean restricted = allowed != null && allowed.size() < DigitNetwork.CLASSES;
		boolean ownAnswerRefused = restricted && !allowed.contains(DigitNetwork.argMax(raw, 0));
		if (restricted) {
			raw = restricted(raw, allowed);
		}
		int digit = DigitNetwork.argMax(raw, 0);
		float confidence = calibrated[digit];
		double ood = calibration.oodScore(c.logits());
		return new Answer(digit, raw, confidence, confidence < calibration.uncertainBelow() || ownAnswerRefused,
				calibration.hasOod() && ood > calibration.oodThreshold(), ood);
	}

	/**
	 * What drift sees of an answer: the network's own digit over all ten, its calibrated
	 * probability and the OOD score. For an unrestricted answer these are the answer's
	 * own figures (computed once); only a restricted one computes them again.
	 */
	static DriftReference.Observation observation(Classification c, Answer answer, Calibration calibration,
			Set<Integer> allowed) {
		if (allowed != null && allowed.size() < DigitNetwork.CLASSES) {
			return DriftReference.observe(c.logits(), calibration);
		}
		return new DriftReference.Observation(answer.digit(), answer.confidence(), (float) answer.oodScore());
	}

	/** Zero outside {@code allowed}, the rest rescaled to sum to 1. */
	static float[] restricted(float[] p, Set<Integer> allowed) {
		float[] out = new float[p.length];
		double sum = 0;
		for (int k : allowed) {
			sum += p[k];
		}
		for (int k : allowed) {
			out[k] = sum > 0 ? (float) (p[k] / sum) : 1f / allowed.size();
		}
		return out;
	}

	private void flag(String version, String flag) {
		if (classifier.isQuiet()) {
			return;
		}
		predictions
			.computeIfAbsent("flag/" + version + "/" + flag,
					key -> Counter.builder("digits.flags")
						.description("Answers flagged uncertain or out of distribution, by model version")
						.tag("model_version", version)
						.tag("flag", flag)
						.register(meters))
			.increment();
	}

	/**
	 * The shadow version computes the same inputs on the side; only the comparison is
	 * kept.
	 */
	private void shadow(String version, List<float[]> pixels, List<Classification> answers, Routing routing) {
		TrafficPolicy policy = manager.policy();
		if (policy.shadow() == null || !version.equals(policy.defaultVersion()) || classifier.isQuiet()) {
			return;
		}
		Lease candidate = manager.tryLease(policy.shadow());
		if (candidate == null) {
			return;
		}
		if (candidate.isEnsemble()) {
			candidate.close(); // an ensemble is not run as a shadow: it would hold a
								// request thread
			return;
		}
		long start = System.nanoTime();
		try {
			classifier.classifyAsync(candidate.engine(), pixels).whenComplete((shadowAnswers, failure) -> {
				candidate.close();
				if (failure == null) {
					long nanos = System.nanoTime() - start;
					for (int i = 0; i < shadowAnswers.size(); i++) {
						int primary = answer(answers.get(i), Calibration.NONE, routing.allowedDigits()).digit();
						int other = answer(shadowAnswers.get(i), Calibration.NONE, routing.allowedDigits()).digit();
						outcomes.shadow(candidate.version(), primary == other, nanos);
					}
				}
				else {
					outcomes.shadowSkipped(candidate.version());
				}
			});
		}
		catch (OverloadedException | dev.digits.inference.NotReadyException ex) {
			candidate.close();
			outcomes.shadowSkipped(candidate.version());
		}
	}

	/**
	 * Feedback on a prediction from {@code client} (its address): whether the version
	 * that answered was right. A client over its votes gets {@code RATE_LIMITED} before
	 * its token is spent.
	 */
	public Feedback feedback(String token, int trueDigit, String client) {
		if (trueDigit < 0 || trueDigit >= DigitNetwork.CLASSES) {
			throw new IllegalArgumentException("digit must be 0 to 9, got " + trueDigit);
		}
		FeedbackTokens.Claims claims = tokens.verify(token);
		if (manager.get(claims.version()).isEmpty()) {
			throw new UnknownVersionException(claims.version());
		}
		if (!limiter.allows(client)) {
			throw new FeedbackException(FeedbackException.Kind.RATE_LIMITED,
					"This client has given " + limiter.votesPerClient()
							+ " feedback votes in the current window, the most one client may: "
							+ "the A/B figures must rest on many clients. Retry later.");
		}
		tokens.redeem(token, client);
		limiter.count(client);
		outcomes.feedback(claims.version(), claims.digit() == trueDigit, client);
		return new Feedback(claims, captures.labelled(token, claims.nonce(), trueDigit));
	}

	/**
	 * Feedback recorded: what its token said, and whether the input was kept with its
	 * label (its client consented).
	 */
	public record Feedback(FeedbackTokens.Claims claims, boolean captured) {
	}

	/**
	 * Holds the inputs of a consented prediction until feedback labels them; false when
	 * this service captures nothing.
	 */
	public boolean capture(Result result) {
		boolean held = true;
		for (Recognized image : result.images()) {
			held &= captures.offer(image.feedbackToken(), image.input().pixels());
		}
		return held;
	}

}
