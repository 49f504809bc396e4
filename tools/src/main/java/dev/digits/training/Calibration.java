package dev.digits.training;

import dev.digits.model.DigitNetwork;

/**
 * Temperature scaling and the calibration metrics (NLL, Brier, ECE and MCE over
 * {@value #BINS} equal-width confidence bins).
 * <p>
 * The network ends in a softmax, so the logits used here are log-probabilities
 * {@code log p}: they differ from the true logits by {@code logsumexp(z)}, one constant
 * per row, and {@code softmax(log p / T) == softmax(z / T)} for every T. A server that
 * only has the probabilities applies the temperature as {@link #scale}.
 */
public final class Calibration {

	/** Equal-width bins of ECE and MCE. */
	public static final int BINS = 15;

	/** Floor under a probability before its logarithm (float softmax underflows to 0). */
	public static final double MIN_PROBABILITY = 1e-30;

	private static final int K = DigitNetwork.CLASSES;

	private Calibration() {
	}

	/**
	 * Figures of one set of predictions; {@code bin*} arrays have {@value #BINS} entries
	 * (bin b holds confidences in {@code [b/15, (b+1)/15)}, the last also 1.0).
	 */
	public record Metrics(int examples, double accuracy, double nll, double brier, double ece, double mce,
			double[] binConfidence, double[] binAccuracy, int[] binCounts) {
	}

	/** {@code log max(p, 1e-30)} of every entry. */
	public static double[] logProbabilities(float[] probabilities) {
		double[] out = new double[probabilities.length];
		for (int i = 0; i < out.length; i++) {
			out[i] = Math.log(Math.max(probabilities[i], MIN_PROBABILITY));
		}
		return out;
	}

	/** Row-wise {@code softmax(logits / temperature)} of an {@code n x 10} array. */
	public static double[] softmax(double[] logits, double temperature) {
		double[] out = new double[logits.length];
		for (int r = 0; r < logits.length / K; r++) {
			double max = Double.NEGATIVE_INFINITY;
			for (int k = 0; k < K; k++) {
				max = Math.max(max, logits[r * K + k] / temperature);
			}
			double sum = 0;
			for (int k = 0; k < K; k++) {
				out[r * K + k] = Math.exp(logits[r * K + k] / temperature - max);
				sum += out[r * K + k];
			}
			for (int k = 0; k < K; k++) {
				out[r * K + k] /= sum;
			}
		}
		return out;
	}

	/**
	 * Calibrated probabilities from the network's softmax output:
	 * {@code softmax(log p / T)}.
	 */
	public static double[] scale(float[] probabilities, double temperature) {
		return softmax(logProbabilities(probabilities), temperature);
	}

	/** Mean negative log-likelihood of {@code softmax(logits / T)}. */
	public static double nll(double[] logits, byte[] labels, double temperature) {
		double sum = 0;
		for (int r = 0; r < labels.length; r++) {
			double max = Double.NEGATIVE_INFINITY;
			for (int k = 0; k < K; k++) {
				max = Math.max(max, logits[r * K + k] / temperature);
			}
			double lse = 0;
			for (int k = 0; k < K; k++) {
				lse += Math.exp(logits[r * K + k] / temperature - max);
			}
			sum += max + Math.log(lse) - logits[r * K + labels[r]] / temperature;
		}
		return sum / labels.length;
	}

	/**
	 * The temperature minimising {@link #nll}: NLL is convex in {@code 1/T}, so a
	 * log-spaced grid over T in [0.05, 20] brackets the minimum and golden-section search
	 * on {@code 1/T} refines it to a relative 1e-6.
	 */
	public static double fitTemperature(double[] logits, byte[] labels) {
		int steps = 60;
		double best = 1;
		double bestNll = Double.MAX_VALUE;
		int bestStep = 0;
		double[] grid = new double[steps + 1];
		for (int s = 0; s <= steps; s++) {
			grid[s] = 0.05 * Math.pow(400, (double) s / steps);
			double value = nll(logits, labels, grid[s]);
			if (value < bestNll) {
				bestNll = value;
				best = grid[s];
				bestStep = s;
			}
		}
		double lo = 1 / grid[Math.min(steps, bestStep + 1)];
		double hi = 1 / grid[Math.max(0, bestStep - 1)];
		double phi = (Math.sqrt(5) - 1) / 2;
		double a = hi - phi * (hi - lo);
		double b = lo + phi * (hi - lo);
		double fa = nll(logits, labels, 1 / a);
		double fb = nll(logits, labels, 1 / b);
		while (hi - lo > 1e-6 * hi) {
			if (fa < fb) {
				// the minimum lies in [lo, b]
				hi = b;
				b = a;
				fb = fa;
				a = hi - phi * (hi - lo);
				fa = nll(logits, labels, 1 / a);
			}
			else {
				lo = a;
				a = b;
				fa = fb;
				b = lo + phi * (hi - lo);
				fb = nll(logits, labels, 1 / b);
			}
		}
		double refined = 2 / (lo + hi);
		return nll(logits, labels, refined) <= bestNll ? refined : best;
	}

	/**
	 * NLL, Brier (sum over classes, mean over examples), ECE and MCE of {@code n x 10}
	 * probabilities.
	 */
	public static Metrics metrics(double[] probabilities, byte[] labels) {
		int n = labels.length;
		double[] confSum = new double[BINS];
		double[] correctSum = new double[BINS];
		int[] counts = new int[BINS];
		double nll = 0;
		double brier = 0;
		long correct = 0;
		for (int r = 0; r < n; r++) {
			int best = 0;
			for (int k = 1; k < K; k++) {
				if (probabilities[r * K + k] > probabilities[r * K + best]) {
					best = k;
				}
			}
			double confidence = probabilities[r * K + best];
			boolean right = best == labels[r];
			correct += right ? 1 : 0;
			int bin = Math.min(BINS - 1, (int) (confidence * BINS));
			confSum[bin] += confidence;
			correctSum[bin] += right ? 1 : 0;
			counts[bin]++;
			nll -= Math.log(Math.max(probabilities[r * K + labels[r]], 1e-12));
			for (int k = 0; k < K; k++) {
				double target = k == labels[r] ? 1 : 0;
				brier += (probabilities[r * K + k] - target) * (probabilities[r * K + k] - target);
			}
		}
		double ece = 0;
		double mce = 0;
		double[] binConfidence = new double[BINS];
		double[] binAccuracy = new double[BINS];
		for (int b = 0; b < BINS; b++) {
			if (counts[b] == 0) {
				continue;
			}
			binConfidence[b] = confSum[b] / counts[b];
			binAccuracy[b] = correctSum[b] / counts[b];
			double gap = Math.abs(binAccuracy[b] - binConfidence[b]);
			ece += gap * counts[b] / n;
			mce = Math.max(mce, gap);
		}
		return new Metrics(n, n == 0 ? 0 : (double) correct / n, n == 0 ? 0 : nll / n, n == 0 ? 0 : brier / n, ece, mce,
				binConfidence, binAccuracy, counts);
	}

	/** Widens float probabilities to double. */
	public static double[] toDouble(float[] values) {
		double[] out = new double[values.length];
		for (int i = 0; i < values.length; i++) {
			out[i] = values[i];
		}
		return out;
	}

}
