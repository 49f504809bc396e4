package dev.digits.inference;

import java.io.IOException;
import java.util.List;

import dev.digits.model.LoadedModel;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The classifier as a singleton: started and warmed up before the web server takes traffic, closed
 * at shutdown; its health is part of readiness.
 */
@Configuration(proxyBeanMethods = false)
class InferenceConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(InferenceConfiguration.class);

	@Bean(destroyMethod = "close")
	DigitClassifier digitClassifier(LoadedModel model, InferenceProperties properties, MeterRegistry registry)
			throws IOException {
		NativeThreads.configure(properties.nativeThreads());
		long start = System.nanoTime();
		DigitClassifier classifier = new DigitClassifier(model, properties, registry);
		try {
			// the engine that will serve must give the golden outputs too, not only DL4J at load
			model.golden().verify(inputs -> classifier.classify(List.of(inputs)).stream()
				.map(DigitClassifier.Classification::probabilities)
				.toArray(float[][]::new), model.dir().toAbsolutePath() + " on the " + properties.engine() + " engine");
		}
		catch (RuntimeException | IOException ex) {
			classifier.close();
			throw ex;
		}
		logger.info("classifier ready in {} ms: engine {}, {} worker(s) with {} native thread(s) each, "
				+ "batches up to {} images, queue delay {}, queue {} images, cache {}", (System.nanoTime() - start) / 1_000_000,
				properties.engine(), properties.effectiveWorkers(), properties.nativeThreads(),
				properties.maxBatchSize(), properties.maxQueueDelay(), properties.queueCapacity(),
				properties.cacheSize() > 0 ? properties.cacheSize() + " entries" : "off");
		Gauge.builder("digits.model.ready", classifier, c -> c.isRunning() ? 1 : 0)
			.description("1 while the model answers requests")
			.register(registry);
		return classifier;
	}

	@Bean
	HealthIndicator modelHealthIndicator(DigitClassifier classifier, LoadedModel model) {
		return () -> (classifier.isRunning() ? Health.up() : Health.outOfService())
			.withDetail("model", model.name())
			.withDetail("version", model.version())
			.withDetail("engine", classifier.properties().engine())
			.withDetail("workers", classifier.properties().effectiveWorkers())
			.build();
	}

}
