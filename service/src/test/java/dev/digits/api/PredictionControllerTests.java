package dev.digits.api;

import dev.digits.inference.NotReadyException;
import dev.digits.inference.OverloadedException;
import dev.digits.serving.DataPlane;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.BDDMockito.given;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * The failure paths that need the classifier to misbehave: overload, not ready, an
 * internal error.
 */
@WebMvcTest(PredictionController.class)
@Import({ PredictionControllerTests.Registry.class, EndpointRoles.class, RequestMetrics.class })
@EnableConfigurationProperties(ApiProperties.class)
class PredictionControllerTests {

	@TestConfiguration
	static class Registry {

		@Bean
		MeterRegistry meterRegistry() {
			return new SimpleMeterRegistry();
		}

	}

	@Autowired
	MockMvc mvc;

	@Autowired
	MeterRegistry registry;

	@MockitoBean
	DataPlane plane;

	private final byte[] png = HttpFixtures.sevenOnPaper("png");

	@Test
	void overloadIs503WithRetryAfter() throws Exception {
		given(plane.infer(any())).willThrow(new OverloadedException("inference queue full (512 images waiting)"));
		mvc.perform(post("/api/v1/predictions").contentType("image/png").content(png))
			.andExpect(status().isServiceUnavailable())
			.andExpect(header().string("Retry-After", "1"))
			.andExpect(content().contentType("application/problem+json"))
			.andExpect(jsonPath("$.type").value("urn:digit-service:problem:overloaded"))
			.andExpect(jsonPath("$.reason").value("overloaded"));
		assertThat(registry.get("digits.failures").tag("reason", "overloaded").counter().count()).isEqualTo(1);
		assertThat(registry.get("digits.request").tag("outcome", "rejected").timer().count()).isEqualTo(1);
	}

	@Test
	void modelNotReadyIs503() throws Exception {
		given(plane.infer(any())).willThrow(new NotReadyException("the classifier is shutting down"));
		mvc.perform(post("/api/v1/predictions").contentType("image/png").content(png))
			.andExpect(status().isServiceUnavailable())
			.andExpect(header().exists("Retry-After"))
			.andExpect(jsonPath("$.type").value("urn:digit-service:problem:model-not-ready"))
			.andExpect(jsonPath("$.detail").value("the classifier is shutting down"));
	}

	@Test
	void anUnexpectedFailureIs500WithoutItsInsides() throws Exception {
		given(plane.infer(any())).willThrow(new IllegalStateException("secret internal state at Foo.java:12"));
		String body = mvc.perform(post("/api/v1/predictions").contentType("image/png").content(png))
			.andExpect(status().isInternalServerError())
			.andExpect(jsonPath("$.type").value("urn:digit-service:problem:internal"))
			.andExpect(jsonPath("$.requestId").isNotEmpty())
			.andReturn()
			.getResponse()
			.getContentAsString();
		assertThat(body).doesNotContain("secret").doesNotContain("IllegalStateException").doesNotContain("Foo.java");
		assertThat(registry.get("digits.request").tag("outcome", "server_error").timer().count()).isEqualTo(1);
	}

}
