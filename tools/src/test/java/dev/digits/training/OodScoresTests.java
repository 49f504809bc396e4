package dev.digits.training;

import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** OOD scores and their measures on cases small enough to check by hand. */
class OodScoresTests {

	@Test
	void aurocCountsOrderedPairsAndHalfTies() {
		// pairs (pos, neg): 3>1, 3>2, 3=3 (half), 5>all three -> (2 + 0.5 + 3) / 6
		assertThat(OodScores.auroc(new double[] { 3, 5 }, new double[] { 1, 2, 3 })).isCloseTo(5.5 / 6, within(1e-12));
		assertThat(OodScores.auroc(new double[] { 0 }, new double[] { 1, 2 })).isZero();
	}

	@Test
	void thresholdFlagsAtMostTheAskedShareOfNegatives() {
		double[] negatives = new double[1000];
		for (int i = 0; i < negatives.length; i++) {
			negatives[i] = i;
		}
		double t = OodScores.threshold(negatives, 0.01);
		assertThat(OodScores.flagRate(negatives, t)).isEqualTo(0.01);
		assertThat(t).isEqualTo(989);
	}

	@Test
	void mahalanobisSeparatesPointsFarFromEveryClassAndMatchesTheDefinition() {
		Random random = new Random(5);
		int d = NetworkOutputs.FEATURES;
		int n = 2000;
		float[] features = new float[n * d];
		byte[] labels = new byte[n];
		for (int r = 0; r < n; r++) {
			labels[r] = (byte) (r % 10);
			for (int i = 0; i < d; i++) {
				// class c sits at +5 on feature c; correlated noise on features 0 and 1
				double shared = random.nextGaussian();
				features[r * d
						+ i] = (float) ((i == labels[r] ? 5 : 0) + 0.5 * random.nextGaussian() + (i < 2 ? shared : 0));
			}
		}
		OodScores.Gaussian g = OodScores.fit(features, labels, 1e-3);
		float[] probes = new float[2 * d];
		probes[3] = 5; // at the mean of class 3
		for (int i = 0; i < d; i++) {
			probes[d + i] = 3; // far from every class
		}
		double[] distances = g.distances(probes);
		assertThat(distances[0]).isLessThan(d * 0.5);
		assertThat(distances[1]).isGreaterThan(100 * distances[0]);

		float[] inliers = java.util.Arrays.copyOf(features, 200 * d);
		float[] outliers = new float[200 * d];
		for (int i = 0; i < outliers.length; i++) {
			outliers[i] = (float) (2.5 + random.nextGaussian());
		}
		assertThat(OodScores.auroc(g.distances(outliers), g.distances(inliers))).isEqualTo(1.0);

		// |W h - W mu|^2 equals (h - mu)' S^-1 (h - mu) with S rebuilt from W: S^-1 = W'
		// W
		double[] w = g.whitening();
		double direct = 0;
		double[] diff = new double[d];
		for (int i = 0; i < d; i++) {
			diff[i] = probes[d + i] - g.means()[3 * d + i];
		}
		for (int i = 0; i < d; i++) {
			double s = 0;
			for (int j = 0; j < d; j++) {
				s += w[i * d + j] * diff[j];
			}
			direct += s * s;
		}
		assertThat(direct).isGreaterThanOrEqualTo(distances[1] * (1 - 1e-9));
	}

	@Test
	void energyAndMaxSoftmaxAreHigherForFlatOutputs() {
		double[] logits = { 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
		double[] energy = OodScores.energy(logits, 1);
		assertThat(energy[0]).isCloseTo(-(10 + Math.log(1 + 9 * Math.exp(-10))), within(1e-9));
		assertThat(energy[1]).isCloseTo(-(1 + Math.log(10)), within(1e-9));
		float[] p = new float[20];
		double[] s = Calibration.softmax(logits, 1);
		for (int i = 0; i < 20; i++) {
			p[i] = (float) s[i];
		}
		double[] msp = OodScores.maxSoftmax(p, 1);
		assertThat(msp[1]).isGreaterThan(msp[0]);
		assertThat(msp[1]).isCloseTo(-0.1, within(1e-6));
	}

}
