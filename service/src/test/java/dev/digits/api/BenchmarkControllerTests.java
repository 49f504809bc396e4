package dev.digits.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.web.servlet.MockMvc;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/** The benchmarks' framework ceiling exists with the benchmark profile only. */
class BenchmarkControllerTests {

	@TestConfiguration
	static class Registry {

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	private static final byte[] PNG = HttpFixtures.sevenOnPaper("png");

	@Nested
	@WebMvcTest(BenchmarkController.class)
	@Import({ Registry.class, EndpointRoles.class, RequestMetrics.class })
	@EnableConfigurationProperties(ApiProperties.class)
	@ActiveProfiles("benchmark")
	class WithTheBenchmarkProfile {

		@Autowired
		MockMvc mvc;

		@Test
		void readsTheBodyAndAnswersSmallJson() throws Exception {
			mvc.perform(post("/bench/noop").contentType("image/png").content(PNG))
				.andExpect(status().isOk())
				.andExpect(jsonPath("$.bytes").value(PNG.length));
		}

	}

	@Nested
	@WebMvcTest(BenchmarkController.class)
	@Import({ Registry.class, EndpointRoles.class, RequestMetrics.class })
	@EnableConfigurationProperties(ApiProperties.class)
	class WithoutIt {

		@Autowired
		MockMvc mvc;

		@Test
		void isNotThere() throws Exception {
			mvc.perform(post("/bench/noop").contentType("image/png").content(PNG)).andExpect(status().isNotFound());
		}

	}

}
