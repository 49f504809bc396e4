package dev.digits.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The warm-up's debug summary: medians per kind of request and answers per second. */
class SelfWarmUpTimingsTests {

	@Test
	void mediansOfTheFirstAndLastFifthPerKindAndAnswersPerSecond() {
		int sent = 10;
		long start = 1_000_000_000L;
		long[] took = new long[sent];
		long[] ended = new long[sent];
		for (int i = 0; i < sent; i++) {
			took[i] = (i + 1) * 1_000_000L; // request i took i + 1 ms
			ended[i] = start + (i < 4 ? 500_000_000L : 1_500_000_000L); // four in the
																		// first second
		}
		took[9] = 0; // never answered
		ended[9] = 0;
		String text = SelfWarmUp.timings(took, ended, sent, start, 2);
		// kind 0 is requests 0, 2, 4...: the first fifth (0, 1) holds request 0, the last
		// (8, 9)
		// request 8; kind 1 has request 1 first and nothing answered last
		assertThat(text).isEqualTo(
				"median ms per kind, first fifth -> last fifth: 0: 1.0 -> 9.0 1: 2.0 -> -; answered per second: 4 5");
	}

}
