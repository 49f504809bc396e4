package dev.digits.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

import dev.digits.model.Calibration;
import dev.digits.model.DigitNetwork;
import dev.digits.model.LoadedModel;
import dev.digits.preprocessing.ImageEncoding;
import dev.digits.preprocessing.ImagePreprocessor;
import dev.digits.preprocessing.Preprocessed;
import dev.digits.preprocessing.PreprocessingException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Which non-digits a version lets through: {@code n} of each non-digit kind (seed 31337)
 * made from the validation split (the last 10,000 training images) in the training fonts,
 * never from the held-out sets, each through the serving preprocessing and the version
 * with its calibration; prints caught (refused, seen as several digits, or flagged "not a
 * digit") per kind and writes the image ({@code .img}: PNG or JPEG) and the 28x28 input
 * of every non-digit that got through. The non-digit counterpart of
 * {@link PhotoFailures}, run by hand:
 * {@code java -cp tools/target/test-classes:tools/target/classes:<deps> dev.digits.training.NonDigitFailures models/mnist-cnn/6 150 ../shared/mnist target/non-digit-failures}.
 */
public final class NonDigitFailures {

	private NonDigitFailures() {
	}

	public static void main(String[] args) throws IOException {
		Path version = Path.of(args[0]);
		MultiLayerNetwork network = LoadedModel.load(version).network();
		Calibration calibration = Calibration.ofVersion(version);
		int per = Integer.parseInt(args[1]);
		Mnist.Split split = PhotoFailures.validation(Path.of(args[2]));
		Path out = Files.createDirectories(Path.of(args[3]));
		ImagePreprocessor preprocessor = Preprocessors.unhurried();
		SyntheticData data = new SyntheticData(split,
				FontSets.require(FontSets.TRAINING, "0123456789" + SyntheticData.LETTERS, 4), preprocessor, 320, 960);
		int caughtAll = 0;
		for (String kind : SyntheticData.NON_DIGIT_KINDS) {
			int refused = 0;
			int several = 0;
			int flagged = 0;
			for (int i = 0; i < per; i++) {
				Random random = new Random(Augmentation.mix(31337L * 7919 + i * 17 + kind.hashCode()));
				byte[] image = data.nonDigitImage(kind, (i * 37) % split.size(), (i * 53 + 11) % split.size(), null,
						random);
				Preprocessed example;
				try {
					example = preprocessor.fromImage(image);
				}
				catch (PreprocessingException ex) {
					refused++;
					continue;
				}
				if (example.severalDigits()) {
					several++;
					continue;
				}
				float[] p = network
					.output(Nd4j.create(example.pixels(), new long[] { 1, DigitNetwork.PIXELS }, 'c'), false)
					.data()
					.asFloat();
				float[] logits = new float[p.length];
				for (int k = 0; k < p.length; k++) {
					logits[k] = (float) Math.log(Math.max(p[k], 1e-30f));
				}
				if (calibration.outOfDistribution(logits)) {
					flagged++;
					continue;
				}
				float[] calibrated = calibration.calibrated(logits);
				int best = DigitNetwork.argMax(calibrated, 0);
				String name = String.format(Locale.ROOT, "%s-%d-got%d-%.2f-input.png", kind, i, best, calibrated[best]);
				Files.write(out.resolve(name), ImageEncoding.encode(PhotoFailures.enlarged(example.pixels()), "png"));
				Files.write(out.resolve(name.replace("-input.png", ".img")), image);
			}
			int caught = refused + several + flagged;
			caughtAll += caught;
			System.out.printf(Locale.ROOT, "%-12s caught %d/%d  (refused %d, several digits %d, flagged %d)%n", kind,
					caught, per, refused, several, flagged);
		}
		System.out.printf(Locale.ROOT, "all          caught %d/%d%n", caughtAll,
				per * SyntheticData.NON_DIGIT_KINDS.size());
	}

}
