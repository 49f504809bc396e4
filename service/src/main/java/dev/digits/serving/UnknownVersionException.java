package dev.digits.serving;

/** A version the service does not know (not in the repository, never loaded). */
public class UnknownVersionException extends RuntimeException {

	private final String version;

	public UnknownVersionException(String version) {
		super("model version " + version + " is not known to this service");
		this.version = version;
	}

	public String version() {
		return version;
	}

}
