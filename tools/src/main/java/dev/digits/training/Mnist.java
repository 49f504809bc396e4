package dev.digits.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.digits.model.DigitNetwork;

/**
 * The four MNIST files from one folder, checked for consistency with each other. Files
 * may be gzip-compressed ({@code .gz}) or plain.
 */
public record Mnist(Split train, Split test, Map<String, String> sha256) {

	public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";

	public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";

	public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";

	public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

	/** Environment variable naming the MNIST folder. */
	public static final String ENV = "MNIST_DIR";

	/** Images (28x28 grey levels, row-major) with their labels. */
	public record Split(byte[] pixels, byte[] labels) {

		public int size() {
			return labels.length;
		}

		/** Examples {@code [from, to)} as a new split sharing no arrays with this one. */
		public Split slice(int from, int to) {
			if (from < 0 || to > size() || from > to) {
				throw new IllegalArgumentException("slice [" + from + ", " + to + ") of " + size());
			}
			byte[] p = java.util.Arrays.copyOfRange(pixels, from * DigitNetwork.PIXELS, to * DigitNetwork.PIXELS);
			byte[] l = java.util.Arrays.copyOfRange(labels, from, to);
			return new Split(p, l);
		}

		/** The grey levels of one image. */
		public byte[] image(int index) {
			return java.util.Arrays.copyOfRange(pixels, index * DigitNetwork.PIXELS, (index + 1) * DigitNetwork.PIXELS);
		}

	}

	/** Loads the four files from {@code dir}. */
	public static Mnist load(Path dir) throws IOException {
		Map<String, String> sums = new LinkedHashMap<>();
		Split train = split(dir, TRAIN_IMAGES, TRAIN_LABELS, sums);
		Split test = split(dir, TEST_IMAGES, TEST_LABELS, sums);
		return new Mnist(train, test, sums);
	}

	/**
	 * Writes the four files into {@code dir}, uncompressed, under the names
	 * {@link #load(Path)} reads (a smaller copy for a test, made from slices).
	 */
	public void write(Path dir) throws IOException {
		Idx.writeImages(dir.resolve(TRAIN_IMAGES), train.pixels(), train.size(), DigitNetwork.HEIGHT,
				DigitNetwork.WIDTH);
		Idx.writeLabels(dir.resolve(TRAIN_LABELS), train.labels());
		Idx.writeImages(dir.resolve(TEST_IMAGES), test.pixels(), test.size(), DigitNetwork.HEIGHT, DigitNetwork.WIDTH);
		Idx.writeLabels(dir.resolve(TEST_LABELS), test.labels());
	}

	/** Only the test split, for evaluation and the serving tests. */
	public static Split loadTest(Path dir) throws IOException {
		return split(dir, TEST_IMAGES, TEST_LABELS, new LinkedHashMap<>());
	}

	/**
	 * The folder from the environment variable {@value #ENV}, or {@code null} when unset
	 * or when it does not hold the test files.
	 */
	public static Path fromEnvironment() {
		String value = System.getenv(ENV);
		if (value == null || value.isBlank()) {
			return null;
		}
		Path dir = Path.of(value);
		try {
			locate(dir, TEST_IMAGES);
			return dir;
		}
		catch (NoSuchFileException ex) {
			return null;
		}
	}

	private static Split split(Path dir, String imagesName, String labelsName, Map<String, String> sums)
			throws IOException {
		Path imagesFile = locate(dir, imagesName);
		Path labelsFile = locate(dir, labelsName);
		Idx.Images images = Idx.readImages(imagesFile);
		Idx.Labels labels = Idx.readLabels(labelsFile);
		if (images.rows() != DigitNetwork.HEIGHT || images.cols() != DigitNetwork.WIDTH) {
			throw new IdxFormatException(imagesFile, "images are " + images.rows() + "x" + images.cols() + ", expected "
					+ DigitNetwork.HEIGHT + "x" + DigitNetwork.WIDTH);
		}
		if (images.count() != labels.count()) {
			throw new IdxFormatException(labelsFile,
					labels.count() + " labels for " + images.count() + " images in " + imagesFile.getFileName());
		}
		sums.put(imagesName, images.sha256());
		sums.put(labelsName, labels.sha256());
		return new Split(images.pixels(), labels.labels());
	}

	static Path locate(Path dir, String name) throws NoSuchFileException {
		for (String candidate : new String[] { name, name + ".gz" }) {
			Path file = dir.resolve(candidate);
			if (Files.isRegularFile(file)) {
				return file;
			}
		}
		throw new NoSuchFileException(dir.resolve(name).toString(), null,
				"MNIST file not found (plain or .gz); set " + ENV + " or see README 'Train your own model'");
	}

}
