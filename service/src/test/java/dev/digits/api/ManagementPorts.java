package dev.digits.api;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;

/**
 * Which management port belongs to which request port, for every service a test started
 * (the probes and metrics have a port of their own, as in production): registered in
 * {@code META-INF/spring.factories}, read by {@link HttpFixtures} to send
 * {@code /actuator/**} where it is served.
 */
public final class ManagementPorts implements ApplicationListener<WebServerInitializedEvent> {

	private static final Map<Integer, Integer> BY_SERVER_PORT = new ConcurrentHashMap<>();

	@Override
	public void onApplicationEvent(WebServerInitializedEvent event) {
		if (!"management".equals(event.getApplicationContext().getServerNamespace())) {
			return;
		}
		ApplicationContext parent = event.getApplicationContext().getParent();
		String serverPort = parent == null ? null : parent.getEnvironment().getProperty("local.server.port");
		if (serverPort != null) {
			BY_SERVER_PORT.put(Integer.parseInt(serverPort), event.getWebServer().getPort());
		}
	}

	/**
	 * The management port of the service whose request port is {@code port}; {@code port}
	 * if it has none.
	 */
	static int of(int port) {
		return BY_SERVER_PORT.getOrDefault(port, port);
	}

}
