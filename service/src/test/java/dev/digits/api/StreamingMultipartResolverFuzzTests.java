package dev.digits.api;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.util.unit.DataSize;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing (Jazzer) of the multipart parser: whatever the body, the answer
 * is parts within the limits or a {@link MultipartException}, and parsing allocates a
 * bounded multiple of the body. A normal test run replays the seeds and past findings in
 * {@code service/src/test/resources/dev/digits/api/StreamingMultipartResolverFuzzTestsInputs/};
 * {@code JAZZER_FUZZ=1} fuzzes (see {@code .ci/run}).
 */
class StreamingMultipartResolverFuzzTests {

	/** Small limits, so that the fuzzer reaches them. */
	private static final ApiProperties LIMITS = new ApiProperties(DataSize.ofKilobytes(4), DataSize.ofKilobytes(8),
			DataSize.ofKilobytes(16), DataSize.ofMegabytes(1), Duration.ofMillis(100), 4, true, DataSize.ofBytes(1),
			Duration.ofSeconds(10), 0);

	private static final StreamingMultipartResolver RESOLVER = new StreamingMultipartResolver(LIMITS);

	private static final boolean FUZZING = System.getenv("JAZZER_FUZZ") != null;

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	@FuzzTest(maxDuration = "60s")
	void anyBodyBecomesPartsOrAMultipartRefusal(byte[] body) throws java.io.IOException {
		long allocated = parse(body);
		// the parts' copies, the parser's buffers and headers: a small multiple of the
		// body and some buffers for each part (at most the part limit), never sized by a
		// header field
		long bound = 256 * 1024 + 8L * body.length
				+ 32 * 1024 * (LIMITS.maxBatchImages() + StreamingMultipartResolver.EXTRA_PARTS + 1);
		if (allocated >= bound) {
			// the first input to reach new code pays for loading its classes: again, warm
			allocated = parse(body);
		}
		if (!FUZZING) {
			assertThat(allocated).as("bytes allocated for a %d-byte body", body.length).isLessThan(bound);
		}
	}

	/** Parses {@code body}, checks the answer, and returns the bytes allocated. */
	private static long parse(byte[] body) throws java.io.IOException {
		MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/predictions/batch");
		request.setContentType("multipart/form-data; boundary=b");
		request.setContent(body);
		long before = THREADS.getCurrentThreadAllocatedBytes();
		try {
			MultipartHttpServletRequest parsed = RESOLVER.resolveMultipart(request);
			List<MultipartFile> files = parsed.getMultiFileMap().values().stream().flatMap(List::stream).toList();
			assertThat(files.size() + parsed.getParameterMap().size())
				.isLessThanOrEqualTo(LIMITS.maxBatchImages() + StreamingMultipartResolver.EXTRA_PARTS);
			for (MultipartFile file : files) {
				assertThat(file.getSize()).isLessThanOrEqualTo(LIMITS.maxImageSize().toBytes());
				assertThat(file.getBytes()).hasSize((int) file.getSize());
			}
		}
		catch (MultipartException ex) {
			assertThat(ex.getMessage()).isNotBlank();
		}
		return THREADS.getCurrentThreadAllocatedBytes() - before;
	}

	/** Writes the seed corpus (run once by hand; the files are committed). */
	public static void main(String[] args) throws java.io.IOException {
		java.nio.file.Path dir = java.nio.file.Path.of("service/src/test/resources/dev/digits/api/"
				+ "StreamingMultipartResolverFuzzTestsInputs/anyBodyBecomesPartsOrAMultipartRefusal");
		java.util.Map<String, String> seeds = new java.util.LinkedHashMap<>();
		String png = "\u0089PNG\r\n\u001a\n";
		seeds.put("one-file", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"seven.png\"\r\n"
				+ "Content-Type: image/png\r\n\r\n" + png + "\r\n--b--\r\n");
		seeds.put("two-files-and-a-field",
				"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.png\"\r\n\r\n" + png
						+ "\r\n--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"b.png\"\r\n\r\n" + png
						+ "\r\n--b\r\nContent-Disposition: form-data; name=\"allowed\"\r\n\r\n0,1\r\n--b--\r\n");
		seeds.put("preamble-and-epilogue", "ignored\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; "
				+ "filename=\"x\"\r\n\r\nxyz\r\n--b--\r\nafter");
		seeds.put("rfc2231-file-name", "--b\r\nContent-Disposition: form-data; name=\"file\"; "
				+ "filename*=UTF-8''%C3%A9t%C3%A9.png\r\n\r\nabc\r\n--b--\r\n");
		seeds.put("nested-mixed",
				"--b\r\nContent-Disposition: form-data; name=\"files\"\r\nContent-Type: "
						+ "multipart/mixed; boundary=c\r\n\r\n--c\r\nContent-Disposition: file; filename=\"a\"\r\n\r\n"
						+ "abc\r\n--c--\r\n--b--\r\n");
		seeds.put("truncated", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\nab");
		seeds.put("quoted-printable", "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n"
				+ "Content-Transfer-Encoding: quoted-printable\r\n\r\na=3Db=\r\nc\r\n--b--\r\n");
		seeds.put("too-many-parts",
				("--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a\"\r\n\r\n" + "x\r\n").repeat(14)
						+ "--b--\r\n");
		for (var seed : seeds.entrySet()) {
			java.nio.file.Files.write(dir.resolve(seed.getKey()),
					seed.getValue().getBytes(StandardCharsets.ISO_8859_1));
		}
	}

}
