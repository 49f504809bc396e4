package dev.digits.serving;

/** A feedback token that cannot be accepted. */
public class FeedbackException extends RuntimeException {

	public enum Kind {

		/** Malformed, altered, or signed with another key. */
		INVALID,

		/** Older than the token lifetime. */
		EXPIRED,

		/** Already redeemed on this replica. */
		REPLAYED,

		/** The client has given as many votes as a window allows. */
		RATE_LIMITED

	}

	private final Kind kind;

	public FeedbackException(Kind kind, String message) {
		super(message);
		this.kind = kind;
	}

	public Kind kind() {
		return kind;
	}

}
