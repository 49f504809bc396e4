package dev.digits.training;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The generated sets are reproducible, labelled and valid network input. */
class RobustnessSetsTests {

	private static Mnist.Split test;

	@BeforeAll
	static void load() throws IOException {
		test = Mnist.loadTest(Path.of("core/src/test/resources/mnist-tiny"));
	}

	@Test
	void everyDigitSetIsReproducibleLabelledAndInRange() {
		var first = new RobustnessSets(9).digitSets(test, 27);
		var again = new RobustnessSets(9).digitSets(test, 27);
		var other = new RobustnessSets(10).digitSets(test, 27);
		assertThat(first).extracting(RobustnessSets.LabelledSet::name)
			.containsExactlyElementsOf(RobustnessSets.DIGIT_SETS);
		for (int s = 0; s < first.size(); s++) {
			RobustnessSets.LabelledSet set = first.get(s);
			assertThat(set.size() + set.rejected()).as(set.name()).isEqualTo(27);
			assertThat(set.pixels()).as(set.name()).hasSize(set.size() * 784).containsExactly(again.get(s).pixels());
			for (float v : set.pixels()) {
				assertThat(v).isBetween(0f, 1f);
			}
			for (byte label : set.labels()) {
				assertThat((int) label).isBetween(0, 9);
			}
			if (!set.name().equals("mnist") && !set.name().equals("thick") && !set.name().equals("thin")
					&& !set.name().equals("realistic-uploads")) {
				// random sets change with the seed (thick/thin are deterministic, the
				// uploads' digits too)
				assertThat(other.get(s).pixels()).as(set.name()).isNotEqualTo(set.pixels());
			}
		}
		// the mnist set is the source, normalized
		assertThat(first.get(0).pixels()[0 * 784 + 300]).isEqualTo((test.pixels()[300] & 0xFF) / 255f);
		assertThat(first.get(0).labels()).containsExactly(java.util.Arrays.copyOf(test.labels(), 27));
	}

	@Test
	void nonDigitsCoverEveryKindAndAreLabelledAsSuch() {
		RobustnessSets.LabelledSet set = new RobustnessSets(3).nonDigits(10);
		assertThat(set.size() + set.rejected()).isEqualTo(40);
		assertThat(set.kindNames()).containsExactlyElementsOf(RobustnessSets.NON_DIGIT_KINDS);
		assertThat(set.labels()).containsOnly(RobustnessSets.NOT_A_DIGIT);
		assertThat(set.kinds()).contains(0, 1, 2, 3);
		assertThat(new RobustnessSets(3).nonDigits(10).pixels()).containsExactly(set.pixels());
	}

	@Test
	void lettersAndPrintedDigitsAreDrawnInTheFamiliesGivenOnly() {
		// reports draw in the held-out families, choices in the training ones: not in
		// whatever else is installed
		assertThat(new RobustnessSets(3).fonts()).extracting(java.awt.Font::getFamily)
			.isNotEmpty()
			.allMatch(FontSets.HELD_OUT::contains);
		assertThat(new RobustnessSets(3, FontSets.TRAINING).fonts()).extracting(java.awt.Font::getFamily)
			.isNotEmpty()
			.allMatch(FontSets.TRAINING::contains);
	}

}
