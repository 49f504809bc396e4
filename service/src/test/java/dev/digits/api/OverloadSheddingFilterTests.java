package dev.digits.api;

import dev.digits.inference.DigitClassifier;
import dev.digits.inference.InferenceProperties;
import dev.digits.serving.DataPlane;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
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
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * A prediction that finds the inference queue full is refused before its body is read, as
 * it would be after.
 */
@WebMvcTest(controllers = { PredictionController.class, InferenceProtocolController.class },
		properties = "digits.api.max-in-progress=1")
@Import({ OverloadSheddingFilterTests.Registry.class, EndpointRoles.class, RequestMetrics.class })
@EnableConfigurationProperties(ApiProperties.class)
class OverloadSheddingFilterTests {

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

	@MockitoBean
	DigitClassifier classifier;

	private final byte[] png = HttpFixtures.sevenOnPaper("png");

	@BeforeEach
	void queueOf128() {
		given(classifier.properties()).willReturn(new InferenceProperties(InferenceProperties.Engine.NHWC, 0, 1, 32,
				java.time.Duration.ZERO, 128, java.time.Duration.ofSeconds(5), 0, false));
	}

	@Test
	void aFullQueueIs503OverloadedWithoutReadingTheBody() throws Exception {
		given(classifier.queueFullFor(1)).willReturn(true);
		double failures = count("digits.failures", "reason", "overloaded");
		double rejected = count("digits.request", "outcome", "rejected");
		mvc.perform(post("/api/v1/predictions").contentType("image/png").content(png))
			.andExpect(status().isServiceUnavailable())
			.andExpect(header().string("Retry-After", "1"))
			.andExpect(header().doesNotExist("Connection"))
			.andExpect(content().contentType("application/problem+json"))
			.andExpect(jsonPath("$.type").value("urn:digit-service:problem:overloaded"))
			.andExpect(jsonPath("$.reason").value("overloaded"))
			.andExpect(jsonPath("$.detail").value("inference queue full (128 images waiting); retry shortly"))
			.andExpect(jsonPath("$.requestId").isNotEmpty());
		verify(plane, never()).infer(any());
		assertThat(count("digits.failures", "reason", "overloaded")).isEqualTo(failures + 1);
		assertThat(count("digits.request", "outcome", "rejected")).isEqualTo(rejected + 1);
	}

	/**
	 * A counter's count or a timer's, summed over its series with that tag; 0 before the
	 * first.
	 */
	private double count(String name, String tag, String value) {
		return registry.find(name).tag(tag, value).meters().stream().mapToDouble(meter -> {
			if (meter instanceof io.micrometer.core.instrument.Counter c) {
				return c.count();
			}
			return meter instanceof io.micrometer.core.instrument.Timer t ? t.count() : 0;
		}).sum();
	}

	@Test
	void aLargeBodyIsNotDrainedButTheConnectionClosed() throws Exception {
		given(classifier.queueFullFor(1)).willReturn(true);
		mvc.perform(post("/api/v1/predictions/batch").contentType("multipart/form-data; boundary=x")
			.content(new byte[(int) OverloadSheddingFilter.KEEP_ALIVE_BODY + 1]))
			.andExpect(status().isServiceUnavailable())
			.andExpect(header().string("Connection", "close"));
	}

	@Test
	void theInferenceProtocolGetsItsOwnErrorForm() throws Exception {
		given(classifier.queueFullFor(1)).willReturn(true);
		mvc.perform(post("/v2/models/mnist-cnn/infer").contentType("application/json").content("{}"))
			.andExpect(status().isServiceUnavailable())
			.andExpect(header().string("Retry-After", "1"))
			.andExpect(content().contentType("application/json"))
			.andExpect(jsonPath("$.error").value("inference queue full (128 images waiting); retry shortly"));
	}

	@Test
	void withRoomInTheQueueTheRequestGoesThrough() throws Exception {
		given(classifier.queueFullFor(1)).willReturn(false);
		mvc.perform(post("/api/v1/predictions").contentType("image/png").content(png));
		verify(plane).infer(any());
	}

	@Test
	void anExplanationNeedsRoomForAForwardPassOfImages() throws Exception {
		// room for one image (a prediction goes through), not for a pass of 32
		given(classifier.queueFullFor(1)).willReturn(false);
		given(classifier.queueFullFor(32)).willReturn(true);
		mvc.perform(post("/api/v1/predictions?explain=occlusion").contentType("image/png").content(png))
			.andExpect(status().isServiceUnavailable())
			.andExpect(jsonPath("$.reason").value("overloaded"));
		verify(plane, never()).infer(any());
		mvc.perform(post("/api/v1/predictions?include=input").contentType("image/png").content(png));
		verify(plane).infer(any());
	}

	@Test
	void pastTheRequestsInProgressOneMoreIsRefusedAtOnceAndThePermitComesBack() throws Exception {
		given(classifier.queueFullFor(1)).willReturn(false);
		java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
		java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
		given(plane.infer(any())).willAnswer(invocation -> {
			entered.countDown();
			release.await(10, java.util.concurrent.TimeUnit.SECONDS);
			return null;
		});
		java.util.concurrent.ExecutorService other = java.util.concurrent.Executors.newSingleThreadExecutor();
		try {
			java.util.concurrent.Future<?> first = other
				.submit(() -> mvc.perform(post("/api/v1/predictions").contentType("image/png").content(png)));
			assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
			// the one permit is held by the first request: the second is refused before
			// its body is read
			mvc.perform(post("/api/v1/predictions").contentType("image/png").content(png))
				.andExpect(status().isServiceUnavailable())
				.andExpect(header().string("Retry-After", "1"))
				.andExpect(jsonPath("$.reason").value("overloaded"))
				.andExpect(jsonPath("$.detail").value("1 prediction requests in progress; retry shortly"));
			verify(plane, org.mockito.Mockito.times(1)).infer(any());
			release.countDown();
			try {
				first.get(10, java.util.concurrent.TimeUnit.SECONDS);
			}
			catch (java.util.concurrent.ExecutionException ex) {
				// the mocked plane answered null: the first request's own outcome is not
				// the point
			}
			// its permit came back
			mvc.perform(post("/api/v1/predictions").contentType("image/png").content(png));
			verify(plane, org.mockito.Mockito.times(2)).infer(any());
		}
		finally {
			release.countDown();
			other.shutdownNow();
		}
	}

	@Test
	void otherPathsAreNeverShed() throws Exception {
		given(classifier.queueFullFor(1)).willReturn(true);
		mvc.perform(post("/api/v1/feedback").contentType("application/json").content("{}"))
			.andExpect(result -> assertThat(result.getResponse().getStatus()).isNotEqualTo(503));
	}

}
