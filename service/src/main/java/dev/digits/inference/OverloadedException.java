package dev.digits.inference;

/**
 * The inference queue is full, or a request waited longer than the configured timeout.
 */
public class OverloadedException extends RuntimeException {

	public OverloadedException(String message) {
		super(message);
	}

}
