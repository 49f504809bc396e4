package dev.digits.api;

/** The upload is over a configured size limit (bytes or images). */
class TooLargeException extends RuntimeException {

	TooLargeException(String message) {
		super(message);
	}

}
