package dev.digits.system;

import java.util.ArrayList;
import java.util.List;

import dev.digits.api.ApiProperties;
import dev.digits.inference.InferenceProperties;
import org.springframework.boot.tomcat.autoconfigure.TomcatServerProperties;
import org.springframework.stereotype.Component;

/**
 * The rules that tie properties of different groups together, checked once at start: a
 * configuration that breaks one stops the service with a message naming the keys, instead
 * of misbehaving under load.
 */
@Component
class ConfigurationInvariants {

	private static final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(ConfigurationInvariants.class);

	ConfigurationInvariants(TomcatServerProperties tomcat, InferenceProperties inference, ApiProperties api) {
		List<String> broken = violations(tomcat.getThreads().getMax(), inference.queueCapacity(),
				api.maxImageSize().toBytes(), api.maxMultipartSize().toBytes(), api.maxJsonSize().toBytes(),
				api.maxBodiesInFlight().toBytes());
		for (String doubt : doubts(api.maxImageSize().toBytes(), api.maxMultipartSize().toBytes(),
				api.maxJsonSize().toBytes(), api.maxBodiesInFlight().toBytes())) {
			logger.warn("configuration: {}", doubt);
		}
		if (!broken.isEmpty()) {
			throw new IllegalStateException(
					"the configuration breaks " + broken.size() + " rule(s):\n- " + String.join("\n- ", broken));
		}
	}

	static List<String> violations(int requestThreads, int queueCapacity, long maxImageBytes, long maxMultipartBytes,
			long maxJsonBytes, long bodiesInFlightBytes) {
		List<String> broken = new ArrayList<>();
		if (requestThreads <= queueCapacity) {
			broken.add("server.tomcat.threads.max (" + requestThreads
					+ ") must be above digits.inference.queue-capacity (" + queueCapacity
					+ "): otherwise Tomcat's unbounded queue fills before the inference queue, and "
					+ "overload ends in timeouts instead of a prompt 503");
		}
		if (maxMultipartBytes < maxImageBytes) {
			broken.add("digits.api.max-multipart-size (" + maxMultipartBytes + " bytes) must be at least "
					+ "digits.api.max-image-size (" + maxImageBytes
					+ " bytes): one largest image would not fit in a form");
		}
		return broken;
	}

	/** Allowed, but probably not meant: logged at start. */
	static List<String> doubts(long maxImageBytes, long maxMultipartBytes, long maxJsonBytes,
			long bodiesInFlightBytes) {
		long largestBody = Math.max(maxMultipartBytes, Math.max(maxJsonBytes, maxImageBytes));
		if (bodiesInFlightBytes < largestBody) {
			return List
				.of("digits.api.max-bodies-in-flight (" + bodiesInFlightBytes + " bytes) is below the largest body "
						+ "accepted (" + largestBody + " bytes): such a body is never admitted (503)");
		}
		return List.of();
	}

}
