package dev.digits.drift;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import dev.digits.model.DigitNetwork;
import org.apache.commons.math3.stat.inference.AlternativeHypothesis;
import org.apache.commons.math3.stat.inference.BinomialTest;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.apache.commons.math3.stat.inference.KolmogorovSmirnovTest;

/**
 * Whether a window of one version's answers looks like its reference (its answers on its
 * validation images). Four tests, each of the window against the reference:
 * <ul>
 * <li>{@code digits}: chi-square test of homogeneity of the answered digits (9 degrees of
 * freedom);</li>
 * <li>{@code confidence}: two-sample Kolmogorov-Smirnov test of the calibrated
 * confidence;</li>
 * <li>{@code ood_score}: the same of the out-of-distribution score;</li>
 * <li>{@code ood_flags}: one-sided binomial test that more answers are flagged out of
 * distribution than the reference's rate.</li>
 * </ul>
 * The two Kolmogorov-Smirnov tests compare doubt, not certainty: every value more certain
 * than the reference's most doubtful {@value #DOUBTFUL_PERCENT}% (confidence above that
 * quantile, an OOD score below it) counts as one value, "certain". Without it, a shift
 * among answers already certain (0.9999 against 0.99999, which no client can tell apart)
 * is what the tests find first: the MNIST test set is such a shift from the validation
 * split, and raised a false alarm on a third of its windows.
 * <p>
 * The four are corrected for being four, and for being dependent (confidence and the OOD
 * score can be the same ranking), by the Westfall-Young single-step min-P method: windows
 * of the same size are drawn from the reference itself, each tested against the rest of
 * it, and a test's adjusted p-value is the share of those windows whose smallest p-value
 * is at most its own. A window drifts when any adjusted p-value is at most {@code alpha}:
 * the rate of false alarms on windows like the reference is {@code alpha}, whatever the
 * dependence. Apache Commons Math gives the distributions; the Kolmogorov-Smirnov
 * statistic is a merge over the reference sorted once (the library sorts both samples on
 * every call, which the thousand reference windows could not afford). Immutable and
 * thread-safe.
 */
public final class DriftDetector {

	/** The tests, by the name metrics and the API give them. */
	public enum Kind {

		DIGITS("digits"), CONFIDENCE("confidence"), OOD_SCORE("ood_score"), OOD_FLAGS("ood_flags");

		private final String label;

		Kind(String label) {
			this.label = label;
		}

		public String label() {
			return label;
		}

	}

	/**
	 * One test on a window.
	 *
	 * @param statistic chi-square, the Kolmogorov-Smirnov D, or the window's flag rate
	 * @param pValue the test's own p-value
	 * @param adjustedPValue corrected for the family of tests (Westfall-Young min-P)
	 */
	public record TestResult(Kind kind, double statistic, double pValue, double adjustedPValue, boolean drift) {
	}

	/** A window's verdict: drift when any test's adjusted p-value is at most alpha. */
	public record Result(int window, double alpha, List<TestResult> tests, boolean drift) {
	}

	/**
	 * The draw of the reference windows the service and the tools use, so that both build
	 * the same detector.
	 */
	public static final long DEFAULT_SEED = 20_261_203L;

	/** The smallest window tested; below it the tests have little power. */
	public static final int MIN_WINDOW = 50;

	private final int window;

	private final double alpha;

	private final boolean ood;

	private final double oodThreshold;

	/**
	 * The share of the reference, in percent, kept distinct at its doubtful end by the
	 * Kolmogorov-Smirnov tests.
	 */
	public static final int DOUBTFUL_PERCENT = 5;

	/** Confidence above it counts as certain (equal to it). */
	private final double confidenceCap;

	/** An OOD score below it counts as certain (equal to it). */
	private final double oodFloor;

	private final long[] referenceDigits;

	private final long referenceFlags;

	private final double[] referenceConfidence;

	private final double[] referenceOod;

	/** Per reference window drawn, its smallest p-value; sorted. */
	private final double[] nullMinP;

	private static final KolmogorovSmirnovTest KS = new KolmogorovSmirnovTest();

	private static final ChiSquareTest CHI_SQUARE = new ChiSquareTest();

	private static final BinomialTest BINOMIAL = new BinomialTest();

	/**
	 * @param window the number of answers a window holds (at most half the reference)
	 * @param alpha the false-alarm rate wanted on windows like the reference
	 * @param iterations how many reference windows calibrate the correction (at least 20
	 * / alpha)
	 * @param seed the draw of those windows (the same seed, the same detector)
	 */
	public DriftDetector(DriftReference reference, int window, double alpha, int iterations, long seed) {
		int m = reference.size();
		if (window < MIN_WINDOW || window > m / 2) {
			throw new IllegalArgumentException(
					"a window holds " + MIN_WINDOW + " to " + m / 2 + " answers (half the reference), not " + window);
		}
		if (!(alpha > 0 && alpha < 0.5)) {
			throw new IllegalArgumentException("alpha must be in (0, 0.5), got " + alpha);
		}
		if (iterations < 20 / alpha || iterations > 100_000) {
			throw new IllegalArgumentException(
					"iterations must be " + (int) Math.ceil(20 / alpha) + " to 100,000, got " + iterations);
		}
		this.window = window;
		this.alpha = alpha;
		this.ood = reference.oodScore() != null;
		this.oodThreshold = reference.oodThreshold();
		int[] digits = new int[m];
		double[] confidence = new double[m];
		double[] oodScores = new double[m];
		for (int i = 0; i < m; i++) {
			digits[i] = reference.digits()[i];
			confidence[i] = reference.confidence()[i];
			oodScores[i] = reference.oodScores()[i];
		}
		this.confidenceCap = sorted(confidence, m)[(int) ((long) m * DOUBTFUL_PERCENT / 100)];
		this.oodFloor = sorted(oodScores, m)[(int) ((long) m * (100 - DOUBTFUL_PERCENT) / 100)];
		boolean[] flagged = new boolean[m];
		for (int i = 0; i < m; i++) {
			flagged[i] = oodScores[i] > oodThreshold;
		}
		this.referenceFlags = flags(oodScores, m);
		censor(confidence, oodScores, m);
		this.referenceDigits = counts(digits, m);
		this.referenceConfidence = sorted(confidence, m);
		this.referenceOod = sorted(oodScores, m);
		this.nullMinP = calibrate(digits, confidence, oodScores, flagged, iterations, seed);
	}

	public int window() {
		return window;
	}

	public double alpha() {
		return alpha;
	}

	/** The tests this detector runs (the OOD ones only for a version with a score). */
	public List<Kind> kinds() {
		return ood ? List.of(Kind.values()) : List.of(Kind.DIGITS, Kind.CONFIDENCE);
	}

	/**
	 * Tests a window of exactly {@link #window()} answers (the first {@code window()}
	 * entries of each array).
	 */
	public Result test(int[] digits, double[] confidence, double[] oodScores) {
		if (digits.length < window || confidence.length < window || oodScores.length < window) {
			throw new IllegalArgumentException("a window holds " + window + " answers");
		}
		for (int i = 0; i < window; i++) {
			if (digits[i] < 0 || digits[i] >= DigitNetwork.CLASSES) {
				throw new IllegalArgumentException("digit " + digits[i] + " is not 0 to 9");
			}
		}
		double[] statistics = new double[Kind.values().length];
		long windowFlags = flags(oodScores, window);
		double[] c = Arrays.copyOf(confidence, window);
		double[] o = Arrays.copyOf(oodScores, window);
		censor(c, o, window);
		double[] p = pValues(counts(digits, window), windowFlags, sorted(c, window), sorted(o, window), referenceDigits,
				referenceFlags, referenceConfidence, referenceOod, statistics);
		List<TestResult> tests = new ArrayList<>();
		boolean drift = false;
		for (Kind kind : kinds()) {
			int k = kind.ordinal();
			double adjusted = adjusted(p[k]);
			boolean flagged = adjusted <= alpha;
			drift |= flagged;
			tests.add(new TestResult(kind, statistics[k], p[k], adjusted, flagged));
		}
		return new Result(window, alpha, List.copyOf(tests), drift);
	}

	/**
	 * The Westfall-Young adjusted p-value: the share of reference windows whose smallest
	 * p-value is at most {@code p} (counting this window among them).
	 */
	double adjusted(double p) {
		int below = dev.digits.model.SortedArrays.upperBound(nullMinP, p);
		return (1.0 + below) / (1.0 + nullMinP.length);
	}

	/**
	 * The raw p-values (indexed by {@link Kind#ordinal()}) of a window against a
	 * reference, both already counted and sorted; fills {@code statistics}.
	 */
	private double[] pValues(long[] windowDigits, long windowFlags, double[] windowConfidence, double[] windowOod,
			long[] refDigits, long refFlags, double[] refConfidence, double[] refOod, double[] statistics) {
		double[] p = new double[Kind.values().length];
		int n = windowConfidence.length;
		int m = refConfidence.length;
		double[] chi = chiSquare(windowDigits, refDigits);
		statistics[Kind.DIGITS.ordinal()] = chi[0];
		p[Kind.DIGITS.ordinal()] = chi[1];
		double d = ksStatistic(windowConfidence, refConfidence);
		statistics[Kind.CONFIDENCE.ordinal()] = d;
		p[Kind.CONFIDENCE.ordinal()] = ksP(d, n, m);
		if (ood) {
			d = ksStatistic(windowOod, refOod);
			statistics[Kind.OOD_SCORE.ordinal()] = d;
			p[Kind.OOD_SCORE.ordinal()] = ksP(d, n, m);
			// a reference without flags would make one flag certain drift: half a flag is
			// the least rate assumed
			double rate = Math.max(refFlags, 0.5) / m;
			statistics[Kind.OOD_FLAGS.ordinal()] = windowFlags / (double) n;
			p[Kind.OOD_FLAGS.ordinal()] = BINOMIAL.binomialTest(n, (int) windowFlags, rate,
					AlternativeHypothesis.GREATER_THAN);
		}
		else {
			p[Kind.OOD_SCORE.ordinal()] = 1;
			p[Kind.OOD_FLAGS.ordinal()] = 1;
		}
		return p;
	}

	/** Chi-square and its p-value, over the digits either sample answered. */
	static double[] chiSquare(long[] window, long[] reference) {
		int used = 0;
		for (int k = 0; k < window.length; k++) {
			if (window[k] + reference[k] > 0) {
				used++;
			}
		}
		if (used < 2) {
			return new double[] { 0, 1 };
		}
		long[] a = new long[used];
		long[] b = new long[used];
		for (int k = 0, j = 0; k < window.length; k++) {
			if (window[k] + reference[k] > 0) {
				a[j] = window[k];
				b[j++] = reference[k];
			}
		}
		return new double[] { CHI_SQUARE.chiSquareDataSetsComparison(a, b),
				CHI_SQUARE.chiSquareTestDataSetsComparison(a, b) };
	}

	/**
	 * The two-sample Kolmogorov-Smirnov statistic of two sorted samples: the largest
	 * distance between their empirical distribution functions, ties counted together.
	 */
	static double ksStatistic(double[] a, double[] b) {
		int n = a.length;
		int m = b.length;
		int i = 0;
		int j = 0;
		double d = 0;
		while (i < n && j < m) {
			double v = Math.min(a[i], b[j]);
			while (i < n && a[i] == v) {
				i++;
			}
			while (j < m && b[j] == v) {
				j++;
			}
			d = Math.max(d, Math.abs(i / (double) n - j / (double) m));
		}
		return d;
	}

	/**
	 * The asymptotic two-sample p-value of D (Commons Math's Kolmogorov distribution).
	 */
	private static double ksP(double d, int n, int m) {
		return d == 0 ? 1 : Math.min(1, Math.max(0, KS.approximateP(d, n, m)));
	}

	/**
	 * The null distribution of the smallest p-value: {@code iterations} windows drawn
	 * from the reference without replacement, each against the reference without it.
	 */
	private double[] calibrate(int[] digits, double[] confidence, double[] oodScores, boolean[] flagged, int iterations,
			long seed) {
		int m = digits.length;
		int n = window;
		int[] order = new int[m];
		for (int i = 0; i < m; i++) {
			order[i] = i;
		}
		SplittableRandom random = new SplittableRandom(seed);
		int[] windowDigits = new int[n];
		double[] windowConfidence = new double[n];
		double[] windowOod = new double[n];
		double[] restConfidence = new double[m - n];
		double[] restOod = new double[m - n];
		long[] restDigits = new long[DigitNetwork.CLASSES];
		double[] statistics = new double[Kind.values().length];
		double[] minP = new double[iterations];
		for (int r = 0; r < iterations; r++) {
			long windowFlags = 0;
			for (int i = 0; i < n; i++) {
				int j = i + random.nextInt(m - i);
				int t = order[i];
				order[i] = order[j];
				order[j] = t;
				windowDigits[i] = digits[order[i]];
				windowConfidence[i] = confidence[order[i]];
				windowOod[i] = oodScores[order[i]];
				if (flagged[order[i]]) {
					windowFlags++;
				}
			}
			long[] counts = counts(windowDigits, n);
			for (int k = 0; k < restDigits.length; k++) {
				restDigits[k] = referenceDigits[k] - counts[k];
			}
			Arrays.sort(windowConfidence);
			Arrays.sort(windowOod);
			without(referenceConfidence, windowConfidence, restConfidence);
			without(referenceOod, windowOod, restOod);
			double[] p = pValues(counts, windowFlags, windowConfidence, windowOod, restDigits,
					referenceFlags - windowFlags, restConfidence, restOod, statistics);
			double min = 1;
			for (Kind kind : kinds()) {
				min = Math.min(min, p[kind.ordinal()]);
			}
			minP[r] = min;
		}
		Arrays.sort(minP);
		return minP;
	}

	/** Counts the certain values as one (see the class comment); in place. */
	private void censor(double[] confidence, double[] oodScores, int n) {
		for (int i = 0; i < n; i++) {
			confidence[i] = Math.min(confidence[i], confidenceCap);
			oodScores[i] = Math.max(oodScores[i], oodFloor);
		}
	}

	/**
	 * {@code all} without the values of {@code part} (both sorted), into {@code rest}.
	 */
	private static void without(double[] all, double[] part, double[] rest) {
		int j = 0;
		int out = 0;
		for (double v : all) {
			if (j < part.length && part[j] == v) {
				j++;
			}
			else {
				rest[out++] = v;
			}
		}
	}

	private static long[] counts(int[] digits, int n) {
		long[] counts = new long[DigitNetwork.CLASSES];
		for (int i = 0; i < n; i++) {
			counts[digits[i]]++;
		}
		return counts;
	}

	private long flags(double[] oodScores, int n) {
		long flags = 0;
		for (int i = 0; i < n; i++) {
			if (oodScores[i] > oodThreshold) {
				flags++;
			}
		}
		return flags;
	}

	private static double[] sorted(double[] values, int n) {
		double[] copy = Arrays.copyOf(values, n);
		Arrays.sort(copy);
		return copy;
	}

}
