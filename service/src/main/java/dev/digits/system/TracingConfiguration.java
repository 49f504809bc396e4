package dev.digits.system;

import dev.digits.inference.PipelineTracer;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.exporter.SpanExportingPredicate;
import io.micrometer.tracing.propagation.Propagator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tracing is off unless {@code management.tracing.export.enabled=true} (application.yml
 * says false). Off means off: Boot's own switch only stops propagation and export, and
 * would still have the OpenTelemetry tracer make a span object for every request; here
 * Micrometer's no-op tracer and propagator take the OpenTelemetry ones' place, so the
 * HTTP observation starts no span, ignores {@code traceparent} and puts nothing in the
 * MDC, and the pipeline's own spans ({@link PipelineTracer}) are
 * {@link PipelineTracer#OFF}.
 * <p>
 * On, Boot's OpenTelemetry auto-configuration does the rest: W3C {@code traceparent}
 * consumed and produced, sampling by {@code management.tracing.sampling.probability} (a
 * sampled caller's trace is always continued), {@code traceId}/{@code spanId} in the MDC,
 * OTLP over HTTP to {@code management.opentelemetry.tracing.export.otlp.endpoint} when
 * set.
 */
@Configuration(proxyBeanMethods = false)
class TracingConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(TracingConfiguration.class);

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBooleanProperty(name = "management.tracing.export.enabled", havingValue = false)
	static class Off {

		@Bean
		Tracer noopTracer() {
			return Tracer.NOOP;
		}

		@Bean
		Propagator noopPropagator() {
			return Propagator.NOOP;
		}

	}

	/**
	 * Probes and scrapes ({@link Probes}, every few seconds from every kubelet and
	 * Prometheus) are no one's trace: their spans are not exported.
	 */
	@Bean
	SpanExportingPredicate noProbeSpans() {
		return span -> !(Probes.isProbe(span.getTags().get("uri")) || Probes.isProbe(span.getTags().get("http.url")));
	}

	@Bean
	PipelineTracer pipelineTracer(ObjectProvider<Tracer> tracer) {
		Tracer t = tracer.getIfAvailable(() -> Tracer.NOOP);
		if (t == Tracer.NOOP) {
			return PipelineTracer.OFF;
		}
		logger.info("tracing on: {}", t.getClass().getSimpleName());
		return new MicrometerPipelineTracer(t);
	}

}
