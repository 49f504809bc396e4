package dev.digits.serving;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.digits.drift.DriftDetector;
import dev.digits.drift.DriftReference;
import dev.digits.model.Calibration;
import dev.digits.model.LoadedModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether each version's traffic still looks like what it was validated on. The data
 * plane hands it what drift sees of every answer (the digit, the calibrated confidence,
 * the OOD score, as the answer computed them); per version the last {@code window}
 * answers are kept, and every {@code period} a full window is tested against the
 * version's reference ({@link DriftDetector}). The verdict goes to Prometheus
 * ({@code digits_drift_*}) and to {@code GET /api/v1/models}. A version loaded again (a
 * new calibration) starts a new window; a version without a reference, or with one made
 * under another calibration, is reported so and not tested.
 */
public final class DriftMonitor implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(DriftMonitor.class);

	/** What drift knows of a version now. */
	public record Status(String state, String reason, int answers, int window, Instant windowSince, Instant evaluatedAt,
			DriftDetector.Result result) {

		/** For {@code GET /api/v1/models}. */
		public Map<String, Object> toJson() {
			Map<String, Object> json = new LinkedHashMap<>();
			json.put("state", state);
			if (reason != null) {
				json.put("reason", reason);
			}
			json.put("answers", answers);
			json.put("window", window);
			if (windowSince != null) {
				json.put("windowSince", windowSince.toString());
			}
			if (result != null) {
				json.put("evaluatedAt", evaluatedAt.toString());
				json.put("alpha", result.alpha());
				json.put("drift", result.drift());
				Map<String, Object> tests = new LinkedHashMap<>();
				for (DriftDetector.TestResult t : result.tests()) {
					Map<String, Object> test = new LinkedHashMap<>();
					test.put("statistic", t.statistic());
					test.put("pValue", t.pValue());
					test.put("adjustedPValue", t.adjustedPValue());
					test.put("drift", t.drift());
					tests.put(t.kind().label(), test);
				}
				json.put("tests", tests);
			}
			return json;
		}

	}

	/** Collecting: the window is not full yet. */
	public static final String COLLECTING = "collecting";

	/** Tested: {@link Status#result()} holds the last verdict. */
	public static final String TESTED = "tested";

	/** Not tested: no usable reference ({@link Status#reason()} says why). */
	public static final String NO_REFERENCE = "no-reference";

	private final ModelManager manager;

	private final DriftProperties properties;

	private final MeterRegistry meters;

	private final ConcurrentMap<String, Track> tracks = new ConcurrentHashMap<>();

	/** Per version, what its gauges read; kept across reloads (a gauge binds once). */
	private final ConcurrentMap<String, Readout> readouts = new ConcurrentHashMap<>();

	private final ScheduledExecutorService timer = Timers.daemon("drift-monitor");

	public DriftMonitor(ModelManager manager, DriftProperties properties, MeterRegistry meters) {
		this.manager = manager;
		this.properties = properties;
		this.meters = meters;
		if (properties.iterations() < 20 / properties.alpha()) {
			throw new IllegalArgumentException("digits.drift.iterations must be at least 20 / digits.drift.alpha ("
					+ (int) Math.ceil(20 / properties.alpha()) + " for alpha " + properties.alpha()
					+ "): the correction needs that many reference windows, got " + properties.iterations());
		}
		if (properties.enabled()) {
			long every = Math.max(1, properties.period().toMillis());
			timer.scheduleWithFixedDelay(this::evaluateQuietly, every, every, TimeUnit.MILLISECONDS);
		}
	}

	/**
	 * What drift sees of the answers {@code version} gave under {@code calibration} (the
	 * version's own, as loaded: a new one starts a new window).
	 */
	public void observe(String version, Calibration calibration, List<DriftReference.Observation> answers) {
		if (!properties.enabled()) {
			return;
		}
		Track track = tracks.get(version);
		if (track == null || track.calibration != calibration) {
			track = tracks.compute(version,
					(v, old) -> old != null && old.calibration == calibration ? old : new Track(calibration));
			readout(version); // its gauges exist from its first answer
		}
		track.add(answers, System.currentTimeMillis());
	}

	/** What drift knows of {@code version}, if it has answered since it was loaded. */
	public Optional<Status> status(String version) {
		Track track = tracks.get(version);
		return track == null ? Optional.empty() : Optional.of(track.status());
	}

	private void evaluateQuietly() {
		try {
			evaluate();
		}
		catch (RuntimeException ex) {
			logger.warn("testing drift failed: {}", ex.toString());
		}
	}

	/** Tests every full window now (the timer's work; tests call it directly). */
	public void evaluate() {
		for (Map.Entry<String, Track> entry : tracks.entrySet()) {
			String version = entry.getKey();
			Track track = entry.getValue();
			Optional<ServedModel> served = manager.get(version);
			LoadedModel model = served.map(ServedModel::model).orElse(null);
			if (model == null || model.calibration() != track.calibration) {
				tracks.remove(version, track); // unloaded, or loaded again: its answers
												// start a new window
				readout(version).set(null);
				continue;
			}
			track.prepare(served.get().dir());
			Status status = track.test();
			readout(version).set(status);
		}
	}

	private Readout readout(String version) {
		return readouts.computeIfAbsent(version, v -> new Readout(v, meters));
	}

	@Override
	public void close() {
		timer.shutdownNow();
	}

	/** One version's window of answers and its detector. */
	private final class Track {

		final Calibration calibration;

		private final int size = properties.window();

		private final int[] digits = new int[size];

		private final double[] confidence = new double[size];

		private final double[] oodScores = new double[size];

		private final long[] times = new long[size];

		private long count;

		private volatile DriftDetector detector;

		private volatile String problem;

		private volatile Status last;

		Track(Calibration calibration) {
			this.calibration = calibration;
		}

		synchronized void add(List<DriftReference.Observation> answers, long now) {
			for (DriftReference.Observation o : answers) {
				int at = (int) (count % size);
				digits[at] = o.digit();
				confidence[at] = o.confidence();
				oodScores[at] = o.oodScore();
				times[at] = now;
				count++;
			}
		}

		/** Reads the reference and builds the detector, once. */
		void prepare(Path dir) {
			if (detector != null || problem != null) {
				return;
			}
			Path file = dir.resolve(DriftReference.FILE);
			if (!Files.isRegularFile(file)) {
				problem = "the version has no " + DriftReference.FILE;
				return;
			}
			try {
				DriftReference reference = DriftReference.read(file);
				if (!reference.matches(calibration)) {
					problem = DriftReference.FILE + " was made under another calibration than the one served";
				}
				else if (size > reference.size() / 2) {
					problem = "the window (" + size + ") is more than half the reference (" + reference.size() + ")";
				}
				else {
					long start = System.nanoTime();
					detector = new DriftDetector(reference, size, properties.alpha(), properties.iterations(),
							DriftDetector.DEFAULT_SEED);
					logger.info("drift: {} answers a window against {} reference answers ({} ms to build)", size,
							reference.size(), (System.nanoTime() - start) / 1_000_000);
				}
			}
			catch (IOException ex) {
				problem = DriftReference.FILE + " could not be read: " + ex.getMessage();
			}
			catch (RuntimeException ex) {
				problem = "no detector could be built from " + DriftReference.FILE + ": " + ex.getMessage();
			}
			if (problem != null) {
				logger.warn("drift is not tested for {}: {}", dir, problem);
			}
		}

		Status test() {
			int[] d;
			double[] c;
			double[] o;
			long answers;
			long since;
			synchronized (this) {
				answers = count;
				since = oldest();
				d = digits.clone();
				c = confidence.clone();
				o = oodScores.clone();
			}
			int held = (int) Math.min(answers, size);
			Instant windowSince = since == 0 ? null : Instant.ofEpochMilli(since);
			if (problem != null) {
				last = new Status(NO_REFERENCE, problem, held, size, windowSince, null, null);
			}
			else if (answers < size || detector == null) {
				last = new Status(COLLECTING, null, held, size, windowSince, null, null);
			}
			else {
				DriftDetector.Result result = detector.test(d, c, o);
				last = new Status(TESTED, null, held, size, windowSince, Instant.now(), result);
			}
			return last;
		}

		private long oldest() {
			if (count == 0) {
				return 0;
			}
			return count < size ? times[0] : times[(int) (count % size)];
		}

		synchronized int held() {
			return (int) Math.min(count, size);
		}

		Status status() {
			Status status = last;
			if (status != null) {
				return status;
			}
			synchronized (this) {
				long since = oldest();
				return new Status(COLLECTING, null, (int) Math.min(count, size), size,
						since == 0 ? null : Instant.ofEpochMilli(since), null, null);
			}
		}

	}

	/** A version's gauges and the status they read. */
	private final class Readout {

		static final String DETECTED = "1 when the version's last window drifted from its reference by this "
				+ "test, corrected for the four (test=any: by any of them), 0 when not, NaN when not tested";

		private volatile Status status;

		private final Map<Boolean, Counter> evaluations = new ConcurrentHashMap<>();

		private final String version;

		private final MeterRegistry meters;

		Readout(String version, MeterRegistry meters) {
			this.version = version;
			this.meters = meters;
			Gauge.builder("digits.drift.window.answers", this, r -> r.answers())
				.description("Answers in the version's drift window (it is tested once full)")
				.tag("model_version", version)
				.register(meters);
			Gauge.builder("digits.drift.detected", this, r -> r.drift(null))
				.description(DETECTED)
				.tag("model_version", version)
				.tag("test", "any")
				.register(meters);
			for (DriftDetector.Kind kind : DriftDetector.Kind.values()) {
				Gauge.builder("digits.drift.detected", this, r -> r.drift(kind))
					.description(DETECTED)
					.tag("model_version", version)
					.tag("test", kind.label())
					.register(meters);
				Gauge.builder("digits.drift.statistic", this, r -> r.value(kind, DriftDetector.TestResult::statistic))
					.description("The drift test's statistic on the last window: chi-square (digits), "
							+ "Kolmogorov-Smirnov D (confidence, ood_score), the flag rate (ood_flags)")
					.tag("model_version", version)
					.tag("test", kind.label())
					.register(meters);
				Gauge.builder("digits.drift.p.value", this, r -> r.value(kind, DriftDetector.TestResult::pValue))
					.description("The drift test's own p-value on the last window")
					.tag("model_version", version)
					.tag("test", kind.label())
					.register(meters);
				Gauge
					.builder("digits.drift.adjusted.p.value", this,
							r -> r.value(kind, DriftDetector.TestResult::adjustedPValue))
					.description("The drift test's p-value corrected for the four tests (Westfall-Young min-P); "
							+ "drift when at most alpha")
					.tag("model_version", version)
					.tag("test", kind.label())
					.register(meters);
			}
		}

		void set(Status status) {
			this.status = status;
			if (status != null && status.result() != null) {
				evaluations
					.computeIfAbsent(status.result().drift(),
							drift -> Counter.builder("digits.drift.evaluations")
								.description("Drift tests of full windows, by version and verdict")
								.tag("model_version", version)
								.tag("drift", String.valueOf(drift))
								.register(meters))
					.increment();
			}
		}

		private double answers() {
			Track track = tracks.get(version);
			return track == null ? 0 : track.held();
		}

		private double drift(DriftDetector.Kind kind) {
			Status s = status;
			if (s == null || s.result() == null) {
				return Double.NaN;
			}
			if (kind == null) {
				return s.result().drift() ? 1 : 0;
			}
			return value(kind, t -> t.drift() ? 1 : 0);
		}

		private double value(DriftDetector.Kind kind,
				java.util.function.ToDoubleFunction<DriftDetector.TestResult> field) {
			Status s = status;
			if (s == null || s.result() == null) {
				return Double.NaN;
			}
			for (DriftDetector.TestResult t : s.result().tests()) {
				if (t.kind() == kind) {
					return field.applyAsDouble(t);
				}
			}
			return Double.NaN;
		}

	}

}
