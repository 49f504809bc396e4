package dev.digits.serving;

/**
 * A change the current state does not allow: a version not READY, one still taking
 * traffic.
 */
public class PolicyConflictException extends RuntimeException {

	public PolicyConflictException(String message) {
		super(message);
	}

}
