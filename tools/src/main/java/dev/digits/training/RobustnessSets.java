package dev.digits.training;

import dev.digits.preprocessing.ImageEncoding;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.FontRenderContext;
import java.awt.geom.AffineTransform;
import java.awt.geom.GeneralPath;
import java.awt.geom.Path2D;
import java.awt.geom.PathIterator;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.digits.model.DigitNetwork;
import dev.digits.model.Normalization;
import dev.digits.preprocessing.ImagePreprocessor;
import dev.digits.preprocessing.PreprocessingException;

/**
 * Seeded generators of shifted digit sets and of a non-digit set, all as network input
 * (28x28, 0..1, ink high). Build them from the MNIST <em>test</em> images only to report,
 * and from the <em>validation</em> split for any choice (thresholds, score selection).
 * <p>
 * 28x28 sets ({@code rotated}, {@code scaled-*}, {@code thick}, {@code thin},
 * {@code noisy}, {@code off-centre}, {@code low-resolution}) are what a client sending
 * 28x28 pixels would send (the preprocessor passes 28x28 input through unchanged).
 * {@code printed}, {@code realistic-uploads} and every non-digit are encoded images that
 * go through {@link ImagePreprocessor#fromImage}, as uploads do. An upload the
 * preprocessor refuses counts in {@link LabelledSet#rejected()} and is left out.
 */
public final class RobustnessSets {

	private static final int S = DigitNetwork.WIDTH;

	private static final int N = DigitNetwork.PIXELS;

	/** The label of a non-digit. */
	public static final byte NOT_A_DIGIT = -1;

	/** The digit sets in report order ({@code mnist} is the unchanged source). */
	public static final List<String> DIGIT_SETS = List.of("mnist", "rotated", "scaled-small", "scaled-large", "thick",
			"thin", "noisy", "off-centre", "low-resolution", "printed", "realistic-uploads");

	/** The kinds of the non-digit set. */
	public static final List<String> NON_DIGIT_KINDS = List.of("letters", "scribbles", "shapes", "textures");

	/**
	 * Letters that look like digits (O/0, I/l/1, Z/2, S/5, B/8, G/b/6, g/q/9 ...) are not
	 * used.
	 */
	static final String LETTERS = "ACEFHKMNPRTUVWXYacdefhkmnprtuvwxy";

	/**
	 * A generated set.
	 *
	 * @param pixels {@code n x 784} network input, row-major
	 * @param labels digit per example, {@link #NOT_A_DIGIT} for non-digits
	 * @param kinds index into {@code kindNames} per example
	 * @param rejected inputs the preprocessor refused (not in the set)
	 */
	public record LabelledSet(String name, String description, float[] pixels, byte[] labels, int[] kinds,
			List<String> kindNames, int rejected) {

		public int size() {
			return labels.length;
		}

		/** As an MNIST-like split of grey levels, to run through {@link Batches}. */
		public float[] image(int i) {
			return java.util.Arrays.copyOfRange(pixels, i * N, (i + 1) * N);
		}

	}

	private final ImagePreprocessor preprocessor = Preprocessors.unhurried();

	private final long seed;

	private final List<String> fontFamilies;

	/**
	 * Sets that draw printed digits and letters in the {@link FontSets#HELD_OUT held-out
	 * fonts}, as reports do.
	 * @param seed every random choice of every set derives from it
	 */
	public RobustnessSets(long seed) {
		this(seed, FontSets.HELD_OUT);
	}

	/**
	 * @param seed every random choice of every set derives from it
	 * @param fontFamilies the families printed digits and letters are drawn in (the
	 * training families for sets that inform a choice, the held-out ones for reports)
	 */
	public RobustnessSets(long seed, List<String> fontFamilies) {
		this.seed = seed;
		this.fontFamilies = List.copyOf(fontFamilies);
	}

	/**
	 * Every digit set of {@link #DIGIT_SETS} from the first {@code size} images of
	 * {@code source}.
	 */
	public List<LabelledSet> digitSets(Mnist.Split source, int size) {
		List<LabelledSet> sets = new ArrayList<>();
		for (String name : DIGIT_SETS) {
			sets.add(digitSet(name, source, size));
		}
		return sets;
	}

	/** One digit set by name. */
	public LabelledSet digitSet(String name, Mnist.Split source, int size) {
		int n = Math.min(size, source.size());
		Random random = new Random(seed * 31 + name.hashCode());
		return switch (name) {
			case "mnist" -> transformed(name, "MNIST images unchanged", source, n, (d, r) -> d, random);
			case "rotated" -> transformed(
					name, "rotated by 20-30 degrees either way (bicubic)", source, n, (d, r) -> RealisticUploads.draw(d,
							S, S, 1, 0, 0, Math.toRadians((20 + 10 * r.nextDouble()) * (r.nextBoolean() ? 1 : -1))),
					random);
			case "scaled-small" -> transformed(name, "scaled by 0.6-0.75 about the centre", source, n,
					(d, r) -> RealisticUploads.draw(d, S, S, 0.6 + 0.15 * r.nextDouble(), 0, 0, 0), random);
			case "scaled-large" -> transformed(name, "scaled by 1.25-1.4 about the centre", source, n,
					(d, r) -> RealisticUploads.draw(d, S, S, 1.25 + 0.15 * r.nextDouble(), 0, 0, 0), random);
			case "thick" -> transformed(name, "strokes about 2 px bolder (disc dilation at 4x, area downscale)", source,
					n, (d, r) -> morphology(d, 4, true), random);
			case "thin" -> transformed(name, "strokes about 1 px thinner (disc erosion at 4x, area downscale)", source,
					n, (d, r) -> morphology(d, 2, false), random);
			case "noisy" -> transformed(name, "additive Gaussian noise, sigma 0.15-0.25, clipped", source, n,
					RobustnessSets::noisy, random);
			case "off-centre" ->
				transformed(name, "moved 4-6 px in a random direction within the 28x28 frame", source, n, (d, r) -> {
					double angle = 2 * Math.PI * r.nextDouble();
					double distance = 4 + 2 * r.nextDouble();
					return RealisticUploads.draw(d, S, S, 1, distance * Math.cos(angle), distance * Math.sin(angle), 0);
				}, random);
			case "low-resolution" -> transformed(name, "area-downscaled to 10-14 px, bicubic upscale back to 28 px",
					source, n, (d, r) -> lowResolution(d, 10 + r.nextInt(5)), random);
			case "printed" -> printed(n, random);
			case "realistic-uploads" -> realisticUploads(source, Math.max(1, n / RealisticUploads.kinds().size()));
			default -> throw new IllegalArgumentException("unknown set " + name + ", expected one of " + DIGIT_SETS);
		};
	}

	private interface Transform {

		float[] apply(float[] digit, Random random);

	}

	private static LabelledSet transformed(String name, String description, Mnist.Split source, int n,
			Transform transform, Random random) {
		float[] pixels = new float[n * N];
		byte[] labels = new byte[n];
		for (int i = 0; i < n; i++) {
			float[] digit = new float[N];
			Normalization.normalize(source.pixels(), i * N, digit, 0, N);
			float[] out = transform.apply(digit, random);
			System.arraycopy(out, 0, pixels, i * N, N);
			labels[i] = source.labels()[i];
		}
		return new LabelledSet(name, description, pixels, labels, new int[n], List.of(name), 0);
	}

	static float[] noisy(float[] digit, Random random) {
		double sigma = 0.15 + 0.1 * random.nextDouble();
		float[] out = new float[N];
		for (int i = 0; i < N; i++) {
			out[i] = clamp01((float) (digit[i] + sigma * random.nextGaussian()));
		}
		return out;
	}

	/**
	 * Grey dilation or erosion with a disc of {@code radius} pixels at 4x, then area
	 * downscale to 28x28.
	 */
	static float[] morphology(float[] digit, int radius, boolean dilate) {
		int f = 4;
		int size = S * f;
		float[] big = RealisticUploads.draw(digit, size, size, f, 0, 0, 0);
		float[] out = new float[size * size];
		for (int y = 0; y < size; y++) {
			for (int x = 0; x < size; x++) {
				float m = big[y * size + x];
				for (int dy = -radius; dy <= radius; dy++) {
					for (int dx = -radius; dx <= radius; dx++) {
						if (dx * dx + dy * dy > radius * radius) {
							continue;
						}
						int xx = x + dx;
						int yy = y + dy;
						float v = (xx < 0 || yy < 0 || xx >= size || yy >= size) ? 0 : big[yy * size + xx];
						m = dilate ? Math.max(m, v) : Math.min(m, v);
					}
				}
				out[y * size + x] = m;
			}
		}
		return areaDownscale(out, size, S);
	}

	/**
	 * Area-average downscale to {@code small} px, then Java2D bicubic upscale back to 28
	 * px.
	 */
	static float[] lowResolution(float[] digit, int small) {
		float[] down = areaDownscale(digit, S, small);
		BufferedImage tiny = ImageEncoding.grey8(small, small, levels(down));
		BufferedImage up = new BufferedImage(S, S, BufferedImage.TYPE_BYTE_GRAY);
		Graphics2D g = up.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
		g.drawImage(tiny, 0, 0, S, S, null);
		g.dispose();
		int[] samples = up.getRaster().getSamples(0, 0, S, S, 0, (int[]) null);
		float[] out = new float[N];
		for (int i = 0; i < N; i++) {
			out[i] = samples[i] / 255f;
		}
		return out;
	}

	/**
	 * Box filter from {@code size x size} to {@code target x target} with fractional
	 * pixel weights.
	 */
	static float[] areaDownscale(float[] img, int size, int target) {
		float[] out = new float[target * target];
		double step = (double) size / target;
		for (int ty = 0; ty < target; ty++) {
			for (int tx = 0; tx < target; tx++) {
				double x0 = tx * step;
				double y0 = ty * step;
				double acc = 0;
				for (int y = (int) Math.floor(y0); y < Math.ceil(y0 + step) && y < size; y++) {
					double oy = Math.min(y + 1, y0 + step) - Math.max(y, y0);
					for (int x = (int) Math.floor(x0); x < Math.ceil(x0 + step) && x < size; x++) {
						double ox = Math.min(x + 1, x0 + step) - Math.max(x, x0);
						acc += ox * oy * img[y * size + x];
					}
				}
				out[ty * target + tx] = (float) (acc / (step * step));
			}
		}
		return out;
	}

	/**
	 * Fonts that can draw digits and letters: the installed ones of this generator's
	 * families (plain, bold and italic), so that the sets do not depend on whatever else
	 * is installed.
	 * @throws IllegalStateException when fewer than 4 of the families are installed
	 */
	List<Font> fonts() {
		return FontSets.require(this.fontFamilies, "0123456789" + LETTERS, 4);
	}

	/** The font families {@link #fonts()} uses, comma-separated. */
	public String fontFamilies() {
		return String.join(", ", fonts().stream().map(Font::getFamily).distinct().toList());
	}

	private LabelledSet printed(int n, Random random) {
		List<Font> fonts = fonts();
		List<float[]> images = new ArrayList<>();
		List<Byte> labels = new ArrayList<>();
		int rejected = 0;
		for (int i = 0; i < n; i++) {
			int digit = i % 10;
			Font font = fonts.get(random.nextInt(fonts.size()));
			int canvas = 96 + random.nextInt(96);
			float size = canvas * (0.35f + 0.35f * random.nextFloat());
			double angle = Math.toRadians(-8 + 16 * random.nextDouble());
			Shape glyph = glyph(font.deriveFont(size), String.valueOf(digit));
			AffineTransform placed = placement(glyph, canvas, angle, 0, random);
			BufferedImage image = paper(canvas, canvas, random);
			Graphics2D g = inkGraphics(image, random);
			g.fill(placed.createTransformedShape(glyph));
			g.dispose();
			byte[] bytes = random.nextInt(3) == 0 ? ImageEncoding.jpeg(image, 0.8f)
					: ImageEncoding.encode(image, "png");
			float[] pixels = preprocess(bytes);
			if (pixels == null) {
				rejected++;
				continue;
			}
			images.add(pixels);
			labels.add((byte) digit);
		}
		return collect("printed",
				"digits rendered from " + fonts.size() + " fonts (plain, bold and italic of " + fontFamilies()
						+ "), 35-70% of a 96-191 px canvas, rotated -8..8 degrees, dark on "
						+ "paper, PNG or JPEG, through the preprocessor",
				images, labels, null, List.of("printed"), rejected);
	}

	private LabelledSet realisticUploads(Mnist.Split source, int digits) {
		List<byte[]> images = new ArrayList<>();
		for (int i = 0; i < Math.min(digits, source.size()); i++) {
			images.add(source.image(i));
		}
		byte[] labels = java.util.Arrays.copyOf(source.labels(), images.size());
		List<RealisticUploads.Upload> uploads = RealisticUploads.make(images, labels, seed);
		List<float[]> kept = new ArrayList<>();
		List<Byte> keptLabels = new ArrayList<>();
		List<Integer> kinds = new ArrayList<>();
		int rejected = 0;
		for (RealisticUploads.Upload upload : uploads) {
			float[] pixels = preprocess(upload.bytes());
			if (pixels == null) {
				rejected++;
				continue;
			}
			kept.add(pixels);
			keptLabels.add((byte) upload.label());
			kinds.add(RealisticUploads.kinds().indexOf(upload.kind()));
		}
		return collect("realistic-uploads", "the first " + images.size() + " digits, each as every kind of "
				+ "RealisticUploads (JPEG of paper, large canvas, off-centre, rotated -12..12, canvas alpha, blue ink, "
				+ "16-bit grey, palette GIF, BMP), through the preprocessor", kept, keptLabels, kinds,
				RealisticUploads.kinds(), rejected);
	}

	/**
	 * The non-digit set: {@code perKind} images of each of {@link #NON_DIGIT_KINDS}, all
	 * dark ink on paper, encoded as PNG and put through the preprocessor.
	 */
	public LabelledSet nonDigits(int perKind) {
		Random random = new Random(seed * 31 + 7);
		List<Font> fonts = fonts();
		List<float[]> images = new ArrayList<>();
		List<Byte> labels = new ArrayList<>();
		List<Integer> kinds = new ArrayList<>();
		int rejected = 0;
		for (int i = 0; i < perKind * NON_DIGIT_KINDS.size(); i++) {
			int kind = i % NON_DIGIT_KINDS.size();
			int canvas = 112;
			BufferedImage image = paper(canvas, canvas, random);
			Graphics2D g = inkGraphics(image, random);
			switch (kind) {
				case 0 -> letter(g, fonts, canvas, random);
				case 1 -> scribble(g, canvas, random);
				case 2 -> shapes(g, canvas, random);
				default -> texture(image, g, canvas, random);
			}
			g.dispose();
			float[] pixels = preprocess(ImageEncoding.encode(image, "png"));
			if (pixels == null) {
				rejected++;
				continue;
			}
			images.add(pixels);
			labels.add(NOT_A_DIGIT);
			kinds.add(kind);
		}
		return collect("non-digits",
				"letters " + LETTERS + " from the fonts of " + fontFamilies() + " with handwriting-like distortion, "
						+ "random scribbles, geometric shapes (no circles or ellipses), textures and noise patches; "
						+ "PNG through the preprocessor",
				images, labels, kinds, NON_DIGIT_KINDS, rejected);
	}

	static void letter(Graphics2D g, List<Font> fonts, int canvas, Random random) {
		char c = LETTERS.charAt(random.nextInt(LETTERS.length()));
		Font font = fonts.get(random.nextInt(fonts.size())).deriveFont(canvas * (0.4f + 0.3f * random.nextFloat()));
		Shape glyph = wobble(glyph(font, String.valueOf(c)), random, canvas * 0.03);
		AffineTransform placed = placement(glyph, canvas, Math.toRadians(-15 + 30 * random.nextDouble()),
				-0.3 + 0.6 * random.nextDouble(), random);
		Shape shape = placed.createTransformedShape(glyph);
		g.fill(shape);
		// a pen: outline stroked with a random width makes strokes bolder like a marker
		g.setStroke(
				new BasicStroke((float) (1 + 4 * random.nextDouble()), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
		g.draw(shape);
	}

	static void scribble(Graphics2D g, int canvas, Random random) {
		int strokes = 1 + random.nextInt(4);
		for (int s = 0; s < strokes; s++) {
			g.setStroke(new BasicStroke((float) (3 + 7 * random.nextDouble()), BasicStroke.CAP_ROUND,
					BasicStroke.JOIN_ROUND));
			Path2D path = new Path2D.Double();
			double x = canvas * (0.2 + 0.6 * random.nextDouble());
			double y = canvas * (0.2 + 0.6 * random.nextDouble());
			path.moveTo(x, y);
			int points = 3 + random.nextInt(6);
			for (int p = 0; p < points; p++) {
				double nx = canvas * (0.1 + 0.8 * random.nextDouble());
				double ny = canvas * (0.1 + 0.8 * random.nextDouble());
				double cx = canvas * (0.1 + 0.8 * random.nextDouble());
				double cy = canvas * (0.1 + 0.8 * random.nextDouble());
				path.quadTo(cx, cy, nx, ny);
			}
			g.draw(path);
		}
	}

	static void shapes(Graphics2D g, int canvas, Random random) {
		int count = 1 + random.nextInt(3);
		for (int s = 0; s < count; s++) {
			double size = canvas * (0.3 + 0.4 * random.nextDouble());
			double cx = canvas * (0.3 + 0.4 * random.nextDouble());
			double cy = canvas * (0.3 + 0.4 * random.nextDouble());
			Path2D path = new Path2D.Double();
			int type = random.nextInt(5);
			double rotation = 2 * Math.PI * random.nextDouble();
			switch (type) {
				case 0, 1 -> { // rectangle-ish quadrilateral, triangle
					int corners = type == 0 ? 4 : 3;
					for (int k = 0; k < corners; k++) {
						double a = rotation + 2 * Math.PI * k / corners;
						point(path, k == 0, cx + size / 2 * Math.cos(a), cy + size / 2 * Math.sin(a));
					}
					path.closePath();
				}
				case 2 -> { // star
					int spikes = 5 + random.nextInt(3);
					for (int k = 0; k < 2 * spikes; k++) {
						double r = (k % 2 == 0) ? size / 2 : size / 5;
						double a = rotation + Math.PI * k / spikes;
						point(path, k == 0, cx + r * Math.cos(a), cy + r * Math.sin(a));
					}
					path.closePath();
				}
				case 3 -> { // arrow
					double l = size / 2;
					double[][] arrow = { { -l, -l / 6 }, { l / 3, -l / 6 }, { l / 3, -l / 2 }, { l, 0 },
							{ l / 3, l / 2 }, { l / 3, l / 6 }, { -l, l / 6 } };
					for (int k = 0; k < arrow.length; k++) {
						double x = arrow[k][0] * Math.cos(rotation) - arrow[k][1] * Math.sin(rotation);
						double y = arrow[k][0] * Math.sin(rotation) + arrow[k][1] * Math.cos(rotation);
						point(path, k == 0, cx + x, cy + y);
					}
					path.closePath();
				}
				default -> { // grid / hash
					int lines = 2 + random.nextInt(3);
					for (int k = 0; k < lines; k++) {
						double o = -size / 2 + size * (k + 0.5) / lines;
						path.moveTo(cx + o, cy - size / 2);
						path.lineTo(cx + o, cy + size / 2);
						path.moveTo(cx - size / 2, cy + o);
						path.lineTo(cx + size / 2, cy + o);
					}
				}
			}
			if (type < 4 && random.nextBoolean()) {
				g.fill(path);
			}
			else {
				g.setStroke(new BasicStroke((float) (2 + 6 * random.nextDouble()), BasicStroke.CAP_ROUND,
						BasicStroke.JOIN_ROUND));
				g.draw(path);
			}
		}
	}

	static void texture(BufferedImage image, Graphics2D g, int canvas, Random random) {
		int type = random.nextInt(4);
		int left = (int) (canvas * 0.1 * random.nextDouble());
		int top = (int) (canvas * 0.1 * random.nextDouble());
		int w = (int) (canvas * (0.5 + 0.4 * random.nextDouble()));
		int h = (int) (canvas * (0.5 + 0.4 * random.nextDouble()));
		switch (type) {
			case 0 -> { // noise patch
				double density = 0.2 + 0.5 * random.nextDouble();
				for (int y = top; y < top + h; y++) {
					for (int x = left; x < left + w; x++) {
						if (random.nextDouble() < density) {
							g.fillRect(x, y, 1, 1);
						}
					}
				}
			}
			case 1 -> { // stripes
				double period = 6 + 14 * random.nextDouble();
				double angle = Math.PI * random.nextDouble();
				g.setStroke(new BasicStroke((float) (period * (0.2 + 0.4 * random.nextDouble()))));
				g.setClip(left, top, w, h);
				for (double o = -2 * canvas; o < 2 * canvas; o += period) {
					double x0 = canvas / 2.0 + o * Math.cos(angle + Math.PI / 2);
					double y0 = canvas / 2.0 + o * Math.sin(angle + Math.PI / 2);
					g.draw(new java.awt.geom.Line2D.Double(x0 - 2 * canvas * Math.cos(angle),
							y0 - 2 * canvas * Math.sin(angle), x0 + 2 * canvas * Math.cos(angle),
							y0 + 2 * canvas * Math.sin(angle)));
				}
				g.setClip(null);
			}
			case 2 -> { // checkerboard
				int cell = 4 + random.nextInt(12);
				for (int y = top; y < top + h; y += cell) {
					for (int x = left; x < left + w; x += cell) {
						if (((x - left) / cell + (y - top) / cell) % 2 == 0) {
							g.fillRect(x, y, cell, cell);
						}
					}
				}
			}
			default -> { // blotches: many small soft dots
				int dots = 20 + random.nextInt(60);
				for (int d = 0; d < dots; d++) {
					int r = 2 + random.nextInt(6);
					g.fillOval(left + random.nextInt(Math.max(1, w)), top + random.nextInt(Math.max(1, h)), r, r);
				}
			}
		}
	}

	private static void point(Path2D path, boolean first, double x, double y) {
		if (first) {
			path.moveTo(x, y);
		}
		else {
			path.lineTo(x, y);
		}
	}

	static Shape glyph(Font font, String text) {
		FontRenderContext frc = new FontRenderContext(null, true, true);
		return font.createGlyphVector(frc, text).getOutline();
	}

	/**
	 * Moves every outline vertex by a smooth random displacement (a few random
	 * sinusoids).
	 */
	static Shape wobble(Shape shape, Random random, double amplitude) {
		double[] a = new double[8];
		for (int i = 0; i < a.length; i++) {
			a[i] = random.nextDouble() * 2 * Math.PI;
		}
		double fx = 0.02 + 0.04 * random.nextDouble();
		double fy = 0.02 + 0.04 * random.nextDouble();
		GeneralPath out = new GeneralPath();
		PathIterator it = shape.getPathIterator(null, 0.5);
		double[] c = new double[6];
		while (!it.isDone()) {
			int type = it.currentSegment(c);
			double x = c[0] + amplitude * (Math.sin(fx * c[1] + a[0]) + Math.sin(fy * c[0] + a[1]));
			double y = c[1] + amplitude * (Math.sin(fy * c[0] + a[2]) + Math.sin(fx * c[1] + a[3]));
			switch (type) {
				case PathIterator.SEG_MOVETO -> out.moveTo(x, y);
				case PathIterator.SEG_LINETO -> out.lineTo(x, y);
				case PathIterator.SEG_CLOSE -> out.closePath();
				default -> {
				}
			}
			it.next();
		}
		return out;
	}

	/**
	 * Rotates and shears the shape about its centre and puts it somewhere inside the
	 * canvas.
	 */
	static AffineTransform placement(Shape glyph, int canvas, double angle, double shear, Random random) {
		Rectangle2D b = glyph.getBounds2D();
		AffineTransform t = new AffineTransform();
		double cx = canvas / 2.0 + canvas * 0.1 * (random.nextDouble() * 2 - 1);
		double cy = canvas / 2.0 + canvas * 0.1 * (random.nextDouble() * 2 - 1);
		t.translate(cx, cy);
		t.rotate(angle);
		t.shear(shear, 0);
		t.translate(-b.getCenterX(), -b.getCenterY());
		return t;
	}

	/** Light, slightly uneven paper. */
	private static BufferedImage paper(int width, int height, Random random) {
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
		Graphics2D g = image.createGraphics();
		int level = 215 + random.nextInt(40);
		g.setColor(new Color(level, level, Math.max(0, level - random.nextInt(15))));
		g.fillRect(0, 0, width, height);
		g.dispose();
		return image;
	}

	private static Graphics2D inkGraphics(BufferedImage image, Random random) {
		Graphics2D g = image.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
		g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
		int ink = random.nextInt(60);
		g.setColor(new Color(ink, ink, Math.min(255, ink + random.nextInt(60))));
		return g;
	}

	private float[] preprocess(byte[] bytes) {
		try {
			return preprocessor.fromImage(bytes).pixels();
		}
		catch (PreprocessingException ex) {
			return null;
		}
	}

	private static LabelledSet collect(String name, String description, List<float[]> images, List<Byte> labels,
			List<Integer> kinds, List<String> kindNames, int rejected) {
		float[] pixels = new float[images.size() * N];
		byte[] l = new byte[images.size()];
		int[] k = new int[images.size()];
		for (int i = 0; i < images.size(); i++) {
			System.arraycopy(images.get(i), 0, pixels, i * N, N);
			l[i] = labels.get(i);
			k[i] = kinds == null ? 0 : kinds.get(i);
		}
		return new LabelledSet(name, description, pixels, l, k, kindNames, rejected);
	}

	private static int[] levels(float[] ink) {
		int[] levels = new int[ink.length];
		for (int i = 0; i < ink.length; i++) {
			levels[i] = Math.round(clamp01(ink[i]) * 255);
		}
		return levels;
	}

	private static float clamp01(float v) {
		return v < 0 ? 0 : (v > 1 ? 1 : v);
	}

}
