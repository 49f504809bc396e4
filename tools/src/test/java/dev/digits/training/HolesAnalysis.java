package dev.digits.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import dev.digits.model.DigitNetwork;
import dev.digits.model.LoadedModel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Whether counting the holes of the network's 28x28 input would mend its confusions
 * between digits that differ in holes (8 and 0, 4 and 9, ...): on the validation sets a
 * mixed run scores (seed 43: MNIST validation, photos, printed digits in training and in
 * validation-only fonts), for each pair of top two classes, how many answers a rule "take
 * the second when the holes say so" would mend and break. A measurement to run by hand,
 * not a test:
 * {@code java -cp tools/target/test-classes:tools/target/classes:<deps> dev.digits.training.HolesAnalysis models/mnist-cnn/6 ../shared/mnist}.
 */
public final class HolesAnalysis {

	/** Holes each digit has, written the usual way. */
	private static final int[] HOLES = { 1, 0, 0, 0, 1, 0, 1, 0, 2, 1 };

	private HolesAnalysis() {
	}

	public static void main(String[] args) throws IOException {
		MultiLayerNetwork network = LoadedModel.load(Path.of(args[0])).network();
		Mnist mnist = Mnist.load(Path.of(args[1]));
		int available = mnist.train().size();
		MixedTrainer.Validation sets = MixedTrainer.validation(mnist.train().slice(available - 10_000, available),
				Preprocessors.unhurried(), 43);
		List<float[]> mnistPixels = new ArrayList<>();
		List<Integer> mnistLabels = new ArrayList<>();
		for (int i = 0; i < sets.mnist().size(); i++) {
			byte[] levels = sets.mnist().image(i);
			float[] image = new float[levels.length];
			for (int j = 0; j < levels.length; j++) {
				image[j] = (levels[j] & 0xFF) / 255f;
			}
			mnistPixels.add(image);
			mnistLabels.add((int) sets.mnist().labels()[i]);
		}
		report("mnist", network, mnistPixels, mnistLabels);
		report("photos", network, sets.photos());
		report("printed", network, sets.printed());
		report("printed-unseen", network, sets.unseenPrinted());
	}

	private static void report(String name, MultiLayerNetwork network, List<SyntheticData.Example> examples) {
		List<float[]> pixels = new ArrayList<>();
		List<Integer> labels = new ArrayList<>();
		for (SyntheticData.Example e : examples) {
			if (e.accepted()) {
				pixels.add(e.pixels());
				labels.add(e.label());
			}
		}
		report(name, network, pixels, labels);
	}

	private static void report(String name, MultiLayerNetwork network, List<float[]> pixels, List<Integer> labels) {
		float[] features = new float[pixels.size() * DigitNetwork.PIXELS];
		for (int i = 0; i < pixels.size(); i++) {
			System.arraycopy(pixels.get(i), 0, features, i * DigitNetwork.PIXELS, DigitNetwork.PIXELS);
		}
		float[] p = network.output(Nd4j.create(features, new long[] { pixels.size(), DigitNetwork.PIXELS }, 'c'), false)
			.data()
			.asFloat();
		// per (top, second) pair where the holes favour the second: [mended, broken,
		// unchanged right, unchanged wrong] by the top probability under 0.6 / 0.9 / 1
		Map<String, int[]> pairs = new TreeMap<>();
		int wrong = 0;
		for (int i = 0; i < pixels.size(); i++) {
			int top = 0;
			for (int c = 1; c < 10; c++) {
				top = p[i * 10 + c] > p[i * 10 + top] ? c : top;
			}
			int second = top == 0 ? 1 : 0;
			for (int c = 0; c < 10; c++) {
				second = (c != top && p[i * 10 + c] > p[i * 10 + second]) ? c : second;
			}
			int label = labels.get(i);
			wrong += (top != label) ? 1 : 0;
			int holes = holes(pixels.get(i));
			boolean favoursSecond = HOLES[second] != HOLES[top] && holes == HOLES[second];
			if (!favoursSecond) {
				continue;
			}
			float confidence = p[i * 10 + top];
			String key = top + "->" + second + " (" + holes + " holes) top p<" + (confidence < 0.6 ? "0.6" : "1.0");
			int[] counts = pairs.computeIfAbsent(key, k -> new int[4]);
			if (top == label) {
				counts[1]++;
			}
			else if (second == label) {
				counts[0]++;
			}
			else {
				counts[3]++;
			}
		}
		int[] unsure = new int[2];
		int[] all = new int[2];
		pairs.forEach((k, v) -> {
			int[] sum = k.endsWith("p<0.6") ? unsure : all;
			sum[0] += v[0];
			sum[1] += v[1];
		});
		System.out.printf(Locale.ROOT,
				"%s: %d images, %d wrong; the rule under 0.6 mends %d and breaks %d, at any probability %d and %d%n",
				name, pixels.size(), wrong, unsure[0], unsure[1], unsure[0] + all[0], unsure[1] + all[1]);
		pairs.forEach((k, v) -> {
			if (v[0] + v[1] > 0) {
				System.out.printf(Locale.ROOT, "  %-40s mended %3d  broken %4d  neither %3d%n", k, v[0], v[1], v[3]);
			}
		});
	}

	/**
	 * Holes of the input: 4-connected groups of at least two background pixels (under
	 * 0.5) that do not reach the border.
	 */
	static int holes(float[] image) {
		int size = 28;
		int[] group = new int[size * size];
		int holes = 0;
		int next = 1;
		int[] stack = new int[size * size];
		for (int start = 0; start < size * size; start++) {
			if (image[start] >= 0.5f || group[start] != 0) {
				continue;
			}
			int top = 0;
			stack[top++] = start;
			group[start] = next;
			boolean border = false;
			int count = 0;
			while (top > 0) {
				int i = stack[--top];
				count++;
				int x = i % size;
				int y = i / size;
				border |= x == 0 || y == 0 || x == size - 1 || y == size - 1;
				int[] neighbours = { (x > 0) ? i - 1 : -1, (x < size - 1) ? i + 1 : -1, (y > 0) ? i - size : -1,
						(y < size - 1) ? i + size : -1 };
				for (int j : neighbours) {
					if (j >= 0 && image[j] < 0.5f && group[j] == 0) {
						group[j] = next;
						stack[top++] = j;
					}
				}
			}
			next++;
			if (!border && count >= 2) {
				holes++;
			}
		}
		return holes;
	}

}
