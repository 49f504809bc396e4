package dev.digits.system;

import java.util.concurrent.CompletableFuture;

import dev.digits.preprocessing.DecodeGate;
import dev.digits.preprocessing.ImagePreprocessor;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

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
	 * budget. It starts on a thread of its own as soon as the preprocessor exists, so it
	 * runs on the second core while the main thread builds the rest of the application
	 * (about 1.5 s of a cold start, which the main thread waited for before); the runner
	 * waits for it.
	 */
	@Bean
	@Order(0) // before the requests the service sends itself (SelfWarmUp)
	org.springframework.boot.ApplicationRunner preprocessingWarmUp(ImagePreprocessor preprocessor) {
		long start = System.nanoTime();
		CompletableFuture<Integer> done = new CompletableFuture<>();
		Thread thread = new Thread(() -> {
			try {
				done.complete(preprocessor.warmUp(3));
			}
			catch (Throwable ex) {
				done.completeExceptionally(ex);
			}
		}, "preprocessing-warm-up");
		thread.setDaemon(true);
		thread.start();
		return args -> {
			int images = done.join();
			org.slf4j.LoggerFactory.getLogger(PreprocessingConfiguration.class)
				.info("Preprocessing warmed up on {} images in {} ms (alongside the start-up)", images,
						(System.nanoTime() - start) / 1_000_000);
		};
	}

}
