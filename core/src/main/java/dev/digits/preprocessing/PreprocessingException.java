package dev.digits.preprocessing;

import java.util.Objects;

/**
 * An upload that cannot become network input. The message is written for the client (it
 * becomes the detail of an HTTP problem) and never holds internal details; the cause,
 * when there is one, is for the server log only.
 */
public class PreprocessingException extends RuntimeException {

	private final Reason reason;

	public PreprocessingException(Reason reason, String message) {
		this(reason, message, null);
	}

	PreprocessingException(Reason reason, String message, Throwable cause) {
		super(message, cause);
		this.reason = Objects.requireNonNull(reason, "reason");
	}

	public Reason reason() {
		return this.reason;
	}

}
