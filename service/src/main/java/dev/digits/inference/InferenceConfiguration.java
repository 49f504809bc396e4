package dev.digits.inference;

import dev.digits.model.NativeThreads;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The engine, chosen here once, and the classifier as a singleton: started before the web
 * server takes traffic, closed at shutdown.
 */
@Configuration(proxyBeanMethods = false)
class InferenceConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(InferenceConfiguration.class);

	@Bean
	InferenceEngine inferenceEngine(InferenceProperties properties) {
		return switch (properties.engine()) {
			case NHWC -> InferenceEngine.nhwc();
			case DL4J -> InferenceEngine.dl4j();
		};
	}

	@Bean(destroyMethod = "close")
	DigitClassifier digitClassifier(InferenceEngine engine, InferenceProperties properties, MeterRegistry registry,
			ObjectProvider<PipelineTracer> tracer) {
		NativeThreads.configure(properties.nativeThreads());
		DigitClassifier classifier = new DigitClassifier(engine, properties, registry,
				tracer.getIfAvailable(() -> PipelineTracer.OFF));
		logger.info(
				"classifier started: engine {}, {} worker(s) with {} native thread(s) each, batches up to {} images, "
						+ "queue delay {}, queue {} images, cache {}",
				engine.name(), properties.effectiveWorkers(), properties.nativeThreads(), properties.maxBatchSize(),
				properties.maxQueueDelay(), properties.queueCapacity(),
				properties.cacheSize() > 0 ? properties.cacheSize() + " entries" : "off");
		return classifier;
	}

}
