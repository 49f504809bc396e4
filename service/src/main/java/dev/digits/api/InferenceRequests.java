package dev.digits.api;

import dev.digits.serving.DataPlane;
import dev.digits.serving.RecognitionService;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.MDC;

/**
 * What both HTTP protocols read from a prediction request besides its body: the headers
 * that pin a version or keep a client's variant, and the request attributes the access
 * log and request metrics read back.
 */
final class InferenceRequests {

	/**
	 * The endpoint a prediction came through ({@code image}, {@code batch},
	 * {@code oip}...).
	 */
	static final String ENDPOINT_ATTRIBUTE = InferenceRequests.class.getName() + ".endpoint";

	/** The version that answered. */
	static final String VERSION_ATTRIBUTE = InferenceRequests.class.getName() + ".version";

	/** Sticky A/B assignment: the same key gets the same version on every replica. */
	static final String CLIENT_ID = "X-Client-Id";

	/** Pins a version, as the version paths do. */
	static final String MODEL_VERSION = "X-Model-Version";

	private InferenceRequests() {
	}

	/**
	 * The routing a request asks for: the path's version (null: the
	 * {@value #MODEL_VERSION} header), the {@value #CLIENT_ID} header (null or blank:
	 * {@code clientId}, from the body), the allowed digits ({@code allowed}, from the
	 * body; null: {@code ?allowed=}); the assigned version is recorded on the request and
	 * in the log context.
	 */
	static RecognitionService.Routing routing(HttpServletRequest request, String pathVersion, String clientId,
			String allowed) {
		String header = request.getHeader(CLIENT_ID);
		return DataPlane.routing(pathVersion != null ? pathVersion : request.getHeader(MODEL_VERSION),
				header != null && !header.isBlank() ? header : clientId,
				allowed != null ? allowed : request.getParameter("allowed"), version -> {
					request.setAttribute(VERSION_ATTRIBUTE, version);
					MDC.put(RequestIdFilter.MODEL_VERSION_MDC, version);
				});
	}

}
