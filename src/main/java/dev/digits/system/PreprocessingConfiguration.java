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

}
