package dev.digits.training;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Calibration metrics against hand-computed values, and temperature scaling on synthetic
 * logits.
 */
class CalibrationTests {

	/**
	 * Four examples, two classes used out of ten; probabilities chosen so every figure is
	 * easy by hand.
	 */
	private static double[] fourExamples() {
		double[] p = new double[4 * 10];
		// example 0: label 0, p0 0.9 (right, bin 13: [0.8667, 0.9333))
		p[0] = 0.9;
		p[1] = 0.1;
		// example 1: label 1, p0 0.6 (wrong, bin 9: [0.6, 0.6667))
		p[10] = 0.6;
		p[11] = 0.4;
		// example 2: label 1, p1 1.0 (right, last bin)
		p[21] = 1.0;
		// example 3: label 0, p0 0.6 (right, bin 9)
		p[30] = 0.6;
		p[31] = 0.4;
		return p;
	}

	private static final byte[] LABELS = { 0, 1, 1, 0 };

	@Test
	void metricsMatchHandComputedValues() {
		Calibration.Metrics m = Calibration.metrics(fourExamples(), LABELS);
		assertThat(m.accuracy()).isEqualTo(0.75);
		// NLL: -(ln 0.9 + ln 0.4 + ln 1 + ln 0.6) / 4
		assertThat(m.nll()).isCloseTo(-(Math.log(0.9) + Math.log(0.4) + Math.log(0.6)) / 4, within(1e-12));
		// Brier: (0.01+0.01) + (0.36+0.36) + 0 + (0.16+0.16) = 1.06, / 4
		assertThat(m.brier()).isCloseTo(1.06 / 4, within(1e-12));
		// bins: {0.9: acc 1, gap 0.1}, {0.6, 0.6: acc 0.5, gap 0.1}, {1.0: acc 1, gap 0}
		assertThat(m.ece()).isCloseTo(0.25 * 0.1 + 0.5 * 0.1 + 0.25 * 0, within(1e-12));
		assertThat(m.mce()).isCloseTo(0.1, within(1e-12));
		assertThat(m.binCounts()[9]).isEqualTo(2);
		assertThat(m.binCounts()[13]).isEqualTo(1);
		assertThat(m.binCounts()[14]).isEqualTo(1);
	}

	@Test
	void temperatureScalingOfLogProbabilitiesEqualsScalingOfLogits() {
		java.util.Random random = new java.util.Random(3);
		double[] logits = new double[50 * 10];
		for (int i = 0; i < logits.length; i++) {
			logits[i] = 4 * random.nextGaussian();
		}
		double[] p = Calibration.softmax(logits, 1);
		float[] probabilities = new float[p.length];
		for (int i = 0; i < p.length; i++) {
			probabilities[i] = (float) p[i];
		}
		for (double t : new double[] { 0.5, 1, 1.7, 3 }) {
			double[] fromLogits = Calibration.softmax(logits, t);
			double[] fromProbabilities = Calibration.scale(probabilities, t);
			assertThat(fromProbabilities).containsExactly(fromLogits, within(1e-5));
		}
	}

	@Test
	void fitFindsTheTemperatureThatMadeOverconfidentLogits() {
		// labels drawn from softmax(z); the model reports 2.5 z: the best temperature is
		// about 2.5
		java.util.Random random = new java.util.Random(11);
		int n = 20_000;
		double[] reported = new double[n * 10];
		byte[] labels = new byte[n];
		for (int r = 0; r < n; r++) {
			double[] z = new double[10];
			for (int k = 0; k < 10; k++) {
				z[k] = random.nextGaussian() * 1.5;
				reported[r * 10 + k] = 2.5 * z[k];
			}
			double[] p = Calibration.softmax(z, 1);
			double u = random.nextDouble();
			int label = 0;
			for (double acc = p[0]; acc < u && label < 9; acc += p[++label]) {
			}
			labels[r] = (byte) label;
		}
		double t = Calibration.fitTemperature(reported, labels);
		assertThat(t).isCloseTo(2.5, within(0.15));
		assertThat(Calibration.nll(reported, labels, t)).isLessThan(Calibration.nll(reported, labels, 1));
		assertThat(Calibration.nll(reported, labels, t))
			.isLessThanOrEqualTo(Calibration.nll(reported, labels, t * 1.01));
		assertThat(Calibration.nll(reported, labels, t))
			.isLessThanOrEqualTo(Calibration.nll(reported, labels, t / 1.01));
	}

}
