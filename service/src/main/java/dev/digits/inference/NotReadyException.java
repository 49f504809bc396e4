package dev.digits.inference;

/** The classifier is not running: before the model is loaded, or while shutting down. */
public class NotReadyException extends RuntimeException {

	public NotReadyException(String message) {
		super(message);
	}

}
