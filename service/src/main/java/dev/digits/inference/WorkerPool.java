package dev.digits.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

import dev.digits.model.DigitNetwork;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.TraceContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed set of inference threads fed by one bounded queue, shared by every registered
 * model version, with dynamic micro-batching: a worker takes the oldest waiting request
 * and adds the requests of the same model queued behind it, up to {@code maxBatchSize}
 * images, waiting at most {@code maxQueueDelay} after the first one was queued (zero:
 * only what is already waiting). Each worker builds its own forward pass per model on
 * first use and drops it once the model is retired. A request alone in the pool may run
 * its forward pass on its own thread ({@link #submit}); otherwise request threads never
 * touch ND4J.
 * <p>
 * A job cancelled while queued (its caller timed out) is removed and its permits returned
 * at once; one a worker already took is skipped. A submission that races {@link #close()}
 * fails with {@link NotReadyException}, never {@link OverloadedException}.
 * <p>
 * A job may carry its request's trace context: each forward pass that carries images of a
 * traced job then gets a span linked to every traced request in it (see
 * {@link PipelineTracer#batch}). Untraced jobs cost nothing more.
 */
final class WorkerPool implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(WorkerPool.class);

	/**
	 * Images queued together by one request for one model, and where their probabilities
	 * go.
	 */
	static final class Job {

		final EngineModel model;

		final float[][] images;

		/** The sampled trace context of the request, or null. */
		final TraceContext trace;

		final Answer done = new Answer();

		final long queuedAt = System.nanoTime();

		/**
		 * When a worker took it, and the first and last forward pass that computed its
		 * images.
		 */
		long takenAt;

		long computeStartedAt;

		long computeEndedAt;

		/** The spans of those forward passes, when traced. */
		List<TraceContext> batchTraces;

		volatile boolean cancelled;

		/**
		 * Queue permits it holds: its image count, or 0 on the control lane (warm-up,
		 * load checks).
		 */
		int permits;

		float[][] probabilities;

		float[][] logits;

		long queueNanos;

		long computeNanos;

		int batchSize;

		Job(EngineModel model, float[][] images, TraceContext trace) {
			this.model = model;
			this.images = images;
			this.trace = trace;
		}

	}

	/**
	 * A job's future, which runs its settling action (leaving the count of pending
	 * requests) before it completes, however it completes: a future's dependent actions
	 * run after its waiters may have woken, so a caller answered could otherwise find its
	 * own request still pending when it sends the next one.
	 */
	static final class Answer extends CompletableFuture<Job> {

		private final AtomicReference<Runnable> onSettle = new AtomicReference<>();

		void onSettle(Runnable action) {
			this.onSettle.set(action);
		}

		private void settle() {
			Runnable action = this.onSettle.getAndSet(null);
			if (action != null) {
				action.run();
			}
		}

		@Override
		public boolean complete(Job value) {
			settle();
			return super.complete(value);
		}

		@Override
		public boolean completeExceptionally(Throwable ex) {
			settle();
			return super.completeExceptionally(ex);
		}

		@Override
		public boolean cancel(boolean mayInterruptIfRunning) {
			settle();
			return super.cancel(mayInterruptIfRunning);
		}

	}

	private final LinkedBlockingDeque<Job> queue = new LinkedBlockingDeque<>();

	private final Semaphore capacity;

	private final int queueCapacity;

	private final int maxBatchSize;

	private final long maxDelayNanos;

	private final DistributionSummary batchSizes;

	private final PipelineTracer tracer;

	private final List<Thread> threads = new ArrayList<>();

	private volatile boolean running = true;

	/**
	 * Whether a request alone in the pool runs its own forward pass (see
	 * {@link #submit}).
	 */
	private final boolean inlineWhenIdle;

	/**
	 * Most images a request may have to run its own pass: one upload or a few (a larger
	 * batch gains little from skipping the hand-off, and the inline passes stay small).
	 */
	static final int INLINE_IMAGES = 4;

	private final int inlineImages;

	/** Requests submitted and not yet answered (counted with inlineWhenIdle only). */
	private final AtomicInteger pending = new AtomicInteger();

	/**
	 * One forward pass per model for the requests that run their own, used by one at a
	 * time.
	 */
	private final Map<EngineModel, Lane> lanes = java.util.Collections.synchronizedMap(new IdentityHashMap<>());

	static final class Lane {

		final ReentrantLock lock = new ReentrantLock();

		ForwardPass pass;

		float[] input;

		float[] output;

		float[] probabilities;

	}

	/**
	 * While true (the service warming itself up before it is ready), forward passes are
	 * not recorded.
	 */
	volatile boolean quiet;

	/**
	 * Requests the service is handling (from their arrival to their answer), as its front
	 * doors count them; 0 where none count.
	 */
	private final IntSupplier inService;

	/** Requests computed on their own thread, and requests handed to the workers. */
	private final Counter computedByCaller;

	private final Counter handedOver;

	WorkerPool(int workers, int maxBatchSize, Duration maxQueueDelay, int queueCapacity, boolean inlineWhenIdle,
			IntSupplier inService, MeterRegistry registry, PipelineTracer tracer) {
		this.maxBatchSize = maxBatchSize;
		this.inlineWhenIdle = inlineWhenIdle;
		this.inService = inService;
		this.inlineImages = Math.min(INLINE_IMAGES, maxBatchSize);
		this.maxDelayNanos = maxQueueDelay.toNanos();
		this.queueCapacity = queueCapacity;
		this.capacity = new Semaphore(queueCapacity);
		this.batchSizes = DistributionSummary.builder("digits.batch.size")
			.description("Images per forward pass")
			.serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256)
			.register(registry);
		String requests = "digits.inference.requests";
		String description = "Requests whose images went to a forward pass, by the thread that computed them: "
				+ "the request's own (alone in the service) or an inference worker";
		this.computedByCaller = Counter.builder(requests)
			.description(description)
			.tag("thread", "caller")
			.register(registry);
		this.handedOver = Counter.builder(requests).description(description).tag("thread", "worker").register(registry);
		this.tracer = tracer;
		for (int i = 0; i < workers; i++) {
			Thread thread = new Thread(this::run, "inference-" + i);
			thread.setDaemon(true);
			threads.add(thread);
			thread.start();
		}
	}

	/**
	 * Queues the images; the job's future completes when a worker has their
	 * probabilities. With {@code inlineWhenIdle}, a job that finds no other request in
	 * flight (so no worker has one) and no other request in the service is computed here,
	 * on the calling thread, before this returns: handing it over would only add a
	 * worker's wake-up and the caller's, with nothing to batch it with. Under load
	 * (others in the service, soon to queue) it is handed over, so that the workers batch
	 * it with them. Only a job of at most {@link #INLINE_IMAGES} images; the model's
	 * inline pass is used by one caller at a time, and a second one queues as usual.
	 * @param trace the request's sampled trace context, or null
	 */
	Job submit(EngineModel model, float[][] images, TraceContext trace) {
		if (!running) {
			throw new NotReadyException("the classifier is shutting down");
		}
		if (model.retired) {
			throw new NotReadyException("model version " + model.version() + " is unloaded");
		}
		if (!capacity.tryAcquire(images.length)) {
			throw new OverloadedException("inference queue full (" + queueCapacity + " images waiting)");
		}
		Job job = new Job(model, images, trace);
		job.permits = images.length;
		if (inlineWhenIdle) {
			boolean alone = pending.incrementAndGet() == 1;
			job.done.onSettle(pending::decrementAndGet);
			if (alone && images.length <= inlineImages && inService.getAsInt() <= 1 && runHere(job)) {
				if (model.counted && !quiet) {
					computedByCaller.increment();
				}
				return job;
			}
		}
		if (model.counted && !quiet) {
			handedOver.increment();
		}
		queue.offerLast(job);
		if (!running && queue.remove(job)) {
			// close() ran between the check above and the offer: nobody will take this
			// job
			capacity.release(images.length);
			job.done.cancel(false);
			throw new NotReadyException("the classifier is shutting down");
		}
		return job;
	}

	/**
	 * Runs the job on the calling thread with its model's inline pass, if no other caller
	 * holds it; false if one does.
	 */
	private boolean runHere(Job job) {
		Lane lane = lanes.computeIfAbsent(job.model, (m) -> new Lane());
		if (!lane.lock.tryLock()) {
			return false;
		}
		try {
			if (!running || job.model.retired) {
				return false;
			}
			capacity.release(job.permits);
			job.permits = 0;
			try {
				if (lane.pass == null) {
					lane.pass = job.model.passes.apply(inlineImages);
					job.model.passBytes.add(lane.pass.bufferBytes());
					lane.input = new float[inlineImages * DigitNetwork.PIXELS];
					lane.output = new float[inlineImages * DigitNetwork.CLASSES];
					lane.probabilities = new float[inlineImages * DigitNetwork.CLASSES];
				}
				execute(List.of(job), lane.pass, lane.input, lane.output, lane.probabilities);
			}
			catch (RuntimeException | Error ex) {
				// as a worker's failed batch: the request fails, the service goes on
				logger.error("inference failed for a request of model version {}", job.model.version(), ex);
				job.done.completeExceptionally(ex);
			}
			return true;
		}
		finally {
			lane.lock.unlock();
		}
	}

	/** Closes the lanes of retired models (all of them when closing). */
	private void pruneLanes(boolean all) {
		synchronized (lanes) {
			lanes.entrySet().removeIf((entry) -> {
				if (!all && !entry.getKey().retired) {
					return false;
				}
				Lane lane = entry.getValue();
				if (all) {
					lane.lock.lock();
				}
				else if (!lane.lock.tryLock()) {
					return false;
				}
				try {
					if (lane.pass != null) {
						lane.pass.close();
						entry.getKey().passBytes.add(-lane.pass.bufferBytes());
						lane.pass = null;
					}
					return true;
				}
				finally {
					lane.lock.unlock();
				}
			});
		}
	}

	/**
	 * The control lane: work of the service itself (a version's warm-up and load checks),
	 * queued at the head and outside the queue's capacity, so a full queue of requests
	 * never fails a load. Bounded by its callers (one loader thread, a few images each).
	 */
	Job submitControl(EngineModel model, float[][] images) {
		if (!running) {
			throw new NotReadyException("the classifier is shutting down");
		}
		Job job = new Job(model, images, null);
		job.permits = 0;
		queue.offerFirst(job);
		if (!running && queue.remove(job)) {
			throw new NotReadyException("the classifier is shutting down");
		}
		return job;
	}

	/**
	 * The caller gave up: a job still queued is removed and its permits returned; a
	 * running one is skipped.
	 */
	void cancel(Job job) {
		job.cancelled = true;
		if (queue.remove(job)) {
			capacity.release(job.permits);
			job.done.cancel(false);
		}
	}

	int depth() {
		return queueCapacity - capacity.availablePermits();
	}

	int capacity() {
		return queueCapacity;
	}

	boolean isRunning() {
		return running;
	}

	private void run() {
		Map<EngineModel, ForwardPass> passes = new IdentityHashMap<>();
		float[] input = new float[maxBatchSize * DigitNetwork.PIXELS];
		float[] output = new float[maxBatchSize * DigitNetwork.CLASSES];
		float[] probabilities = new float[maxBatchSize * DigitNetwork.CLASSES];
		List<Job> batch = new ArrayList<>();
		try {
			while (running) {
				batch.clear();
				try {
					Job first = queue.pollFirst(100, TimeUnit.MILLISECONDS);
					if (first == null) {
						prune(passes);
						pruneLanes(false);
						continue;
					}
					capacity.release(first.permits);
					if (first.cancelled) {
						first.done.cancel(false);
						continue;
					}
					batch.add(first);
					gather(first, batch);
					ForwardPass pass = passes.get(first.model);
					if (pass == null) {
						prune(passes);
						pass = first.model.passes.apply(maxBatchSize);
						passes.put(first.model, pass);
						first.model.passBytes.add(pass.bufferBytes());
					}
					execute(batch, pass, input, output, probabilities);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
				catch (RuntimeException | Error ex) {
					logger.error("inference failed for a batch of {} request(s) of model version {}", batch.size(),
							batch.isEmpty() ? "?" : batch.get(0).model.version(), ex);
					for (Job job : batch) {
						job.done.completeExceptionally(ex);
					}
				}
			}
		}
		finally {
			passes.values().forEach(ForwardPass::close);
		}
	}

	/** Drops the passes of retired models. */
	private static void prune(Map<EngineModel, ForwardPass> passes) {
		passes.entrySet().removeIf(entry -> {
			if (entry.getKey().retired) {
				entry.getValue().close();
				entry.getKey().passBytes.add(-entry.getValue().bufferBytes());
				return true;
			}
			return false;
		});
	}

	/** Adds queued jobs of the same model behind {@code first} up to the batch limit. */
	private void gather(Job first, List<Job> batch) throws InterruptedException {
		int images = first.images.length;
		long deadline = first.queuedAt + maxDelayNanos;
		while (images < maxBatchSize) {
			Job next = queue.pollFirst();
			if (next == null) {
				long wait = deadline - System.nanoTime();
				if (wait <= 0) {
					break;
				}
				next = queue.pollFirst(wait, TimeUnit.NANOSECONDS);
				if (next == null) {
					break;
				}
			}
			if (next.model != first.model || images + next.images.length > maxBatchSize) {
				queue.offerFirst(next);
				break;
			}
			capacity.release(next.permits);
			if (next.cancelled) {
				next.done.cancel(false);
				continue;
			}
			batch.add(next);
			images += next.images.length;
		}
	}

	private void execute(List<Job> batch, ForwardPass pass, float[] input, float[] output, float[] probabilities) {
		long start = System.nanoTime();
		EngineModel model = batch.get(0).model;
		for (Job job : batch) {
			job.takenAt = start;
			job.queueNanos = start - job.queuedAt;
			job.probabilities = new float[job.images.length][];
			job.logits = new float[job.images.length][];
			if (model.counted && !quiet) {
				model.queueWait.record(job.queueNanos, TimeUnit.NANOSECONDS);
			}
		}
		// a single request larger than one pass runs in chunks
		int jobIndex = 0;
		int imageIndex = 0;
		while (jobIndex < batch.size()) {
			int n = 0;
			int startJob = jobIndex;
			int startImage = imageIndex;
			while (jobIndex < batch.size() && n < pass.capacity()) {
				Job job = batch.get(jobIndex);
				System.arraycopy(job.images[imageIndex], 0, input, n * DigitNetwork.PIXELS, DigitNetwork.PIXELS);
				n++;
				if (++imageIndex == job.images.length) {
					jobIndex++;
					imageIndex = 0;
				}
			}
			long computeStart = System.nanoTime();
			pass.forward(input, n, output);
			ForwardPass.softmax(output, n, probabilities);
			long computeEnd = System.nanoTime();
			long computeNanos = computeEnd - computeStart;
			if (model.counted && !quiet) {
				model.compute.record(computeNanos, TimeUnit.NANOSECONDS);
				batchSizes.record(n);
			}
			int j = startJob;
			int k = startImage;
			for (int i = 0; i < n; i++) {
				Job job = batch.get(j);
				job.probabilities[k] = java.util.Arrays.copyOfRange(probabilities, i * DigitNetwork.CLASSES,
						(i + 1) * DigitNetwork.CLASSES);
				job.logits[k] = java.util.Arrays.copyOfRange(output, i * DigitNetwork.CLASSES,
						(i + 1) * DigitNetwork.CLASSES);
				job.computeNanos += computeNanos;
				job.batchSize = Math.max(job.batchSize, n);
				if (job.computeStartedAt == 0) {
					job.computeStartedAt = computeStart;
				}
				job.computeEndedAt = computeEnd;
				if (++k == job.images.length) {
					j++;
					k = 0;
				}
			}
			if (tracer != PipelineTracer.OFF) {
				trace(batch, startJob, k == 0 ? j - 1 : j, computeStart, computeEnd, n, model);
			}
		}
		for (Job job : batch) {
			job.done.complete(job);
		}
	}

	/**
	 * The span of one forward pass that carried images of jobs {@code first} to
	 * {@code last}, if any is traced.
	 */
	private void trace(List<Job> batch, int first, int last, long start, long end, int images, EngineModel model) {
		List<TraceContext> traced = null;
		for (int i = first; i <= last; i++) {
			TraceContext trace = batch.get(i).trace;
			if (trace != null) {
				if (traced == null) {
					traced = new ArrayList<>(last - first + 1);
				}
				traced.add(trace);
			}
		}
		if (traced == null) {
			return;
		}
		TraceContext pass = tracer.batch(traced, start, end, images, model.version());
		if (pass == null) {
			return;
		}
		for (int i = first; i <= last; i++) {
			Job job = batch.get(i);
			if (job.trace != null) {
				if (job.batchTraces == null) {
					job.batchTraces = new ArrayList<>(1);
				}
				job.batchTraces.add(pass);
			}
		}
	}

	/** Stops taking work; requests still queued fail with {@link NotReadyException}. */
	@Override
	public void close() {
		running = false;
		for (Thread thread : threads) {
			try {
				thread.join(5_000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		pruneLanes(true);
		Job left;
		while ((left = queue.pollFirst()) != null) {
			capacity.release(left.permits);
			left.done.completeExceptionally(new NotReadyException("the classifier shut down"));
		}
	}

}
