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
import dev.digits.system.Histograms;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.tracing.TraceContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * Classifies normalized 28x28 images with any registered model version: the one entry
 * point to inference. Thread-safe; requests from any number of threads are queued to a
 * few inference workers shared by all versions (see {@link WorkerPool}), and repeated
 * inputs can be answered from a bounded cache.
 */
public final class DigitClassifier implements AutoCloseable {

	private final java.util.concurrent.atomic.AtomicInteger live = new java.util.concurrent.atomic.AtomicInteger();

	/**
	 * One image's answer and what it cost.
	 *
	 * @param probabilities the network's softmax output
	 * @param logits the output layer before its softmax
	 */
	public record Classification(int digit, float[] probabilities, float[] logits, boolean cached, long queueNanos,
			long computeNanos, int batchSize) {

		public float probability() {
			return probabilities[digit];
		}

	}

	private final WorkerPool pool;

	/** Requests counted in by {@link #enterService()} and not yet out. */
	private final java.util.concurrent.atomic.AtomicInteger inService = new java.util.concurrent.atomic.AtomicInteger();

	/** Cached answers: logits and probabilities, back to back. */
	private final Cache<InputKey, float[]> cache;

	private final InferenceProperties properties;

	private final InferenceEngine engine;

	private final MeterRegistry registry;

	private final PipelineTracer tracer;

	public DigitClassifier(InferenceEngine engine, InferenceProperties properties, MeterRegistry registry) {
		this(engine, properties, registry, PipelineTracer.OFF);
	}

	public DigitClassifier(InferenceEngine engine, InferenceProperties properties, MeterRegistry registry,
			PipelineTracer tracer) {
		this.engine = engine;
		this.properties = properties;
		this.registry = registry;
		this.tracer = tracer;
		this.pool = new WorkerPool(properties.effectiveWorkers(), properties.maxBatchSize(), properties.maxQueueDelay(),
				properties.queueCapacity(), properties.inlineWhenIdle(), inService::get, registry, tracer);
		Gauge.builder("digits.queue.depth", pool, WorkerPool::depth)
			.description("Images waiting for an inference worker")
			.register(registry);
		Gauge.builder("digits.queue.capacity", pool, WorkerPool::capacity)
			.description("Images that may wait before requests are refused")
			.register(registry);
		Gauge.builder("digits.engines.live", live, java.util.concurrent.atomic.AtomicInteger::get)
			.description("Networks registered with the inference workers and not retired: one per loaded version")
			.register(registry);
		if (properties.cacheSize() > 0) {
			this.cache = Caffeine.newBuilder().maximumSize(properties.cacheSize()).recordStats().build();
			CaffeineCacheMetrics.monitor(registry, cache, "predictions");
		}
		else {
			this.cache = null;
		}
	}

	/**
	 * Registers a network under {@code version}: its weights are prepared for the engine,
	 * and every worker runs a first batch of it (native set-up, so the first request does
	 * not pay for it).
	 */
	public EngineModel register(String version, MultiLayerNetwork network) {
		long weightBytes = network.params().length() * network.params().dataType().width();
		EngineModel model = new EngineModel(version, engine.prepare(network),
				timer("digits.queue.wait",
						"Time a request's images wait for an inference worker (one sample a request)", version),
				timer("digits.inference", "Compute time of one forward pass (a batch)", version),
				engine.copiesWeights() ? 2 * weightBytes : weightBytes);
		live.incrementAndGet();
		try {
			float[][] blank = new float[1][DigitNetwork.PIXELS];
			List<CompletableFuture<WorkerPool.Job>> runs = new ArrayList<>();
			for (int i = 0; i < properties.effectiveWorkers() * 4; i++) {
				runs.add(pool.submitControl(model, blank).done);
			}
			runs.forEach(CompletableFuture::join);
		}
		catch (RuntimeException | Error ex) {
			retire(model);
			throw ex;
		}
		model.counted = true;
		return model;
	}

	/**
	 * The probabilities of {@code images} on the control lane (ahead of requests, outside
	 * the queue's capacity, never cached): for the checks of a version being loaded.
	 */
	public float[][] check(EngineModel model, float[][] images) {
		checkSizes(List.of(images));
		return pool.submitControl(model, images).done.join().probabilities;
	}

	/**
	 * The model takes no more work; each worker frees its pass; its cached answers are
	 * dropped. Retiring twice is harmless.
	 */
	public void retire(EngineModel model) {
		synchronized (model) {
			if (model.retired) {
				return;
			}
			model.retired = true;
		}
		live.decrementAndGet();
		if (cache != null) {
			cache.asMap().keySet().removeIf(key -> key.model == model);
		}
	}

	/**
	 * While the service warms itself up before it is ready: its own requests are computed
	 * as any other but left out of the metrics (here, and by the layers above that ask
	 * {@link #isQuiet()}).
	 */
	public void quiet(boolean quiet) {
		pool.quiet = quiet;
	}

	public boolean isQuiet() {
		return pool.quiet;
	}

	/**
	 * Engines registered and not yet retired: one per loaded version, more means a leak.
	 */
	public int liveEngines() {
		return live.get();
	}

	private Timer timer(String name, String description, String version) {
		return Timer.builder(name)
			.description(description)
			.tag("model_version", version)
			.serviceLevelObjectives(Histograms.STEP)
			.register(registry);
	}

	/**
	 * Classifies the images with {@code model} and waits for the answer.
	 * @throws OverloadedException when the queue is full or the answer takes longer than
	 * the timeout (the queued work is then withdrawn)
	 * @throws NotReadyException while shutting down, or once the model is retired
	 */
	public List<Classification> classify(EngineModel model, List<float[]> images) {
		checkSizes(images);
		TraceContext trace = tracer.current();
		Pending pending = submit(model, images.toArray(float[][]::new), trace);
		List<Classification> answers = await(List.of(pending)).get(0);
		if (trace != null && pending.job() != null) {
			WorkerPool.Job job = pending.job();
			tracer.queuedAndComputed(trace, job.queuedAt, job.takenAt, job.computeStartedAt, job.computeEndedAt,
					job.images.length, job.batchSize, model.version(), job.batchTraces);
		}
		return answers;
	}

	/**
	 * Classifies the same images with several models at once (an ensemble's members): all
	 * are queued before any is awaited, so they share the workers; a timeout withdraws
	 * what is still queued.
	 */
	public List<List<Classification>> classifyEach(List<EngineModel> models, List<float[]> images) {
		checkSizes(images);
		TraceContext trace = tracer.current();
		List<Pending> pending = new ArrayList<>();
		try {
			for (EngineModel model : models) {
				pending.add(submit(model, images.toArray(float[][]::new), trace));
			}
		}
		catch (RuntimeException ex) {
			pending.forEach(Pending::cancel);
			throw ex;
		}
		return await(pending);
	}

	private static void checkSizes(List<float[]> images) {
		for (float[] image : images) {
			if (image.length != DigitNetwork.PIXELS) {
				throw new IllegalArgumentException(
						"an image has " + image.length + " values, expected " + DigitNetwork.PIXELS);
			}
		}
	}

	/**
	 * Waits for every pending answer within one timeout; on any failure withdraws what is
	 * still queued.
	 */
	private List<List<Classification>> await(List<Pending> pending) {
		try {
			long deadline = System.nanoTime() + properties.timeout().toNanos();
			List<List<Classification>> answers = new ArrayList<>(pending.size());
			for (Pending p : pending) {
				answers.add(p.answers.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
			}
			return answers;
		}
		catch (TimeoutException ex) {
			pending.forEach(Pending::cancel);
			throw new OverloadedException("no inference result within " + properties.timeout().toMillis() + " ms");
		}
		catch (InterruptedException ex) {
			pending.forEach(Pending::cancel);
			Thread.currentThread().interrupt();
			throw new NotReadyException("interrupted while waiting for inference");
		}
		catch (ExecutionException ex) {
			pending.forEach(Pending::cancel);
			if (ex.getCause() instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new IllegalStateException(ex.getCause());
		}
		catch (RuntimeException ex) {
			pending.forEach(Pending::cancel);
			throw ex;
		}
	}

	/**
	 * Queues the images without waiting, for work nobody waits on (shadow traffic).
	 * @throws OverloadedException at once when the queue is full
	 */
	public CompletableFuture<List<Classification>> classifyAsync(EngineModel model, List<float[]> images) {
		return submit(model, images.toArray(float[][]::new), null).answers;
	}

	/** Queued work and how to withdraw it. */
	private record Pending(CompletableFuture<List<Classification>> answers, WorkerPool.Job job, WorkerPool pool) {

		void cancel() {
			if (job != null) {
				pool.cancel(job);
			}
		}

	}

	private Pending submit(EngineModel model, float[][] images, TraceContext trace) {
		boolean useCache = cache != null;
		Classification[] answers = new Classification[images.length];
		List<Integer> misses = new ArrayList<>(images.length);
		InputKey[] keys = new InputKey[images.length];
		for (int i = 0; i < images.length; i++) {
			if (useCache) {
				keys[i] = new InputKey(model, images[i]);
				float[] hit = cache.getIfPresent(keys[i]);
				if (hit != null) {
					float[] p = java.util.Arrays.copyOfRange(hit, DigitNetwork.CLASSES, 2 * DigitNetwork.CLASSES);
					answers[i] = new Classification(DigitNetwork.argMax(p, 0), p,
							java.util.Arrays.copyOf(hit, DigitNetwork.CLASSES), true, 0, 0, 0);
					continue;
				}
			}
			misses.add(i);
		}
		if (misses.isEmpty()) {
			return new Pending(CompletableFuture.completedFuture(List.of(answers)), null, pool);
		}
		float[][] queued = new float[misses.size()][];
		for (int m = 0; m < queued.length; m++) {
			queued[m] = images[misses.get(m)];
		}
		WorkerPool.Job job = pool.submit(model, queued, trace);
		CompletableFuture<List<Classification>> result = job.done.thenApply(done -> {
			for (int m = 0; m < queued.length; m++) {
				int i = misses.get(m);
				float[] p = done.probabilities[m];
				float[] z = done.logits[m];
				if (useCache && !model.retired) {
					float[] both = java.util.Arrays.copyOf(z, 2 * DigitNetwork.CLASSES);
					System.arraycopy(p, 0, both, DigitNetwork.CLASSES, DigitNetwork.CLASSES);
					cache.put(keys[i], both);
				}
				answers[i] = new Classification(DigitNetwork.argMax(p, 0), p, z, false, done.queueNanos,
						done.computeNanos, done.batchSize);
			}
			return List.of(answers);
		});
		return new Pending(result, job, pool);
	}

	public boolean isRunning() {
		return pool.isRunning();
	}

	/**
	 * Counts a request in, from its arrival (before its body is read) until
	 * {@link #leaveService()}: a request alone in the service computes its own forward
	 * pass (with {@code inline-when-idle}), one among others is batched by the workers.
	 * HTTP predictions are counted in by the overload filter, gRPC ModelInfer calls by
	 * the gRPC shedding interceptor; requests nobody counts in are judged by the
	 * inference queue alone.
	 */
	public void enterService() {
		inService.incrementAndGet();
	}

	/** Counts out a request {@link #enterService()} counted in. */
	public void leaveService() {
		inService.decrementAndGet();
	}

	/**
	 * Whether an image submitted now would be refused because the inference queue is
	 * full: a lock-free look (one volatile read), for shedding a request before its body
	 * is read. Always false with the cache on, since a repeated image is answered without
	 * the queue.
	 */
	public boolean queueFull() {
		return queueFullFor(1);
	}

	/**
	 * Whether {@code images} images submitted now would be refused because the inference
	 * queue has no room for them all (the same lock-free look as {@link #queueFull()}).
	 */
	public boolean queueFullFor(int images) {
		return cache == null && pool.depth() + images > pool.capacity();
	}

	public InferenceProperties properties() {
		return properties;
	}

	public String engineName() {
		return engine.name();
	}

	@Override
	public void close() {
		pool.close();
	}

	/** Exact-match cache key on the model and the normalized pixels. */
	private record InputKey(EngineModel model, float[] pixels, int hash) {

		InputKey(EngineModel model, float[] pixels) {
			this(model, pixels.clone(), 31 * System.identityHashCode(model) + Arrays.hashCode(pixels));
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof InputKey key && key.hash == hash && key.model == model
					&& Arrays.equals(key.pixels, pixels);
		}

		@Override
		public int hashCode() {
			return hash;
		}

	}

}
