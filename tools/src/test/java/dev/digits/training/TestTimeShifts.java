package dev.digits.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import dev.digits.model.DigitNetwork;
import dev.digits.model.LoadedModel;
import dev.digits.model.Normalization;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Whether averaging a version's probabilities over shifted copies of its input (test-time
 * augmentation) answers photos, printed digits and MNIST better, and tells non-digits
 * apart better, than one pass: the validation a mixed run scores its epochs on (seed 43,
 * 600 photos, printed digits and non-digits, the last 10,000 training images), never the
 * held-out sets. Non-digits caught are compared at the same share of validation digits
 * flagged (1% and 2% of photos and printed digits, each way choosing its own threshold on
 * the maximum probability). A measurement to run by hand, not a test:
 * {@code java -cp tools/target/test-classes:tools/target/classes:<deps> dev.digits.training.TestTimeShifts models/mnist-cnn/6 ../shared/mnist}.
 */
public final class TestTimeShifts {

	private static final int N = DigitNetwork.PIXELS;

	private static final int C = DigitNetwork.CLASSES;

	private TestTimeShifts() {
	}

	public static void main(String[] args) throws IOException {
		MultiLayerNetwork network = LoadedModel.load(Path.of(args[0])).network();
		Mnist.Split split = PhotoFailures.validation(Path.of(args[1]));
		MixedTrainer.Validation sets = MixedTrainer.validation(split, Preprocessors.unhurried(), 43);
		List<SyntheticData.Example> photos = sets.photos();
		List<SyntheticData.Example> printed = sets.printed();
		List<SyntheticData.Example> nonDigits = sets.nonDigits();
		float[][] mnist = new float[split.size()][];
		int[] mnistLabels = new int[split.size()];
		for (int i = 0; i < split.size(); i++) {
			mnist[i] = new float[N];
			Normalization.normalize(split.pixels(), i * N, mnist[i], 0, N);
			mnistLabels[i] = split.labels()[i];
		}
		int[][][] ways = { { { 0, 0 } }, { { 0, 0 }, { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 } },
				{ { 0, 0 }, { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 }, { 1, 1 }, { -1, -1 }, { 1, -1 }, { -1, 1 } } };
		String[] names = { "one pass", "5 shifts", "9 shifts" };
		for (int w = 0; w < ways.length; w++) {
			int[][] shifts = ways[w];
			float[][] pPhotos = predict(network, inputs(photos), shifts);
			float[][] pPrinted = predict(network, inputs(printed), shifts);
			float[][] pNon = predict(network, inputs(nonDigits), shifts);
			float[][] pMnist = predict(network, mnist, shifts);
			double photoAccuracy = right(pPhotos, labels(photos)) / (double) photos.size();
			double printedAccuracy = right(pPrinted, labels(printed)) / (double) printed.size();
			double mnistAccuracy = right(pMnist, mnistLabels) / (double) mnist.length;
			int refusedNon = nonDigits.size() - pNon.length;
			int lowNon = 0;
			for (float[] p : pNon) {
				lowNon += max(p) < 0.5f ? 1 : 0;
			}
			double[] digitMax = new double[pPhotos.length + pPrinted.length];
			int k = 0;
			for (float[] p : pPhotos) {
				digitMax[k++] = max(p);
			}
			for (float[] p : pPrinted) {
				digitMax[k++] = max(p);
			}
			Arrays.sort(digitMax);
			StringBuilder caught = new StringBuilder();
			for (double rate : new double[] { 0.01, 0.02 }) {
				double threshold = digitMax[(int) Math.floor(rate * digitMax.length)];
				int c = refusedNon;
				for (float[] p : pNon) {
					c += max(p) < threshold ? 1 : 0;
				}
				caught.append(String.format(Locale.ROOT, "  caught at %.0f%% flagged %.4f", rate * 100,
						c / (double) nonDigits.size()));
			}
			double low = (refusedNon + lowNon) / (double) nonDigits.size();
			double score = (2 * mnistAccuracy + photoAccuracy + printedAccuracy + low) / 5;
			System.out.printf(Locale.ROOT,
					"%-9s mnist %.4f photos %.4f printed %.4f non-digits-low %.4f score %.4f%s%n", names[w],
					mnistAccuracy, photoAccuracy, printedAccuracy, low, score, caught);
		}
	}

	private static float[][] inputs(List<SyntheticData.Example> examples) {
		return examples.stream()
			.filter(SyntheticData.Example::accepted)
			.map(SyntheticData.Example::pixels)
			.toArray(float[][]::new);
	}

	/** Labels of the examples, refused ones -1 (counted wrong). */
	private static int[] labels(List<SyntheticData.Example> examples) {
		return examples.stream()
			.filter(SyntheticData.Example::accepted)
			.mapToInt(SyntheticData.Example::label)
			.toArray();
	}

	private static int right(float[][] p, int[] labels) {
		int right = 0;
		for (int i = 0; i < p.length; i++) {
			right += DigitNetwork.argMax(p[i], 0) == labels[i] ? 1 : 0;
		}
		return right;
	}

	private static float max(float[] p) {
		float m = p[0];
		for (float v : p) {
			m = Math.max(m, v);
		}
		return m;
	}

	/** Mean probabilities over the shifted copies of each input. */
	private static float[][] predict(MultiLayerNetwork network, float[][] inputs, int[][] shifts) {
		float[][] mean = new float[inputs.length][C];
		int batch = 512;
		for (int from = 0; from < inputs.length; from += batch) {
			int to = Math.min(inputs.length, from + batch);
			float[] features = new float[(to - from) * shifts.length * N];
			int row = 0;
			for (int i = from; i < to; i++) {
				for (int[] s : shifts) {
					shift(inputs[i], s[0], s[1], features, row++ * N);
				}
			}
			float[] p = network.output(Nd4j.create(features, new long[] { row, N }, 'c'), false).data().asFloat();
			row = 0;
			for (int i = from; i < to; i++) {
				for (int s = 0; s < shifts.length; s++, row++) {
					for (int c = 0; c < C; c++) {
						mean[i][c] += p[row * C + c] / shifts.length;
					}
				}
			}
		}
		return mean;
	}

	private static void shift(float[] in, int dx, int dy, float[] out, int at) {
		for (int y = 0; y < 28; y++) {
			int sy = y - dy;
			for (int x = 0; x < 28; x++) {
				int sx = x - dx;
				out[at + y * 28 + x] = sx < 0 || sy < 0 || sx >= 28 || sy >= 28 ? 0f : in[sy * 28 + sx];
			}
		}
	}

}
