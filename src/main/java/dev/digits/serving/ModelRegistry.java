package dev.digits.serving;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import dev.digits.inference.DigitClassifier;
import dev.digits.inference.EngineModel;
import dev.digits.model.GoldenSet;
import dev.digits.model.LoadedModel;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model versions the service knows and their lifecycles, as djl-serving's workload manager
 * keeps its worker pools: loads a version (checks, golden outputs through the serving engine,
 * warm-up) on one loader thread, drains and unloads it, and lists them. All versions share the
 * classifier's workers and queue.
 */
public final class ModelRegistry implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(ModelRegistry.class);

	private final DigitClassifier classifier;

	private final MeterRegistry meters;

	private final Map<String, ServedModel> models = new ConcurrentSkipListMap<>();

	private final ExecutorService loader = Executors.newSingleThreadExecutor(runnable -> {
		Thread thread = new Thread(runnable, "model-loader");
		thread.setDaemon(true);
		return thread;
	});

	private final Duration drainTimeout;

	private volatile java.util.function.Consumer<ServedModel> onReady = model -> {
	};

	public ModelRegistry(DigitClassifier classifier, MeterRegistry meters, Duration drainTimeout) {
		this.classifier = classifier;
		this.meters = meters;
		this.drainTimeout = drainTimeout;
	}

	public Optional<ServedModel> get(String version) {
		return Optional.ofNullable(models.get(version));
	}

	/** Every version known, in version order. */
	public List<ServedModel> all() {
		return List.copyOf(models.values());
	}

	/** Called on the loader thread each time a version becomes READY. */
	public void onReady(java.util.function.Consumer<ServedModel> listener) {
		this.onReady = listener;
	}

	public DigitClassifier classifier() {
		return classifier;
	}

	/** Loads on the loader thread; the future completes when the version is READY or FAILED. */
	public CompletableFuture<ServedModel> loadAsync(String version, Path dir) {
		ServedModel served = new ServedModel(version, dir);
		ServedModel previous = models.get(version);
		if (previous != null && (previous.state() == ServedModel.State.READY
				|| previous.state() == ServedModel.State.LOADING || previous.state() == ServedModel.State.DRAINING)) {
			return CompletableFuture.completedFuture(previous);
		}
		models.put(version, served);
		registerGauges(served);
		return CompletableFuture.supplyAsync(() -> load(served), loader);
	}

	private ServedModel load(ServedModel served) {
		long start = System.nanoTime();
		EngineModel engine = null;
		try {
			if (java.nio.file.Files.isRegularFile(new dev.digits.model.ModelFiles(served.dir()).ensemble())) {
				loadEnsemble(served, start);
				return served;
			}
			LoadedModel model = LoadedModel.load(served.dir());
			engine = classifier.register(served.version(), model.network());
			EngineModel registered = engine;
			GoldenSet golden = model.golden();
			golden.verify(inputs -> classifier.classify(registered, List.of(inputs))
				.stream()
				.map(DigitClassifier.Classification::probabilities)
				.toArray(float[][]::new), served.dir().toAbsolutePath() + " on the " + classifier.engineName() + " engine");
			long millis = (System.nanoTime() - start) / 1_000_000;
			served.ready(model, engine, millis);
			Gauge.builder("digits.model.info", () -> 1)
				.description("The model versions loaded: their name and the artifact (training run) they serve")
				.tag("model_version", served.version())
				.tag("name", model.name())
				.tag("artifact", model.version())
				.register(meters);
			onReady.accept(served);
			logger.info("model version {} READY in {} ms from {} (artifact {}, {} KB of weights and buffers)",
					served.version(), millis, served.dir().toAbsolutePath(), model.version(), served.memoryBytes() >> 10);
		}
		catch (Exception | Error ex) {
			if (engine != null) {
				classifier.retire(engine);
			}
			served.failed(ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName());
			logger.error("model version {} FAILED to load from {}: {}", served.version(), served.dir().toAbsolutePath(),
					served.failure());
		}
		return served;
	}

	/**
	 * An ensemble: its members must be READY; its golden outputs (recorded by the {@code ensemble}
	 * command) must be what averaging the members gives through the serving engine.
	 */
	private void loadEnsemble(ServedModel served, long start) throws java.io.IOException {
		LoadedModel model = LoadedModel.ensemble(served.dir());
		List<ServedModel> members = new java.util.ArrayList<>();
		for (String version : model.members()) {
			ServedModel member = models.get(version);
			if (member == null || member.state() != ServedModel.State.READY || !member.members().isEmpty()) {
				throw new IllegalStateException("ensemble member " + version + " is "
						+ (member == null ? "not loaded" : member.members().isEmpty() ? member.state() : "itself an ensemble"));
			}
			members.add(member);
		}
		List<EngineModel> engines = members.stream().map(ServedModel::engine).toList();
		model.golden().verify(inputs -> average(classifier.classifyEach(engines, List.of(inputs))),
				served.dir().toAbsolutePath() + " (average of " + model.members() + ")");
		long millis = (System.nanoTime() - start) / 1_000_000;
		served.readyEnsemble(model, members, millis);
		onReady.accept(served);
		logger.info("model version {} READY in {} ms: ensemble of {}", served.version(), millis, model.members());
	}

	/** The members' probabilities averaged, image by image. */
	static float[][] average(List<List<DigitClassifier.Classification>> members) {
		int n = members.get(0).size();
		float[][] out = new float[n][dev.digits.model.DigitNetwork.CLASSES];
		for (List<DigitClassifier.Classification> member : members) {
			for (int i = 0; i < n; i++) {
				float[] p = member.get(i).probabilities();
				for (int k = 0; k < p.length; k++) {
					out[i][k] += p[k] / members.size();
				}
			}
		}
		return out;
	}

	/**
	 * Takes the version out of service: DRAINING while requests that hold it finish (up to the drain
	 * timeout), then UNLOADED with its engine retired. The caller makes sure no traffic is routed to it.
	 */
	public ServedModel unload(String version) throws InterruptedException {
		ServedModel served = models.get(version);
		if (served == null) {
			throw new UnknownVersionException(version);
		}
		if (served.state() == ServedModel.State.READY) {
			for (ServedModel other : models.values()) {
				if (other.state() == ServedModel.State.READY && other.members().contains(served)) {
					throw new PolicyConflictException("version " + version + " is a member of ensemble " + other.version()
							+ ": unload that first");
				}
			}
			served.draining();
			long deadline = System.nanoTime() + drainTimeout.toNanos();
			while (served.inFlight() > 0 && System.nanoTime() < deadline) {
				Thread.sleep(5);
			}
			if (served.inFlight() > 0) {
				logger.warn("model version {} unloaded with {} request(s) still in flight after {}", version,
						served.inFlight(), drainTimeout);
			}
			if (served.engine() != null) {
				classifier.retire(served.engine());
			}
		}
		served.unloaded();
		logger.info("model version {} UNLOADED", version);
		return served;
	}

	private void registerGauges(ServedModel served) {
		for (ServedModel.State state : ServedModel.State.values()) {
			Gauge.builder("digits.model.state", () -> {
				ServedModel current = models.get(served.version());
				return current != null && current.state() == state ? 1 : 0;
			})
				.description("1 for the state each model version is in")
				.tag("model_version", served.version())
				.tag("state", state.name().toLowerCase(java.util.Locale.ROOT))
				.register(meters);
		}
	}

	@Override
	public void close() {
		loader.shutdownNow();
	}

}
