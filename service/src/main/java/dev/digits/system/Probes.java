package dev.digits.system;

/**
 * Which paths are probes and scrapes, in one place: {@code /actuator/**} on the
 * management port, and {@code /livez}, {@code /readyz} on the request port. The kubelet
 * and Prometheus call them every few seconds: they are logged at DEBUG and never traced.
 */
public final class Probes {

	private Probes() {
	}

	public static boolean isProbe(String path) {
		return path != null && (path.startsWith("/actuator") || path.equals("/livez") || path.equals("/readyz"));
	}

}
