package dev.digits.serving;

import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import dev.digits.inference.EngineModel;
import dev.digits.model.LoadedModel;

/**
 * One load of one model version and its lifecycle. The states and the only legal moves
 * between them ({@link #LEGAL}):
 *
 * <pre>
 * LOADING  -> READY      the load checks passed (golden outputs through the serving engine, warm-up)
 * LOADING  -> FAILED     they did not
 * LOADING  -> UNLOADED   unloaded while loading: the loader retires what it built
 * READY    -> DRAINING   unload asked: no new request gets it, running ones finish
 * DRAINING -> UNLOADED   drained: the engine is retired
 * FAILED   -> UNLOADED   an unload of a failed version (nothing to retire)
 * </pre>
 *
 * Every move is a compare-and-set: of two racing moves from the same state, one wins and
 * the other is told so. A load after UNLOADED or FAILED is a new {@code ServedModel}.
 * Only the {@link ModelManager} moves them. Requests hold a READY version with a
 * {@link Lease}, which keeps the artifacts they were routed to (model, engine,
 * calibration) whatever happens to the version afterwards; DRAINING waits for the leases.
 */
public final class ServedModel {

	public enum State {

		LOADING, READY, DRAINING, UNLOADED, FAILED

	}

	/** The legal moves; anything else is a bug and throws. */
	static final Map<State, Set<State>> LEGAL = Map.of(State.LOADING,
			EnumSet.of(State.READY, State.FAILED, State.UNLOADED), State.READY, EnumSet.of(State.DRAINING),
			State.DRAINING, EnumSet.of(State.UNLOADED), State.FAILED, EnumSet.of(State.UNLOADED), State.UNLOADED,
			EnumSet.noneOf(State.class));

	/** What a READY version serves: set once, before it becomes READY. */
	record Artifacts(LoadedModel model, EngineModel engine, List<ServedModel> members) {
	}

	private final String version;

	private final Path dir;

	/**
	 * The repository's fingerprint of the files this load read (see
	 * {@code ModelRepository.Source}).
	 */
	private final String fingerprint;

	private final AtomicInteger inFlight = new AtomicInteger();

	private final AtomicReference<State> state = new AtomicReference<>(State.LOADING);

	/**
	 * Completes when the load ends: READY, FAILED, or UNLOADED while loading (then once
	 * the loader has retired what it built).
	 */
	final CompletableFuture<ServedModel> loaded = new CompletableFuture<>();

	/** Completes when the version is UNLOADED. */
	final CompletableFuture<ServedModel> unloaded = new CompletableFuture<>();

	private volatile String failure;

	private volatile Artifacts artifacts;

	private volatile Instant since = Instant.now();

	private volatile long loadMillis;

	ServedModel(String version, Path dir, String fingerprint) {
		this.version = version;
		this.dir = dir;
		this.fingerprint = fingerprint;
	}

	public String version() {
		return version;
	}

	public Path dir() {
		return dir;
	}

	String fingerprint() {
		return fingerprint;
	}

	public State state() {
		return state.get();
	}

	public String failure() {
		return failure;
	}

	/** The loaded artifacts; null unless READY or DRAINING (a lease keeps its own). */
	public LoadedModel model() {
		Artifacts current = artifacts;
		return current == null ? null : current.model();
	}

	EngineModel engine() {
		Artifacts current = artifacts;
		return current == null ? null : current.engine();
	}

	/**
	 * An ensemble's member versions (their probabilities are averaged); empty for a
	 * single network.
	 */
	public List<ServedModel> members() {
		Artifacts current = artifacts;
		return current == null ? List.of() : current.members();
	}

	public Instant since() {
		return since;
	}

	public long loadMillis() {
		return loadMillis;
	}

	/**
	 * Memory the version holds now: its weights and the workers' activation buffers for
	 * it ({@link EngineModel#memoryBytes()}); 0 for an ensemble (its members hold theirs)
	 * and once unloaded.
	 */
	public long memoryBytes() {
		EngineModel current = engine();
		return current == null ? 0 : current.memoryBytes();
	}

	public int inFlight() {
		return inFlight.get();
	}

	/** The artifacts held for one request, or null unless READY. */
	Artifacts tryAcquire() {
		inFlight.incrementAndGet();
		Artifacts held = artifacts;
		if (state.get() != State.READY || held == null) {
			inFlight.decrementAndGet();
			return null;
		}
		return held;
	}

	void release() {
		inFlight.decrementAndGet();
	}

	/**
	 * One legal move, if the version is still in {@code from}.
	 * @return false when another move got there first
	 * @throws IllegalStateException for a move that is not legal
	 */
	boolean move(State from, State to) {
		if (!LEGAL.get(from).contains(to)) {
			throw new IllegalStateException("version " + version + ": " + from + " -> " + to + " is not a legal move");
		}
		if (!state.compareAndSet(from, to)) {
			return false;
		}
		since = Instant.now();
		switch (to) {
			case READY, FAILED -> loaded.complete(this);
			case UNLOADED -> {
				artifacts = null;
				unloaded.complete(this);
			}
			default -> {
			}
		}
		return true;
	}

	/**
	 * Sets what the version will serve; then {@code move(LOADING, READY)} publishes it.
	 */
	void prepared(Artifacts prepared, long millis) {
		this.artifacts = prepared;
		this.loadMillis = millis;
	}

	boolean fail(String reason) {
		this.failure = reason;
		return move(State.LOADING, State.FAILED);
	}

	@Override
	public String toString() {
		return "version " + version + " (" + state() + (failure != null ? ": " + failure : "") + ")";
	}

}
