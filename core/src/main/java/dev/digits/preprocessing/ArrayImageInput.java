package dev.digits.preprocessing;

import java.io.IOException;
import java.util.Objects;

import javax.imageio.stream.ImageInputStreamImpl;

/**
 * The upload's bytes as an image input stream, read in place, that stops a decoder which
 * keeps reading past the end.
 * <p>
 * Some ImageIO plug-ins treat the end of the data as zeros and go on: TwelveMonkeys' WebP
 * lossless bit reader catches the {@link java.io.EOFException} of every refill and
 * decodes the rest of the image from nothing, one exception (and one stack trace) per
 * pixel row word. A 199-byte lossless WebP whose header says 3116 x 27 took 0.2 s alone
 * and 3.3 s under a deep stack, with no progress report in between for the deadline to
 * act on. Here the end of the data may be met {@value #MAX_READS_PAST_END} times, enough
 * for a reader that probes for a trailer; the next read refuses the upload as truncated.
 * <p>
 * Every read also checks the decoding deadline. The JDK's readers report progress per
 * row, where {@link ImageDecoder} abandons them, but TwelveMonkeys' WebP lossless decoder
 * reports none: a 5.2 MB lossless WebP of 2700 x 2700 (noise) was refused only after its
 * whole decode, 520-1,070 ms here. It reads its bits eight bytes at a time, so a read
 * past the deadline ends it: the same file is now refused after 500-503 ms. (A bitstream
 * whose codes take no bits at all reads nothing while it fills the image; its cost is
 * bounded by the pixels the header check allows: a 36-byte one of 2700 x 2700 took
 * 120-290 ms.)
 */
final class ArrayImageInput extends ImageInputStreamImpl {

	/** Reads at or past the end a well-formed file needs at most, with room to spare. */
	static final int MAX_READS_PAST_END = 256;

	private final byte[] data;

	private final String formatName;

	private final long deadlineNanos;

	private int readsPastEnd;

	ArrayImageInput(byte[] data, String formatName, long deadlineNanos) {
		this.data = Objects.requireNonNull(data, "data");
		this.formatName = formatName;
		this.deadlineNanos = deadlineNanos;
	}

	@Override
	public int read() throws IOException {
		checkClosed();
		checkDeadline();
		this.bitOffset = 0;
		if (this.streamPos >= this.data.length) {
			return pastEnd();
		}
		return this.data[(int) this.streamPos++] & 0xff;
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		checkClosed();
		Objects.checkFromIndexSize(offset, length, buffer.length);
		checkDeadline();
		this.bitOffset = 0;
		if (length == 0) {
			return 0;
		}
		if (this.streamPos >= this.data.length) {
			return pastEnd();
		}
		int count = (int) Math.min(length, this.data.length - this.streamPos);
		System.arraycopy(this.data, (int) this.streamPos, buffer, offset, count);
		this.streamPos += count;
		return count;
	}

	private void checkDeadline() {
		if (System.nanoTime() - this.deadlineNanos > 0) {
			throw ImagePreprocessor.timeout();
		}
	}

	private int pastEnd() {
		if (++this.readsPastEnd > MAX_READS_PAST_END) {
			throw new PreprocessingException(Reason.UNDECODABLE,
					"The " + this.formatName + " data ends long before the image does (truncated upload?).");
		}
		return -1;
	}

	/** How often a reader has met the end of the data so far. */
	int readsPastEnd() {
		return this.readsPastEnd;
	}

	@Override
	public long length() {
		return this.data.length;
	}

	@Override
	public boolean isCached() {
		return true;
	}

	@Override
	public boolean isCachedMemory() {
		return true;
	}

}
