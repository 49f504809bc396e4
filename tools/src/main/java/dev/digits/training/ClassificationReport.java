package dev.digits.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import dev.digits.model.DigitNetwork;

/**
 * Accuracy, mean cross-entropy, confusion matrix and per-class precision/recall/F1 of a
 * set of predictions, as the model card reports them.
 *
 * @param confusion {@code confusion[actual][predicted]} counts
 */
public record ClassificationReport(int examples, double accuracy, double loss, long[][] confusion,
		List<ClassMetrics> perClass) {

	public record ClassMetrics(int digit, long support, double precision, double recall, double f1) {
	}

	/**
	 * @param probabilities {@code n x 10} softmax outputs, row-major
	 * @param labels the true digit of each row
	 */
	public static ClassificationReport of(float[] probabilities, byte[] labels) {
		int n = labels.length;
		int k = DigitNetwork.CLASSES;
		long[][] confusion = new long[k][k];
		double lossSum = 0;
		long correct = 0;
		for (int i = 0; i < n; i++) {
			int predicted = DigitNetwork.argMax(probabilities, i * k);
			int actual = labels[i];
			confusion[actual][predicted]++;
			if (predicted == actual) {
				correct++;
			}
			lossSum -= Math.log(Math.max(probabilities[i * k + actual], 1e-12));
		}
		List<ClassMetrics> perClass = new ArrayList<>();
		for (int c = 0; c < k; c++) {
			long truePositive = confusion[c][c];
			long support = 0;
			long predictedAs = 0;
			for (int j = 0; j < k; j++) {
				support += confusion[c][j];
				predictedAs += confusion[j][c];
			}
			double precision = predictedAs == 0 ? 0 : (double) truePositive / predictedAs;
			double recall = support == 0 ? 0 : (double) truePositive / support;
			double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
			perClass.add(new ClassMetrics(c, support, precision, recall, f1));
		}
		return new ClassificationReport(n, n == 0 ? 0 : (double) correct / n, n == 0 ? 0 : lossSum / n, confusion,
				perClass);
	}

	/** The card's tables as text. */
	public String format() {
		StringBuilder out = new StringBuilder();
		out.append(String.format(Locale.ROOT, "examples %d  accuracy %.4f (%.2f%%)  loss %.4f%n%n", examples, accuracy,
				accuracy * 100, loss));
		out.append("confusion matrix (rows: actual, columns: predicted)\n      ");
		for (int c = 0; c < confusion.length; c++) {
			out.append(String.format(Locale.ROOT, "%6d", c));
		}
		out.append('\n');
		for (int r = 0; r < confusion.length; r++) {
			out.append(String.format(Locale.ROOT, "%6d", r));
			for (long count : confusion[r]) {
				out.append(String.format(Locale.ROOT, "%6d", count));
			}
			out.append('\n');
		}
		out.append(
				String.format(Locale.ROOT, "%n%5s %9s %9s %9s %9s%n", "digit", "precision", "recall", "f1", "support"));
		for (ClassMetrics m : perClass) {
			out.append(String.format(Locale.ROOT, "%5d %9.4f %9.4f %9.4f %9d%n", m.digit(), m.precision(), m.recall(),
					m.f1(), m.support()));
		}
		return out.toString();
	}

}
