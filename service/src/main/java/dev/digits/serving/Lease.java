package dev.digits.serving;

import java.util.List;

import dev.digits.inference.EngineModel;
import dev.digits.model.Calibration;
import dev.digits.model.LoadedModel;

/**
 * A request's hold on the version it was routed to: the model, engine and calibration it
 * reads stay the ones it was routed to, and the version does not finish draining, until
 * the lease is closed after their last use. An ensemble's lease holds its members too.
 * Closing twice is harmless.
 */
public final class Lease implements AutoCloseable {

	private final ServedModel served;

	private final ServedModel.Artifacts artifacts;

	private final List<Lease> members;

	private final String how;

	private boolean closed;

	Lease(ServedModel served, ServedModel.Artifacts artifacts, List<Lease> members, String how) {
		this.served = served;
		this.artifacts = artifacts;
		this.members = List.copyOf(members);
		this.how = how;
	}

	public String version() {
		return served.version();
	}

	/** How the request was assigned: pinned, sticky, weighted (or shadow). */
	public String how() {
		return how;
	}

	public LoadedModel model() {
		return artifacts.model();
	}

	public Calibration calibration() {
		return artifacts.model().calibration();
	}

	/** The engine of a single network; null for an ensemble. */
	public EngineModel engine() {
		return artifacts.engine();
	}

	/** The members' engines of an ensemble; empty for a single network. */
	public List<EngineModel> memberEngines() {
		return members.stream().map(Lease::engine).toList();
	}

	public boolean isEnsemble() {
		return !members.isEmpty();
	}

	@Override
	public synchronized void close() {
		if (closed) {
			return;
		}
		closed = true;
		members.forEach(Lease::close);
		served.release();
	}

}
