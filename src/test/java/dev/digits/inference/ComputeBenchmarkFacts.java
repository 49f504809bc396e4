package dev.digits.inference;

/** The machine line benchmarks print, shared with the training benchmark in another package. */
public final class ComputeBenchmarkFacts {

	private ComputeBenchmarkFacts() {
	}

	public static String machine() {
		return ComputeBenchmark.machine();
	}

}
