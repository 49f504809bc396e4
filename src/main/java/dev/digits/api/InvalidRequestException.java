package dev.digits.api;

/** A request that is well-formed HTTP but asks for something this API does not do. */
class InvalidRequestException extends RuntimeException {

	InvalidRequestException(String message) {
		super(message);
	}

}
