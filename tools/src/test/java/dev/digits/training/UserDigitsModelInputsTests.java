package dev.digits.training;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.digits.preprocessing.ImageEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A folder marked as model inputs (the service's captures) is read as it is: a 28x28 grey
 * PNG becomes grey / 255, an inverted digit stays inverted (the preprocessor would turn
 * it back), and anything else is refused before it is decoded.
 */
class UserDigitsModelInputsTests {

	@Test
	void capturesAreReadAsTheModelSawThem(@TempDir Path dir) throws IOException {
		Files.writeString(dir.resolve(UserDigits.MODEL_INPUTS), "model inputs");
		int[] levels = new int[784];
		for (int i = 0; i < levels.length; i++) {
			levels[i] = 255 - (i % 28 == 14 ? 255 : 0); // white paper, one black stroke:
														// inverted
		}
		for (int n = 0; n < UserDigits.MIN_IMAGES; n++) {
			Path folder = Files.createDirectories(dir.resolve(Integer.toString(n % 10)));
			Files.write(folder.resolve(n + ".png"), ImageEncoding.encode(ImageEncoding.grey8(28, 28, levels), "png"));
		}
		UserDigits read = UserDigits.read(dir);
		assertThat(read.labels()).hasSize(UserDigits.MIN_IMAGES);
		for (int i = 0; i < 784; i++) {
			assertThat(read.pixels()[i]).isEqualTo(levels[i] / 255f);
		}
	}

	@Test
	void anythingButA28x28GreyPngIsRefusedUnread(@TempDir Path dir) {
		byte[] large = ImageEncoding.encode(ImageEncoding.grey8(29, 28, new int[29 * 28]), "png");
		assertThatThrownBy(() -> UserDigits.modelInput("3/a.png", large))
			.hasMessageContaining("is not a 28x28 8-bit grey PNG");
		byte[] colour = ImageEncoding.encode(new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB), "png");
		assertThatThrownBy(() -> UserDigits.modelInput("3/b.png", colour))
			.hasMessageContaining("is not a 28x28 8-bit grey PNG");
		byte[] jpeg = ImageEncoding.jpeg(ImageEncoding.grey8(28, 28, new int[784]), 0.9f);
		assertThatThrownBy(() -> UserDigits.modelInput("3/c.jpg", jpeg))
			.hasMessageContaining("is not a 28x28 8-bit grey PNG");
		// a header that claims 28x28 over a body that is not a PNG
		byte[] forged = ImageEncoding.encode(ImageEncoding.grey8(28, 28, new int[784]), "png");
		byte[] truncated = java.util.Arrays.copyOf(forged, 40);
		assertThatThrownBy(() -> UserDigits.modelInput("3/d.png", truncated)).isInstanceOf(IOException.class);
	}

}
