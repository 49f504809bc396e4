package dev.digits.inference;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * The real engine ({@link InferenceEngine#nhwc()}) with a brake for tests: after
 * {@link #hold()} every forward pass waits until {@link #release()}, so a test can keep
 * the workers busy and watch what happens to the work queued behind them. Counts the
 * images it computed.
 */
public final class HeldEngine implements InferenceEngine {

	private final InferenceEngine real = InferenceEngine.nhwc();

	private volatile CountDownLatch release = new CountDownLatch(0);

	private final Semaphore held = new Semaphore(0);

	private final AtomicInteger images = new AtomicInteger();

	private volatile int holdFrom = 1;

	/** From now on, forward passes wait for {@link #release()}. */
	public void hold() {
		hold(1);
	}

	/**
	 * From now on, forward passes of at least {@code images} images wait for
	 * {@link #release()}; smaller ones run.
	 */
	public void hold(int images) {
		this.held.drainPermits();
		this.holdFrom = images;
		this.release = new CountDownLatch(1);
	}

	/** Lets every waiting and later pass run. */
	public void release() {
		this.release.countDown();
	}

	/** Waits until a forward pass is waiting for {@link #release()}. */
	public boolean awaitHeld(Duration timeout) throws InterruptedException {
		return this.held.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS);
	}

	/** The images computed so far (counted when their pass ran). */
	public int imagesComputed() {
		return this.images.get();
	}

	@Override
	public String name() {
		return "held " + this.real.name();
	}

	@Override
	public boolean copiesWeights() {
		return this.real.copiesWeights();
	}

	@Override
	public IntFunction<ForwardPass> prepare(MultiLayerNetwork network) {
		IntFunction<ForwardPass> passes = this.real.prepare(network);
		return capacity -> {
			ForwardPass pass = passes.apply(capacity);
			return new ForwardPass() {

				@Override
				public void forward(float[] input, int n, float[] output) {
					CountDownLatch latch = HeldEngine.this.release;
					if (latch.getCount() > 0 && n >= HeldEngine.this.holdFrom) {
						HeldEngine.this.held.release();
						try {
							latch.await();
						}
						catch (InterruptedException ex) {
							Thread.currentThread().interrupt();
						}
					}
					HeldEngine.this.images.addAndGet(n);
					pass.forward(input, n, output);
				}

				@Override
				public int capacity() {
					return pass.capacity();
				}

				@Override
				public void close() {
					pass.close();
				}

			};
		};
	}

}
