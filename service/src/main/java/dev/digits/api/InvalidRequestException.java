package dev.digits.api;

import dev.digits.serving.DataPlane;

/** A request that is well-formed HTTP but asks for something this API does not do. */
class InvalidRequestException extends DataPlane.InvalidInferenceException {

	InvalidRequestException(String message) {
		super(message);
	}

}
