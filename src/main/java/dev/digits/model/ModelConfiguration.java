package dev.digits.model;

import java.io.IOException;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Loads the model once at startup; a missing or wrong model fails the start. */
@Configuration(proxyBeanMethods = false)
class ModelConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(ModelConfiguration.class);

	@Bean
	LoadedModel loadedModel(ModelProperties properties, MeterRegistry registry) throws IOException {
		long start = System.nanoTime();
		LoadedModel model = LoadedModel.load(properties.dir());
		logger.info("loaded model {} version {} from {} in {} ms", model.name(), model.version(),
				properties.dir().toAbsolutePath(), (System.nanoTime() - start) / 1_000_000);
		Gauge.builder("digits.model.info", () -> 1)
			.description("The model being served")
			.tag("name", model.name())
			.tag("version", model.version())
			.register(registry);
		return model;
	}

}
