package dev.digits.preprocessing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import dev.digits.training.Mnist;
import dev.digits.training.PhotoSynth;
import dev.digits.training.RealisticUploads;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What preprocessing costs per upload, no HTTP: decoding alone ({@link #decode}, the JDK's readers,
 * subsampled to at most a megapixel as the service does) and the whole of
 * {@link ImagePreprocessor#fromImage} ({@link #preprocess}: decoding, then finding the digit on the
 * paper and framing it), so the steps after decoding cost the difference; the digit finding alone
 * ({@link #locate}), and three of its steps ({@link #findSheet}, {@link #polarity}, {@link #paperLevel}).
 * Inputs: a 280 x 280 canvas PNG, and photos of a handwritten digit on paper under a shadow, JPEG,
 * at about 1 and 12 megapixels (a phone's full resolution), and at 1 megapixel on a sheet smaller
 * than the frame. Sample mode gives p50 and p99.
 * <p>
 * {@code MNIST_DIR=$PWD/../shared/mnist ./mvnw -Pbenchmark -pl service -am test-compile exec:exec@jmh -Djmh.args=PreprocessingBenchmark}
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(2)
@State(Scope.Benchmark)
public class PreprocessingBenchmark {

	/**
	 * The upload: {@code canvas} (280 x 280 PNG), {@code photo-1mp}, {@code sheet-1mp} (a sheet
	 * smaller than the frame on a table), {@code photo-12mp} (JPEG).
	 */
	@Param({ "canvas", "photo-1mp", "sheet-1mp", "photo-12mp" })
	public String upload;

	byte[] bytes;

	ImageFormat format;

	ImageHeader header;

	ImagePreprocessor preprocessor;

	@Setup(Level.Trial)
	public void make() throws IOException {
		String dir = System.getenv(Mnist.ENV);
		Mnist.Split test = Mnist.loadTest(Path.of(dir == null || dir.isBlank() ? "data/mnist" : dir));
		float[] digit = new float[784];
		for (int i = 0; i < digit.length; i++) {
			digit[i] = (test.image(0)[i] & 0xFF) / 255f;
		}
		Random random = new Random(7);
		this.bytes = switch (this.upload) {
			case "canvas" -> RealisticUploads.make(java.util.List.of(test.image(0)), new byte[] { test.labels()[0] }, 7)
				.stream().filter(u -> u.kind().equals(RealisticUploads.LARGE_CANVAS)).findFirst().orElseThrow().bytes();
			case "photo-1mp" -> photo(digit, 866, PhotoSynth.Condition.SHADOW, random);
			case "sheet-1mp" -> photo(digit, 866, PhotoSynth.Condition.SHEET, random);
			case "photo-12mp" -> photo(digit, 3000, PhotoSynth.Condition.SHADOW, random);
			default -> throw new IllegalArgumentException(this.upload);
		};
		PreprocessingLimits limits = PreprocessingLimits.defaults();
		this.preprocessor = new ImagePreprocessor(limits);
		this.format = ImageFormat.sniff(this.bytes).orElseThrow();
		this.header = ImageHeader.inspect(this.bytes, this.format, limits);
		this.decoded = ImageDecoder
			.decode(this.bytes, this.format, this.header, limits.decodePixels(), System.nanoTime() + 10_000_000_000L)
			.grey();
		this.minInkPixels = limits.minInkPixels();
		GreyImage grey = GreyConverter.toGrey(javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(this.bytes)));
		int[] size = InkLocator.workingSize(grey.width(), grey.height());
		this.working = InkLocator.areaDownscale(grey, size[0], size[1], false);
		this.workingWidth = size[0];
		this.workingHeight = size[1];
	}

	/** The upload's grey levels as the service decodes them (subsampled to at most a megapixel). */
	GreyImage decoded;

	int minInkPixels;

	/** The upload at the digit finding's working resolution, paper light (dark ink on light paper). */
	float[] working;

	int workingWidth;

	int workingHeight;

	private static byte[] photo(float[] digit, int shortSide, PhotoSynth.Condition condition, Random random) {
		PhotoSynth.Ink ink = PhotoSynth.handwritten(digit, shortSide * 0.5, PhotoSynth.Pen.BALLPOINT, random);
		for (int attempt = 0;; attempt++) {
			PhotoSynth.Photo photo = PhotoSynth.photo(ink, condition, PhotoSynth.Pen.BALLPOINT,
					shortSide, shortSide, new double[] { 0.4, 0.5 }, random);
			if (photo.contentType().equals("image/jpeg") || attempt > 20) {
				return photo.bytes();
			}
		}
	}

	@Benchmark
	public Object decode() {
		return ImageDecoder.decode(this.bytes, this.format, this.header, PreprocessingLimits.DEFAULT_DECODE_PIXELS,
				System.nanoTime() + 10_000_000_000L);
	}

	/**
	 * Looking for a sheet smaller than the frame ({@link PaperSheet#region}), one step of the digit
	 * finding, on the upload at its working resolution.
	 */
	@Benchmark
	public Object findSheet() {
		return PaperSheet.region(this.working, this.workingWidth, this.workingHeight);
	}

	/**
	 * The whole digit finding ({@link InkLocator#locate}), from the decoded grey levels to
	 * the chosen digit's ink at the working resolution: what a photo costs after decoding
	 * and before the MNIST framing (photos only; a canvas is framed whole).
	 */
	@Benchmark
	public Object locate() {
		return InkLocator.locate(this.decoded, this.minInkPixels, System.nanoTime() + 10_000_000_000L);
	}

	/**
	 * Polarity ({@link InkLocator#darkInk}: three box means, two of them at half the
	 * resolution, and a weighted sum), one step
	 * of the digit finding, on the upload at its working resolution.
	 */
	@Benchmark
	public Object polarity() {
		return InkLocator.darkInk(this.working, this.workingWidth, this.workingHeight);
	}

	/**
	 * The paper's level under every pixel and the ink strengths it gives
	 * ({@link PaperLight#inkStrength}: a grey-level closing at half the resolution), one step of the digit
	 * finding, on the upload at its working resolution.
	 */
	@Benchmark
	public Object paperLevel() {
		return PaperLight.inkStrength(this.working, this.workingWidth, this.workingHeight);
	}

	@Benchmark
	public Preprocessed preprocess() {
		return this.preprocessor.fromImage(this.bytes);
	}

}
