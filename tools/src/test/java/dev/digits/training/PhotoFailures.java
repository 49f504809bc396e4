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
import dev.digits.preprocessing.ImagePreprocessor;
import dev.digits.preprocessing.PreprocessingException;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where photos of handwritten digits go wrong: {@code n} synthetic phone photos per paper
 * (seed 31337) of digits from the validation split (the last 10,000 training images,
 * never the held-out evaluation sets), each through the serving preprocessing and a
 * version; prints right, wrong and refused per paper, and writes every miss (the photo
 * and the 28x28 input the network saw, enlarged) to a folder for a look. How the
 * digit-finding steps are compared before and after a change. A measurement to run by
 * hand, not a test:
 * {@code java -cp tools/target/test-classes:tools/target/classes:<deps> dev.digits.training.PhotoFailures models/mnist-cnn/6 300 ../shared/mnist target/photo-failures}.
 * Four more arguments change the photos' shape: the shorter side's least and greatest
 * pixels and the least and greatest share of it taken by the digit's MNIST frame (20
 * pixels of digit in 28; default {@code 240 480 0.3 0.75}; {@code 720 1080 0.08 0.16} is
 * a small digit in a 1 MP photo).
 */
public final class PhotoFailures {

	private PhotoFailures() {
	}

	/** One synthetic photo: its condition, its number within it, the digit and a name. */
	public record Labelled(PhotoSynth.Condition condition, int number, int label, String name, PhotoSynth.Photo photo) {
	}

	/** What is done with each photo, in turn. */
	public interface Visit {

		void accept(Labelled photo) throws IOException;

	}

	/**
	 * The photos this tool reads: {@code per} a condition (seed 31337), conditions in
	 * order, each handed to {@code visit} as it is made.
	 */
	public static void photos(Path mnistDir, int per, Visit visit) throws IOException {
		photos(mnistDir, per, 240, 480, new double[] { 0.3, 0.75 }, visit);
	}

	/**
	 * As {@link #photos(Path, int, Visit)}, the photos' shorter side drawn from
	 * {@code [minSide, maxSide]} and the share of it taken by the digit's frame from
	 * {@code inkShare}.
	 */
	static void photos(Path mnistDir, int per, int minSide, int maxSide, double[] inkShare, Visit visit)
			throws IOException {
		Mnist.Split split = validation(mnistDir);
		ImagePreprocessor preprocessor = Preprocessors.unhurried();
		SyntheticData data = new SyntheticData(split, List.of(), preprocessor, 240, 480);
		for (PhotoSynth.Condition condition : PhotoSynth.Condition.values()) {
			for (int i = 0; i < per; i++) {
				Random random = new Random(Augmentation.mix(31337L * 7919 + i * 13 + condition.ordinal()));
				int index = (i * 37) % split.size();
				PhotoSynth.Pen pen = List
					.of(PhotoSynth.Pen.FINE, PhotoSynth.Pen.BALLPOINT, PhotoSynth.Pen.MARKER, PhotoSynth.Pen.PENCIL)
					.get(random.nextInt(4));
				PhotoSynth.Ink ink = PhotoSynth.handwritten(data.mnist(index), 28 * (3 + 3 * random.nextDouble()), pen,
						random);
				PhotoSynth.Photo photo = PhotoSynth.photo(ink, condition, pen, minSide, maxSide, inkShare, random);
				int label = data.label(index);
				visit.accept(new Labelled(condition, i, label,
						condition.id() + "-" + i + "-label" + label + "-" + pen.id(), photo));
			}
		}
	}

	public static void main(String[] args) throws IOException {
		MultiLayerNetwork network = LoadedModel.load(Path.of(args[0])).network();
		int per = Integer.parseInt(args[1]);
		Path out = Files.createDirectories(Path.of(args[3]));
		ImagePreprocessor preprocessor = Preprocessors.unhurried();
		int[] right = new int[PhotoSynth.Condition.values().length];
		int[] refused = new int[right.length];
		boolean shaped = args.length >= 8;
		int minSide = shaped ? Integer.parseInt(args[4]) : 240;
		int maxSide = shaped ? Integer.parseInt(args[5]) : 480;
		double[] inkShare = shaped ? new double[] { Double.parseDouble(args[6]), Double.parseDouble(args[7]) }
				: new double[] { 0.3, 0.75 };
		photos(Path.of(args[2]), per, minSide, maxSide, inkShare, (labelled) -> {
			int c = labelled.condition().ordinal();
			byte[] bytes = labelled.photo().bytes();
			try {
				float[] pixels = preprocessor.fromImage(bytes).pixels();
				float[] p = network.output(Nd4j.create(pixels, new long[] { 1, DigitNetwork.PIXELS }, 'c'), false)
					.data()
					.asFloat();
				int best = DigitNetwork.argMax(p, 0);
				if (best == labelled.label()) {
					right[c]++;
					return;
				}
				String miss = labelled.name() + "-got" + best + String.format(Locale.ROOT, "-%.2f", p[best]);
				Files.write(out.resolve(miss + ".jpg"), bytes);
				Files.write(out.resolve(miss + "-input.png"), ImageEncoding.encode(enlarged(pixels), "png"));
			}
			catch (PreprocessingException ex) {
				refused[c]++;
				Files.write(out.resolve(labelled.name() + "-refused-" + ex.reason() + ".jpg"), bytes);
			}
		});
		int total = 0;
		for (PhotoSynth.Condition condition : PhotoSynth.Condition.values()) {
			int c = condition.ordinal();
			total += right[c];
			System.out.printf(Locale.ROOT, "%-8s right %d/%d  wrong %d  refused %d%n", condition.id(), right[c], per,
					per - right[c] - refused[c], refused[c]);
		}
		System.out.printf(Locale.ROOT, "all      right %d/%d%n", total, per * PhotoSynth.Condition.values().length);
	}

	/** The validation split the mixed runs hold out: the last 10,000 training images. */
	public static Mnist.Split validation(Path mnistDir) throws IOException {
		Mnist mnist = Mnist.load(mnistDir);
		int available = mnist.train().size();
		return mnist.train().slice(available - 10000, available);
	}

	/** The network's input, ink dark, four times its size. */
	static java.awt.image.BufferedImage enlarged(float[] pixels) {
		int[] levels = new int[112 * 112];
		for (int y = 0; y < 112; y++) {
			for (int x = 0; x < 112; x++) {
				levels[y * 112 + x] = 255 - Math.round(255 * pixels[(y / 4) * 28 + x / 4]);
			}
		}
		return ImageEncoding.grey8(112, 112, levels);
	}

}
