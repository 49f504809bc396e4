package dev.digits.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads an upload's bytes into an array sized by what the request says it holds.
 * <p>
 * The JDK's {@link InputStream#readAllBytes()} and {@link InputStream#readNBytes(int)}
 * start every read with an 8 KB buffer (16 KB on Java 21 and later) whatever the body's
 * size, and start another one each time the stream returns no bytes, which the multipart
 * parser's part streams do: parsing a 372-byte multipart body of a 220-byte PNG allocated
 * 48.9 KB with them on Java 17 and 56.8 KB on Java 25, 41 KB with this (most of it the
 * parser's own), and reading the same PNG as a raw body 8.4 KB and 16.6 KB (240 bytes
 * now). Here the first buffer is the expected size (a raw body's {@code Content-Length})
 * up to a cap, the stream is read into it until it is full or ends, and it doubles when
 * the body goes on: a body of the expected size, under the cap, costs one array and no
 * copy. The cap keeps what is allocated before the bytes arrive small: a client that
 * declares a large body and sends it slowly gets a buffer that grows with what it sent.
 */
final class BodyBytes {

	/** The first buffer when the request does not say how long its body is. */
	static final int UNKNOWN_START = 16 * 1024;

	private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

	private BodyBytes() {
	}

	/**
	 * Reads {@code in} to its end, or to {@code limit + 1} bytes, whichever comes first
	 * (a result longer than {@code limit} tells the caller the body is too large).
	 * @param expected the bytes expected, {@code -1} when unknown; it only sizes the
	 * first buffer, and is capped by {@code limit + 1} and by {@code maxStart}
	 * @param maxStart the largest first buffer
	 */
	static byte[] read(InputStream in, long expected, long limit, int maxStart) throws IOException {
		int cap = (int) Math.min(MAX_ARRAY, limit + 1);
		int start = (int) Math.min(Math.min(cap, maxStart), expected >= 0 ? expected : UNKNOWN_START);
		byte[] buffer = new byte[Math.max(start, 1)];
		int n = 0;
		while (true) {
			n += in.readNBytes(buffer, n, buffer.length - n);
			if (n < buffer.length) {
				return Arrays.copyOf(buffer, n);
			}
			if (n >= cap) {
				return buffer;
			}
			int next = in.read();
			if (next < 0) {
				return buffer;
			}
			buffer = Arrays.copyOf(buffer, (int) Math.min(cap, 2L * buffer.length));
			buffer[n++] = (byte) next;
		}
	}

}
