package dev.digits.serving;

import java.util.Set;

import dev.digits.inference.DigitClassifier.Classification;
import dev.digits.model.Calibration;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code ?allowed=}: the answer is the likeliest allowed digit, but its confidence and
 * its {@code uncertain} flag are the network's own, not a certainty made by
 * renormalising.
 */
class RestrictedAnswerTests {

	/** The network is sure of 7 (softmax 1 - 3e-11 or so); 1 gets about 3e-11. */
	private static final float[] LOGITS = { 0, 1, 0, 0, 0, 0, 0, 25, 0, 0 };

	private static final Calibration CALIBRATED = new Calibration(1.0, 0.6, null, Double.POSITIVE_INFINITY, 1.0);

	@Test
	void aRestrictedAnswerTheNetworkDoubtsIsUncertainWithALowConfidence() {
		RecognitionService.Answer answer = RecognitionService.answer(classification(), CALIBRATED, Set.of(0, 1));
		assertThat(answer.digit()).isEqualTo(1);
		assertThat(answer.confidence()).isLessThan(1e-9f);
		assertThat(answer.uncertain()).isTrue();
		assertThat(answer.probabilities()[1]).isGreaterThan(0.7f); // the likeliest of the
																	// allowed,
																	// renormalised
	}

	@Test
	void withoutAThresholdTheRefusedOwnAnswerStillMakesItUncertain() {
		RecognitionService.Answer answer = RecognitionService.answer(classification(), Calibration.NONE, Set.of(0, 1));
		assertThat(answer.uncertain()).isTrue();
	}

	@Test
	void allowingTheNetworksOwnAnswerChangesNeitherConfidenceNorFlag() {
		RecognitionService.Answer all = RecognitionService.answer(classification(), CALIBRATED, null);
		RecognitionService.Answer seven = RecognitionService.answer(classification(), CALIBRATED, Set.of(7, 1));
		assertThat(seven.digit()).isEqualTo(7);
		assertThat(seven.confidence()).isCloseTo(all.confidence(), within(1e-7f));
		assertThat(seven.uncertain()).isFalse();
	}

	private static Classification classification() {
		return new Classification(7, Calibration.NONE.calibrated(LOGITS), LOGITS, false, 0, 0, 1);
	}

}
