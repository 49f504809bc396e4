package dev.digits.system;

import dev.digits.preprocessing.DecodeGate;
import dev.digits.preprocessing.ImagePreprocessor;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The one preprocessor of the server, with the decode admission all requests share. */
@Configuration(proxyBeanMethods = false)
class PreprocessingConfiguration {

	@Bean
	ImagePreprocessor imagePreprocessor(PreprocessingProperties properties, MeterRegistry registry) {
		if (properties.decodeMemory().toBytes() < properties.maxDecodeSize().toBytes()) {
			throw new IllegalArgumentException("digits.preprocessing.decode-memory (" + properties.decodeMemory()
					+ ") must be at least digits.preprocessing.max-decode-size (" + properties.maxDecodeSize() + ")");
		}
		DecodeGate gate = new DecodeGate(properties.decodeMemory().toBytes(), properties.effectiveLargeDecodes(),
				properties.largeDecodeShare());
		Gauge.builder("digits.decode.memory.available", gate, DecodeGate::availableBytes)
			.description("Decoding memory not held by images being decoded")
			.baseUnit("bytes")
			.register(registry);
		return new ImagePreprocessor(properties.limits(), gate);
	}

	/**
	 * Before the service reports ready (runners finish before readiness), the
	 * preprocessing code is run on a few made-up photos and canvases in every writable
	 * format, so the first real uploads do not run interpreted code against the time
	 * budget.
	 */
	@Bean
	org.springframework.boot.ApplicationRunner preprocessingWarmUp(ImagePreprocessor preprocessor) {
		return args -> {
			long start = System.nanoTime();
			int images = preprocessor.warmUp(3);
			org.slf4j.LoggerFactory.getLogger(PreprocessingConfiguration.class)
				.info("Preprocessing warmed up on {} images in {} ms", images, (System.nanoTime() - start) / 1_000_000);
		};
	}

}
