package dev.digits.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import dev.digits.model.DigitNetwork;
import dev.digits.model.LoadedModel;
import dev.digits.preprocessing.ImageEncoding;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where printed digits in fonts a version never saw go wrong: {@code n} digits per
 * {@link FontSets#VALIDATION validation family} on clean paper and as many photographed
 * (seed 4242), each through the serving preprocessing and a version; prints right, wrong
 * and refused per family and way, and writes the 28x28 input of every miss, enlarged, to
 * a folder. Only the validation families, which choose between runs, are looked at this
 * way: the held-out families must not inform a choice. A measurement to run by hand, not
 * a test:
 * {@code java -cp tools/target/test-classes:tools/target/classes:<deps> dev.digits.training.PrintedFailures models/mnist-cnn/6 100 ../shared/mnist target/printed-failures}.
 */
public final class PrintedFailures {

	private PrintedFailures() {
	}

	public static void main(String[] args) throws IOException {
		MultiLayerNetwork network = LoadedModel.load(Path.of(args[0])).network();
		int per = Integer.parseInt(args[1]);
		Mnist.Split split = PhotoFailures.validation(Path.of(args[2]));
		Path out = Files.createDirectories(Path.of(args[3]));
		int total = 0;
		int right = 0;
		for (String family : FontSets.VALIDATION) {
			SyntheticData data = new SyntheticData(split,
					FontSets.installed(List.of(family), "0123456789" + SyntheticData.LETTERS),
					Preprocessors.unhurried(), 240, 480);
			for (boolean photographed : new boolean[] { false, true }) {
				int[] counts = new int[3];
				for (int i = 0; i < per; i++) {
					Random random = new Random(Augmentation.mix(4242L * 7919 + i * 31 + family.hashCode()));
					SyntheticData.Upload upload = data.printedUpload(i % 10, photographed, random);
					SyntheticData.Example example = data.preprocess(upload, i % 10, "printed");
					String name = String.format(Locale.ROOT, "%s-%s-%d-label%d", family.replace(' ', '_'),
							upload.condition().replace('/', '_'), i, i % 10);
					if (!example.accepted()) {
						counts[2]++;
						Files.write(out.resolve(name + "-refused.jpg"), upload.bytes());
						continue;
					}
					float[] p = network
						.output(Nd4j.create(example.pixels(), new long[] { 1, DigitNetwork.PIXELS }, 'c'), false)
						.data()
						.asFloat();
					int best = DigitNetwork.argMax(p, 0);
					if (best == example.label()) {
						counts[0]++;
						continue;
					}
					counts[1]++;
					String miss = name + String.format(Locale.ROOT, "-got%d-%.2f", best, p[best]);
					Files.write(out.resolve(miss + ".jpg"), upload.bytes());
					Files.write(out.resolve(miss + "-input.png"),
							ImageEncoding.encode(PhotoFailures.enlarged(example.pixels()), "png"));
				}
				total += per;
				right += counts[0];
				System.out.printf(Locale.ROOT, "%-20s %-12s right %d/%d  wrong %d  refused %d%n", family,
						photographed ? "photographed" : "clean", counts[0], per, counts[1], counts[2]);
			}
		}
		System.out.printf(Locale.ROOT, "all right %d/%d%n", right, total);
	}

}
