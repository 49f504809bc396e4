package dev.digits.training;

import java.util.Arrays;

import dev.digits.model.DigitNetwork;

/**
 * Out-of-distribution scores (higher means "less like the training digits") and the
 * measures that compare them.
 * <ul>
 * <li>{@code max-softmax}: {@code -max softmax(log p / T)}, the calibrated confidence
 * negated;</li>
 * <li>{@code energy}: {@code -T logsumexp(z / T)} of the true logits {@code z} (Liu et
 * al. 2020);</li>
 * <li>{@code mahalanobis}: {@code min_c (h - mu_c)' S^-1 (h - mu_c)} on the 128 dense1
 * features, class means and one shared covariance from the training images (Lee et al.
 * 2018).</li>
 * </ul>
 */
public final class OodScores {

	/** The scores compared, in report order. */
	public static final java.util.List<String> NAMES = java.util.List.of("max-softmax", "energy", "mahalanobis");

	private static final int K = DigitNetwork.CLASSES;

	private static final int D = NetworkOutputs.FEATURES;

	private OodScores() {
	}

	/**
	 * The Gaussian model of the dense1 features: {@code whitening} W (lower triangular,
	 * row-major {@code 128 x 128}) with {@code W' W = S^-1}, so that the distance to
	 * class c is {@code |W h - W mu_c|^2}; {@code whitenedMeans} holds {@code W mu_c}.
	 */
	public record Gaussian(double[] means, double[] whitening, double[] whitenedMeans, double shrinkage) {

		/**
		 * Squared Mahalanobis distance of each row of {@code features} to the nearest
		 * class mean.
		 */
		public double[] distances(float[] features) {
			int n = features.length / D;
			double[] out = new double[n];
			double[] u = new double[D];
			for (int r = 0; r < n; r++) {
				for (int i = 0; i < D; i++) {
					double s = 0;
					for (int j = 0; j <= i; j++) {
						s += whitening[i * D + j] * features[r * D + j];
					}
					u[i] = s;
				}
				double best = Double.MAX_VALUE;
				for (int c = 0; c < K; c++) {
					double d = 0;
					for (int i = 0; i < D; i++) {
						double diff = u[i] - whitenedMeans[c * D + i];
						d += diff * diff;
					}
					best = Math.min(best, d);
				}
				out[r] = best;
			}
			return out;
		}

	}

	/**
	 * Class means and the shared (within-class) covariance of {@code features}, shrunk
	 * towards the identity by {@code shrinkage} times the mean variance so that dead ReLU
	 * units keep it invertible.
	 */
	public static Gaussian fit(float[] features, byte[] labels, double shrinkage) {
		int n = labels.length;
		double[] means = new double[K * D];
		int[] counts = new int[K];
		for (int r = 0; r < n; r++) {
			counts[labels[r]]++;
			for (int i = 0; i < D; i++) {
				means[labels[r] * D + i] += features[r * D + i];
			}
		}
		for (int c = 0; c < K; c++) {
			for (int i = 0; i < D; i++) {
				means[c * D + i] /= Math.max(1, counts[c]);
			}
		}
		double[] cov = new double[D * D];
		double[] centred = new double[D];
		for (int r = 0; r < n; r++) {
			for (int i = 0; i < D; i++) {
				centred[i] = features[r * D + i] - means[labels[r] * D + i];
			}
			for (int i = 0; i < D; i++) {
				if (centred[i] == 0) {
					continue;
				}
				for (int j = 0; j <= i; j++) {
					cov[i * D + j] += centred[i] * centred[j];
				}
			}
		}
		double trace = 0;
		for (int i = 0; i < D; i++) {
			for (int j = 0; j <= i; j++) {
				cov[i * D + j] /= n;
				cov[j * D + i] = cov[i * D + j];
			}
			trace += cov[i * D + i];
		}
		double ridge = shrinkage * trace / D;
		for (int i = 0; i < D; i++) {
			cov[i * D + i] += ridge;
		}
		double[] l = cholesky(cov, D);
		double[] w = lowerInverse(l, D);
		double[] whitenedMeans = new double[K * D];
		for (int c = 0; c < K; c++) {
			for (int i = 0; i < D; i++) {
				double s = 0;
				for (int j = 0; j <= i; j++) {
					s += w[i * D + j] * means[c * D + j];
				}
				whitenedMeans[c * D + i] = s;
			}
		}
		return new Gaussian(means, w, whitenedMeans, shrinkage);
	}

	/**
	 * {@code L} with {@code L L' = a}, row-major, for a symmetric positive definite
	 * {@code a}.
	 */
	static double[] cholesky(double[] a, int d) {
		double[] l = new double[d * d];
		for (int i = 0; i < d; i++) {
			for (int j = 0; j <= i; j++) {
				double s = a[i * d + j];
				for (int k = 0; k < j; k++) {
					s -= l[i * d + k] * l[j * d + k];
				}
				if (i == j) {
					if (s <= 0) {
						throw new IllegalArgumentException("matrix is not positive definite at " + i);
					}
					l[i * d + i] = Math.sqrt(s);
				}
				else {
					l[i * d + j] = s / l[j * d + j];
				}
			}
		}
		return l;
	}

	/** The inverse of a lower triangular matrix (lower triangular too). */
	static double[] lowerInverse(double[] l, int d) {
		double[] inv = new double[d * d];
		for (int col = 0; col < d; col++) {
			inv[col * d + col] = 1 / l[col * d + col];
			for (int i = col + 1; i < d; i++) {
				double s = 0;
				for (int k = col; k < i; k++) {
					s -= l[i * d + k] * inv[k * d + col];
				}
				inv[i * d + col] = s / l[i * d + i];
			}
		}
		return inv;
	}

	/** {@code -max softmax(log p / T)} per row. */
	public static double[] maxSoftmax(float[] probabilities, double temperature) {
		double[] p = Calibration.scale(probabilities, temperature);
		double[] out = new double[p.length / K];
		for (int r = 0; r < out.length; r++) {
			double max = 0;
			for (int k = 0; k < K; k++) {
				max = Math.max(max, p[r * K + k]);
			}
			out[r] = -max;
		}
		return out;
	}

	/** {@code -T logsumexp(z / T)} per row of the true logits. */
	public static double[] energy(double[] logits, double temperature) {
		double[] out = new double[logits.length / K];
		for (int r = 0; r < out.length; r++) {
			double max = Double.NEGATIVE_INFINITY;
			for (int k = 0; k < K; k++) {
				max = Math.max(max, logits[r * K + k] / temperature);
			}
			double s = 0;
			for (int k = 0; k < K; k++) {
				s += Math.exp(logits[r * K + k] / temperature - max);
			}
			out[r] = -temperature * (max + Math.log(s));
		}
		return out;
	}

	/** One score by name for every row of {@code outputs}. */
	public static double[] score(String name, NetworkOutputs outputs, double temperature, Gaussian gaussian) {
		return switch (name) {
			case "max-softmax" -> maxSoftmax(outputs.probabilities(), temperature);
			case "energy" -> energy(outputs.logits(), temperature);
			case "mahalanobis" -> gaussian.distances(outputs.features());
			default -> throw new IllegalArgumentException("unknown score " + name);
		};
	}

	/**
	 * Area under the ROC curve: the probability that a random {@code positive}
	 * (out-of-distribution) scores higher than a random {@code negative}, ties counting
	 * one half.
	 */
	public static double auroc(double[] positives, double[] negatives) {
		double[] neg = negatives.clone();
		Arrays.sort(neg);
		double sum = 0;
		for (double p : positives) {
			int below = dev.digits.model.SortedArrays.lowerBound(neg, p);
			int belowOrEqual = dev.digits.model.SortedArrays.upperBound(neg, p);
			sum += below + 0.5 * (belowOrEqual - below);
		}
		return sum / ((double) positives.length * negatives.length);
	}

	/**
	 * The threshold above which at most {@code rate} of {@code negatives} lie: flag a
	 * score when it is strictly greater.
	 */
	public static double threshold(double[] negatives, double rate) {
		double[] sorted = negatives.clone();
		Arrays.sort(sorted);
		int allowed = (int) Math.floor(rate * sorted.length);
		return sorted[Math.max(0, sorted.length - 1 - allowed)];
	}

	/** Share of {@code scores} strictly above {@code threshold}. */
	public static double flagRate(double[] scores, double threshold) {
		if (scores.length == 0) {
			return 0;
		}
		int flagged = 0;
		for (double s : scores) {
			if (s > threshold) {
				flagged++;
			}
		}
		return (double) flagged / scores.length;
	}

	/** ROC points {false-flag rates, true-flag rates} at up to 200 thresholds. */
	public static double[][] roc(double[] positives, double[] negatives) {
		double[] all = new double[positives.length + negatives.length];
		System.arraycopy(positives, 0, all, 0, positives.length);
		System.arraycopy(negatives, 0, all, positives.length, negatives.length);
		Arrays.sort(all);
		int points = Math.min(200, all.length);
		double[][] curve = new double[2][points + 2];
		curve[0][0] = 1;
		curve[1][0] = 1;
		for (int i = 0; i < points; i++) {
			double t = all[(int) ((long) i * (all.length - 1) / Math.max(1, points - 1))];
			curve[0][i + 1] = flagRate(negatives, t);
			curve[1][i + 1] = flagRate(positives, t);
		}
		return curve;
	}

}
