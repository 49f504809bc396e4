package dev.digits.api;

/** An admin load whose version failed its checks. */
class ModelLoadFailedException extends RuntimeException {

	ModelLoadFailedException(String message) {
		super(message);
	}

}
