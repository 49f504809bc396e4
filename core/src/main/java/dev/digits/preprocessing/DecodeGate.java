package dev.digits.preprocessing;

import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Admission to decoding, shared by all requests: the memory every image in flight needs
 * (as its {@link ImageHeader} estimates it) must fit in a fixed budget, and large images
 * (those decoded subsampled, which cost the most CPU) are decoded a few at a time, so
 * that a burst of expensive uploads holds at most that many cores and never more memory
 * than the budget, whatever the number of request threads. Each large-decode slot also
 * keeps to a share of a core over time: after a large decode that took {@code d}, its
 * slot rests {@code d * (1 / share - 1)} before the next large image may start in it, so
 * a stream of costly uploads (hostile or not) leaves most of the machine to everyone
 * else. An image that cannot be admitted within its time budget is refused with
 * {@link Reason#BUSY}.
 */
public final class DecodeGate {

	private static final int UNIT = 1024;

	private final Semaphore memory;

	private final int memoryUnits;

	private final Semaphore large;

	private final double restPerBusy;

	/**
	 * Per large-decode slot, when ({@link System#nanoTime()}) it may next start a decode.
	 */
	private final java.util.concurrent.BlockingQueue<Long> largeSlots;

	/** Every large decode may use a whole core: no rest between them. */
	public DecodeGate(long memoryBytes, int largeDecodes) {
		this(memoryBytes, largeDecodes, 1.0);
	}

	/**
	 * @param memoryBytes decoding memory all requests together may hold
	 * @param largeDecodes how many large images may decode at once
	 * @param largeShare share of a core (0..1] each large-decode slot may use over time
	 */
	public DecodeGate(long memoryBytes, int largeDecodes, double largeShare) {
		if (memoryBytes < UNIT || largeDecodes < 1) {
			throw new IllegalArgumentException("memoryBytes must be at least 1 KiB and largeDecodes at least 1");
		}
		if (!(largeShare > 0 && largeShare <= 1)) {
			throw new IllegalArgumentException("largeShare must be in (0, 1], got " + largeShare);
		}
		this.memoryUnits = (int) Math.min(Integer.MAX_VALUE, memoryBytes / UNIT);
		this.memory = new Semaphore(memoryUnits, true);
		this.large = new Semaphore(largeDecodes, true);
		this.restPerBusy = 1 / largeShare - 1;
		this.largeSlots = new java.util.concurrent.ArrayBlockingQueue<>(largeDecodes);
		long now = System.nanoTime();
		for (int i = 0; i < largeDecodes; i++) {
			largeSlots.add(now);
		}
	}

	/**
	 * Twice the per-image budget, one large decode at a time, with no rest: against the
	 * hostile suite a share of 0.5 lowered the service's CPU under attack (1.25 against
	 * 1.47 cores) but raised a normal client's p99 (41-47 against 32-35 ms), so the rest
	 * is off unless configured.
	 */
	public static DecodeGate defaults(PreprocessingLimits limits) {
		return new DecodeGate(2 * limits.maxDecodeBytes(), 1, 1.0);
	}

	/**
	 * Holds an admission; closing it gives the memory (and the large-decode slot) back.
	 */
	final class Permit implements AutoCloseable {

		private final int units;

		private final boolean largeSlot;

		private final long startNanos = System.nanoTime();

		private Permit(int units, boolean largeSlot) {
			this.units = units;
			this.largeSlot = largeSlot;
		}

		@Override
		public void close() {
			memory.release(units);
			if (largeSlot) {
				long now = System.nanoTime();
				largeSlots.add(now + (long) ((now - startNanos) * restPerBusy));
				large.release();
			}
		}

	}

	/**
	 * Waits until {@code deadlineNanos} ({@link System#nanoTime()}) for room to decode.
	 */
	Permit admit(long bytes, boolean isLarge, long deadlineNanos) {
		int units = (int) Math.min(memoryUnits, (bytes + UNIT - 1) / UNIT);
		boolean slotHeld = false;
		boolean slotTaken = false;
		try {
			if (isLarge) {
				if (!large.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
					throw busy("large images");
				}
				slotHeld = true;
				restThenStart(deadlineNanos);
				slotTaken = true;
			}
			if (!memory.tryAcquire(units, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
				throw busy(String.format(Locale.ROOT, "%d MB of images", (long) memoryUnits * UNIT >> 20));
			}
			slotHeld = false;
			return new Permit(units, isLarge);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw busy("images");
		}
		finally {
			if (slotHeld) {
				if (slotTaken) {
					largeSlots.add(System.nanoTime());
				}
				large.release();
			}
		}
	}

	/**
	 * With a large-decode slot held: takes the slot whose rest ends first and waits for
	 * that end, or, when it ends after the deadline, puts the slot back and refuses. A
	 * slot taken is always put back (by the permit, or here when the wait is cut short).
	 */
	private void restThenStart(long deadlineNanos) throws InterruptedException {
		long readyAt;
		synchronized (largeSlots) {
			readyAt = largeSlots.stream().min(Long::compare).orElseThrow();
			largeSlots.remove(readyAt);
		}
		long wait = readyAt - System.nanoTime();
		if (wait > 0 && readyAt > deadlineNanos) {
			largeSlots.add(readyAt);
			throw busy("large images");
		}
		try {
			if (wait > 0) {
				TimeUnit.NANOSECONDS.sleep(wait);
			}
		}
		catch (InterruptedException ex) {
			largeSlots.add(readyAt);
			throw ex;
		}
	}

	/** Memory units (KiB) free now; for tests and metrics. */
	public long availableBytes() {
		return (long) memory.availablePermits() * UNIT;
	}

	private static PreprocessingException busy(String what) {
		return new PreprocessingException(Reason.BUSY,
				"The server is decoding as many " + what + " as it allows at once; retry shortly.");
	}

}
