package dev.digits.preprocessing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

import dev.digits.model.Normalization;
import dev.digits.preprocessing.RealisticUploads.Upload;
import dev.digits.training.Mnist;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

class RealisticUploadsTests {

	private static final int MNIST_DIGITS = 30;

	private final ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessingLimits.defaults());

	@Test
	void oneUploadPerKindAndDigitInOrder() {
		List<Upload> uploads = RealisticUploads.make(syntheticDigits(), new byte[] { 2, 7 }, 1);
		assertThat(RealisticUploads.kinds()).hasSize(9).doesNotHaveDuplicates();
		assertThat(uploads).hasSize(2 * RealisticUploads.kinds().size());
		for (int i = 0; i < uploads.size(); i++) {
			Upload upload = uploads.get(i);
			assertThat(upload.kind()).isEqualTo(RealisticUploads.kinds().get(i % RealisticUploads.kinds().size()));
			assertThat(upload.label()).isEqualTo((i < RealisticUploads.kinds().size()) ? 2 : 7);
		}
		assertThat(uploads).extracting(Upload::name).doesNotHaveDuplicates();
	}

	@Test
	void sameSeedSameBytes() {
		List<Upload> first = RealisticUploads.make(syntheticDigits(), new byte[] { 2, 7 }, 99);
		List<Upload> again = RealisticUploads.make(syntheticDigits(), new byte[] { 2, 7 }, 99);
		List<Upload> other = RealisticUploads.make(syntheticDigits(), new byte[] { 2, 7 }, 100);
		for (int i = 0; i < first.size(); i++) {
			assertThat(again.get(i).bytes()).as(first.get(i).name()).isEqualTo(first.get(i).bytes());
		}
		assertThat(other).extracting(Upload::bytes).anySatisfy((bytes) -> assertThat(bytes).isNotEqualTo(first.get(0).bytes()));
	}

	@Test
	void syntheticUploadsDecodeAndAreAccepted() throws IOException {
		checkDecodeAndAccept(RealisticUploads.make(syntheticDigits(), new byte[] { 2, 7 }, 5));
	}

	@Test
	void mnistUploadsDecodeAreAcceptedAndKeepTheDigit() throws IOException {
		Path dir = Mnist.fromEnvironment();
		Assumptions.assumeTrue(dir != null,
				"MNIST_DIR is not set or holds no t10k-images-idx3-ubyte(.gz): skipping the MNIST upload checks");
		Mnist.Split test = Mnist.loadTest(dir).slice(0, MNIST_DIGITS);
		List<byte[]> digits = new ArrayList<>();
		for (int i = 0; i < test.size(); i++) {
			digits.add(test.image(i));
		}
		List<Upload> uploads = RealisticUploads.make(digits, test.labels(), 2024);
		checkDecodeAndAccept(uploads);

		Map<String, double[]> cosines = new LinkedHashMap<>();
		for (int i = 0; i < uploads.size(); i++) {
			Upload upload = uploads.get(i);
			byte[] original = digits.get(i / RealisticUploads.kinds().size());
			double cosine = TestImages.cosine(this.preprocessor.fromImage(upload.bytes()).pixels(), normalized(original));
			double[] stats = cosines.computeIfAbsent(upload.kind(), (k) -> new double[] { 0, 1 });
			stats[0] += cosine / test.size();
			stats[1] = Math.min(stats[1], cosine);
			if (upload.kind().equals(RealisticUploads.LARGE_CANVAS)) {
				assertThat(cosine).as("cosine similarity of %s with its MNIST digit", upload.name()).isGreaterThan(0.8);
			}
		}
		cosines.forEach((kind, stats) -> System.out.printf(Locale.ROOT,
				"realistic uploads, %-13s cosine with the MNIST digit: mean %.3f, min %.3f%n", kind, stats[0], stats[1]));
	}

	private void checkDecodeAndAccept(List<Upload> uploads) throws IOException {
		for (Upload upload : uploads) {
			BufferedImage image = ImageIO.read(new ByteArrayInputStream(upload.bytes()));
			assertThat(image).as("%s decodes with ImageIO", upload.name()).isNotNull();
			assertThat(image.getWidth()).as(upload.name()).isGreaterThan(28);
			assertThat(upload.contentType()).isIn("image/png", "image/jpeg", "image/gif", "image/bmp");
			assertThat(upload.name()).endsWith(upload.contentType().equals("image/jpeg") ? ".jpg"
					: "." + upload.contentType().substring("image/".length()));
			assertThatNoException().as("%s is accepted", upload.name())
				.isThrownBy(() -> this.preprocessor.fromImage(upload.bytes()));
			Preprocessed result = this.preprocessor.fromImage(upload.bytes());
			assertThat(result.format()).isEqualTo(upload.contentType().substring("image/".length()));
			assertThat(result.reframed()).isTrue();
		}
	}

	private static List<byte[]> syntheticDigits() {
		return List.of(TestImages.asBytes(TestImages.digit28()),
				TestImages.asBytes(TestImages.strokes(28, 28, TestImages.SEVEN, 4, 4, 20, 20, 1.4)));
	}

	private static float[] normalized(byte[] digit) {
		float[] out = new float[digit.length];
		for (int i = 0; i < digit.length; i++) {
			out[i] = Normalization.normalize(digit[i] & 0xFF);
		}
		return out;
	}

}
