package dev.digits.preprocessing;

import java.lang.management.ManagementFactory;

import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Coverage-guided fuzzing (Jazzer) of the preprocessing entry point: whatever the bytes,
 * the answer is a valid 28x28 input or a typed {@link PreprocessingException}, within the
 * time budget (with slack for a loaded machine) and without allocating more than the
 * decoding budget.
 * <p>
 * In a normal test run this replays the seed corpus and every past finding, one test
 * each, from
 * {@code core/src/test/resources/dev/digits/preprocessing/ImagePreprocessorFuzzTestsInputs/}
 * (made by {@link FuzzSeeds}). {@code JAZZER_FUZZ=1} turns it into a bounded fuzzing run
 * (see {@code .ci/run}); a finding is written into that folder and becomes a regression
 * input. Allocation is counted per thread ({@code ThreadMXBean}), so it bounds everything
 * the decoders allocate on the heap for one input, live or not.
 */
class ImagePreprocessorFuzzTests {

	private static final PreprocessingLimits LIMITS = PreprocessingLimits.defaults();

	private static final ImagePreprocessor PREPROCESSOR = new ImagePreprocessor(LIMITS);

	/**
	 * While fuzzing, Jazzer's comparison hooks allocate in the instrumented (and not yet
	 * compiled) code, so allocation is counted only when replaying inputs; the fuzzing
	 * run itself has the container's heap ({@code -Xmx384m} in {@code .ci/run}), so an
	 * allocation bomb is an OutOfMemoryError there, which Jazzer reports as a finding.
	 */
	private static final boolean FUZZING = System.getenv("JAZZER_FUZZ") != null;

	/**
	 * Slack on the time budget: the decoder is abandoned at its next progress report or
	 * read.
	 */
	private static final long SLACK_NANOS = 2_000_000_000L;

	/**
	 * While fuzzing, the decoders outside the JDK (TwelveMonkeys' WebP and BMP) run with
	 * Jazzer's coverage hooks on every branch, 10-30 times slower: a 272-byte lossless
	 * WebP of 3116 x 275 took 3.3 s in a fuzzing run, where one of that size whose codes
	 * take no bits decodes in 20-80 ms without the hooks, warm, and the corpus's 2700 x
	 * 2700 one took 2.9-3.6 s per run while fuzzing against 0.12-0.29 s without. There
	 * the limit catches what grows without bound (a hang, a loop per byte of a lying
	 * length); the budget itself is checked when the corpus, findings included, is
	 * replayed without the hooks in every test run.
	 */
	private static final long FUZZING_LIMIT_NANOS = 20_000_000_000L;

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	@FuzzTest(maxDuration = "90s")
	void anyBytesBecomeADigitOrATypedRefusal(byte[] bytes) {
		long timeLimit = FUZZING ? FUZZING_LIMIT_NANOS : LIMITS.timeBudget().toNanos() + SLACK_NANOS;
		Cost cost = preprocess(bytes);
		if (cost.nanos() > timeLimit || cost.allocated() >= LIMITS.maxDecodeBytes()) {
			// the first input to reach new code pays for loading (and Jazzer's
			// instrumenting) its
			// classes in this thread: measure again, warm
			cost = preprocess(bytes);
		}
		String input = bytes.length + " bytes starting "
				+ java.util.HexFormat.of().formatHex(java.util.Arrays.copyOf(bytes, Math.min(bytes.length, 24)));
		assertThat(cost.nanos()).as("time spent (ns) on %s", input).isLessThan(timeLimit);
		if (!FUZZING) {
			assertThat(cost.allocated()).as("bytes allocated for %s", input).isLessThan(LIMITS.maxDecodeBytes());
		}
	}

	private record Cost(long nanos, long allocated) {
	}

	private static Cost preprocess(byte[] bytes) {
		long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
		long start = System.nanoTime();
		try {
			Preprocessed result = PREPROCESSOR.fromImage(bytes);
			float[] pixels = result.pixels();
			assertThat(pixels).hasSize(784);
			for (float p : pixels) {
				assertThat(p).isBetween(0f, 1f);
			}
			assertThat(result.width()).isBetween(1, LIMITS.maxWidth());
			assertThat(result.height()).isBetween(1, LIMITS.maxHeight());
		}
		catch (PreprocessingException ex) {
			assertThat(ex.reason()).isNotNull();
			assertThat(ex.getMessage()).isNotBlank().doesNotContain("Exception").doesNotContain("java.");
		}
		return new Cost(System.nanoTime() - start, THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore);
	}

}
