package dev.digits.serving;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The traffic policy in force, its history for rollback, and which version a request goes
 * to: pinned by the client, else sticky by client key (a hash, so the same client gets
 * the same variant on every replica with no shared state), else drawn at random by the
 * shares. Changes are made by the {@link ModelManager} under its lock, after it checked
 * every version they name is READY.
 */
public final class Traffic {

	/** A version chosen for a request, and why. */
	record Choice(String version, String how) {
	}

	/** Points in the hash space the shares divide. */
	private static final long SPACE = 1_000_000L;

	private static final int HISTORY = 20;

	private final String experiment;

	private final Deque<TrafficPolicy> history = new ArrayDeque<>();

	private volatile TrafficPolicy policy;

	public Traffic(String experiment, TrafficPolicy initial) {
		this.experiment = experiment;
		this.policy = initial;
	}

	public TrafficPolicy policy() {
		return policy;
	}

	/**
	 * Replaces the policy; returns the one it replaced (kept for rollback). Caller holds
	 * the manager's lock.
	 */
	TrafficPolicy set(TrafficPolicy next) {
		TrafficPolicy previous = policy;
		history.push(previous);
		while (history.size() > HISTORY) {
			history.removeLast();
		}
		policy = next;
		return previous;
	}

	/** The policy a rollback would restore, or null. */
	TrafficPolicy previous() {
		return history.peek();
	}

	/** Restores {@link #previous()}. Caller holds the manager's lock. */
	TrafficPolicy rollback() {
		policy = history.pop();
		return policy;
	}

	/** Whether the policy in force sends work to {@code version} (or shadows it). */
	public boolean uses(String version) {
		return policy.versions().contains(version);
	}

	/** The version for one request under {@code current}. */
	Choice choose(TrafficPolicy current, String clientId, String pinned) {
		if (pinned != null) {
			return new Choice(pinned, "pinned");
		}
		if (clientId != null) {
			return new Choice(current.pick(bucket(clientId) * current.total() / SPACE), "sticky");
		}
		return new Choice(current.pick(ThreadLocalRandom.current().nextLong(current.total())), "weighted");
	}

	/**
	 * A point in {@code [0, SPACE)} from the client key: SHA-256 of the experiment and
	 * the key.
	 */
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
