package dev.digits.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.context.annotation.Profile;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The framework ceiling for the HTTP benchmarks: {@code POST /bench/noop} takes the same
 * body as a prediction (read to the end and discarded) and answers a small JSON, so every
 * HTTP figure can be set against what Tomcat, Spring MVC and the filters do on the same
 * cores, in the same run. Exists only with the {@code benchmark} Spring profile
 * ({@code --spring.profiles.active=benchmark}, as scripts/bench/run-all.sh starts the
 * service); never in a normal deployment.
 */
@Profile("benchmark")
@Hidden
@RestController
@Endpoint(Endpoint.Role.BENCHMARK)
class BenchmarkController {

	@PostMapping(path = "/bench/noop", produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> noop(HttpServletRequest request) throws IOException {
		long bytes = 0;
		byte[] buffer = new byte[8192];
		try (InputStream in = request.getInputStream()) {
			for (int n; (n = in.read(buffer)) > 0;) {
				bytes += n;
			}
		}
		return Map.of("requestId", RequestIdFilter.of(request), "bytes", bytes);
	}

}
