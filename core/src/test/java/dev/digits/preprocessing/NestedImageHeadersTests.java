package dev.digits.preprocessing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static dev.digits.preprocessing.TestImages.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * A file that nests images is bounded by the largest dimensions any of its layers
 * declares, from the header walk alone ({@link ImageHeader#inspect}, which runs no
 * decoder): WebP canvases and bitstreams, GIF screens and frames, JPEG frames and
 * thumbnails. The files are crafted here; the same generators feed the fuzz seeds and the
 * jar-level hostile suite.
 */
class NestedImageHeadersTests {

	private static final PreprocessingLimits LIMITS = PreprocessingLimits.defaults();

	private final ImagePreprocessor preprocessor = new ImagePreprocessor(LIMITS);

	private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory
		.getThreadMXBean();

	// ------------------------------------------------------------------ WebP

	@Test
	void aWebpCanvasOf28AroundA12000BitstreamIsRefusedFromItsHeaders() {
		byte[] bomb = HostileImages.webp(HostileImages.vp8x(28, 28, 0), HostileImages.vp8(12_000, 12_000, 64));
		assertRefused(() -> ImageHeader.inspect(bomb, ImageFormat.WEBP, LIMITS), Reason.TOO_MANY_PIXELS,
				"12000 x 12000");
		assertRefused(() -> preprocessor.fromImage(bomb), Reason.TOO_MANY_PIXELS, "12000 x 12000");
	}

	@Test
	void theSameBombWithARealBitstreamBehindItAllocatesNothingToSpeakOf() {
		byte[] bomb = HostileImages.webpCanvasAroundLargerBitstream(12_000, 12_000);
		preprocessor.fromImage(HostileImages.webpCanvasAroundLargerBitstream(28, 28)); // warm
																						// the
																						// classes
		long before = THREADS.getCurrentThreadAllocatedBytes();
		assertRefused(() -> preprocessor.fromImage(bomb), Reason.TOO_MANY_PIXELS, "12000 x 12000");
		// decoding it would need 12000 x 12000 x 4 bytes of ARGB alone (576 MB)
		assertThat(THREADS.getCurrentThreadAllocatedBytes() - before).isLessThan(1 << 20);
	}

	@Test
	void aLosslessBitstreamLargerThanItsCanvasIsRefused() {
		byte[] bomb = HostileImages.webp(HostileImages.vp8x(28, 28, 0), HostileImages.vp8l(16_384, 16_384, 64));
		assertRefused(() -> ImageHeader.inspect(bomb, ImageFormat.WEBP, LIMITS), Reason.TOO_MANY_PIXELS,
				"16384 x 16384");
	}

	@Test
	void aCanvasThatDisagreesWithItsBitstreamWithinTheLimitsIsRefusedAsTooComplex() {
		// inside the limits, but the decoder would pay for 2000 x 2000 while the gate saw
		// 28 x 28
		byte[] webp = HostileImages.webp(HostileImages.vp8x(28, 28, 0), HostileImages.vp8(2000, 2000, 64));
		assertRefused(() -> ImageHeader.inspect(webp, ImageFormat.WEBP, LIMITS), Reason.TOO_COMPLEX, "canvas");
	}

	@Test
	void aBombAfterAnOddSizedChunkIsFoundAsTheDecoderFindsIt() {
		// RIFF pads odd chunks to even sizes; a walk that forgot the pad would land
		// mid-chunk
		byte[] bomb = HostileImages.webp(HostileImages.vp8x(28, 28, 0), HostileImages.webpChunk("EXIF", new byte[7]),
				HostileImages.webpChunk("ALPH", new byte[3]), HostileImages.vp8(12_000, 12_000, 64));
		assertRefused(() -> ImageHeader.inspect(bomb, ImageFormat.WEBP, LIMITS), Reason.TOO_MANY_PIXELS,
				"12000 x 12000");
	}

	@Test
	void aSecondBitstreamIsRefusedWhateverItsSize() {
		byte[] twoSmall = HostileImages.webp(HostileImages.vp8x(28, 28, 0), HostileImages.vp8(28, 28, 64),
				HostileImages.vp8(28, 28, 64));
		byte[] smallThenBomb = HostileImages.webp(HostileImages.vp8x(28, 28, 0), HostileImages.vp8(28, 28, 64),
				HostileImages.vp8l(16_000, 16_000, 64));
		byte[] simpleThenBomb = HostileImages.webp(HostileImages.vp8(28, 28, 64),
				HostileImages.vp8(12_000, 12_000, 64));
		assertRefused(() -> ImageHeader.inspect(twoSmall, ImageFormat.WEBP, LIMITS), Reason.TOO_COMPLEX,
				"2 image bitstreams");
		assertRefused(() -> ImageHeader.inspect(smallThenBomb, ImageFormat.WEBP, LIMITS), Reason.TOO_MANY_PIXELS,
				"16000 x 16000");
		assertRefused(() -> ImageHeader.inspect(simpleThenBomb, ImageFormat.WEBP, LIMITS), Reason.TOO_MANY_PIXELS,
				"12000 x 12000");
	}

	@Test
	void animationFramesAreRefusedEvenWithoutTheAnimationFlag() {
		byte[] anmf = HostileImages.webp(HostileImages.vp8x(28, 28, 0), HostileImages.webpChunk("ANIM", new byte[6]),
				HostileImages.webpChunk("ANMF", new byte[16]));
		byte[] flagged = HostileImages.webp(HostileImages.vp8x(28, 28, 0x02), HostileImages.vp8(28, 28, 64));
		assertRefused(() -> ImageHeader.inspect(anmf, ImageFormat.WEBP, LIMITS), Reason.UNSUPPORTED_FORMAT, "Animated");
		assertRefused(() -> ImageHeader.inspect(flagged, ImageFormat.WEBP, LIMITS), Reason.UNSUPPORTED_FORMAT,
				"Animated");
	}

	@Test
	void aChunkRunningPastTheEndIsRefused() {
		byte[] webp = HostileImages.webp(HostileImages.vp8x(28, 28, 0), HostileImages.vp8(28, 28, 64));
		byte[] cut = java.util.Arrays.copyOf(webp, webp.length - 10);
		assertRefused(() -> ImageHeader.inspect(cut, ImageFormat.WEBP, LIMITS), Reason.UNDECODABLE, "past the end");
	}

	@ParameterizedTest
	@ValueSource(strings = { "seven-lossy.webp", "seven-lossless.webp", "three-canvas-alpha.webp" })
	void realWebpFilesStillPass(String file) throws IOException {
		byte[] webp = Files.readAllBytes(Path.of("core/src/test/resources/webp", file));
		ImageHeader header = ImageHeader.inspect(webp, ImageFormat.WEBP, LIMITS);
		assertThat(header.largestWidth()).isEqualTo(header.width());
		assertThat(header.largestHeight()).isEqualTo(header.height());
		assertThatNoException().isThrownBy(() -> preprocessor.fromImage(webp));
	}

	@Test
	void theSameBitstreamInAnExtendedHeaderOfItsOwnSizeDecodes() {
		assertThat(preprocessor.fromImage(HostileImages.webpCanvasAroundLargerBitstream(28, 28)).width()).isEqualTo(28);
	}

	// ------------------------------------------------------------------ GIF

	@Test
	void aGifIsBoundedByItsLargestFrameNotItsFirst() {
		byte[] gif = HostileImages.gifWithLargeSecondFrame(28, 60_000);
		ImageHeader small = ImageHeader.inspect(HostileImages.gifWithLargeSecondFrame(28, 40), ImageFormat.GIF, LIMITS);
		assertThat(small.width()).isEqualTo(28);
		assertThat(small.largestWidth()).isEqualTo(40);
		assertRefused(() -> ImageHeader.inspect(gif, ImageFormat.GIF, LIMITS), Reason.TOO_MANY_PIXELS, "60000 x 60000");
	}

	@Test
	void aGifIsBoundedByItsLogicalScreen() {
		byte[] gif = HostileImages.gif(60_000, 1, 28, 28);
		assertRefused(() -> ImageHeader.inspect(gif, ImageFormat.GIF, LIMITS), Reason.TOO_MANY_PIXELS, "60000 x 60000");
	}

	// ------------------------------------------------------------------ JPEG thumbnails

	@Test
	void aJpegWhoseExifThumbnailClaims12000IsRefused() {
		byte[] thumbnail = HostileImages.withFrameSize(HostileImages.jpeg(16, 16, false), 12_000, 12_000);
		byte[] jpeg = HostileImages.withExifThumbnail(HostileImages.jpeg(64, 48, false), thumbnail);
		assertRefused(() -> ImageHeader.inspect(jpeg, ImageFormat.JPEG, LIMITS), Reason.TOO_MANY_PIXELS,
				"12000 x 12000");
	}

	@Test
	void aJpegWhoseJfxxThumbnailClaims12000IsRefused() {
		byte[] thumbnail = HostileImages.withFrameSize(HostileImages.jpeg(16, 16, false), 12_000, 12_000);
		byte[] jpeg = HostileImages.withJfxxThumbnail(HostileImages.jpeg(64, 48, false), thumbnail);
		assertRefused(() -> ImageHeader.inspect(jpeg, ImageFormat.JPEG, LIMITS), Reason.TOO_MANY_PIXELS,
				"12000 x 12000");
	}

	@Test
	void aPhoneSizedExifThumbnailIsAccepted() {
		byte[] jpeg = HostileImages.withExifThumbnail(HostileImages.jpeg(64, 48, false),
				HostileImages.jpeg(160, 120, false));
		ImageHeader header = ImageHeader.inspect(jpeg, ImageFormat.JPEG, LIMITS);
		assertThat(header.width()).isEqualTo(64);
		assertThat(header.largestWidth()).isEqualTo(160);
		assertThat(header.largestHeight()).isEqualTo(120);
		assertThat(preprocessor.fromImage(jpeg).width()).isEqualTo(64);
	}

	@Test
	void thumbnailPointersOutsideTheSegmentAreIgnored() {
		byte[] exif = HostileImages.withExifThumbnail(HostileImages.jpeg(64, 48, false), new byte[0]);
		// point IFD1's offset far past the segment: nothing is read from there
		byte[] lying = exif.clone();
		int offsetField = 4 + 6 + 8 + 6 + 2 + 8; // APP1 header, Exif, TIFF header, IFD0,
													// count, tag+type+count
		lying[2 + offsetField] = (byte) 0xFF;
		lying[2 + offsetField + 1] = (byte) 0xFF;
		lying[2 + offsetField + 2] = (byte) 0xFF;
		lying[2 + offsetField + 3] = (byte) 0x7F;
		assertThat(ImageHeader.inspect(lying, ImageFormat.JPEG, LIMITS).largestWidth()).isEqualTo(64);
	}

}
