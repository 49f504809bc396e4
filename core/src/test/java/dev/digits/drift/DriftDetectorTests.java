package dev.digits.drift;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import dev.digits.model.Calibration;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The drift tests' arithmetic against independent figures (SciPy 1.17 and Commons Math's
 * own statistic), and the detector's promise on synthetic traffic: about alpha false
 * alarms on windows drawn like the reference, alarms on windows that are not.
 */
class DriftDetectorTests {

	/** A synthetic version: digits 0-9 equally, confidence mostly near 1, OOD = -conf. */
	private static DriftReference reference(int n, long seed) {
		SplittableRandom random = new SplittableRandom(seed);
		byte[] digits = new byte[n];
		float[] confidence = new float[n];
		float[] ood = new float[n];
		for (int i = 0; i < n; i++) {
			digits[i] = (byte) random.nextInt(10);
			confidence[i] = confidence(random, 0);
			ood[i] = -confidence[i];
		}
		return new DriftReference("synthetic", 1.0, "max-softmax", -0.5, 1.0, digits, confidence, ood);
	}

	/**
	 * Confidence as a network gives it: 1 - Beta-like doubt, with ties at 1 (rounded to
	 * float) for most answers; {@code shift} makes doubt likelier.
	 */
	private static float confidence(SplittableRandom random, double shift) {
		double u = random.nextDouble();
		double doubt = Math.pow(u, 8 / (1 + shift)) * 0.9;
		return (float) Math.min(1.0, Math.max(0.1, 1 - doubt));
	}

	@Test
	void theKolmogorovSmirnovStatisticIsCommonsMathsWithTies() {
		SplittableRandom random = new SplittableRandom(7);
		for (int trial = 0; trial < 50; trial++) {
			double[] a = new double[50 + random.nextInt(200)];
			double[] b = new double[50 + random.nextInt(900)];
			for (int i = 0; i < a.length; i++) {
				a[i] = Math.round(random.nextGaussian() * 4) / 4.0; // many ties
			}
			for (int i = 0; i < b.length; i++) {
				b[i] = Math.round((random.nextGaussian() + 0.2) * 4) / 4.0;
			}
			double expected = new KolmogorovSmirnovTest().kolmogorovSmirnovStatistic(a, b);
			Arrays.sort(a);
			Arrays.sort(b);
			assertThat(DriftDetector.ksStatistic(a, b)).isCloseTo(expected, within(1e-12));
		}
		// SciPy: ks_2samp([0.1,0.2,0.2,0.3,0.5,0.5,0.5,0.9],
		// [0.2,0.3,0.3,0.4,0.5,0.6,0.7,0.7,0.8,1.0]).statistic = 0.375
		assertThat(DriftDetector.ksStatistic(new double[] { 0.1, 0.2, 0.2, 0.3, 0.5, 0.5, 0.5, 0.9 },
				new double[] { 0.2, 0.3, 0.3, 0.4, 0.5, 0.6, 0.7, 0.7, 0.8, 1.0 }))
			.isEqualTo(0.375);
		// SciPy: kstwobign.sf(0.08 * sqrt(500 * 9500 / 10000)) = 0.0045764
		assertThat(new KolmogorovSmirnovTest().approximateP(0.08, 500, 9500)).isCloseTo(0.0045764, within(1e-6));
	}

	@Test
	void theChiSquareIsTheContingencyTableOne() {
		// SciPy: chi2_contingency([[10,20,30,5],[100,150,210,90]], correction=False):
		// 4.287656791561942, p 0.2320309995295087
		double[] chi = DriftDetector.chiSquare(new long[] { 10, 20, 30, 5, 0 }, new long[] { 100, 150, 210, 90, 0 });
		assertThat(chi[0]).isCloseTo(4.287656791561942, within(1e-9));
		assertThat(chi[1]).isCloseTo(0.2320309995295087, within(1e-9));
		assertThat(DriftDetector.chiSquare(new long[] { 5, 0 }, new long[] { 7, 0 })).containsExactly(0, 1);
	}

	@Test
	void windowsLikeTheReferenceRaiseAboutAlphaFalseAlarms() {
		DriftReference reference = reference(10_000, 1);
		DriftDetector detector = new DriftDetector(reference, 300, 0.05, 1_000, DriftDetector.DEFAULT_SEED);
		SplittableRandom random = new SplittableRandom(2);
		int windows = 1_000;
		int alarms = 0;
		for (int w = 0; w < windows; w++) {
			int[] digits = new int[300];
			double[] confidence = new double[300];
			double[] ood = new double[300];
			for (int i = 0; i < 300; i++) {
				digits[i] = random.nextInt(10);
				confidence[i] = confidence(random, 0);
				ood[i] = -confidence[i];
			}
			if (detector.test(digits, confidence, ood).drift()) {
				alarms++;
			}
		}
		// binomial(1000, 0.05): 95% of runs fall within 36-64; the seeds fix this run
		assertThat(alarms).isBetween(30, 70);
	}

	@Test
	void shiftedWindowsRaiseIt() {
		DriftReference reference = reference(10_000, 1);
		DriftDetector detector = new DriftDetector(reference, 300, 0.05, 1_000, DriftDetector.DEFAULT_SEED);
		SplittableRandom random = new SplittableRandom(3);
		int[] digits = new int[300];
		double[] confidence = new double[300];
		double[] ood = new double[300];
		// only two digits, confidence as usual: the digits test
		for (int i = 0; i < 300; i++) {
			digits[i] = random.nextInt(2);
			confidence[i] = confidence(random, 0);
			ood[i] = -confidence[i];
		}
		DriftDetector.Result twoDigits = detector.test(digits, confidence, ood);
		assertThat(twoDigits.drift()).isTrue();
		assertThat(twoDigits.tests().get(0).kind()).isEqualTo(DriftDetector.Kind.DIGITS);
		assertThat(twoDigits.tests().get(0).drift()).isTrue();
		assertThat(twoDigits.tests().get(0).adjustedPValue()).isLessThan(0.01);
		// every digit, more doubt: the confidence and OOD tests
		for (int i = 0; i < 300; i++) {
			digits[i] = random.nextInt(10);
			confidence[i] = confidence(random, 3);
			ood[i] = -confidence[i];
		}
		DriftDetector.Result doubtful = detector.test(digits, confidence, ood);
		assertThat(doubtful.drift()).isTrue();
		assertThat(doubtful.tests()).filteredOn(t -> t.kind() == DriftDetector.Kind.CONFIDENCE)
			.singleElement()
			.matches(DriftDetector.TestResult::drift);
		assertThat(doubtful.tests().get(0).drift()).isFalse();
	}

	@Test
	void theSameSeedBuildsTheSameDetector() {
		DriftReference reference = reference(5_000, 4);
		DriftDetector a = new DriftDetector(reference, 200, 0.05, 500, 9);
		DriftDetector b = new DriftDetector(reference, 200, 0.05, 500, 9);
		for (double p : new double[] { 1e-4, 1e-3, 0.01, 0.05 }) {
			assertThat(a.adjusted(p)).isEqualTo(b.adjusted(p));
		}
		assertThat(a.adjusted(0)).isEqualTo(1.0 / 501);
		assertThat(a.adjusted(1)).isEqualTo(1.0);
	}

	@Test
	void aVersionWithoutAnOodScoreRunsTwoTests() {
		DriftReference withOod = reference(2_000, 5);
		DriftReference without = new DriftReference("synthetic", 1.0, null, Double.POSITIVE_INFINITY, 1.0,
				withOod.digits(), withOod.confidence(), new float[2_000]);
		DriftDetector detector = new DriftDetector(without, 100, 0.05, 400, 1);
		assertThat(detector.kinds()).containsExactly(DriftDetector.Kind.DIGITS, DriftDetector.Kind.CONFIDENCE);
		int[] digits = new int[100];
		double[] c = new double[100];
		Arrays.fill(c, 0.99);
		assertThat(detector.test(digits, c, new double[100]).tests()).hasSize(2);
	}

	@Test
	void badSettingsAndWindowsAreRefused() {
		DriftReference reference = reference(2_000, 6);
		assertThatThrownBy(() -> new DriftDetector(reference, 49, 0.05, 400, 1))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> new DriftDetector(reference, 1_001, 0.05, 400, 1))
			.hasMessageContaining("half the reference");
		assertThatThrownBy(() -> new DriftDetector(reference, 100, 0.5, 400, 1))
			.isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> new DriftDetector(reference, 100, 0.05, 399, 1))
			.isInstanceOf(IllegalArgumentException.class);
		DriftDetector detector = new DriftDetector(reference, 100, 0.05, 400, 1);
		assertThatThrownBy(() -> detector.test(new int[99], new double[99], new double[99]))
			.isInstanceOf(IllegalArgumentException.class);
		int[] digits = new int[100];
		digits[3] = 10;
		assertThatThrownBy(() -> detector.test(digits, new double[100], new double[100]))
			.hasMessageContaining("not 0 to 9");
	}

	@Test
	void aReferenceIsWrittenAndReadBackAndItsCalibrationChecked(@TempDir Path dir) throws IOException {
		Calibration calibration = new Calibration(0.5, 0.6, "max-softmax", -0.4, 0.5);
		SplittableRandom random = new SplittableRandom(8);
		float[][] logits = new float[1_200][10];
		for (float[] row : logits) {
			for (int k = 0; k < 10; k++) {
				row[k] = (float) random.nextGaussian() * 3;
			}
		}
		DriftReference written = DriftReference.of("synthetic logits", calibration, logits);
		Path file = dir.resolve(DriftReference.FILE);
		written.write(file);
		DriftReference read = DriftReference.read(file);
		assertThat(read.digits()).isEqualTo(written.digits());
		assertThat(read.confidence()).isEqualTo(written.confidence());
		assertThat(read.oodScores()).isEqualTo(written.oodScores());
		assertThat(read.matches(calibration)).isTrue();
		assertThat(read.matches(new Calibration(0.6, 0.6, "max-softmax", -0.4, 0.6))).isFalse();
		assertThat(read.matches(new Calibration(0.5, 0.6, "max-softmax", -0.3, 0.5))).isFalse();
		assertThat(read.matches(new Calibration(0.5, 0.6, null, Double.POSITIVE_INFINITY, 1.0))).isFalse();
		// what drift sees of an answer is the calibrated answer over all ten
		DriftReference.Observation o = DriftReference.observe(logits[0], calibration);
		assertThat(o.confidence()).isEqualTo(calibration.calibrated(logits[0])[o.digit()]);
		assertThat((double) o.oodScore()).isEqualTo((double) (float) calibration.oodScore(logits[0]));
	}

	@Test
	void malformedReferencesAreRefusedWithTheReason(@TempDir Path dir) throws IOException {
		Path file = dir.resolve(DriftReference.FILE);
		Files.writeString(file, "{\"format\":\"something else\"}");
		assertThatThrownBy(() -> DriftReference.read(file)).isInstanceOf(IOException.class)
			.hasMessageContaining("is not a");
		Files.writeString(file, "{not json");
		assertThatThrownBy(() -> DriftReference.read(file)).hasMessageContaining("is not JSON");
		Files.writeString(file, "{\"format\":\"" + DriftReference.FORMAT + "\",\"temperature\":1,\"digits\":[1,2]"
				+ ",\"confidence\":[0.5,0.5]}");
		assertThatThrownBy(() -> DriftReference.read(file)).hasMessageContaining("1000 to 20000 images");
		StringBuilder big = new StringBuilder("{\"format\":\"" + DriftReference.FORMAT + "\",\"temperature\":1,");
		big.append("\"digits\":[").append("1,".repeat(1_499)).append("12],\"confidence\":[");
		big.append("0.5,".repeat(1_499)).append("0.5]}");
		Files.writeString(file, big);
		assertThatThrownBy(() -> DriftReference.read(file)).hasMessageContaining("is not 0 to 9");
		Files.writeString(file, big.toString().replace("12],", "1],").replace("0.5]}", "\"NaN\"]}"));
		assertThatThrownBy(() -> DriftReference.read(file)).hasMessageContaining("is not in [0, 1]");
		Files.write(file, new byte[(4 << 20) + 1]);
		assertThatThrownBy(() -> DriftReference.read(file)).hasMessageContaining("larger than 4 MB");
	}

}
