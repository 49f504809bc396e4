package dev.digits.preprocessing;

import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Admission to decoding, shared by all requests: the memory every image in flight needs (as its
 * {@link ImageHeader} estimates it) must fit in a fixed budget, and large images (those decoded
 * subsampled, which cost the most CPU) are decoded a few at a time, so that a burst of expensive
 * uploads holds at most that many cores and never more memory than the budget, whatever the
 * number of request threads. An image that cannot be admitted within its time budget is refused
 * with {@link Reason#BUSY}.
 */
public final class DecodeGate {

	private static final int UNIT = 1024;

	private final Semaphore memory;

	private final int memoryUnits;

	private final Semaphore large;

	/**
	 * @param memoryBytes decoding memory all requests together may hold
	 * @param largeDecodes how many large images may decode at once
	 */
	public DecodeGate(long memoryBytes, int largeDecodes) {
		if (memoryBytes < UNIT || largeDecodes < 1) {
			throw new IllegalArgumentException("memoryBytes must be at least 1 KiB and largeDecodes at least 1");
		}
		this.memoryUnits = (int) Math.min(Integer.MAX_VALUE, memoryBytes / UNIT);
		this.memory = new Semaphore(memoryUnits, true);
		this.large = new Semaphore(largeDecodes, true);
	}

	/** Twice the per-image budget, one large decode at a time. */
	public static DecodeGate defaults(PreprocessingLimits limits) {
		return new DecodeGate(2 * limits.maxDecodeBytes(), 1);
	}

	/** Holds an admission; closing it gives the memory (and the large-decode slot) back. */
	final class Permit implements AutoCloseable {

		private final int units;

		private final boolean largeSlot;

		private Permit(int units, boolean largeSlot) {
			this.units = units;
			this.largeSlot = largeSlot;
		}

		@Override
		public void close() {
			memory.release(units);
			if (largeSlot) {
				large.release();
			}
		}

	}

	/** Waits until {@code deadlineNanos} ({@link System#nanoTime()}) for room to decode. */
	Permit admit(long bytes, boolean isLarge, long deadlineNanos) {
		int units = (int) Math.min(memoryUnits, (bytes + UNIT - 1) / UNIT);
		try {
			if (isLarge && !large.tryAcquire(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
				throw busy("large images");
			}
			if (!memory.tryAcquire(units, Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
				if (isLarge) {
					large.release();
				}
				throw busy(String.format(Locale.ROOT, "%d MB of images", (long) memoryUnits * UNIT >> 20));
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw busy("images");
		}
		return new Permit(units, isLarge);
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
