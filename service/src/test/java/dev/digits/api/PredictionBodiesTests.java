package dev.digits.api;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.digits.preprocessing.PixelScale;
import dev.digits.preprocessing.Upload;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The streaming JSON reader: it stops at the first value past a valid request, whatever
 * follows.
 */
class PredictionBodiesTests {

	@Test
	void readsASingleImageAndItsRange() {
		Upload.Pixels pixels = (Upload.Pixels) PredictionBodies.single(
				json("{\"note\":{\"a\":[1,2]},\"range\":\"0-1\",\"pixels\":[" + "0.5,".repeat(783) + "1]}"), 5_000_000);
		assertThat(pixels.values()).hasSize(784);
		assertThat(pixels.scale()).isEqualTo(PixelScale.UNIT);
	}

	@Test
	void stopsReadingAtThe785thValueOfAnEndlessArray() {
		// if the reader went on it would never return: the stream never ends
		Upload.Pixels pixels = (Upload.Pixels) PredictionBodies.single(endless("{\"pixels\":[", "0,"), 5_000_000);
		assertThat(pixels.values()).hasSize(Upload.Pixels.MAX_VALUES);
	}

	@Test
	void stopsReadingAtTheImagePastTheBatchLimit() {
		String image = "{\"pixels\":[" + "0,".repeat(783) + "0]},";
		assertThatExceptionOfType(TooLargeException.class)
			.isThrownBy(() -> PredictionBodies.batch(endless("{\"images\":[", image), 64, 5_000_000))
			.withMessageContaining("at most 64");
	}

	@Test
	void nullOrEmptyImagesAreClientErrors() {
		assertThatExceptionOfType(InvalidRequestException.class)
			.isThrownBy(() -> PredictionBodies.batch(json("{\"images\":[null]}"), 64, 5_000_000))
			.withMessageContaining("images[0] must be an object");
		assertThatExceptionOfType(InvalidRequestException.class)
			.isThrownBy(() -> PredictionBodies.batch(json("{\"images\":[{}]}"), 64, 5_000_000))
			.withMessageContaining("image 0: \"pixels\" or \"image\" is missing");
		assertThatExceptionOfType(InvalidRequestException.class)
			.isThrownBy(() -> PredictionBodies.single(json("[1,2,3]"), 5_000_000))
			.withMessageContaining("must be a JSON object");
		List<Upload> two = PredictionBodies.batch(json("{\"images\":[{\"pixels\":[1]},{\"pixels\":[]}]}"), 64,
				5_000_000);
		assertThat(two).hasSize(2);
	}

	@Test
	void imagesComeAsBase64OrDataUrlsWithinTheSizeLimit() {
		byte[] png = { (byte) 0x89, 'P', 'N', 'G', 1, 2, 3, (byte) 0xFF };
		String b64 = java.util.Base64.getEncoder().encodeToString(png);
		String url = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(png);
		for (String image : List.of(b64, url, "data:image/png;base64," + b64, "DATA:image/PNG;charset=x;base64," + b64,
				b64.substring(0, 4) + "\\n" + b64.substring(4))) {
			Upload upload = PredictionBodies.single(json("{\"image\":\"" + image + "\"}"), 100);
			assertThat(((Upload.Image) upload).bytes()).as(image).isEqualTo(png);
		}
		assertThatExceptionOfType(TooLargeException.class)
			.isThrownBy(() -> PredictionBodies.single(json("{\"image\":\"" + "A".repeat(200) + "\"}"), 100));
		assertThatExceptionOfType(InvalidRequestException.class)
			.isThrownBy(() -> PredictionBodies.single(json("{\"image\":\"not*base64!\"}"), 100))
			.withMessageContaining("not valid base64");
		assertThatExceptionOfType(dev.digits.preprocessing.PreprocessingException.class)
			.isThrownBy(() -> PredictionBodies.single(json("{\"image\":\"data:text/html;base64," + b64 + "\"}"), 100))
			.withMessageContaining("text/html");
		assertThatExceptionOfType(InvalidRequestException.class)
			.isThrownBy(() -> PredictionBodies.single(json("{\"image\":\"data:image/png," + b64 + "\"}"), 100))
			.withMessageContaining("base64-encoded");
		assertThatExceptionOfType(InvalidRequestException.class)
			.isThrownBy(() -> PredictionBodies.single(json("{\"image\":\"" + b64 + "\",\"pixels\":[1]}"), 100))
			.withMessageContaining("not both");
	}

	private static InputStream json(String text) {
		return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
	}

	/** {@code head}, then {@code repeated} forever. */
	private static InputStream endless(String head, String repeated) {
		byte[] unit = repeated.getBytes(StandardCharsets.UTF_8);
		InputStream forever = new InputStream() {

			private long position;

			@Override
			public int read() {
				return unit[(int) (position++ % unit.length)];
			}

		};
		return new SequenceInputStream(json(head), forever);
	}

}
