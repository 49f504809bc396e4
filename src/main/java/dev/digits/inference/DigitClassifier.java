package dev.digits.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.digits.model.DigitNetwork;
import dev.digits.model.LoadedModel;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Classifies normalized 28x28 images: the one entry point to inference. Thread-safe; requests from
 * any number of threads are queued to a few inference workers (see {@link WorkerPool}), and
 * repeated inputs can be answered from a bounded cache.
 */
public final class DigitClassifier implements AutoCloseable {

	/** One image's answer and what it cost. */
	public record Classification(int digit, float[] probabilities, boolean cached, long queueNanos,
			long computeNanos, int batchSize) {

		public float probability() {
			return probabilities[digit];
		}

	}

	private final WorkerPool pool;

	private final Cache<InputKey, float[]> cache;

	private final InferenceProperties properties;

	public DigitClassifier(LoadedModel model, InferenceProperties properties, MeterRegistry registry) {
		this.properties = properties;
		MultiLayerNetwork network = model.network();
		NhwcWeights nhwc = properties.engine() == InferenceProperties.Engine.NHWC ? NhwcWeights.of(network) : null;
		WorkerPool.Meters meters = new WorkerPool.Meters(
				timer("digits.queue.wait", "Time an image waits for an inference worker", registry),
				timer("digits.inference", "Compute time of one forward pass (a batch)", registry),
				DistributionSummary.builder("digits.batch.size")
					.description("Images per forward pass")
					.serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
					.register(registry));
		int capacity = properties.maxBatchSize();
		this.pool = new WorkerPool(i -> nhwc != null ? new NhwcForwardPass(nhwc, capacity)
				: new Dl4jForwardPass(network, capacity), properties.effectiveWorkers(), properties.maxBatchSize(),
				properties.maxQueueDelay(), properties.queueCapacity(), meters);
		Gauge.builder("digits.queue.depth", pool, WorkerPool::depth)
			.description("Images waiting for an inference worker")
			.register(registry);
		Gauge.builder("digits.queue.capacity", pool, WorkerPool::capacity)
			.description("Images that may wait before requests are refused")
			.register(registry);
		if (properties.cacheSize() > 0) {
			this.cache = Caffeine.newBuilder().maximumSize(properties.cacheSize()).recordStats().build();
			CaffeineCacheMetrics.monitor(registry, cache, "predictions");
		}
		else {
			this.cache = null;
		}
		warmUp();
	}

	private static Timer timer(String name, String description, MeterRegistry registry) {
		return Timer.builder(name).description(description).publishPercentileHistogram().register(registry);
	}

	/** Runs every worker through a first batch, so the first request does not pay for native setup. */
	private void warmUp() {
		float[][] blank = new float[1][DigitNetwork.PIXELS];
		List<CompletableFuture<List<Classification>>> runs = new ArrayList<>();
		for (int i = 0; i < properties.effectiveWorkers() * 4; i++) {
			runs.add(submit(blank, false));
		}
		runs.forEach(CompletableFuture::join);
	}

	/**
	 * Classifies the images and waits for the answer.
	 * @throws OverloadedException when the queue is full or the answer takes longer than the timeout
	 * @throws NotReadyException while starting or shutting down
	 */
	public List<Classification> classify(List<float[]> images) {
		for (float[] image : images) {
			if (image.length != DigitNetwork.PIXELS) {
				throw new IllegalArgumentException("an image has " + image.length + " values, expected " + DigitNetwork.PIXELS);
			}
		}
		CompletableFuture<List<Classification>> future = submit(images.toArray(float[][]::new), cache != null);
		try {
			return future.get(properties.timeout().toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (TimeoutException ex) {
			future.cancel(false);
			throw new OverloadedException("no inference result within " + properties.timeout().toMillis() + " ms");
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new NotReadyException("interrupted while waiting for inference");
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new IllegalStateException(ex.getCause());
		}
	}

	private CompletableFuture<List<Classification>> submit(float[][] images, boolean useCache) {
		Classification[] answers = new Classification[images.length];
		List<Integer> misses = new ArrayList<>(images.length);
		InputKey[] keys = new InputKey[images.length];
		for (int i = 0; i < images.length; i++) {
			if (useCache) {
				keys[i] = new InputKey(images[i]);
				float[] hit = cache.getIfPresent(keys[i]);
				if (hit != null) {
					answers[i] = new Classification(DigitNetwork.argMax(hit, 0), hit.clone(), true, 0, 0, 0);
					continue;
				}
			}
			misses.add(i);
		}
		if (misses.isEmpty()) {
			return CompletableFuture.completedFuture(List.of(answers));
		}
		float[][] queued = new float[misses.size()][];
		for (int m = 0; m < queued.length; m++) {
			queued[m] = images[misses.get(m)];
		}
		return pool.submit(queued).thenApply(job -> {
			for (int m = 0; m < queued.length; m++) {
				int i = misses.get(m);
				float[] p = job.probabilities[m];
				if (useCache) {
					cache.put(keys[i], p.clone());
				}
				answers[i] = new Classification(DigitNetwork.argMax(p, 0), p, false, job.queueNanos, job.computeNanos, job.batchSize);
			}
			return List.of(answers);
		});
	}

	public boolean isRunning() {
		return pool.isRunning();
	}

	public InferenceProperties properties() {
		return properties;
	}

	@Override
	public void close() {
		pool.close();
	}

	/** Exact-match cache key on the normalized pixels. */
	private record InputKey(float[] pixels, int hash) {

		InputKey(float[] pixels) {
			this(pixels.clone(), Arrays.hashCode(pixels));
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof InputKey key && key.hash == hash && Arrays.equals(key.pixels, pixels);
		}

		@Override
		public int hashCode() {
			return hash;
		}

	}

}
