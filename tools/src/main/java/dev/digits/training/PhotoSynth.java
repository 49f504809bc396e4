package dev.digits.training;

import dev.digits.preprocessing.ImageEncoding;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.util.List;
import java.util.Random;

/**
 * Synthetic phone photos of something written or printed on paper, seeded: what web and
 * mobile clients send when a user photographs a digit. An {@link Ink} (a handwritten
 * MNIST digit, a printed glyph, a letter, a doodle...) is composited onto synthetic paper
 * in one of the {@link Condition}s (plain, ruled, squared, a printed box, a strong
 * shadow, or a sheet that does not fill the frame), with a {@link Pen}, then
 * photographed: perspective and rotation, uneven light, blur, sensor noise, JPEG.
 * <p>
 * Everything is drawn per output pixel through one inverse homography (output pixel ->
 * sheet plane), so lines, box and ink stay consistent under perspective; cost is linear
 * in the output size (about 4 ms for 300 x 300 here). The same {@link Random} always
 * gives the same bytes.
 */
public final class PhotoSynth {

	/** The paper and light a photo is taken in; each photo has exactly one. */
	public enum Condition {

		/** Plain paper. */
		PLAIN,
		/** Ruled notebook paper (light blue or grey lines, sometimes a red margin). */
		RULED,
		/** Squared (graph) paper. */
		SQUARED,
		/** A printed answer box around the digit, sometimes one of a row of boxes. */
		BOXED,
		/**
		 * Plain, ruled or squared paper with a hard shadow across the page (a hand, a
		 * phone).
		 */
		SHADOW,
		/**
		 * Plain, ruled or squared paper that does not fill the frame: the table shows at
		 * the edges.
		 */
		SHEET;

		public String id() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	/** What wrote the ink. */
	public enum Pen {

		/** A thin black or dark pen. */
		FINE,
		/** A blue ballpoint. */
		BALLPOINT,
		/** A thick black marker. */
		MARKER,
		/** A grey pencil, fainter. */
		PENCIL,
		/** Printed toner (for fonts). */
		PRINT;

		public String id() {
			return name().toLowerCase(java.util.Locale.ROOT);
		}

	}

	/**
	 * A coverage map 0..1 of what is drawn, {@code width x height} pixels at photo scale,
	 * row-major.
	 */
	public record Ink(float[] alpha, int width, int height) {
	}

	/** An encoded photo. */
	public record Photo(byte[] bytes, String contentType, Condition condition, Pen pen) {
	}

	private static final int MNIST = 28;

	private PhotoSynth() {
	}

	// ---------------------------------------------------------------- inks

	/**
	 * A handwritten MNIST digit (28x28, 0..1, ink high) scaled so that its 28-pixel frame
	 * is {@code frame} pixels, with the stroke width of {@code pen} (bicubic upscale,
	 * then a soft threshold: a low threshold fattens strokes like a marker, a high one
	 * thins them like a fine pen).
	 */
	public static Ink handwritten(float[] digit, double frame, Pen pen, Random random) {
		int size = Math.max(8, (int) Math.ceil(frame));
		double scale = size / (double) MNIST;
		double angle = Math.toRadians(-8 + 16 * random.nextDouble());
		float[] up = RealisticUploads.draw(digit, size, size, scale, 0, 0, angle);
		double threshold = switch (pen) {
			case MARKER -> 0.06 + 0.14 * random.nextDouble();
			case FINE -> 0.5 + 0.3 * random.nextDouble();
			case PENCIL -> 0.35 + 0.3 * random.nextDouble();
			default -> 0.25 + 0.3 * random.nextDouble();
		};
		// the soft edge is about one output pixel wide whatever the scale
		double soft = Math.min(0.25, Math.max(0.04, 1.2 / scale * 0.35));
		float[] alpha = new float[up.length];
		for (int i = 0; i < up.length; i++) {
			alpha[i] = (float) smoothstep(threshold - soft, threshold + soft, up[i]);
		}
		return new Ink(alpha, size, size);
	}

	/**
	 * Text drawn in {@code font} so that its outline's taller side is {@code height}
	 * pixels, rotated by {@code degrees}, sheared by {@code shear}; with
	 * {@code wobble > 0} the outline is displaced smoothly (handwriting-like) and stroked
	 * with {@code strokeWidth} pixels (a pen going over it).
	 */
	public static Ink text(Font font, String text, double height, double degrees, double shear, double wobble,
			double strokeWidth, Random random) {
		Shape glyph = RobustnessSets.glyph(font.deriveFont(100f), text);
		Rectangle2D b = glyph.getBounds2D();
		double scale = height / Math.max(1e-6, Math.max(b.getHeight(), b.getWidth() * 0.6));
		AffineTransform t = new AffineTransform();
		t.scale(scale, scale);
		Shape scaled = t.createTransformedShape(glyph);
		if (wobble > 0) {
			scaled = RobustnessSets.wobble(scaled, random, wobble);
		}
		return fill(scaled, degrees, shear, strokeWidth);
	}

	/**
	 * Draws with {@code painter} (white on black, antialiased) onto a {@code size}-pixel
	 * square.
	 */
	public static Ink drawn(int size, java.util.function.Consumer<Graphics2D> painter) {
		BufferedImage patch = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
		Graphics2D g = patch.createGraphics();
		antialias(g);
		g.setColor(Color.WHITE);
		painter.accept(g);
		g.dispose();
		return toInk(patch);
	}

	/** Two inks side by side, {@code gap} pixels apart, bottoms roughly aligned. */
	public static Ink sideBySide(Ink left, Ink right, int gap, Random random) {
		int width = left.width + gap + right.width;
		int height = Math.max(left.height, right.height) + 4;
		float[] alpha = new float[width * height];
		int dy = random.nextInt(3);
		paste(alpha, width, left, 0, height - left.height - dy);
		paste(alpha, width, right, left.width + gap, height - right.height - (2 - dy));
		return new Ink(alpha, width, height);
	}

	private static void paste(float[] alpha, int width, Ink ink, int left, int top) {
		for (int y = 0; y < ink.height; y++) {
			for (int x = 0; x < ink.width; x++) {
				int at = (top + y) * width + left + x;
				alpha[at] = Math.max(alpha[at], ink.alpha[y * ink.width + x]);
			}
		}
	}

	private static Ink fill(Shape shape, double degrees, double shear, double strokeWidth) {
		AffineTransform t = new AffineTransform();
		t.rotate(Math.toRadians(degrees));
		t.shear(shear, 0);
		Shape placed = t.createTransformedShape(shape);
		Rectangle2D b = placed.getBounds2D();
		int margin = (int) Math.ceil(strokeWidth) + 2;
		int width = (int) Math.ceil(b.getWidth()) + 2 * margin;
		int height = (int) Math.ceil(b.getHeight()) + 2 * margin;
		BufferedImage patch = new BufferedImage(Math.max(1, width), Math.max(1, height), BufferedImage.TYPE_BYTE_GRAY);
		Graphics2D g = patch.createGraphics();
		antialias(g);
		g.setColor(Color.WHITE);
		g.translate(margin - b.getX(), margin - b.getY());
		g.fill(placed);
		if (strokeWidth > 0) {
			g.setStroke(new BasicStroke((float) strokeWidth, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
			g.draw(placed);
		}
		g.dispose();
		return toInk(patch);
	}

	private static void antialias(Graphics2D g) {
		g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
		g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
		g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
	}

	private static Ink toInk(BufferedImage patch) {
		byte[] levels = ((DataBufferByte) patch.getRaster().getDataBuffer()).getData();
		float[] alpha = new float[levels.length];
		for (int i = 0; i < levels.length; i++) {
			alpha[i] = (levels[i] & 0xFF) / 255f;
		}
		return new Ink(alpha, patch.getWidth(), patch.getHeight());
	}

	// ---------------------------------------------------------------- the photo

	/**
	 * Photographs {@code ink} on paper in {@code condition} with {@code pen}.
	 * @param minSide the photo's shorter side is drawn from {@code [minSide, maxSide]}
	 * @param inkShare the ink's taller side as a share of the shorter photo side is drawn
	 * from {@code [inkShare[0], inkShare[1]]}
	 */
	public static Photo photo(Ink ink, Condition condition, Pen pen, int minSide, int maxSide, double[] inkShare,
			Random random) {
		int shortSide = minSide + random.nextInt(Math.max(1, maxSide - minSide + 1));
		double aspect = 1 + 0.35 * random.nextDouble();
		boolean landscape = random.nextBoolean();
		int width = landscape ? (int) Math.round(shortSide * aspect) : shortSide;
		int height = landscape ? shortSide : (int) Math.round(shortSide * aspect);
		double inkSize = shortSide * (inkShare[0] + (inkShare[1] - inkShare[0]) * random.nextDouble());
		double inkScale = inkSize / Math.max(ink.width, ink.height);

		// the sheet plane: the ink's centre near the frame's centre, plane units = output
		// pixels at zero tilt
		double cx = width / 2.0 + width * 0.12 * (random.nextDouble() * 2 - 1);
		double cy = height / 2.0 + height * 0.12 * (random.nextDouble() * 2 - 1);
		Condition paper = condition;
		if (condition == Condition.SHADOW || condition == Condition.SHEET) {
			paper = List.of(Condition.PLAIN, Condition.RULED, Condition.SQUARED).get(random.nextInt(3));
		}
		Sheet sheet = new Sheet(paper, inkSize, cx, cy, width, height, condition == Condition.SHEET, random);
		double[] homography = homography(width, height, condition == Condition.SHEET ? 0.06 : 0.08,
				condition == Condition.SHEET ? 12 : 8, random);
		Light light = new Light(width, height, condition == Condition.SHADOW, random);
		int[] inkRgb = inkColour(pen, random);
		double inkStrength = pen == Pen.PENCIL ? 0.55 + 0.3 * random.nextDouble() : 0.85 + 0.15 * random.nextDouble();

		float[] rgb = new float[width * height * 3];
		double inkLeft = cx - ink.width * inkScale / 2;
		double inkTop = cy - ink.height * inkScale / 2;
		double[] uv = new double[2];
		double[] paperRgb = new double[3];
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				apply(homography, x + 0.5, y + 0.5, uv);
				double u = uv[0];
				double v = uv[1];
				int at = (y * width + x) * 3;
				double shade = light.at(x, y);
				if (!sheet.contains(u, v)) {
					sheet.table(u, v, paperRgb);
					for (int c = 0; c < 3; c++) {
						rgb[at + c] = (float) (paperRgb[c] * shade);
					}
					continue;
				}
				sheet.paper(u, v, paperRgb);
				double a = inkStrength * sample(ink, (u - inkLeft) / inkScale, (v - inkTop) / inkScale);
				for (int c = 0; c < 3; c++) {
					rgb[at + c] = (float) ((paperRgb[c] * (1 - a) + inkRgb[c] * a) * shade);
				}
			}
		}
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
		byte[] bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
		for (int i = 0; i < width * height; i++) {
			for (int c = 0; c < 3; c++) {
				// BGR order in the raster
				bgr[i * 3 + 2 - c] = (byte) clamp(rgb[i * 3 + c]);
			}
		}
		double blur = random.nextDouble() < 0.5 ? 0.3 + 1.0 * random.nextDouble() * (shortSide / 300.0) : 0;
		if (blur > 0.3) {
			image = gaussianBlur(image, blur);
			bgr = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
		}
		double noise = 1 + 6 * random.nextDouble();
		java.util.SplittableRandom grain = new java.util.SplittableRandom(random.nextLong());
		for (int i = 0; i < width * height; i++) {
			// luminance noise (a sum of uniforms, near Gaussian) and a little chroma
			// noise
			double n = noise * (grain.nextDouble() + grain.nextDouble() + grain.nextDouble() - 1.5) * 2;
			for (int c = 0; c < 3; c++) {
				bgr[i * 3 + c] = (byte) clamp((bgr[i * 3 + c] & 0xFF) + n + (grain.nextDouble() - 0.5) * noise * 0.6);
			}
		}
		if (random.nextDouble() < 0.85) {
			return new Photo(ImageEncoding.jpeg(image, (float) (0.45 + 0.5 * random.nextDouble())), "image/jpeg",
					condition, pen);
		}
		return new Photo(ImageEncoding.encode(image, "png"), "image/png", condition, pen);
	}

	private static int[] inkColour(Pen pen, Random random) {
		return switch (pen) {
			case BALLPOINT -> new int[] { 15 + random.nextInt(40), 30 + random.nextInt(60), 110 + random.nextInt(100) };
			case PENCIL -> grey(60 + random.nextInt(60));
			case MARKER, PRINT -> grey(random.nextInt(40));
			case FINE -> random.nextInt(4) == 0
					? new int[] { 10 + random.nextInt(30), 15 + random.nextInt(30), 40 + random.nextInt(60) }
					: grey(10 + random.nextInt(50));
		};
	}

	private static int[] grey(int level) {
		return new int[] { level, level, level };
	}

	/**
	 * Bilinear coverage of the ink at ink-pixel coordinates {@code (x, y)} (pixel centres
	 * at i + 0.5).
	 */
	private static double sample(Ink ink, double x, double y) {
		double fx = x - 0.5;
		double fy = y - 0.5;
		int x0 = (int) Math.floor(fx);
		int y0 = (int) Math.floor(fy);
		if (x0 < -1 || y0 < -1 || x0 >= ink.width || y0 >= ink.height) {
			return 0;
		}
		double ax = fx - x0;
		double ay = fy - y0;
		return (1 - ay) * ((1 - ax) * at(ink, x0, y0) + ax * at(ink, x0 + 1, y0))
				+ ay * ((1 - ax) * at(ink, x0, y0 + 1) + ax * at(ink, x0 + 1, y0 + 1));
	}

	private static float at(Ink ink, int x, int y) {
		return (x < 0 || y < 0 || x >= ink.width || y >= ink.height) ? 0f : ink.alpha[y * ink.width + x];
	}

	/**
	 * An inverse homography output -> plane: the frame's corners moved by up to
	 * {@code tilt} of the size (a phone held at an angle), and a rotation of up to
	 * {@code degrees} about the centre.
	 */
	private static double[] homography(int width, int height, double tilt, double degrees, Random random) {
		double[][] src = { { 0, 0 }, { width, 0 }, { width, height }, { 0, height } };
		double angle = Math.toRadians(degrees * (random.nextDouble() * 2 - 1));
		double cos = Math.cos(angle);
		double sin = Math.sin(angle);
		double[][] dst = new double[4][2];
		for (int k = 0; k < 4; k++) {
			double dx = src[k][0] - width / 2.0 + tilt * width * (random.nextDouble() * 2 - 1);
			double dy = src[k][1] - height / 2.0 + tilt * height * (random.nextDouble() * 2 - 1);
			dst[k][0] = width / 2.0 + cos * dx - sin * dy;
			dst[k][1] = height / 2.0 + sin * dx + cos * dy;
		}
		return solveHomography(src, dst);
	}

	/**
	 * The 3x3 homography (h22 = 1) taking the four {@code src} points to the four
	 * {@code dst} points.
	 */
	static double[] solveHomography(double[][] src, double[][] dst) {
		double[][] a = new double[8][9];
		for (int k = 0; k < 4; k++) {
			double x = src[k][0];
			double y = src[k][1];
			double u = dst[k][0];
			double v = dst[k][1];
			a[2 * k] = new double[] { x, y, 1, 0, 0, 0, -u * x, -u * y, u };
			a[2 * k + 1] = new double[] { 0, 0, 0, x, y, 1, -v * x, -v * y, v };
		}
		// Gaussian elimination with partial pivoting
		for (int col = 0; col < 8; col++) {
			int pivot = col;
			for (int r = col + 1; r < 8; r++) {
				if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) {
					pivot = r;
				}
			}
			double[] tmp = a[col];
			a[col] = a[pivot];
			a[pivot] = tmp;
			for (int r = 0; r < 8; r++) {
				if (r != col) {
					double f = a[r][col] / a[col][col];
					for (int c = col; c < 9; c++) {
						a[r][c] -= f * a[col][c];
					}
				}
			}
		}
		double[] h = new double[9];
		for (int k = 0; k < 8; k++) {
			h[k] = a[k][8] / a[k][k];
		}
		h[8] = 1;
		return h;
	}

	private static void apply(double[] h, double x, double y, double[] out) {
		double w = h[6] * x + h[7] * y + h[8];
		out[0] = (h[0] * x + h[1] * y + h[2]) / w;
		out[1] = (h[3] * x + h[4] * y + h[5]) / w;
	}

	/** Paper, its lines or box, and the table around it, in plane coordinates. */
	private static final class Sheet {

		private final Condition paper;

		private final double[] paperRgb;

		private final double[] lineRgb;

		private final double lineHalfWidth;

		private final double spacing;

		private final double offsetX;

		private final double offsetY;

		private final double marginX;

		private final double[] marginRgb;

		private final double[] box;

		private final int boxRow;

		private final double[] bounds;

		private final double[] tableRgb;

		private final double grain;

		private final double grainAngle;

		Sheet(Condition paper, double inkSize, double cx, double cy, int width, int height, boolean inFrame,
				Random random) {
			this.paper = paper;
			int base = 228 + random.nextInt(27);
			this.paperRgb = new double[] { base, base - random.nextInt(8), base - random.nextInt(22) };
			double scale = Math.min(width, height) / 300.0;
			switch (paper) {
				case RULED -> {
					boolean blue = random.nextInt(4) != 0;
					this.lineRgb = blue ? new double[] { 110 + random.nextInt(90), 150 + random.nextInt(70),
							200 + random.nextInt(55) } : grey3(120 + random.nextInt(90));
					this.spacing = inkSize * (0.6 + 0.8 * random.nextDouble());
					this.lineHalfWidth = (0.4 + 0.9 * random.nextDouble()) * Math.max(0.7, scale);
				}
				case SQUARED -> {
					boolean blue = random.nextInt(3) == 0;
					this.lineRgb = blue ? new double[] { 140 + random.nextInt(70), 170 + random.nextInt(60),
							210 + random.nextInt(45) } : grey3(130 + random.nextInt(85));
					this.spacing = inkSize * (0.3 + 0.5 * random.nextDouble());
					this.lineHalfWidth = (0.35 + 0.6 * random.nextDouble()) * Math.max(0.7, scale);
				}
				case BOXED -> {
					this.lineRgb = random.nextInt(4) == 0 ? new double[] { 30 + random.nextInt(80),
							60 + random.nextInt(80), 120 + random.nextInt(100) } : grey3(random.nextInt(110));
					this.spacing = 0;
					this.lineHalfWidth = (0.4 + 1.4 * random.nextDouble()) * Math.max(0.7, scale);
				}
				default -> {
					this.lineRgb = null;
					this.spacing = 0;
					this.lineHalfWidth = 0;
				}
			}
			this.offsetX = random.nextDouble() * Math.max(1, this.spacing);
			this.offsetY = random.nextDouble() * Math.max(1, this.spacing);
			if (paper == Condition.RULED && random.nextInt(3) == 0) {
				this.marginX = width * (0.05 + 0.9 * random.nextDouble());
				this.marginRgb = new double[] { 200 + random.nextInt(55), 60 + random.nextInt(80),
						70 + random.nextInt(80) };
			}
			else {
				this.marginX = Double.NaN;
				this.marginRgb = null;
			}
			if (paper == Condition.BOXED) {
				double halfW = inkSize * (0.55 + 0.45 * random.nextDouble());
				double halfH = inkSize * (0.55 + 0.35 * random.nextDouble());
				// sometimes the digit is not centred in its box, or touches its side
				double shiftX = inkSize * 0.15 * (random.nextDouble() * 2 - 1);
				double shiftY = inkSize * 0.12 * (random.nextDouble() * 2 - 1);
				this.box = new double[] { cx + shiftX - halfW, cy + shiftY - halfH, cx + shiftX + halfW,
						cy + shiftY + halfH };
				this.boxRow = random.nextInt(3);
			}
			else {
				this.box = null;
				this.boxRow = 0;
			}
			if (inFrame) {
				// at least one side well inside the frame, the others anywhere from
				// outside to inside
				double[] inset = new double[4];
				for (int k = 0; k < 4; k++) {
					inset[k] = -0.1 + 0.25 * random.nextDouble();
				}
				inset[random.nextInt(4)] = 0.06 + 0.14 * random.nextDouble();
				// the ink stays on the sheet
				double left = Math.min(width * inset[0], cx - inkSize * 0.9);
				double top = Math.min(height * inset[1], cy - inkSize * 0.9);
				double right = Math.max(width * (1 - inset[2]), cx + inkSize * 0.9);
				double bottom = Math.max(height * (1 - inset[3]), cy + inkSize * 0.9);
				this.bounds = new double[] { left, top, right, bottom };
				boolean wood = random.nextBoolean();
				this.tableRgb = wood
						? new double[] { 90 + random.nextInt(90), 60 + random.nextInt(60), 30 + random.nextInt(50) }
						: grey3(25 + random.nextInt(120));
				this.grain = wood ? 12 + 15 * random.nextDouble() : 4 * random.nextDouble();
				this.grainAngle = Math.PI * random.nextDouble();
			}
			else {
				this.bounds = null;
				this.tableRgb = null;
				this.grain = 0;
				this.grainAngle = 0;
			}
		}

		boolean contains(double u, double v) {
			return this.bounds == null
					|| (u >= this.bounds[0] && v >= this.bounds[1] && u < this.bounds[2] && v < this.bounds[3]);
		}

		/** The table's colour at {@code (u, v)} into {@code rgb}. */
		void table(double u, double v, double[] rgb) {
			double along = u * Math.cos(this.grainAngle) + v * Math.sin(this.grainAngle);
			double across = -u * Math.sin(this.grainAngle) + v * Math.cos(this.grainAngle);
			double g = this.grain
					* (Math.sin(across * 0.35 + Math.sin(along * 0.02) * 3) * 0.6 + Math.sin(across * 1.3) * 0.4);
			rgb[0] = this.tableRgb[0] + g;
			rgb[1] = this.tableRgb[1] + g * 0.8;
			rgb[2] = this.tableRgb[2] + g * 0.6;
		}

		/**
		 * The paper's colour, with its lines, box or margin, at {@code (u, v)} into
		 * {@code rgb}.
		 */
		void paper(double u, double v, double[] rgb) {
			rgb[0] = this.paperRgb[0];
			rgb[1] = this.paperRgb[1];
			rgb[2] = this.paperRgb[2];
			double line = 0;
			switch (this.paper) {
				case RULED -> line = periodic(v - this.offsetY, this.spacing);
				case SQUARED ->
					line = Math.max(periodic(v - this.offsetY, this.spacing), periodic(u - this.offsetX, this.spacing));
				case BOXED -> line = boxCoverage(u, v);
				default -> {
				}
			}
			if (line > 0) {
				mix(rgb, this.lineRgb, line);
			}
			if (this.marginRgb != null) {
				double d = Math.abs(u - this.marginX);
				double m = coverage(d, this.lineHalfWidth * 1.2);
				if (m > 0) {
					mix(rgb, this.marginRgb, m);
				}
			}
		}

		private double boxCoverage(double u, double v) {
			double w = this.box[2] - this.box[0];
			double left = this.box[0] - this.boxRow * w;
			int boxes = 1 + this.boxRow + (this.boxRow > 0 ? 1 : 0);
			double right = left + boxes * w;
			double c = 0;
			if (v >= this.box[1] - this.lineHalfWidth - 1 && v <= this.box[3] + this.lineHalfWidth + 1 && u >= left - 2
					&& u <= right + 2) {
				for (int k = 0; k <= boxes; k++) {
					c = Math.max(c, coverage(Math.abs(u - (left + k * w)), this.lineHalfWidth));
				}
			}
			if (u >= left - this.lineHalfWidth - 1 && u <= right + this.lineHalfWidth + 1) {
				c = Math.max(c, coverage(Math.abs(v - this.box[1]), this.lineHalfWidth));
				c = Math.max(c, coverage(Math.abs(v - this.box[3]), this.lineHalfWidth));
			}
			return c;
		}

		private double periodic(double t, double period) {
			double d = t - period * Math.floor(t / period);
			return coverage(Math.min(d, period - d), this.lineHalfWidth);
		}

		/**
		 * Box-filtered coverage of a line of half width {@code half} at distance
		 * {@code d}.
		 */
		private static double coverage(double d, double half) {
			return Math.max(0, Math.min(1, half + 0.5 - d));
		}

		private static void mix(double[] rgb, double[] colour, double amount) {
			for (int c = 0; c < 3; c++) {
				rgb[c] = rgb[c] * (1 - amount) + colour[c] * amount;
			}
		}

		private static double[] grey3(int level) {
			return new double[] { level, level, level };
		}

	}

	/**
	 * Uneven light: a gradient across the frame, and for {@link Condition#SHADOW} a hard
	 * shadow.
	 */
	private static final class Light {

		private final double gx;

		private final double gy;

		private final double g0;

		private final double shadowNx;

		private final double shadowNy;

		private final double shadowD;

		private final double shadowDepth;

		private final double shadowSoft;

		Light(int width, int height, boolean shadow, Random random) {
			double strength = 0.3 * random.nextDouble();
			double angle = 2 * Math.PI * random.nextDouble();
			this.gx = strength * Math.cos(angle) / width;
			this.gy = strength * Math.sin(angle) / height;
			this.g0 = 1 - strength / 2 - 0.15 * random.nextDouble();
			if (shadow) {
				double a = 2 * Math.PI * random.nextDouble();
				this.shadowNx = Math.cos(a);
				this.shadowNy = Math.sin(a);
				// the shadow's edge passes near the centre, so it often crosses the ink
				double px = width * (0.3 + 0.4 * random.nextDouble());
				double py = height * (0.3 + 0.4 * random.nextDouble());
				this.shadowD = px * this.shadowNx + py * this.shadowNy;
				this.shadowDepth = 0.3 + 0.4 * random.nextDouble();
				this.shadowSoft = Math.min(width, height) * (0.01 + 0.15 * random.nextDouble());
			}
			else {
				this.shadowNx = 0;
				this.shadowNy = 0;
				this.shadowD = 0;
				this.shadowDepth = 0;
				this.shadowSoft = 1;
			}
		}

		double at(int x, int y) {
			double light = this.g0 + this.gx * (x - 0.0) + this.gy * (y - 0.0);
			if (this.shadowDepth > 0) {
				double d = (x * this.shadowNx + y * this.shadowNy - this.shadowD) / this.shadowSoft;
				double inShadow = smoothstep(-1, 1, d);
				light *= 1 - this.shadowDepth * inShadow;
			}
			return Math.max(0.15, Math.min(1.1, light));
		}

	}

	/**
	 * A Gaussian blur (two passes of Java2D's convolution; the outermost pixels stay
	 * sharp).
	 */
	static BufferedImage gaussianBlur(BufferedImage image, double sigma) {
		int radius = (int) Math.ceil(2.5 * sigma);
		float[] kernel = new float[2 * radius + 1];
		float sum = 0;
		for (int i = -radius; i <= radius; i++) {
			kernel[i + radius] = (float) Math.exp(-i * i / (2 * sigma * sigma));
			sum += kernel[i + radius];
		}
		for (int i = 0; i < kernel.length; i++) {
			kernel[i] /= sum;
		}
		java.awt.image.ConvolveOp horizontal = new java.awt.image.ConvolveOp(
				new java.awt.image.Kernel(kernel.length, 1, kernel), java.awt.image.ConvolveOp.EDGE_NO_OP, null);
		java.awt.image.ConvolveOp vertical = new java.awt.image.ConvolveOp(
				new java.awt.image.Kernel(1, kernel.length, kernel), java.awt.image.ConvolveOp.EDGE_NO_OP, null);
		BufferedImage once = horizontal.filter(image, null);
		return vertical.filter(once, null);
	}

	static double smoothstep(double edge0, double edge1, double x) {
		double t = Math.max(0, Math.min(1, (x - edge0) / (edge1 - edge0)));
		return t * t * (3 - 2 * t);
	}

	private static int clamp(double value) {
		return (int) Math.max(0, Math.min(255, Math.round(value)));
	}

}
