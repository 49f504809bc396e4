package dev.digits.preprocessing;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class ArrayImageInputTests {

	/**
	 * Found by fuzzing: a lossless WebP whose header says 3116 x 27, cut after 199 bytes.
	 */
	private static final Path DECODES_PAST_END = Path.of("core/src/test/resources/dev/digits/preprocessing/"
			+ "ImagePreprocessorFuzzTestsInputs/anyBytesBecomeADigitOrATypedRefusal/hostile-webp-lossless-decodes-past-end");

	@Test
	void readsTheArrayInPlaceLikeAnyImageStream() throws IOException {
		try (ArrayImageInput input = new ArrayImageInput(new byte[] { 1, 2, 3, 4, 5, 6 }, "PNG")) {
			assertThat(input.length()).isEqualTo(6);
			assertThat(input.readUnsignedShort()).isEqualTo(0x0102);
			byte[] rest = new byte[8];
			assertThat(input.read(rest, 1, 7)).isEqualTo(4);
			assertThat(rest).startsWith(0, 3, 4, 5, 6);
			input.seek(1);
			assertThat(input.readBits(4)).isZero();
			assertThat(input.read()).as("the partly read byte, whole").isEqualTo(2);
			assertThat(input.read(rest, 0, 0)).isZero();
		}
	}

	@Test
	void theEndMayBeMetAFewTimesThenTheUploadIsTruncated() throws IOException {
		try (ArrayImageInput input = new ArrayImageInput(new byte[] { 7 }, "WebP")) {
			assertThat(input.read()).isEqualTo(7);
			for (int i = 0; i < ArrayImageInput.MAX_READS_PAST_END / 2; i++) {
				assertThat(input.read()).isEqualTo(-1);
				assertThatExceptionOfType(EOFException.class).isThrownBy(input::readByte);
			}
			assertThat(input.readsPastEnd()).isEqualTo(ArrayImageInput.MAX_READS_PAST_END);
			assertThatExceptionOfType(PreprocessingException.class).isThrownBy(input::readByte)
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.UNDECODABLE))
				.withMessageContaining("WebP data ends long before the image does");
		}
	}

	@Test
	void aDecoderThatDecodesOnFromNothingIsStoppedAndTheUploadRefusedAsTruncated() throws IOException {
		byte[] bytes = Files.readAllBytes(DECODES_PAST_END);
		ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessingLimits.defaults());
		TestImages.assertRefused(() -> preprocessor.fromImage(bytes), Reason.UNDECODABLE,
				"ends long before the image does");
	}

	@Test
	void wellFormedImagesOfEveryFormatStayWithinTheReadsPastTheEnd() throws IOException {
		ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessingLimits.defaults());
		for (String name : new String[] { "seven-lossy", "seven-lossless", "three-canvas-alpha" }) {
			byte[] webp = Files.readAllBytes(Path.of("core/src/test/resources/webp/" + name + ".webp"));
			assertThat(preprocessor.fromImage(webp).format()).isEqualTo("webp");
		}
		int[] ink = TestImages.strokes(120, 90, TestImages.TWO, 30, 10, 60, 70, 4);
		for (String format : new String[] { "png", "gif", "bmp" }) {
			byte[] image = TestImages.encode(TestImages.rgb(120, 90, ink, 0xFFFFFF, 0x000000), format);
			assertThat(preprocessor.fromImage(image).format()).isEqualTo(format);
		}
		byte[] jpeg = TestImages.jpeg(TestImages.grey8(120, 90, TestImages.inverted(ink)), 0.9f);
		assertThat(preprocessor.fromImage(jpeg).format()).isEqualTo("jpeg");
	}

}
