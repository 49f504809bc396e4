package dev.digits.model;

/**
 * A model file that loads but must not serve: non-finite weights, or outputs that differ
 * from its golden set.
 */
public class ModelCheckException extends RuntimeException {

	public ModelCheckException(String message) {
		super(message);
	}

}
