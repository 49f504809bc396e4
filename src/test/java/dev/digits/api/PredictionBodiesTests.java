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

/** The streaming JSON reader: it stops at the first value past a valid request, whatever follows. */
class PredictionBodiesTests {

	@Test
	void readsASingleImageAndItsRange() {
		Upload.Pixels pixels = PredictionBodies.single(json("{\"note\":{\"a\":[1,2]},\"range\":\"0-1\",\"pixels\":["
				+ "0.5,".repeat(783) + "1]}"));
		assertThat(pixels.values()).hasSize(784);
		assertThat(pixels.scale()).isEqualTo(PixelScale.UNIT);
	}

	@Test
	void stopsReadingAtThe785thValueOfAnEndlessArray() {
		// if the reader went on it would never return: the stream never ends
		Upload.Pixels pixels = PredictionBodies.single(endless("{\"pixels\":[", "0,"));
		assertThat(pixels.values()).hasSize(Upload.Pixels.MAX_VALUES);
	}

	@Test
	void stopsReadingAtTheImagePastTheBatchLimit() {
		String image = "{\"pixels\":[" + "0,".repeat(783) + "0]},";
		assertThatExceptionOfType(TooLargeException.class)
			.isThrownBy(() -> PredictionBodies.batch(endless("{\"images\":[", image), 64))
			.withMessageContaining("at most 64");
	}

	@Test
	void nullOrEmptyImagesAreClientErrors() {
		assertThatExceptionOfType(InvalidRequestException.class)
			.isThrownBy(() -> PredictionBodies.batch(json("{\"images\":[null]}"), 64))
			.withMessageContaining("images[0] must be an object");
		assertThatExceptionOfType(InvalidRequestException.class)
			.isThrownBy(() -> PredictionBodies.batch(json("{\"images\":[{}]}"), 64))
			.withMessageContaining("image 0: \"pixels\" is missing");
		assertThatExceptionOfType(InvalidRequestException.class)
			.isThrownBy(() -> PredictionBodies.single(json("[1,2,3]")))
			.withMessageContaining("must be a JSON object");
		List<Upload> two = PredictionBodies.batch(json("{\"images\":[{\"pixels\":[1]},{\"pixels\":[]}]}"), 64);
		assertThat(two).hasSize(2);
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
