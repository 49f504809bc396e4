package dev.digits.preprocessing;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;

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
		try (ArrayImageInput input = new ArrayImageInput(new byte[] { 1, 2, 3, 4, 5, 6 }, "PNG", later())) {
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
		try (ArrayImageInput input = new ArrayImageInput(new byte[] { 7 }, "WebP", later())) {
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
	void aReadPastTheDeadlineEndsTheDecode() throws IOException {
		try (ArrayImageInput input = new ArrayImageInput(new byte[] { 1, 2, 3 }, "PNG", System.nanoTime() - 1)) {
			assertThatExceptionOfType(PreprocessingException.class).isThrownBy(input::read)
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.TIMEOUT));
			assertThatExceptionOfType(PreprocessingException.class).isThrownBy(() -> input.read(new byte[2], 0, 2))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.TIMEOUT));
		}
	}

	/**
	 * TwelveMonkeys' lossless WebP decoder reports no progress for the deadline to act
	 * on; what stops it is its next read.
	 */
	@Test
	void aLosslessWebPDecoderIsStoppedAtItsFirstReadAfterTheDeadline() throws Exception {
		byte[] webp = Files.readAllBytes(Path.of("core/src/test/resources/webp/seven-lossless.webp"));
		ImageReader reader = ImageIO.getImageReadersByFormatName("webp").next();
		long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
		try (ArrayImageInput input = new ArrayImageInput(webp, "WebP", deadline)) {
			reader.setInput(input, true, true);
			assertThat(reader.getWidth(0)).isPositive();
			long position = input.getStreamPosition();
			while (System.nanoTime() - deadline <= 0) {
				Thread.sleep(10);
			}
			assertThatExceptionOfType(PreprocessingException.class).isThrownBy(() -> reader.read(0))
				.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(Reason.TIMEOUT));
			assertThat(position).as("the header was read before the deadline, the image data was not")
				.isLessThan(webp.length);
		}
		finally {
			reader.dispose();
		}
	}

	/**
	 * A lossless bitstream whose codes take no bits fills the image without reading: it
	 * is bounded by the pixels the header check allows (its time is checked by the fuzz
	 * test, which replays it), and decodes to a blank image, not to an error. The test is
	 * about what is decoded, not how fast: a slow or loaded machine gets time (2700 x
	 * 2700 of it took longer than the default half second on a 2-core machine at 2 GHz).
	 */
	@Test
	void aLosslessWebPWhoseCodesTakeNoBitsIsDecodedWithinTheHeaderLimits() {
		ImagePreprocessor preprocessor = new ImagePreprocessor(
				PreprocessingLimits.defaults().withTimeBudget(java.time.Duration.ofSeconds(30)));
		TestImages.assertRefused(
				() -> preprocessor.fromImage(HostileImages.webp(HostileImages.vp8lWithoutBits(2700, 2700))),
				Reason.BLANK, "blank");
		TestImages.assertRefused(
				() -> preprocessor.fromImage(HostileImages.webp(HostileImages.vp8lWithoutBits(3000, 3000))),
				Reason.TOO_COMPLEX, "WebP is decoded at full size");
	}

	@Test
	void aDecoderThatDecodesOnFromNothingIsStoppedAndTheUploadRefusedAsTruncated() throws IOException {
		byte[] bytes = Files.readAllBytes(DECODES_PAST_END);
		ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessingLimits.defaults());
		TestImages.assertRefused(() -> preprocessor.fromImage(bytes), Reason.UNDECODABLE,
				"ends long before the image does");
	}

	private static long later() {
		return System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
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
