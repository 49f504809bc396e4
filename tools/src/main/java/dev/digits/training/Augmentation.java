package dev.digits.training;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import dev.digits.model.DigitNetwork;
import dev.digits.model.Normalization;

/**
 * On-the-fly augmentation of 28x28 MNIST images for training, in pure Java.
 * <p>
 * Each image is augmented with probability {@link Settings#probability()}; an augmented
 * image gets a random subset of the transforms, each with its own probability, applied in
 * this order: one warp (rotation, scale, shear, shift and a Simard-style elastic
 * distortion combined into a single bilinear resampling), stroke thickness (grey dilation
 * or erosion with a 3x3 cross, blended), blur (Gaussian) or low resolution (area
 * downscale to 10..16 px, bilinear upscale), and additive Gaussian noise.
 * <p>
 * The result depends only on {@code (seed, epoch, index)}: every image draws from its own
 * random stream, so batches are bit-identical whatever the batch order or thread.
 */
public final class Augmentation {

	private static final int W = DigitNetwork.WIDTH;

	private static final int H = DigitNetwork.HEIGHT;

	private static final int N = DigitNetwork.PIXELS;

	/**
	 * Probabilities and ranges; every transform's probability applies to an image already
	 * chosen for augmentation.
	 */
	public record Settings(double probability, double rotationProbability, double maxRotationDegrees,
			double scaleProbability, double minScale, double maxScale, double shearProbability, double maxShear,
			double shiftProbability, double maxShiftPixels, double elasticProbability, double elasticAlpha,
			double elasticSigma, double thicknessProbability, double blurProbability, double minBlurSigma,
			double maxBlurSigma, double lowResolutionProbability, int minLowResolution, int maxLowResolution,
			double noiseProbability, double maxNoiseSigma) {

		/** The settings used for the augmented model. */
		public static Settings defaults() {
			return new Settings(0.8, 0.5, 15, 0.5, 0.8, 1.2, 0.3, 0.3, 0.5, 3, 0.35, 26, 4, 0.3, 0.12, 0.5, 1.1, 0.12,
					10, 16, 0.15, 0.12);
		}

		/**
		 * Settings by name: {@code v1} = {@link #defaults()}; {@code v2} = v1 with
		 * stronger noise (probability 0.3, sigma up to 0.25) and lower resolutions
		 * (probability 0.2, 8-14 px), made after the v1 model lost accuracy on the noisy
		 * set built from the validation split.
		 */
		public static Settings named(String name) {
			Settings d = defaults();
			return switch (name) {
				case "v1" -> d;
				case "v2" -> new Settings(d.probability, d.rotationProbability, d.maxRotationDegrees,
						d.scaleProbability, d.minScale, d.maxScale, d.shearProbability, d.maxShear, d.shiftProbability,
						d.maxShiftPixels, d.elasticProbability, d.elasticAlpha, d.elasticSigma, d.thicknessProbability,
						d.blurProbability, d.minBlurSigma, d.maxBlurSigma, 0.2, 8, 14, 0.3, 0.25);
				default -> throw new IllegalArgumentException("augment-settings must be v1 or v2, got '" + name + "'");
			};
		}

		/**
		 * Only {@code transform} (a key of {@link #transforms()}), always applied: for
		 * tests and pictures.
		 */
		public static Settings only(String transform) {
			Settings d = defaults();
			return new Settings(1, is(transform, "rotation"), d.maxRotationDegrees, is(transform, "scale"), d.minScale,
					d.maxScale, is(transform, "shear"), d.maxShear, is(transform, "shift"), d.maxShiftPixels,
					is(transform, "elastic"), d.elasticAlpha, d.elasticSigma, is(transform, "thickness"),
					is(transform, "blur"), d.minBlurSigma, d.maxBlurSigma, is(transform, "lowResolution"),
					d.minLowResolution, d.maxLowResolution, is(transform, "noise"), d.maxNoiseSigma);
		}

		private static double is(String transform, String name) {
			if (!transforms().containsKey(transform)) {
				throw new IllegalArgumentException("unknown transform " + transform);
			}
			return transform.equals(name) ? 1 : 0;
		}

		/** The transforms by name, with what each does. */
		public static Map<String, String> transforms() {
			Map<String, String> t = new LinkedHashMap<>();
			t.put("rotation", "uniform angle in +-maxRotationDegrees about the image centre");
			t.put("scale", "uniform factor in [minScale, maxScale]");
			t.put("shear", "horizontal shear, uniform factor in +-maxShear");
			t.put("shift", "uniform offset in +-maxShiftPixels on each axis");
			t.put("elastic", "Simard et al. 2003: uniform [-1,1] displacement fields smoothed by a Gaussian of "
					+ "elasticSigma, times elasticAlpha");
			t.put("thickness", "half the time bolder (grey dilation, 3x3 cross), half thinner (erosion), blended "
					+ "50-100% (erosion 30-60%); an erosion that would remove more than half the ink is skipped");
			t.put("blur", "Gaussian blur, sigma uniform in [minBlurSigma, maxBlurSigma]");
			t.put("lowResolution", "area downscale to minLowResolution..maxLowResolution px, bilinear upscale");
			t.put("noise", "additive Gaussian noise, sigma uniform in [0.02, maxNoiseSigma], clipped to [0, 1]");
			return t;
		}

		/** For the model metadata. */
		public Map<String, Object> describe() {
			Map<String, Object> m = new LinkedHashMap<>();
			m.put("enabled", true);
			m.put("probability", probability);
			m.put("order", "warp (rotation, scale, shear, shift, elastic in one bilinear resampling), thickness, "
					+ "blur, lowResolution, noise");
			m.put("rotation", Map.of("probability", rotationProbability, "maxDegrees", maxRotationDegrees));
			m.put("scale", Map.of("probability", scaleProbability, "min", minScale, "max", maxScale));
			m.put("shear", Map.of("probability", shearProbability, "max", maxShear));
			m.put("shift", Map.of("probability", shiftProbability, "maxPixels", maxShiftPixels));
			m.put("elastic", Map.of("probability", elasticProbability, "alpha", elasticAlpha, "sigma", elasticSigma));
			m.put("thickness", Map.of("probability", thicknessProbability));
			m.put("blur", Map.of("probability", blurProbability, "minSigma", minBlurSigma, "maxSigma", maxBlurSigma));
			m.put("lowResolution", Map.of("probability", lowResolutionProbability, "minPixels", minLowResolution,
					"maxPixels", maxLowResolution));
			m.put("noise", Map.of("probability", noiseProbability, "maxSigma", maxNoiseSigma));
			m.put("transforms", transforms());
			m.put("determinism", "each image's random stream is seeded from (seed, epoch, image index)");
			return m;
		}
	}

	private final Settings settings;

	private final long seed;

	public Augmentation(Settings settings, long seed) {
		this.settings = settings;
		this.seed = seed;
	}

	public Settings settings() {
		return settings;
	}

	/**
	 * Normalized, augmented pixels of image {@code index} of {@code split} into
	 * {@code dst[dstOffset..dstOffset+784)}.
	 */
	public void apply(Mnist.Split split, int index, int epoch, float[] dst, int dstOffset) {
		float[] image = new float[N];
		Normalization.normalize(split.pixels(), index * N, image, 0, N);
		float[] out = augment(image, epoch, index);
		System.arraycopy(out, 0, dst, dstOffset, N);
	}

	/**
	 * The augmented copy of a 0..1 image (ink high); {@code image} itself is not changed.
	 */
	public float[] augment(float[] image, int epoch, int index) {
		SplittableRandom random = new SplittableRandom(mix(mix(mix(seed) ^ epoch) ^ index));
		float[] img = image.clone();
		if (random.nextDouble() >= settings.probability) {
			return img;
		}
		Settings s = settings;
		// every draw happens whether or not its transform is chosen, so one transform's
		// choice does not
		// shift the random numbers of the others
		boolean rotate = random.nextDouble() < s.rotationProbability;
		double angle = Math.toRadians(uniform(random, -s.maxRotationDegrees, s.maxRotationDegrees));
		boolean scale = random.nextDouble() < s.scaleProbability;
		double factor = uniform(random, s.minScale, s.maxScale);
		boolean shear = random.nextDouble() < s.shearProbability;
		double shearFactor = uniform(random, -s.maxShear, s.maxShear);
		boolean shift = random.nextDouble() < s.shiftProbability;
		double tx = uniform(random, -s.maxShiftPixels, s.maxShiftPixels);
		double ty = uniform(random, -s.maxShiftPixels, s.maxShiftPixels);
		boolean elastic = random.nextDouble() < s.elasticProbability;
		boolean thickness = random.nextDouble() < s.thicknessProbability;
		boolean bolder = random.nextBoolean();
		double strength = uniform(random, 0.5, 1.0);
		boolean blur = random.nextDouble() < s.blurProbability;
		double blurSigma = uniform(random, s.minBlurSigma, s.maxBlurSigma);
		boolean lowRes = random.nextDouble() < s.lowResolutionProbability;
		int lowSize = s.minLowResolution + random.nextInt(s.maxLowResolution - s.minLowResolution + 1);
		boolean noise = random.nextDouble() < s.noiseProbability;
		double noiseSigma = uniform(random, 0.02, Math.max(0.02, s.maxNoiseSigma));
		long fieldSeed = random.nextLong();
		long noiseSeed = random.nextLong();

		if (rotate || scale || shear || shift || elastic) {
			float[][] field = elastic ? elasticField(new SplittableRandom(fieldSeed), s.elasticAlpha, s.elasticSigma)
					: null;
			img = warp(img, rotate ? angle : 0, scale ? factor : 1, shear ? shearFactor : 0, shift ? tx : 0,
					shift ? ty : 0, field);
		}
		if (thickness) {
			// erosion eats MNIST's 2-3 px strokes quickly: thinning is blended half as
			// strongly
			img = thickness(img, bolder, bolder ? strength : strength * 0.6);
		}
		if (blur) {
			img = gaussianBlur(img, blurSigma);
		}
		if (lowRes) {
			img = lowResolution(img, lowSize);
		}
		if (noise) {
			SplittableRandom n = new SplittableRandom(noiseSeed);
			for (int i = 0; i < N; i++) {
				img[i] = clamp01(img[i] + (float) (gaussian(n) * noiseSigma));
			}
		}
		return img;
	}

	/**
	 * Resamples {@code img} through the forward map
	 * {@code p' = R(angle) Sh(shear) S(scale) (p - c) + c + t} (c the image centre), plus
	 * the displacement {@code field} (source offsets per output pixel) if any.
	 */
	static float[] warp(float[] img, double angle, double scale, double shear, double tx, double ty, float[][] field) {
		double cos = Math.cos(angle);
		double sin = Math.sin(angle);
		// A = R * Sh * S, with Sh = [[1, shear], [0, 1]]
		double a = cos * scale;
		double b = (cos * shear - sin) * scale;
		double c = sin * scale;
		double d = (sin * shear + cos) * scale;
		double det = a * d - b * c;
		double ia = d / det;
		double ib = -b / det;
		double ic = -c / det;
		double id = a / det;
		double cx = W / 2.0;
		double cy = H / 2.0;
		float[] out = new float[N];
		for (int y = 0; y < H; y++) {
			for (int x = 0; x < W; x++) {
				double u = x + 0.5 - cx - tx;
				double v = y + 0.5 - cy - ty;
				double sx = ia * u + ib * v + cx - 0.5;
				double sy = ic * u + id * v + cy - 0.5;
				if (field != null) {
					sx += field[0][y * W + x];
					sy += field[1][y * W + x];
				}
				out[y * W + x] = bilinear(img, sx, sy);
			}
		}
		return out;
	}

	/**
	 * Two displacement fields {dx, dy}: uniform [-1, 1], Gaussian-smoothed, times
	 * {@code alpha}.
	 */
	static float[][] elasticField(SplittableRandom random, double alpha, double sigma) {
		float[][] field = new float[2][N];
		for (int f = 0; f < 2; f++) {
			for (int i = 0; i < N; i++) {
				field[f][i] = (float) (random.nextDouble() * 2 - 1);
			}
			field[f] = gaussianBlur(field[f], sigma);
			for (int i = 0; i < N; i++) {
				field[f][i] *= (float) alpha;
			}
		}
		return field;
	}

	/**
	 * Grey dilation (bolder) or erosion (thinner) with a 3x3 cross, blended by
	 * {@code strength}.
	 */
	static float[] thickness(float[] img, boolean bolder, double strength) {
		float[] morph = new float[N];
		for (int y = 0; y < H; y++) {
			for (int x = 0; x < W; x++) {
				float v = img[y * W + x];
				float m = v;
				int[][] neighbours = { { x - 1, y }, { x + 1, y }, { x, y - 1 }, { x, y + 1 } };
				for (int[] p : neighbours) {
					float n = (p[0] < 0 || p[1] < 0 || p[0] >= W || p[1] >= H) ? 0f : img[p[1] * W + p[0]];
					m = bolder ? Math.max(m, n) : Math.min(m, n);
				}
				morph[y * W + x] = (float) (v + strength * (m - v));
			}
		}
		if (!bolder && mass(morph) < 0.5 * mass(img)) {
			return img;
		}
		return morph;
	}

	/** Separable Gaussian blur, edges clamped. */
	static float[] gaussianBlur(float[] img, double sigma) {
		int radius = Math.max(1, (int) Math.ceil(3 * sigma));
		double[] kernel = new double[2 * radius + 1];
		double sum = 0;
		for (int i = -radius; i <= radius; i++) {
			kernel[i + radius] = Math.exp(-i * i / (2 * sigma * sigma));
			sum += kernel[i + radius];
		}
		for (int i = 0; i < kernel.length; i++) {
			kernel[i] /= sum;
		}
		float[] tmp = new float[N];
		float[] out = new float[N];
		for (int y = 0; y < H; y++) {
			for (int x = 0; x < W; x++) {
				double acc = 0;
				for (int k = -radius; k <= radius; k++) {
					int xx = Math.min(W - 1, Math.max(0, x + k));
					acc += kernel[k + radius] * img[y * W + xx];
				}
				tmp[y * W + x] = (float) acc;
			}
		}
		for (int y = 0; y < H; y++) {
			for (int x = 0; x < W; x++) {
				double acc = 0;
				for (int k = -radius; k <= radius; k++) {
					int yy = Math.min(H - 1, Math.max(0, y + k));
					acc += kernel[k + radius] * tmp[yy * W + x];
				}
				out[y * W + x] = (float) acc;
			}
		}
		return out;
	}

	/**
	 * Area-average downscale to {@code size x size}, then bilinear upscale back to 28x28.
	 */
	static float[] lowResolution(float[] img, int size) {
		float[] small = RobustnessSets.areaDownscale(img, W, size);
		double step = (double) W / size;
		float[] out = new float[N];
		for (int y = 0; y < H; y++) {
			for (int x = 0; x < W; x++) {
				double sx = (x + 0.5) / step - 0.5;
				double sy = (y + 0.5) / step - 0.5;
				out[y * W + x] = bilinearClamped(small, size, sx, sy);
			}
		}
		return out;
	}

	/** Sum of the ink levels. */
	public static double mass(float[] img) {
		double sum = 0;
		for (float v : img) {
			sum += v;
		}
		return sum;
	}

	private static float bilinear(float[] img, double x, double y) {
		int x0 = (int) Math.floor(x);
		int y0 = (int) Math.floor(y);
		double fx = x - x0;
		double fy = y - y0;
		double v = (1 - fx) * (1 - fy) * at(img, x0, y0) + fx * (1 - fy) * at(img, x0 + 1, y0)
				+ (1 - fx) * fy * at(img, x0, y0 + 1) + fx * fy * at(img, x0 + 1, y0 + 1);
		return clamp01((float) v);
	}

	private static float at(float[] img, int x, int y) {
		return (x < 0 || y < 0 || x >= W || y >= H) ? 0f : img[y * W + x];
	}

	private static float bilinearClamped(float[] img, int size, double x, double y) {
		x = Math.max(0, Math.min(size - 1, x));
		y = Math.max(0, Math.min(size - 1, y));
		int x0 = (int) Math.floor(x);
		int y0 = (int) Math.floor(y);
		int x1 = Math.min(size - 1, x0 + 1);
		int y1 = Math.min(size - 1, y0 + 1);
		double fx = x - x0;
		double fy = y - y0;
		double v = (1 - fx) * (1 - fy) * img[y0 * size + x0] + fx * (1 - fy) * img[y0 * size + x1]
				+ (1 - fx) * fy * img[y1 * size + x0] + fx * fy * img[y1 * size + x1];
		return clamp01((float) v);
	}

	private static double uniform(SplittableRandom random, double min, double max) {
		return min + (max - min) * random.nextDouble();
	}

	/** Box-Muller; SplittableRandom has no nextGaussian in Java 17. */
	static double gaussian(SplittableRandom random) {
		double u = 1 - random.nextDouble();
		double v = random.nextDouble();
		return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
	}

	private static float clamp01(float v) {
		return v < 0 ? 0 : (v > 1 ? 1 : v);
	}

	/** SplitMix64's finaliser: a good 64-bit mix of the stream key. */
	static long mix(long z) {
		z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
		z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
		return z ^ (z >>> 31);
	}

}
