package dev.digits.preprocessing;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import javax.imageio.ImageIO;

import dev.digits.model.LoadedModel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures the photo preprocessing, for the lead to re-run (not a test: prints and writes
 * files).
 * <p>
 * For the seeded photos of {@link PaperPhotos} (every paper condition, digits 0-9, pen
 * and print), the previous preprocessing (border median polarity, whole-image framing:
 * {@link Framing#analyse}, {@link Framing#reframe(GreyImage, Framing.Analysis)}) and the
 * current one ({@link ImagePreprocessor}) are scored with a committed model (default
 * {@code models/mnist-cnn/3}): accuracy, refusals and framing defects per condition. Then
 * the cost of {@link InkLocator#locate} alone, p50 and p99 over a loop, for a 1 MP and a
 * 300 x 300 photo. Mosaics of the 28x28 inputs go to {@code target/photo-harness/}. <pre>
 * ./mvnw -o -q test-compile
 * java -cp core/target/test-classes:core/target/classes:$(cat cp.txt) dev.digits.preprocessing.PhotoHarness [model dir] [seeds]
 * </pre> (with
 * {@code ./mvnw -o dependency:build-classpath -Dmdep.outputFile=cp.txt -Dmdep.includeScope=test}).
 */
public final class PhotoHarness {

	private PhotoHarness() {
	}

	public static void main(String[] args) throws IOException {
		Path modelDir = Path.of(args.length > 0 ? args[0] : "models/mnist-cnn/3");
		int seeds = args.length > 1 ? Integer.parseInt(args[1]) : 1;
		MultiLayerNetwork network = Files.isDirectory(modelDir) ? LoadedModel.load(modelDir).network() : null;
		ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessingLimits.defaults());
		Path out = Path.of("target/photo-harness");
		Files.createDirectories(out);
		Map<String, int[]> before = new LinkedHashMap<>();
		Map<String, int[]> after = new LinkedHashMap<>();
		List<float[]> mosaicBefore = new ArrayList<>();
		List<float[]> mosaicAfter = new ArrayList<>();
		for (int seed = 1; seed <= seeds; seed++) {
			for (PaperPhotos.Photo photo : PaperPhotos.all(seed)) {
				String key = photo.paper().name().toLowerCase(Locale.ROOT) + (photo.printed() ? " printed" : " pen");
				float[] old = previous(photo.jpeg());
				score(before.computeIfAbsent(key, (k) -> new int[5]), old, photo, network, false);
				mosaicBefore.add(old);
				float[] now = null;
				boolean several = false;
				try {
					Preprocessed p = preprocessor.fromImage(photo.jpeg());
					now = p.pixels();
					several = p.severalDigits();
				}
				catch (PreprocessingException ex) {
					System.out.println(photo.name() + ": " + ex.getMessage());
				}
				score(after.computeIfAbsent(key, (k) -> new int[5]), now, photo, network, several);
				mosaicAfter.add(now);
				if (seed == 1) {
					Files.write(out.resolve(photo.name() + ".jpg"), photo.jpeg());
				}
			}
		}
		System.out.println(
				"condition           | before: right/n refused badframe | after: right/n refused badframe several");
		int[] totalBefore = new int[5];
		int[] totalAfter = new int[5];
		for (String key : before.keySet()) {
			int[] b = before.get(key);
			int[] a = after.get(key);
			for (int k = 0; k < 5; k++) {
				totalBefore[k] += b[k];
				totalAfter[k] += a[k];
			}
			System.out.println(row(key, b, a));
		}
		System.out.println(row("all", totalBefore, totalAfter));
		mosaic(mosaicBefore, out.resolve("before.png"));
		mosaic(mosaicAfter, out.resolve("after.png"));
		cost();
	}

	private static String row(String key, int[] b, int[] a) {
		return String.format(Locale.ROOT, "%-19s | %3d/%-3d %3d %3d          | %3d/%-3d %3d %3d %3d", key, b[0], b[1],
				b[2], b[3], a[0], a[1], a[2], a[3], a[4]);
	}

	/**
	 * [right, count, refused, bad framing (long side not 19-20, or a row lit across > 20
	 * columns), several]
	 */
	private static void score(int[] counts, float[] pixels, PaperPhotos.Photo photo, MultiLayerNetwork network,
			boolean several) {
		counts[1]++;
		if (several) {
			counts[4]++;
		}
		if (pixels == null) {
			counts[2]++;
			return;
		}
		if (!PhotoPreprocessingTests.digitShaped(pixels)) {
			counts[3]++;
		}
		if (network != null) {
			INDArray output = network.output(Nd4j.create(pixels, new long[] { 1, 784 }, 'c'), false);
			if (output.argMax(1).getInt(0) == photo.label()) {
				counts[0]++;
			}
		}
	}

	/**
	 * The preprocessing before InkLocator, for comparison; null when it refused the
	 * image.
	 */
	static float[] previous(byte[] bytes) {
		try {
			PreprocessingLimits limits = PreprocessingLimits.defaults();
			ImageFormat format = ImageFormat.sniff(bytes).orElseThrow();
			ImageHeader header = ImageHeader.inspect(bytes, format, limits);
			GreyImage grey = ImageDecoder.decode(bytes, format, header, limits.decodePixels(), Long.MAX_VALUE).grey();
			Framing.Analysis analysis = Framing.analyse(grey, limits.minInkPixels());
			Framing.applyPolarity(grey, analysis);
			return Framing.reframe(grey, analysis);
		}
		catch (PreprocessingException ex) {
			return null;
		}
	}

	private static void mosaic(List<float[]> inputs, Path file) throws IOException {
		int columns = 20;
		int rows = (inputs.size() + columns - 1) / columns;
		BufferedImage image = new BufferedImage(columns * 30, rows * 30, BufferedImage.TYPE_BYTE_GRAY);
		for (int n = 0; n < inputs.size(); n++) {
			float[] p = inputs.get(n);
			int ox = (n % columns) * 30 + 1;
			int oy = (n / columns) * 30 + 1;
			for (int i = 0; i < 784; i++) {
				int v = (p == null) ? ((i / 28 + i % 28) % 2 == 0 ? 128 : 0) : Math.round(p[i] * 255);
				image.getRaster().setSample(ox + i % 28, oy + i / 28, 0, v);
			}
		}
		ImageIO.write(image, "png", file.toFile());
	}

	/** p50 and p99 of {@link InkLocator#locate} on a 1 MP and a 300 x 300 photo. */
	private static void cost() {
		for (int[] size : new int[][] { { 1155, 866 }, { 300, 300 } }) {
			GreyImage grey = photoLike(size[0], size[1], new Random(5));
			long[] times = new long[400];
			for (int n = -100; n < times.length; n++) {
				GreyImage copy = new GreyImage(grey.width(), grey.height(), grey.levels().clone());
				long start = System.nanoTime();
				InkLocator.Located located = InkLocator.locate(copy, 10, Long.MAX_VALUE);
				long took = System.nanoTime() - start;
				if (located.width() == 0) {
					throw new IllegalStateException();
				}
				if (n >= 0) {
					times[n] = took;
				}
			}
			Arrays.sort(times);
			System.out.printf(Locale.ROOT,
					"InkLocator.locate %dx%d: p50 %.2f ms, p99 %.2f ms (400 runs after 100 warm-up)%n", size[0],
					size[1], times[times.length / 2] / 1e6, times[(int) (times.length * 0.99)] / 1e6);
		}
	}

	/** A grey photo of ruled paper with a digit, under a shadow, of any size. */
	static GreyImage photoLike(int width, int height, Random random) {
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
		java.awt.Graphics2D g = image.createGraphics();
		g.setRenderingHint(java.awt.RenderingHints.KEY_ANTIALIASING, java.awt.RenderingHints.VALUE_ANTIALIAS_ON);
		g.setColor(new java.awt.Color(225, 225, 225));
		g.fillRect(0, 0, width, height);
		g.setColor(new java.awt.Color(160, 160, 160));
		for (int y = height / 20; y < height; y += height / 12) {
			g.drawLine(0, y, width, y);
		}
		PaperPhotos.drawDigit(g, 4, false, width / 2, height / 2, height / 4, height / 3, java.awt.Color.DARK_GRAY,
				Math.max(2, height / 80f), random);
		g.dispose();
		byte[] levels = ((java.awt.image.DataBufferByte) image.getRaster().getDataBuffer()).getData();
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				int i = y * width + x;
				double shade = (x < width / 3) ? 0.6 : 1.0;
				levels[i] = (byte) Math.max(0,
						Math.min(255, (int) ((levels[i] & 0xFF) * shade + random.nextGaussian() * 4)));
			}
		}
		return new GreyImage(width, height, levels.clone());
	}

}
