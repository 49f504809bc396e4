package dev.digits.serving;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ThreadLocalRandom;

import dev.digits.inference.NotReadyException;

/**
 * The traffic policy in force, its history for rollback, and the assignment of each request to a
 * version: pinned by the client, else sticky by client key (a hash, so the same client gets the
 * same variant on every replica with no shared state), else drawn at random by the shares.
 */
public final class Traffic {

	/** Where a request went, and why. */
	public record Assignment(ServedModel model, String how) {
	}

	/** Points in the hash space the shares divide. */
	private static final long SPACE = 1_000_000L;

	private static final int ATTEMPTS = 4;

	private final ModelRegistry registry;

	private final String experiment;

	private final Deque<TrafficPolicy> history = new ArrayDeque<>();

	private volatile TrafficPolicy policy;

	public Traffic(ModelRegistry registry, String experiment, TrafficPolicy initial) {
		this.registry = registry;
		this.experiment = experiment;
		this.policy = initial;
	}

	public TrafficPolicy policy() {
		return policy;
	}

	/**
	 * Replaces the policy at once; every version it uses must be READY.
	 * @return the policy it replaced
	 */
	public synchronized TrafficPolicy set(TrafficPolicy next) {
		for (String version : next.versions()) {
			ServedModel model = registry.get(version).orElseThrow(() -> new UnknownVersionException(version));
			if (model.state() != ServedModel.State.READY) {
				throw new PolicyConflictException("version " + version + " is " + model.state() + ", not READY");
			}
		}
		TrafficPolicy previous = policy;
		history.push(previous);
		while (history.size() > 20) {
			history.removeLast();
		}
		policy = next;
		return previous;
	}

	/** Back to the policy before the last change. */
	public synchronized TrafficPolicy rollback() {
		if (history.isEmpty()) {
			throw new PolicyConflictException("there is no earlier policy to roll back to");
		}
		TrafficPolicy previous = history.peek();
		for (String version : previous.versions()) {
			ServedModel model = registry.get(version).orElse(null);
			if (model == null || model.state() != ServedModel.State.READY) {
				throw new PolicyConflictException("cannot roll back: version " + version + " of the earlier policy is "
						+ (model == null ? "unknown" : model.state()));
			}
		}
		history.pop();
		policy = previous;
		return previous;
	}

	/** Whether any policy in force sends work to {@code version}. */
	public boolean uses(String version) {
		return policy.versions().contains(version);
	}

	/**
	 * The version for one request, held for it ({@link ServedModel#release()} when done).
	 * @param clientId the sticky key, or null
	 * @param pinned a version the client asked for, or null
	 * @throws UnknownVersionException a pinned version the service does not know
	 * @throws NotReadyException when no version can take the request
	 */
	public Assignment assign(String clientId, String pinned) {
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			TrafficPolicy current = policy;
			String version;
			String how;
			if (pinned != null) {
				version = pinned;
				how = "pinned";
			}
			else if (clientId != null) {
				version = current.pick(bucket(clientId) * current.total() / SPACE);
				how = "sticky";
			}
			else {
				version = current.pick(ThreadLocalRandom.current().nextLong(current.total()));
				how = "weighted";
			}
			ServedModel model = registry.get(version).orElse(null);
			if (model == null && pinned != null) {
				throw new UnknownVersionException(pinned);
			}
			if (model != null && model.tryAcquire()) {
				return new Assignment(model, how);
			}
			// the policy changed under us, or the version is draining: read the policy again
			Thread.onSpinWait();
		}
		if (pinned != null) {
			throw new NotReadyException("model version " + pinned + " is "
					+ registry.get(pinned).map(m -> m.state().toString()).orElse("unknown") + ", not READY");
		}
		throw new NotReadyException("no model version is ready to answer");
	}

	/** A point in {@code [0, SPACE)} from the client key: SHA-256 of the experiment and the key. */
	long bucket(String clientId) {
		try {
			MessageDigest sha = MessageDigest.getInstance("SHA-256");
			sha.update(experiment.getBytes(StandardCharsets.UTF_8));
			sha.update((byte) 0);
			byte[] digest = sha.digest(clientId.getBytes(StandardCharsets.UTF_8));
			long value = 0;
			for (int i = 0; i < 8; i++) {
				value = (value << 8) | (digest[i] & 0xFF);
			}
			return Long.remainderUnsigned(value, SPACE);
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
