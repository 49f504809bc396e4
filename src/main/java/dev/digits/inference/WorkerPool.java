package dev.digits.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import dev.digits.model.DigitNetwork;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A fixed set of inference threads, each owning one {@link ForwardPass}, fed by a bounded queue
 * with dynamic micro-batching: a worker takes the oldest waiting request and adds the requests
 * queued behind it, up to {@code maxBatchSize} images, waiting at most {@code maxQueueDelay} after
 * the first one was queued (zero: only what is already waiting). Request threads never touch ND4J.
 */
final class WorkerPool implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(WorkerPool.class);

	/** Images queued together by one request, and where their probabilities go. */
	static final class Job {

		final float[][] images;

		final CompletableFuture<Job> done = new CompletableFuture<>();

		final long queuedAt = System.nanoTime();

		float[][] probabilities;

		long queueNanos;

		long computeNanos;

		int batchSize;

		Job(float[][] images) {
			this.images = images;
		}

	}

	/** The meters the pool records into. */
	record Meters(Timer queueWait, Timer compute, DistributionSummary batchSize) {
	}

	private final LinkedBlockingDeque<Job> queue = new LinkedBlockingDeque<>();

	private final Semaphore capacity;

	private final int queueCapacity;

	private final int maxBatchSize;

	private final long maxDelayNanos;

	private final Meters meters;

	private final List<Thread> threads = new ArrayList<>();

	private volatile boolean running = true;

	/**
	 * @param passes makes the forward pass of worker {@code i}; called on that worker's thread
	 */
	WorkerPool(IntFunction<ForwardPass> passes, int workers, int maxBatchSize, Duration maxQueueDelay,
			int queueCapacity, Meters meters) {
		this.maxBatchSize = maxBatchSize;
		this.maxDelayNanos = maxQueueDelay.toNanos();
		this.queueCapacity = queueCapacity;
		this.capacity = new Semaphore(queueCapacity);
		this.meters = meters;
		List<CompletableFuture<Void>> started = new ArrayList<>();
		for (int i = 0; i < workers; i++) {
			int index = i;
			CompletableFuture<Void> ready = new CompletableFuture<>();
			started.add(ready);
			Thread thread = new Thread(() -> run(index, passes, ready), "inference-" + i);
			thread.setDaemon(true);
			threads.add(thread);
			thread.start();
		}
		CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).join();
	}

	/** Queues the images; the future completes when a worker has their probabilities. */
	CompletableFuture<Job> submit(float[][] images) {
		if (!running) {
			throw new NotReadyException("the classifier is shutting down");
		}
		if (!capacity.tryAcquire(images.length)) {
			throw new OverloadedException("inference queue full (" + queueCapacity + " images waiting)");
		}
		Job job = new Job(images);
		queue.offerLast(job);
		return job.done;
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

	private void run(int index, IntFunction<ForwardPass> passes, CompletableFuture<Void> ready) {
		ForwardPass pass;
		float[] input;
		float[] output;
		try {
			pass = passes.apply(index);
			input = new float[pass.capacity() * DigitNetwork.PIXELS];
			output = new float[pass.capacity() * DigitNetwork.CLASSES];
			ready.complete(null);
		}
		catch (RuntimeException | Error ex) {
			ready.completeExceptionally(ex);
			return;
		}
		List<Job> batch = new ArrayList<>();
		while (running) {
			try {
				Job first = queue.pollFirst(100, TimeUnit.MILLISECONDS);
				if (first == null) {
					continue;
				}
				batch.clear();
				batch.add(first);
				int images = gather(first, batch);
				capacity.release(images);
				execute(batch, pass, input, output);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
			catch (RuntimeException | Error ex) {
				logger.error("inference failed for a batch of {} request(s)", batch.size(), ex);
				for (Job job : batch) {
					job.done.completeExceptionally(ex);
				}
			}
		}
	}

	/** Adds queued jobs behind {@code first} up to the batch limit; returns the images gathered. */
	private int gather(Job first, List<Job> batch) throws InterruptedException {
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
			if (images + next.images.length > maxBatchSize) {
				queue.offerFirst(next);
				break;
			}
			batch.add(next);
			images += next.images.length;
		}
		return images;
	}

	private void execute(List<Job> batch, ForwardPass pass, float[] input, float[] output) {
		long start = System.nanoTime();
		for (Job job : batch) {
			job.queueNanos = start - job.queuedAt;
			job.probabilities = new float[job.images.length][];
			meters.queueWait().record(job.queueNanos, TimeUnit.NANOSECONDS);
		}
		// a single request larger than one pass (only possible when maxBatchSize > capacity) runs in chunks
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
			long computeNanos = System.nanoTime() - computeStart;
			meters.compute().record(computeNanos, TimeUnit.NANOSECONDS);
			meters.batchSize().record(n);
			int j = startJob;
			int k = startImage;
			for (int i = 0; i < n; i++) {
				Job job = batch.get(j);
				job.probabilities[k] = java.util.Arrays.copyOfRange(output, i * DigitNetwork.CLASSES,
						(i + 1) * DigitNetwork.CLASSES);
				job.computeNanos += computeNanos;
				job.batchSize = Math.max(job.batchSize, n);
				if (++k == job.images.length) {
					j++;
					k = 0;
				}
			}
		}
		for (Job job : batch) {
			job.done.complete(job);
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
		Job left;
		while ((left = queue.pollFirst()) != null) {
			left.done.completeExceptionally(new NotReadyException("the classifier shut down"));
		}
	}

}
