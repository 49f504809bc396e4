package dev.digits.training;

import java.time.Duration;

import dev.digits.preprocessing.ImagePreprocessor;
import dev.digits.preprocessing.PreprocessingLimits;

/**
 * The preprocessing the tools make their sets with and measure: the server's limits, but
 * a time budget that a cold JVM on a loaded machine cannot miss. These tools ask what the
 * preprocessing decides; with the server's budget (the serving bound, tested in the core
 * module) the first photos of a run beside another job were refused as busy and counted
 * as wrong answers. Captured uploads a fine-tune reads keep the server's limits.
 */
final class Preprocessors {

	/** The time budget per image. */
	static final Duration BUDGET = Duration.ofSeconds(30);

	private Preprocessors() {
	}

	static ImagePreprocessor unhurried() {
		return new ImagePreprocessor(PreprocessingLimits.defaults().withTimeBudget(BUDGET));
	}

}
