package dev.digits.preprocessing;

import java.awt.image.BufferedImage;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static dev.digits.preprocessing.TestImages.assertRefused;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The decoding budget: every class of hostile image found against the service is refused
 * from its header, before a decoder allocates, with the reason its problem type reports;
 * legitimate large images still decode, subsampled. (Memory under the container's flags
 * is checked by the jar-level hostile suite, {@code HostileUploadsJarTests}.)
 */
class DecodingBudgetTests {

	private final ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessingLimits.defaults());

	@Test
	void aWideSixteenBitPngIsRefusedByItsWidthNotDecoded() {
		// 194 KB, inside 25 MP, but 200 MB per row buffer in the JDK's reader
		byte[] png = HostileImages.png(25_000_000, 1, 16, 6);
		assertThat(png.length).isLessThan(250_000);
		assertRefused(() -> preprocessor.fromImage(png), Reason.TOO_MANY_PIXELS, "25000000 x 1");
	}

	@Test
	void aBmpCarryingAPngOrJpegIsRefused() {
		byte[] png = HostileImages.bmp(28, 28, 0, 5, 0, HostileImages.pngHeaderOnly(46_000, 46_000));
		byte[] jpeg = HostileImages.bmp(28, 28, 0, 4, 0, HostileImages.jpeg(64, 64, false));
		assertRefused(() -> preprocessor.fromImage(png), Reason.UNSUPPORTED_FORMAT, "embedded PNG");
		assertRefused(() -> preprocessor.fromImage(jpeg), Reason.UNSUPPORTED_FORMAT, "embedded JPEG");
	}

	@Test
	void aBmpWhoseSizeFieldsLieIsRefusedBeforeTheReaderAllocatesFromThem() {
		// the JDK's reader allocates biSizeImage bytes for RLE data, and the palette up
		// to the data offset
		byte[] rle = HostileImages.bmp(28, 28, 8, 1, 1_500_000_000L, new byte[64]);
		byte[] offset = HostileImages.bmp(28, 28, 24, 0, 0, 2_000_000_000L, new byte[64]);
		byte[] profile = HostileImages.bmpV5WithProfile(1_500_000_000L);
		byte[] short24 = HostileImages.bmp(1000, 1000, 24, 0, 0, new byte[300]);
		assertRefused(() -> preprocessor.fromImage(rle), Reason.UNDECODABLE, "compressed data size");
		assertRefused(() -> preprocessor.fromImage(offset), Reason.UNDECODABLE, "offset");
		assertRefused(() -> preprocessor.fromImage(profile), Reason.UNDECODABLE, "profile");
		assertRefused(() -> preprocessor.fromImage(short24), Reason.UNDECODABLE, "fewer than");
	}

	@Test
	void aJpegWithTooManyScansIsRefusedBeforeDecoding() {
		byte[] jpeg = HostileImages.progressiveJpegWithScans(400, 400, 100);
		assertThat(HostileImages.sosSegments(jpeg)).hasSizeGreaterThan(PreprocessingLimits.DEFAULT_MAX_JPEG_SCANS);
		assertRefused(() -> preprocessor.fromImage(jpeg), Reason.TOO_COMPLEX, "scans");
	}

	@Test
	void aProgressiveJpegWhoseCoefficientsExceedTheMemoryBudgetIsRefused() {
		byte[] jpeg = HostileImages.jpeg(5000, 5000, true);
		assertRefused(() -> preprocessor.fromImage(jpeg), Reason.TOO_COMPLEX, "progressive");
	}

	@Test
	void legitimateLargeImagesStillDecodeSubsampled() {
		// this test is about what is decoded, not how fast: a loaded machine gets time
		ImagePreprocessor preprocessor = new ImagePreprocessor(
				PreprocessingLimits.defaults().withTimeBudget(Duration.ofSeconds(30)));
		Preprocessed baseline = preprocessor.fromImage(HostileImages.jpeg(5000, 5000, false));
		assertThat(baseline.width()).isEqualTo(5000);
		assertThat(baseline.reframed()).isTrue();
		Preprocessed progressive = preprocessor.fromImage(HostileImages.jpeg(2000, 2000, true));
		assertThat(progressive.inverted()).isTrue();
		assertThat(cosine(baseline.pixels(), progressive.pixels())).isGreaterThan(0.9);
	}

	@Test
	void gifFramesAreCheckedFromTheirOwnDescriptors() {
		// the logical screen is 28 x 28; the frame claims 60000 x 60000
		assertRefused(() -> preprocessor.fromImage(HostileImages.gif(28, 1, 60_000, 60_000)), Reason.TOO_MANY_PIXELS,
				"60000 x 60000");
		assertRefused(() -> preprocessor.fromImage(HostileImages.gif(28, 101, 28, 28)), Reason.TOO_COMPLEX, "frames");
	}

	@Test
	void aPngWithALyingChunkLengthIsUndecodableNotAllocated() {
		assertRefused(() -> preprocessor.fromImage(HostileImages.pngWithLyingChunk("zTXt", 2_000_000_000)),
				Reason.UNDECODABLE, "PNG");
	}

	@Test
	void decodingPastTheTimeBudgetIsAbandoned() {
		ImagePreprocessor hurried = new ImagePreprocessor(
				PreprocessingLimits.defaults().withTimeBudget(Duration.ofMillis(1)));
		byte[] png = HostileImages.encode(HostileImages.digitImage(3000, 3000, BufferedImage.TYPE_BYTE_GRAY), "png");
		assertRefused(() -> hurried.fromImage(png), Reason.TIMEOUT, "longer than the time allowed");
	}

	/**
	 * The deadline can pass anywhere in a reader; the JDK's PNG reader wraps what is
	 * thrown from its input ("Caught exception during read"), which was then answered as
	 * corrupt data about once in fifty tries. Three hundred tries, every one a timeout.
	 */
	@Test
	void aDeadlinePassedInsideTheReaderIsATimeoutNeverCorruptData() {
		ImagePreprocessor hurried = new ImagePreprocessor(
				PreprocessingLimits.defaults().withTimeBudget(Duration.ofMillis(1)));
		byte[] png = HostileImages.encode(HostileImages.digitImage(3000, 3000, BufferedImage.TYPE_BYTE_GRAY), "png");
		java.util.Map<Reason, Integer> reasons = new java.util.EnumMap<>(Reason.class);
		for (int i = 0; i < 300; i++) {
			try {
				hurried.fromImage(png);
			}
			catch (PreprocessingException refused) {
				reasons.merge(refused.reason(), 1, Integer::sum);
			}
		}
		assertThat(reasons).containsExactly(java.util.Map.entry(Reason.TIMEOUT, 300));
	}

	@Test
	void aSmallImagePastTheTimeBudgetMeansTheServerIsBusyNotThatTheImageIsBad() {
		// a 200 x 200 photo takes milliseconds on an idle core: past the budget, the
		// cores were busy elsewhere, so the client is told to retry (503), not that its
		// image is too complex (422)
		ImagePreprocessor starved = new ImagePreprocessor(
				PreprocessingLimits.defaults().withTimeBudget(Duration.ofNanos(1)));
		byte[] png = HostileImages.encode(HostileImages.digitImage(200, 200, BufferedImage.TYPE_BYTE_GRAY), "png");
		assertRefused(() -> starved.fromImage(png), Reason.BUSY, "too busy");
	}

	@Test
	void theMemoryBudgetIsSharedAndAFullGateAnswersBusy() {
		DecodeGate gate = new DecodeGate(64L << 20, 1);
		// the budget is how long a refused decode waits for the gate, and what the small
		// image has to decode in on a slow, loaded machine (50 ms was too little for that
		// on a 2-core machine at 2 GHz after a test that left garbage to collect)
		PreprocessingLimits limits = PreprocessingLimits.defaults().withTimeBudget(Duration.ofMillis(500));
		ImagePreprocessor shared = new ImagePreprocessor(limits, gate);
		byte[] large = HostileImages.jpeg(1500, 1500, false);
		byte[] small = HostileImages.encode(HostileImages.digitImage(200, 200, BufferedImage.TYPE_BYTE_GRAY), "png");
		try (DecodeGate.Permit holdsTheLargeSlot = gate.admit(1024, true, System.nanoTime())) {
			assertRefused(() -> shared.fromImage(large), Reason.BUSY, "retry");
			assertThat(shared.fromImage(small).reframed()).isTrue();
		}
		try (DecodeGate.Permit holdsAllMemory = gate.admit(64L << 20, false, System.nanoTime())) {
			assertThat(gate.availableBytes()).isZero();
			assertRefused(() -> shared.fromImage(small), Reason.BUSY, "retry");
		}
		assertThat(gate.availableBytes()).isEqualTo(64L << 20);
		ImagePreprocessor patient = new ImagePreprocessor(PreprocessingLimits.defaults(), gate);
		assertThat(patient.fromImage(large).width()).isEqualTo(1500);
	}

	@Test
	void aLargeDecodeSlotRestsSoThatLargeImagesKeepToTheirShareOfACore() throws Exception {
		DecodeGate gate = new DecodeGate(64L << 20, 1, 0.25);
		try (DecodeGate.Permit first = gate.admit(1024, true, System.nanoTime())) {
			Thread.sleep(40); // a large decode of 40 ms: the slot then rests 3 x 40 = 120
								// ms
		}
		long closed = System.nanoTime();
		// a deadline inside the rest: refused at once, not after waiting, and the slot
		// stays usable
		assertRefused(() -> gate.admit(1024, true, System.nanoTime() + 20_000_000L), Reason.BUSY, "retry");
		assertThat(System.nanoTime() - closed).isLessThan(100_000_000L);
		// small images never wait for the rest
		try (DecodeGate.Permit small = gate.admit(1024, false, System.nanoTime())) {
			assertThat(System.nanoTime() - closed).isLessThan(100_000_000L);
		}
		// a patient large image starts when the rest is over
		try (DecodeGate.Permit second = gate.admit(1024, true, System.nanoTime() + 1_000_000_000L)) {
			assertThat(System.nanoTime() - closed).isGreaterThanOrEqualTo(110_000_000L);
		}
		assertThat(gate.availableBytes()).isEqualTo(64L << 20);
		assertThatThrownBy(() -> new DecodeGate(64L << 20, 1, 0)).isInstanceOf(IllegalArgumentException.class);
		assertThatThrownBy(() -> new DecodeGate(64L << 20, 1, 1.5)).isInstanceOf(IllegalArgumentException.class);
	}

	@Test
	void theEstimateCountsWhatTheDecoderKeeps() {
		ImageHeader rgba16 = ImageHeader.inspect(HostileImages.png(5000, 5000, 16, 6), ImageFormat.PNG,
				PreprocessingLimits.defaults());
		// decoded at step 5: 1000 x 1000 x 4 samples x 2 bytes, plus the grey copies and
		// three rows
		long estimate = rgba16.decodeBytes(0, PreprocessingLimits.DEFAULT_DECODE_PIXELS);
		assertThat(estimate).isBetween(20_000_000L, 24_000_000L);
		ImageHeader progressive = ImageHeader.inspect(HostileImages.jpeg(2000, 2000, true), ImageFormat.JPEG,
				PreprocessingLimits.defaults());
		assertThat(progressive.nativeBytes()).isGreaterThan(2000L * 2000 * 2);
		assertThat(progressive.scans()).isBetween(2, PreprocessingLimits.DEFAULT_MAX_JPEG_SCANS);
	}

	@Test
	void pixelArraysAreCheckedByPreprocessingWhateverTheirSource() {
		assertRefused(() -> preprocessor.fromPixels(new double[Upload.Pixels.MAX_VALUES], PixelScale.GREY_LEVELS),
				Reason.INVALID_PIXELS, "got more");
		double[] half = new double[784];
		half[3] = 0.5;
		assertRefused(() -> preprocessor.fromPixels(half, PixelScale.GREY_LEVELS), Reason.INVALID_PIXELS,
				"whole number");
		half[3] = Double.NaN;
		assertRefused(() -> preprocessor.fromPixels(half, PixelScale.UNIT), Reason.INVALID_PIXELS, "NaN");
	}

	private static double cosine(float[] a, float[] b) {
		return TestImages.cosine(a, b);
	}

}
