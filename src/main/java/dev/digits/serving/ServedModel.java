package dev.digits.serving;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.digits.inference.EngineModel;
import dev.digits.model.LoadedModel;

/**
 * One model version and its lifecycle, as djl-serving pairs a worker-pool config with its pool:
 * {@code LOADING -> READY} (after the load checks, the golden outputs through the serving engine,
 * and warm-up) {@code -> DRAINING -> UNLOADED}, or {@code FAILED} with a reason. Only a READY
 * version takes requests; requests hold it ({@link #tryAcquire()}) while they run, so draining waits
 * for them and no request ever sees a half-loaded or unloaded model.
 */
public final class ServedModel {

	public enum State {

		LOADING, READY, DRAINING, UNLOADED, FAILED

	}

	private final String version;

	private final Path dir;

	private final AtomicInteger inFlight = new AtomicInteger();

	private volatile State state = State.LOADING;

	private volatile String failure;

	private volatile LoadedModel model;

	private volatile EngineModel engine;

	private volatile List<ServedModel> members = List.of();

	private volatile Instant since = Instant.now();

	private volatile long loadMillis;

	ServedModel(String version, Path dir) {
		this.version = version;
		this.dir = dir;
	}

	public String version() {
		return version;
	}

	public Path dir() {
		return dir;
	}

	public State state() {
		return state;
	}

	public String failure() {
		return failure;
	}

	/** The loaded artifacts; null unless READY or DRAINING. */
	public LoadedModel model() {
		return model;
	}

	public EngineModel engine() {
		return engine;
	}

	/** An ensemble's member versions (their probabilities are averaged); empty for a single network. */
	public List<ServedModel> members() {
		return members;
	}

	public Instant since() {
		return since;
	}

	public long loadMillis() {
		return loadMillis;
	}

	/**
	 * Memory the version holds now: its weights and the workers' activation buffers for it
	 * ({@link EngineModel#memoryBytes()}); 0 for an ensemble (its members hold theirs) and once
	 * unloaded.
	 */
	public long memoryBytes() {
		EngineModel current = engine;
		return current == null ? 0 : current.memoryBytes();
	}

	public int inFlight() {
		return inFlight.get();
	}

	/** Holds the model for one request; false unless it is READY. */
	public boolean tryAcquire() {
		inFlight.incrementAndGet();
		if (state != State.READY) {
			inFlight.decrementAndGet();
			return false;
		}
		return true;
	}

	public void release() {
		inFlight.decrementAndGet();
	}

	void ready(LoadedModel model, EngineModel engine, long loadMillis) {
		this.model = model;
		this.engine = engine;
		this.loadMillis = loadMillis;
		transition(State.READY);
	}

	void readyEnsemble(LoadedModel model, List<ServedModel> members, long loadMillis) {
		this.model = model;
		this.members = List.copyOf(members);
		this.loadMillis = loadMillis;
		transition(State.READY);
	}

	void failed(String reason) {
		this.failure = reason;
		transition(State.FAILED);
	}

	void draining() {
		transition(State.DRAINING);
	}

	void unloaded() {
		this.model = null;
		this.engine = null;
		transition(State.UNLOADED);
	}

	private void transition(State next) {
		this.state = next;
		this.since = Instant.now();
	}

	@Override
	public String toString() {
		return "version " + version + " (" + state + (failure != null ? ": " + failure : "") + ")";
	}

}
