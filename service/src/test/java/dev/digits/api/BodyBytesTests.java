package dev.digits.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

import org.apache.commons.fileupload2.core.DiskFileItem;
import org.apache.commons.fileupload2.core.DiskFileItemFactory;
import org.apache.commons.fileupload2.core.FileItemInputIterator;
import org.apache.commons.fileupload2.jakarta.servlet6.JakartaServletFileUpload;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.util.unit.DataSize;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bodies read whole whatever the stream does (short reads, reads of no bytes, a length
 * that was wrong), cut at the limit plus one byte, and a small upload read into about its
 * own size.
 */
class BodyBytesTests {

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	private static final Random RANDOM = new Random(5);

	@Test
	void everyLengthIsReadWholeWhateverWasExpectedAndHowTheStreamDeliversIt() throws IOException {
		for (int length : new int[] { 0, 1, 220, 1023, 1024, 1025, 16_383, 16_384, 16_385, 100_000 }) {
			byte[] body = new byte[length];
			RANDOM.nextBytes(body);
			for (long expected : new long[] { -1, 0, length / 2, length, length + 1, 10L * length + 7 }) {
				for (int maxStart : new int[] { 1, 512, StreamingMultipartResolver.PART_START, Integer.MAX_VALUE }) {
					assertThat(BodyBytes.read(new ByteArrayInputStream(body), expected, 1 << 20, maxStart))
						.as("%d bytes, %d expected, first buffer at most %d", length, expected, maxStart)
						.isEqualTo(body);
					assertThat(BodyBytes.read(new Trickle(body), expected, 1 << 20, maxStart))
						.as("%d bytes in short reads and reads of nothing, %d expected", length, expected)
						.isEqualTo(body);
				}
			}
		}
	}

	@Test
	void aBodyOverTheLimitIsCutOneByteAfterIt() throws IOException {
		byte[] body = new byte[50_000];
		RANDOM.nextBytes(body);
		for (long expected : new long[] { -1, 100, 10_000, 50_000 }) {
			byte[] read = BodyBytes.read(new Trickle(body), expected, 9_999, Integer.MAX_VALUE);
			assertThat(read).hasSize(10_000);
			assertThat(read).isEqualTo(java.util.Arrays.copyOf(body, 10_000));
		}
		assertThat(BodyBytes.read(new ByteArrayInputStream(body), 50_000, 50_000, Integer.MAX_VALUE)).isEqualTo(body);
		assertThat(BodyBytes.read(new ByteArrayInputStream(body), 50_000, 49_999, Integer.MAX_VALUE)).hasSize(50_000);
	}

	@Test
	void aSmallBodyOfItsDeclaredLengthCostsOneArrayOfItsSize() throws IOException {
		byte[] png = Files.readAllBytes(Path.of("docs/examples/seven.png"));
		long allocated = Long.MAX_VALUE;
		long jdkRead = Long.MAX_VALUE;
		for (int i = 0; i < 50; i++) {
			Trickle in = new Trickle(png);
			long before = THREADS.getCurrentThreadAllocatedBytes();
			byte[] read = BodyBytes.read(in, png.length, 10 << 20, RequestBodyLimitFilter.STEP);
			allocated = Math.min(allocated, THREADS.getCurrentThreadAllocatedBytes() - before);
			assertThat(read).isEqualTo(png);
			// the JDK's read of a stream that never returns no bytes (as a socket's)
			InputStream plain = new java.io.FilterInputStream(new ByteArrayInputStream(png)) {
			};
			before = THREADS.getCurrentThreadAllocatedBytes();
			read = plain.readNBytes((10 << 20) + 1);
			jdkRead = Math.min(jdkRead, THREADS.getCurrentThreadAllocatedBytes() - before);
			assertThat(read).isEqualTo(png);
		}
		System.out.printf(
				"a %d-byte raw body: %d bytes allocated to read it, %d with readNBytes(limit + 1) (Java %s)%n",
				png.length, allocated, jdkRead, Runtime.version().feature());
		// the array and its header
		assertThat(allocated).as("bytes allocated to read a %d-byte body", png.length).isLessThan(png.length + 64);
	}

	@Test
	void aLargeDeclaredBodySentSlowlyGetsABufferThatGrowsWithWhatArrived() throws IOException {
		byte[] sent = new byte[1_000];
		RANDOM.nextBytes(sent);
		long allocated = Long.MAX_VALUE;
		for (int i = 0; i < 50; i++) {
			Trickle in = new Trickle(sent);
			long before = THREADS.getCurrentThreadAllocatedBytes();
			// 10 MB declared, 1,000 bytes sent before the stream ends
			byte[] read = BodyBytes.read(in, 10 << 20, 10 << 20, RequestBodyLimitFilter.STEP);
			allocated = Math.min(allocated, THREADS.getCurrentThreadAllocatedBytes() - before);
			assertThat(read).isEqualTo(sent);
		}
		assertThat(allocated).as("bytes allocated for 1,000 bytes of a body declared as 10 MB")
			.isLessThan(RequestBodyLimitFilter.STEP + 2_000);
	}

	@Test
	void aSmallPngInAMultipartBodyIsReadWithoutTheJdksBuffers() throws Exception {
		byte[] png = Files.readAllBytes(Path.of("docs/examples/seven.png"));
		String boundary = "----form7MA4YWxkTrZu0gW";
		byte[] body = Bytes.concat(
				("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; "
						+ "filename=\"seven.png\"\r\nContent-Type: image/png\r\n\r\n")
					.getBytes(),
				png, ("\r\n--" + boundary + "--\r\n").getBytes());
		StreamingMultipartResolver resolver = new StreamingMultipartResolver(new ApiProperties(DataSize.ofMegabytes(10),
				DataSize.ofMegabytes(10), DataSize.ofMegabytes(32), DataSize.ofMegabytes(64), Duration.ofSeconds(1), 64,
				true, DataSize.ofBytes(1), Duration.ofSeconds(10), 0));
		long bodyBytes = Long.MAX_VALUE;
		long jdkRead = Long.MAX_VALUE;
		// the least of many, alternating: once compiled, some of the parser's short-lived
		// objects are no longer allocated
		for (int i = 0; i < 5_000; i++) {
			assertThat(resolver.resolveMultipart(request(boundary, body)).getFile("file").getBytes()).isEqualTo(png);
			long before = THREADS.getCurrentThreadAllocatedBytes();
			byte[] file = parse(request(boundary, body), true);
			bodyBytes = Math.min(bodyBytes, THREADS.getCurrentThreadAllocatedBytes() - before);
			assertThat(file).isEqualTo(png);
			before = THREADS.getCurrentThreadAllocatedBytes();
			file = parse(request(boundary, body), false);
			jdkRead = Math.min(jdkRead, THREADS.getCurrentThreadAllocatedBytes() - before);
			assertThat(file).isEqualTo(png);
		}
		System.out.printf(
				"a %d-byte multipart body of a %d-byte PNG: %d bytes allocated to parse it and read the part "
						+ "(the least of 5,000), %d with readAllBytes() (Java %s)%n",
				body.length, png.length, bodyBytes, jdkRead, Runtime.version().feature());
		// the JDK's read starts with an 8 KB buffer (16 KB on Java 21+) and another after
		// each read of no bytes
		assertThat(bodyBytes)
			.as("bytes to parse a %d-byte multipart body, against %d with readAllBytes()", body.length, jdkRead)
			.isLessThan(jdkRead - 7_000);
	}

	private static MockHttpServletRequest request(String boundary, byte[] body) {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/predictions");
		request.setContentType("multipart/form-data; boundary=" + boundary);
		request.setContent(body);
		return request;
	}

	/**
	 * The resolver's parse, the part read as it reads it or by the JDK, as it read it
	 * before.
	 */
	private static byte[] parse(MockHttpServletRequest request, boolean bodyBytes) throws Exception {
		JakartaServletFileUpload<DiskFileItem, DiskFileItemFactory> upload = new JakartaServletFileUpload<>();
		upload.setMaxSize(32 << 20);
		upload.setMaxFileSize(10 << 20);
		upload.setMaxPartHeaderSize(StreamingMultipartResolver.MAX_PART_HEADER_BYTES);
		upload.setHeaderCharset(java.nio.charset.StandardCharsets.UTF_8);
		FileItemInputIterator parts = upload.getItemIterator(request);
		byte[] content = null;
		while (parts.hasNext()) {
			try (InputStream in = parts.next().getInputStream()) {
				content = bodyBytes ? BodyBytes.read(in, request.getContentLengthLong(), 32 << 20,
						StreamingMultipartResolver.PART_START) : in.readAllBytes();
			}
		}
		return content;
	}

	/** A stream that gives at most 7 bytes a read and every other read none. */
	private static final class Trickle extends InputStream {

		private final byte[] data;

		private int at;

		private boolean empty;

		Trickle(byte[] data) {
			this.data = data;
		}

		@Override
		public int read() {
			return at < data.length ? data[at++] & 0xff : -1;
		}

		@Override
		public int read(byte[] b, int off, int len) {
			if (len == 0) {
				return 0;
			}
			if (at >= data.length) {
				return -1;
			}
			empty = !empty;
			if (empty) {
				return 0;
			}
			int n = Math.min(Math.min(len, 7), data.length - at);
			System.arraycopy(data, at, b, off, n);
			at += n;
			return n;
		}

	}

	private static final class Bytes {

		static byte[] concat(byte[]... parts) {
			java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
			for (byte[] part : parts) {
				out.writeBytes(part);
			}
			return out.toByteArray();
		}

	}

}
