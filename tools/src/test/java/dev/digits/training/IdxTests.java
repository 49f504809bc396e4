package dev.digits.training;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class IdxTests {

	@TempDir
	Path dir;

	@Test
	void readsPlainAndGzipImagesAlike() throws IOException {
		byte[] idx = images(2, 28, 28);
		Path plain = write("plain", idx);
		Path gz = write("gz.gz", gzip(idx));
		Idx.Images a = Idx.readImages(plain);
		Idx.Images b = Idx.readImages(gz);
		assertThat(a.count()).isEqualTo(2);
		assertThat(a.rows()).isEqualTo(28);
		assertThat(a.pixels()).isEqualTo(b.pixels()).hasSize(2 * 784);
		assertThat(a.pixels()[784 + 5]).isEqualTo((byte) (784 + 5));
		assertThat(a.sha256()).isEqualTo(b.sha256()).hasSize(64);
	}

	@Test
	void mnistWrittenFromSlicesReadsBackTheSameImagesAndLabels() throws IOException {
		Mnist tiny = Mnist.load(Path.of("core/src/test/resources/mnist-tiny"));
		Mnist part = new Mnist(tiny.train().slice(0, 120), tiny.test().slice(50, 80), java.util.Map.of());
		Path copy = Files.createDirectories(dir.resolve("copy"));
		part.write(copy);
		Mnist read = Mnist.load(copy);
		assertThat(read.train().pixels()).isEqualTo(tiny.train().slice(0, 120).pixels());
		assertThat(read.train().labels()).isEqualTo(tiny.train().slice(0, 120).labels());
		assertThat(read.test().pixels()).isEqualTo(tiny.test().slice(50, 80).pixels());
		assertThat(read.test().labels()).isEqualTo(tiny.test().slice(50, 80).labels());
	}

	@Test
	void readsLabels() throws IOException {
		Idx.Labels labels = Idx.readLabels(write("labels", labels(3, 7, 0, 9)));
		assertThat(labels.labels()).containsExactly(7, 0, 9);
	}

	@Test
	void refusesAWrongMagicNumberNamingTheFile() throws IOException {
		Path file = write("swapped", labels(10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0));
		assertThatExceptionOfType(IdxFormatException.class).isThrownBy(() -> Idx.readImages(file))
			.withMessageContaining(file.toString())
			.withMessageContaining("magic number 0x00000801, expected 0x00000803");
	}

	@Test
	void refusesTruncatedImages() throws IOException {
		byte[] idx = images(3, 28, 28);
		Path file = write("short", Arrays.copyOf(idx, idx.length - 100));
		assertThatExceptionOfType(IdxFormatException.class).isThrownBy(() -> Idx.readImages(file))
			.withMessageContaining(file.toString())
			.withMessageContaining("truncated");
	}

	@Test
	void refusesAFileShorterThanItsHeader() throws IOException {
		Path file = write("tiny", new byte[] { 0, 0, 8, 3, 0 });
		assertThatExceptionOfType(IdxFormatException.class).isThrownBy(() -> Idx.readImages(file))
			.withMessageContaining("shorter than the 16-byte IDX header");
	}

	@Test
	void refusesExtraBytes() throws IOException {
		byte[] idx = images(1, 28, 28);
		Path file = write("long", Arrays.copyOf(idx, idx.length + 3));
		assertThatExceptionOfType(IdxFormatException.class).isThrownBy(() -> Idx.readImages(file))
			.withMessageContaining("header announces 1 images");
	}

	@Test
	void refusesTruncatedGzip() throws IOException {
		byte[] gz = gzip(images(5, 28, 28));
		Path file = write("cut.gz", Arrays.copyOf(gz, gz.length / 2));
		assertThatExceptionOfType(IdxFormatException.class).isThrownBy(() -> Idx.readImages(file))
			.withMessageContaining("corrupt or truncated gzip");
	}

	@Test
	void refusesLabelsThatAreNotDigits() throws IOException {
		Path file = write("labels", labels(2, 3, 12));
		assertThatExceptionOfType(IdxFormatException.class).isThrownBy(() -> Idx.readLabels(file))
			.withMessageContaining("label 1 is 12");
	}

	@Test
	void refusesMismatchedImageAndLabelCounts() throws IOException {
		Path mnist = dir.resolve("mnist");
		Files.createDirectories(mnist);
		Files.write(mnist.resolve(Mnist.TRAIN_IMAGES), images(3, 28, 28));
		Files.write(mnist.resolve(Mnist.TRAIN_LABELS + ".gz"), gzip(labels(2, 1, 2)));
		Files.write(mnist.resolve(Mnist.TEST_IMAGES), images(1, 28, 28));
		Files.write(mnist.resolve(Mnist.TEST_LABELS), labels(1, 4));
		assertThatExceptionOfType(IdxFormatException.class).isThrownBy(() -> Mnist.load(mnist))
			.withMessageContaining("2 labels for 3 images");
	}

	@Test
	void refusesImagesThatAreNot28By28() throws IOException {
		Path mnist = dir.resolve("mnist");
		Files.createDirectories(mnist);
		Files.write(mnist.resolve(Mnist.TEST_IMAGES), images(1, 32, 32));
		Files.write(mnist.resolve(Mnist.TEST_LABELS), labels(1, 4));
		assertThatExceptionOfType(IdxFormatException.class).isThrownBy(() -> Mnist.loadTest(mnist))
			.withMessageContaining("images are 32x32, expected 28x28");
	}

	@Test
	void namesTheMissingFileAndHowToGetIt() {
		assertThatExceptionOfType(NoSuchFileException.class).isThrownBy(() -> Mnist.load(dir))
			.withMessageContaining(Mnist.TRAIN_IMAGES)
			.withMessageContaining("MNIST_DIR");
	}

	@Test
	void readsTheShippedFixture() throws IOException {
		Mnist mnist = Mnist.load(Path.of("core/src/test/resources/mnist-tiny"));
		assertThat(mnist.train().size()).isEqualTo(600);
		assertThat(mnist.test().size()).isEqualTo(200);
		assertThat(mnist.test().labels()[0]).isEqualTo((byte) 7); // the first MNIST test
																	// digit is a 7
		assertThat(mnist.sha256()).containsKeys(Mnist.TRAIN_IMAGES, Mnist.TEST_LABELS);
	}

	private Path write(String name, byte[] data) throws IOException {
		return Files.write(dir.resolve(name), data);
	}

	static byte[] images(int count, int rows, int cols) {
		ByteBuffer b = ByteBuffer.allocate(16 + count * rows * cols);
		b.putInt(Idx.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(cols);
		for (int i = 0; i < count * rows * cols; i++) {
			b.put((byte) i);
		}
		return b.array();
	}

	static byte[] labels(int count, int... values) {
		ByteBuffer b = ByteBuffer.allocate(8 + values.length);
		b.putInt(Idx.LABELS_MAGIC).putInt(count);
		for (int v : values) {
			b.put((byte) v);
		}
		return b.array();
	}

	static byte[] gzip(byte[] data) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
			gz.write(data);
		}
		return out.toByteArray();
	}

}
