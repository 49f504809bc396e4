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
import dev.digits.training.RealisticUploads;
import dev.digits.training.RealisticUploads.Upload;
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
		assertThat(other.get(0).bytes()).isNotEqualTo(first.get(0).bytes());
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
		List<Preprocessed> results = checkDecodeAndAccept(uploads);

		// Centring by mass moves the digit by whole pixels, as MNIST did, so a digit
		// whose centre of mass sits near a half pixel can land one pixel away from where
		// MNIST put it: "aligned" allows that.
		Map<String, double[]> byKind = new LinkedHashMap<>();
		for (int i = 0; i < uploads.size(); i++) {
			Upload upload = uploads.get(i);
			float[] original = normalized(digits.get(i / RealisticUploads.kinds().size()));
			float[] pixels = results.get(i).pixels();
			double cosine = TestImages.cosine(pixels, original);
			double aligned = alignedCosine(pixels, original);
			double[] stats = byKind.computeIfAbsent(upload.kind(), (k) -> new double[] { 0, 1, 0, 1 });
			stats[0] += cosine / test.size();
			stats[1] = Math.min(stats[1], cosine);
			stats[2] += aligned / test.size();
			stats[3] = Math.min(stats[3], aligned);
			if (upload.kind().equals(RealisticUploads.LARGE_CANVAS)) {
				assertThat(aligned).as("aligned cosine similarity of %s with its MNIST digit", upload.name())
					.isGreaterThan(0.85);
			}
		}
		byKind.forEach((kind, stats) -> System.out.printf(Locale.ROOT,
				"realistic uploads, %-13s cosine with the "
						+ "MNIST digit: mean %.3f, min %.3f; aligned: mean %.3f, min %.3f%n",
				kind, stats[0], stats[1], stats[2], stats[3]));
		assertThat(byKind.get(RealisticUploads.LARGE_CANVAS)[0]).as("mean cosine of the large canvases")
			.isGreaterThan(0.9);
		byKind.forEach((kind, stats) -> assertThat(stats[0]).as("mean cosine of %s", kind).isGreaterThan(0.8));
	}

	/**
	 * The best cosine similarity over shifts of {@code pixels} by at most one pixel each
	 * way.
	 */
	private static double alignedCosine(float[] pixels, float[] original) {
		double best = 0;
		for (int dy = -1; dy <= 1; dy++) {
			for (int dx = -1; dx <= 1; dx++) {
				float[] shifted = new float[784];
				for (int y = 0; y < 28; y++) {
					for (int x = 0; x < 28; x++) {
						int sx = x + dx;
						int sy = y + dy;
						if (sx >= 0 && sy >= 0 && sx < 28 && sy < 28) {
							shifted[y * 28 + x] = pixels[sy * 28 + sx];
						}
					}
				}
				best = Math.max(best, TestImages.cosine(shifted, original));
			}
		}
		return best;
	}

	private List<Preprocessed> checkDecodeAndAccept(List<Upload> uploads) throws IOException {
		List<Preprocessed> results = new ArrayList<>();
		for (Upload upload : uploads) {
			BufferedImage image = ImageIO.read(new ByteArrayInputStream(upload.bytes()));
			assertThat(image).as("%s decodes with ImageIO", upload.name()).isNotNull();
			assertThat(image.getWidth()).as(upload.name()).isGreaterThan(28);
			assertThat(upload.contentType()).isIn("image/png", "image/jpeg", "image/gif", "image/bmp");
			assertThat(upload.name()).endsWith(upload.contentType().equals("image/jpeg") ? ".jpg"
					: "." + upload.contentType().substring("image/".length()));
			Preprocessed[] result = new Preprocessed[1];
			assertThatNoException().as("%s is accepted", upload.name())
				.isThrownBy(() -> result[0] = this.preprocessor.fromImage(upload.bytes()));
			assertThat(result[0].format()).isEqualTo(upload.contentType().substring("image/".length()));
			assertThat(result[0].reframed()).isTrue();
			results.add(result[0]);
		}
		return results;
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
