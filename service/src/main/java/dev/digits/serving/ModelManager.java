package dev.digits.serving;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import dev.digits.inference.DigitClassifier;
import dev.digits.inference.EngineModel;
import dev.digits.inference.NotReadyException;
import dev.digits.model.DigitNetwork;
import dev.digits.model.LoadedModel;
import dev.digits.model.ModelFiles;
import dev.digits.model.ModelRepository;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of the model lifecycle, as Triton's repository manager or djl-serving's
 * workload manager: which versions exist and their states, the traffic policy, what the
 * repository watcher may do, and which version each request holds. Every decision that
 * reads one of these and changes another (load, unload, a new policy, a rollback, the
 * watcher's reload) is taken under one lock, so none can see a half-made change of
 * another: a policy never names a version that is not READY, a version a policy uses or a
 * READY ensemble needs is never unloaded, and an admin's unload stays unloaded until an
 * admin loads it again. Loading and draining run outside the lock (a load's checks take a
 * second; requests keep flowing); state moves are compare-and-set
 * ({@link ServedModel#LEGAL}).
 * <p>
 * Requests take a {@link Lease} on the version they are routed to and read only what it
 * holds. Loads run on one loader thread; their warm-up and golden checks use the
 * inference workers' control lane, ahead of requests and outside the queue's capacity, so
 * a busy service still loads.
 */
public final class ModelManager implements AutoCloseable {

	/** Who asked for a load or an unload: the watcher does not undo an admin's unload. */
	public enum Origin {

		WATCHER, ADMIN

	}

	private static final Logger logger = LoggerFactory.getLogger(ModelManager.class);

	private static final int ATTEMPTS = 4;

	private final Object lock = new Object();

	private final DigitClassifier classifier;

	private final MeterRegistry meters;

	private final Traffic traffic;

	private final Duration drainTimeout;

	private final Map<String, ServedModel> models = new ConcurrentSkipListMap<>();

	/**
	 * Versions an admin unloaded: the watcher leaves them alone. Guarded by
	 * {@link #lock}.
	 */
	private final Set<String> heldDown = new HashSet<>();

	private final Set<String> withGauges = ConcurrentHashMap.newKeySet();

	private final ExecutorService loader = Executors.newSingleThreadExecutor(runnable -> {
		Thread thread = new Thread(runnable, "model-loader");
		thread.setDaemon(true);
		return thread;
	});

	private volatile Consumer<String> onReady = version -> {
	};

	public ModelManager(DigitClassifier classifier, MeterRegistry meters, Traffic traffic, Duration drainTimeout) {
		this.classifier = classifier;
		this.meters = meters;
		this.traffic = traffic;
		this.drainTimeout = drainTimeout;
	}

	public Optional<ServedModel> get(String version) {
		return Optional.ofNullable(models.get(version));
	}

	/** Every version known, in version order. */
	public List<ServedModel> all() {
		return List.copyOf(models.values());
	}

	public TrafficPolicy policy() {
		return traffic.policy();
	}

	public DigitClassifier classifier() {
		return classifier;
	}

	/** Called each time a version becomes READY (on the loader thread). */
	public void onReady(Consumer<String> listener) {
		this.onReady = listener;
	}

	/**
	 * Whether the service can answer: the workers run and every version the policy uses
	 * is READY.
	 */
	public boolean ready() {
		return classifier.isRunning() && traffic.policy()
			.versions()
			.stream()
			.allMatch(v -> get(v).map(m -> m.state() == ServedModel.State.READY).orElse(false));
	}

	// ---- requests

	/**
	 * The version for one request, held until the lease is closed.
	 * @param clientId the sticky key, or null
	 * @param pinned a version the client asked for, or null
	 * @throws UnknownVersionException a pinned version the service does not know
	 * @throws NotReadyException when no version can take the request
	 */
	public Lease acquire(String clientId, String pinned) {
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			TrafficPolicy current = traffic.policy();
			Traffic.Choice choice = traffic.choose(current, clientId, pinned);
			ServedModel model = models.get(choice.version());
			if (model == null && pinned != null) {
				throw new UnknownVersionException(pinned);
			}
			Lease lease = model == null ? null : lease(model, choice.how());
			if (lease != null) {
				return lease;
			}
			// the policy changed under us, or a pinned version is not READY: read them
			// again
			Thread.onSpinWait();
		}
		if (pinned != null) {
			throw new NotReadyException("model version " + pinned + " is "
					+ get(pinned).map(m -> m.state().toString()).orElse("unknown") + ", not READY");
		}
		throw new NotReadyException("no model version is ready to answer");
	}

	/** A lease on {@code version} if it is READY now, else null (shadow traffic). */
	public Lease tryLease(String version) {
		ServedModel model = models.get(version);
		return model == null ? null : lease(model, "shadow");
	}

	private static Lease lease(ServedModel model, String how) {
		ServedModel.Artifacts artifacts = model.tryAcquire();
		if (artifacts == null) {
			return null;
		}
		if (artifacts.members().isEmpty()) {
			return new Lease(model, artifacts, List.of(), how);
		}
		List<Lease> members = new ArrayList<>(artifacts.members().size());
		for (ServedModel member : artifacts.members()) {
			Lease held = lease(member, how);
			if (held == null) {
				members.forEach(Lease::close);
				model.release();
				return null;
			}
			members.add(held);
		}
		return new Lease(model, artifacts, members, how);
	}

	// ---- the lifecycle

	/**
	 * Loads a version folder; the future completes when the load ends (READY, FAILED, or
	 * UNLOADED if an unload came first). A version already LOADING or READY is not loaded
	 * twice. The watcher retries a FAILED version only when its files changed, and never
	 * reloads one an admin unloaded.
	 * @throws PolicyConflictException an admin load of a version still DRAINING
	 */
	public CompletableFuture<ServedModel> load(ModelRepository.Source source, Origin origin) {
		String version = source.version();
		synchronized (lock) {
			ServedModel current = models.get(version);
			if (origin == Origin.WATCHER && heldDown.contains(version)) {
				return CompletableFuture.completedFuture(current);
			}
			if (current != null) {
				switch (current.state()) {
					case LOADING, READY -> {
						if (origin == Origin.ADMIN) {
							heldDown.remove(version);
						}
						return current.loaded;
					}
					case DRAINING -> {
						if (origin == Origin.ADMIN) {
							throw new PolicyConflictException("version " + version
									+ " is being unloaded (DRAINING): load it again once it is UNLOADED");
						}
						return CompletableFuture.completedFuture(current);
					}
					case FAILED -> {
						if (origin == Origin.WATCHER && current.fingerprint().equals(source.fingerprint())) {
							return CompletableFuture.completedFuture(current);
						}
					}
					case UNLOADED -> {
					}
				}
			}
			heldDown.remove(version);
			logger.info("loading model version {} from {} (asked by the {})", version, source.dir().toAbsolutePath(),
					origin.name().toLowerCase(Locale.ROOT));
			ServedModel next = new ServedModel(version, source.dir(), source.fingerprint());
			models.put(version, next);
			registerGauges(version);
			loader.execute(() -> {
				try {
					build(next);
				}
				finally {
					next.loaded.complete(next);
				}
			});
			return next.loaded;
		}
	}

	private void build(ServedModel served) {
		long start = System.nanoTime();
		EngineModel engine = null;
		ServedModel.Artifacts artifacts;
		try {
			if (Files.isRegularFile(new ModelFiles(served.dir()).ensemble())) {
				artifacts = buildEnsemble(served);
			}
			else {
				LoadedModel model = LoadedModel.load(served.dir());
				engine = classifier.register(served.version(), model.network());
				EngineModel registered = engine;
				model.golden()
					.verify(inputs -> classifier.check(registered, inputs),
							served.dir().toAbsolutePath() + " on the " + classifier.engineName() + " engine");
				artifacts = new ServedModel.Artifacts(model, engine, List.of());
			}
		}
		catch (Exception | Error ex) {
			if (engine != null) {
				classifier.retire(engine);
			}
			String reason = ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName();
			synchronized (lock) {
				if (served.fail(reason)) {
					logger.error("model version {} FAILED to load from {}: {}", served.version(),
							served.dir().toAbsolutePath(), reason);
				}
			}
			return;
		}
		long millis = (System.nanoTime() - start) / 1_000_000;
		String refused = null;
		synchronized (lock) {
			for (ServedModel member : artifacts.members()) {
				if (member.state() != ServedModel.State.READY || models.get(member.version()) != member) {
					refused = "ensemble member " + member.version() + " was unloaded while the ensemble loaded";
				}
			}
			if (refused == null) {
				served.prepared(artifacts, millis);
				if (!served.move(ServedModel.State.LOADING, ServedModel.State.READY)) {
					refused = "unloaded while loading";
					served.prepared(null, millis);
				}
			}
			else {
				served.fail(refused);
			}
		}
		if (refused != null) {
			if (engine != null) {
				classifier.retire(engine);
			}
			logger.warn("model version {} not served: {}", served.version(), refused);
			return;
		}
		LoadedModel model = artifacts.model();
		Gauge.builder("digits.model.info", () -> 1)
			.description("The model versions loaded: their name and the artifact (training run) they serve")
			.tag("model_version", served.version())
			.tag("name", model.name())
			.tag("artifact", model.version())
			.register(meters);
		onReady.accept(served.version());
		logger.info("model version {} READY in {} ms from {} ({})", served.version(), millis,
				served.dir().toAbsolutePath(),
				artifacts.members().isEmpty() ? "artifact " + model.version() + ", " + (served.memoryBytes() >> 10)
						+ " KB of weights and buffers" : "ensemble of " + model.members());
	}

	/**
	 * An ensemble: its members must be READY single networks; its golden outputs
	 * (recorded by the {@code ensemble} command) must be what averaging the members gives
	 * through the serving engine.
	 */
	private ServedModel.Artifacts buildEnsemble(ServedModel served) throws java.io.IOException {
		LoadedModel model = LoadedModel.ensemble(served.dir());
		List<ServedModel> members = new ArrayList<>();
		synchronized (lock) {
			for (String version : model.members()) {
				ServedModel member = models.get(version);
				if (member == null || member.state() != ServedModel.State.READY || !member.members().isEmpty()) {
					throw new IllegalStateException("ensemble member " + version + " is " + (member == null
							? "not loaded" : member.members().isEmpty() ? member.state() : "itself an ensemble"));
				}
				members.add(member);
			}
		}
		model.golden().verify(inputs -> {
			List<float[][]> each = new ArrayList<>();
			for (ServedModel member : members) {
				EngineModel engine = member.engine();
				if (engine == null) {
					throw new IllegalStateException("ensemble member " + member.version() + " was unloaded");
				}
				each.add(classifier.check(engine, inputs));
			}
			return average(each);
		}, served.dir().toAbsolutePath() + " (average of " + model.members() + ")");
		return new ServedModel.Artifacts(model, null, members);
	}

	/** The members' probabilities averaged, image by image. */
	static float[][] average(List<float[][]> members) {
		int n = members.get(0).length;
		float[][] out = new float[n][DigitNetwork.CLASSES];
		for (float[][] member : members) {
			for (int i = 0; i < n; i++) {
				for (int k = 0; k < member[i].length; k++) {
					out[i][k] += member[i][k] / members.size();
				}
			}
		}
		return out;
	}

	/**
	 * Takes a version out of service. READY: DRAINING while the leases on it are held (up
	 * to the drain timeout), then its engine is retired and it is UNLOADED. LOADING:
	 * UNLOADED at once, and the loader retires what it built. A second unload waits for
	 * the first.
	 * @throws PolicyConflictException the traffic policy uses it, or a loaded ensemble
	 * has it as a member
	 */
	public ServedModel unload(String version, Origin origin) throws InterruptedException {
		ServedModel served;
		boolean drainHere = false;
		synchronized (lock) {
			served = models.get(version);
			if (served == null) {
				throw new UnknownVersionException(version);
			}
			if (traffic.uses(version)) {
				throw new PolicyConflictException(
						"version " + version + " takes traffic (or shadows it): change the " + "traffic policy first");
			}
			for (ServedModel other : models.values()) {
				if (other != served && other.members().contains(served)
						&& (other.state() == ServedModel.State.READY || other.state() == ServedModel.State.DRAINING)) {
					throw new PolicyConflictException("version " + version + " is a member of ensemble "
							+ other.version() + ": unload that first");
				}
			}
			if (origin == Origin.ADMIN) {
				heldDown.add(version);
			}
			switch (served.state()) {
				case LOADING -> served.move(ServedModel.State.LOADING, ServedModel.State.UNLOADED);
				case READY -> drainHere = served.move(ServedModel.State.READY, ServedModel.State.DRAINING);
				case FAILED -> served.move(ServedModel.State.FAILED, ServedModel.State.UNLOADED);
				case DRAINING, UNLOADED -> {
				}
			}
		}
		if (drainHere) {
			drain(served);
		}
		try {
			served.unloaded.get(drainTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("version " + version + " did not finish unloading", ex);
		}
		return served;
	}

	private void drain(ServedModel served) throws InterruptedException {
		long deadline = System.nanoTime() + drainTimeout.toNanos();
		try {
			while (served.inFlight() > 0 && System.nanoTime() < deadline) {
				Thread.sleep(2);
			}
		}
		finally {
			if (served.inFlight() > 0) {
				logger.warn("model version {} unloaded with {} request(s) still holding it after {}", served.version(),
						served.inFlight(), drainTimeout);
			}
			EngineModel engine = served.engine();
			if (engine != null) {
				classifier.retire(engine);
			}
			synchronized (lock) {
				served.move(ServedModel.State.DRAINING, ServedModel.State.UNLOADED);
			}
			logger.info("model version {} UNLOADED", served.version());
		}
	}

	/**
	 * The watcher found the version's folder gone: unloaded unless something still needs
	 * it.
	 */
	void removedFromRepository(String version, Path dir) throws InterruptedException {
		synchronized (lock) {
			ServedModel served = models.get(version);
			if (served == null || served.state() != ServedModel.State.READY || traffic.uses(version)
					|| Files.isDirectory(dir)) {
				return;
			}
			for (ServedModel other : models.values()) {
				if (other.members().contains(served)) {
					return;
				}
			}
		}
		logger.info("model repository: version {} was removed from disk; unloading it", version);
		try {
			unload(version, Origin.WATCHER);
		}
		catch (PolicyConflictException ex) {
			logger.info("model repository: version {} stays loaded: {}", version, ex.getMessage());
		}
	}

	// ---- the traffic policy

	/**
	 * Replaces the policy at once; every version it uses must be READY.
	 * @return the policy it replaced
	 */
	public TrafficPolicy setPolicy(TrafficPolicy next) {
		synchronized (lock) {
			for (String version : next.versions()) {
				ServedModel model = models.get(version);
				if (model == null) {
					throw new UnknownVersionException(version);
				}
				if (model.state() != ServedModel.State.READY) {
					throw new PolicyConflictException("version " + version + " is " + model.state() + ", not READY");
				}
			}
			return traffic.set(next);
		}
	}

	/**
	 * Back to the policy before the last change, if every version it uses is still READY.
	 */
	public TrafficPolicy rollback() {
		synchronized (lock) {
			TrafficPolicy previous = traffic.previous();
			if (previous == null) {
				throw new PolicyConflictException("there is no earlier policy to roll back to");
			}
			for (String version : previous.versions()) {
				ServedModel model = models.get(version);
				if (model == null || model.state() != ServedModel.State.READY) {
					throw new PolicyConflictException("cannot roll back: version " + version
							+ " of the earlier policy is " + (model == null ? "unknown" : model.state()));
				}
			}
			return traffic.rollback();
		}
	}

	/**
	 * The invariants the lock keeps, checked under it: every version the policy uses is
	 * READY, and so is every member of a READY ensemble.
	 * @throws IllegalStateException naming the first one broken
	 */
	void checkInvariants() {
		synchronized (lock) {
			for (String version : traffic.policy().versions()) {
				ServedModel model = models.get(version);
				if (model == null || model.state() != ServedModel.State.READY) {
					throw new IllegalStateException("the policy " + traffic.policy() + " uses " + model);
				}
			}
			for (ServedModel model : models.values()) {
				for (ServedModel member : model.members()) {
					if (model.state() == ServedModel.State.READY && member.state() != ServedModel.State.READY) {
						throw new IllegalStateException("ensemble " + model + " has member " + member);
					}
				}
			}
		}
	}

	private void registerGauges(String version) {
		if (!withGauges.add(version)) {
			return;
		}
		for (ServedModel.State state : ServedModel.State.values()) {
			Gauge.builder("digits.model.state", () -> {
				ServedModel current = models.get(version);
				return current != null && current.state() == state ? 1 : 0;
			})
				.description("1 for the state each model version is in")
				.tag("model_version", version)
				.tag("state", state.name().toLowerCase(Locale.ROOT))
				.register(meters);
		}
	}

	@Override
	public void close() {
		loader.shutdownNow();
	}

}
