package dev.digits.preprocessing;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.awt.image.ConvolveOp;
import java.awt.image.Kernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Phone photos of paper with a digit on it, drawn with Java2D and encoded as JPEG: the
 * conditions {@link ImagePreprocessor} must cope with. Each photo is 800 x 600 (a phone
 * photo after the decoder's 1 MP subsampling is of that order), seeded, so the same name
 * gives the same bytes.
 */
final class PaperPhotos {

	static final int WIDTH = 800;

	static final int HEIGHT = 600;

	/** The paper conditions, each with a handwritten and a printed digit. */
	enum Paper {

		PLAIN, RULED, SQUARED, BOX, SHADOW, TABLE, TWO_DIGITS

	}

	/** One photo: what is on it and its JPEG bytes. */
	record Photo(String name, Paper paper, int label, boolean printed, byte[] jpeg) {
	}

	/**
	 * Strokes of handwritten digits in unit coordinates (x right, y down), one polyline
	 * each.
	 */
	static final double[][][][] HANDWRITTEN = { { { { 0.5, 0.0 }, { 0.15, 0.2 }, { 0.08, 0.55 }, { 0.2, 0.9 },
			{ 0.5, 1.0 }, { 0.82, 0.88 }, { 0.92, 0.5 }, { 0.82, 0.15 }, { 0.5, 0.0 } } },
			{ { { 0.3, 0.2 }, { 0.55, 0.0 }, { 0.55, 1.0 } } },
			{ { { 0.1, 0.25 }, { 0.3, 0.03 }, { 0.65, 0.0 }, { 0.88, 0.22 }, { 0.75, 0.5 }, { 0.1, 1.0 },
					{ 0.95, 0.98 } } },
			{ { { 0.12, 0.1 }, { 0.5, 0.0 }, { 0.85, 0.15 }, { 0.8, 0.38 }, { 0.4, 0.48 }, { 0.85, 0.6 }, { 0.9, 0.85 },
					{ 0.55, 1.0 }, { 0.1, 0.9 } } },
			{ { { 0.6, 0.0 }, { 0.05, 0.68 }, { 0.95, 0.68 } }, { { 0.7, 0.3 }, { 0.7, 1.0 } } },
			{ { { 0.88, 0.0 }, { 0.2, 0.02 }, { 0.15, 0.45 }, { 0.6, 0.4 }, { 0.9, 0.65 }, { 0.75, 0.95 },
					{ 0.35, 1.0 }, { 0.08, 0.85 } } },
			{ { { 0.75, 0.0 }, { 0.3, 0.3 }, { 0.12, 0.7 }, { 0.35, 1.0 }, { 0.75, 0.95 }, { 0.85, 0.7 }, { 0.55, 0.5 },
					{ 0.15, 0.7 } } },
			{ { { 0.05, 0.05 }, { 0.95, 0.02 }, { 0.45, 1.0 } } },
			{ { { 0.5, 0.48 }, { 0.15, 0.3 }, { 0.25, 0.03 }, { 0.75, 0.03 }, { 0.85, 0.28 }, { 0.5, 0.48 },
					{ 0.1, 0.72 }, { 0.3, 1.0 }, { 0.7, 1.0 }, { 0.92, 0.75 }, { 0.5, 0.48 } } },
			{ { { 0.85, 0.35 }, { 0.5, 0.5 }, { 0.15, 0.35 }, { 0.3, 0.0 }, { 0.75, 0.02 }, { 0.85, 0.35 },
					{ 0.8, 1.0 } } } };

	private PaperPhotos() {
	}

	/** Every condition for every digit 0-9, handwritten and printed. */
	static List<Photo> all(long seed) {
		List<Photo> photos = new ArrayList<>();
		for (Paper paper : Paper.values()) {
			for (int label = 0; label < 10; label++) {
				for (boolean printed : new boolean[] { false, true }) {
					photos.add(photo(paper, label, printed,
							seed * 1_000 + paper.ordinal() * 100 + label * 2 + (printed ? 1 : 0)));
				}
			}
		}
		return photos;
	}

	static Photo photo(Paper paper, int label, boolean printed, long seed) {
		Random random = new Random(seed);
		BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
		Graphics2D g = image.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
		g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
		g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
		// the table, then the sheet (turned a little: the phone is never square to it)
		g.setColor(new Color(70 + random.nextInt(30), 48 + random.nextInt(20), 30 + random.nextInt(15)));
		g.fillRect(0, 0, WIDTH, HEIGHT);
		double angle = Math.toRadians(random.nextDouble() * 6 - 3);
		AffineTransform page = AffineTransform.getRotateInstance(angle, WIDTH / 2.0, HEIGHT / 2.0);
		g.transform(page);
		int margin = (paper == Paper.TABLE) ? 70 : -60;
		int paperLevel = 225 + random.nextInt(20);
		g.setColor(new Color(paperLevel, paperLevel - 3, paperLevel - 10));
		g.fillRect(margin, margin, WIDTH - 2 * margin, HEIGHT - 2 * margin);
		Color rule = new Color(130 + random.nextInt(40), 160 + random.nextInt(30), 210);
		if (paper == Paper.RULED || paper == Paper.TABLE) {
			g.setColor(rule);
			g.setStroke(new BasicStroke(2f));
			int spacing = 34 + random.nextInt(10);
			for (int y = Math.max(margin, 0) + 20; y < HEIGHT - Math.max(margin, 0); y += spacing) {
				g.drawLine(Math.max(margin, -60), y, WIDTH - Math.max(margin, -60), y);
			}
		}
		if (paper == Paper.SQUARED) {
			g.setColor(rule);
			g.setStroke(new BasicStroke(1.5f));
			int spacing = 24 + random.nextInt(8);
			for (int y = -60; y < HEIGHT + 60; y += spacing) {
				g.drawLine(-60, y, WIDTH + 60, y);
			}
			for (int x = -60; x < WIDTH + 60; x += spacing) {
				g.drawLine(x, -60, x, HEIGHT + 60);
			}
		}
		int digitHeight = 170 + random.nextInt(90);
		int digitWidth = (int) (digitHeight * 0.7);
		int cx = WIDTH / 2 + random.nextInt(120) - 60;
		int cy = HEIGHT / 2 + random.nextInt(80) - 40;
		Color ink = printed ? new Color(20, 20, 25)
				: new Color(25 + random.nextInt(30), 35 + random.nextInt(30), 90 + random.nextInt(80));
		float pen = 5f + random.nextFloat() * 7f;
		if (paper == Paper.TWO_DIGITS) {
			int other = (label + 3) % 10;
			int gap = digitWidth / 4 + random.nextInt(digitWidth / 3);
			drawDigit(g, label, printed, cx - gap / 2 - digitWidth / 2, cy, digitWidth, digitHeight, ink, pen, random);
			drawDigit(g, other, printed, cx + gap / 2 + digitWidth / 2, cy, digitWidth, digitHeight, ink, pen, random);
		}
		else {
			drawDigit(g, label, printed, cx, cy, digitWidth, digitHeight, ink, pen, random);
		}
		if (paper == Paper.BOX) {
			g.setColor(new Color(30, 30, 30));
			g.setStroke(new BasicStroke(3f + random.nextInt(3)));
			int bw = (int) (digitHeight * (1.25 + random.nextDouble() * 0.35));
			int bh = (int) (digitHeight * (1.2 + random.nextDouble() * 0.25));
			g.drawRect(cx - bw / 2, cy - bh / 2, bw, bh);
		}
		g.dispose();
		if (paper == Paper.SHADOW || random.nextInt(3) == 0) {
			shade(image, random, paper == Paper.SHADOW);
		}
		BufferedImage blurred = new ConvolveOp(new Kernel(3, 3,
				new float[] { 1 / 16f, 2 / 16f, 1 / 16f, 2 / 16f, 4 / 16f, 2 / 16f, 1 / 16f, 2 / 16f, 1 / 16f }),
				ConvolveOp.EDGE_NO_OP, null)
			.filter(image, null);
		noise(blurred, random, 3 + random.nextInt(4));
		String name = paper.name().toLowerCase(java.util.Locale.ROOT) + "-" + label + (printed ? "-printed" : "-pen");
		return new Photo(name, paper, label, printed, TestImages.jpeg(blurred, 0.75f + random.nextFloat() * 0.15f));
	}

	/**
	 * A digit of {@code height} pixels centred on {@code (cx, cy)}: a font's glyph, or
	 * pen strokes.
	 */
	static void drawDigit(Graphics2D g, int label, boolean printed, int cx, int cy, int width, int height, Color ink,
			float pen, Random random) {
		g.setColor(ink);
		if (printed) {
			String[] families = { Font.SANS_SERIF, Font.SERIF, Font.MONOSPACED };
			Font font = new Font(families[random.nextInt(families.length)],
					random.nextBoolean() ? Font.BOLD : Font.PLAIN, 100);
			java.awt.Shape glyph = font.createGlyphVector(g.getFontRenderContext(), Integer.toString(label))
				.getOutline();
			java.awt.geom.Rectangle2D bounds = glyph.getBounds2D();
			double scale = height / bounds.getHeight();
			AffineTransform at = new AffineTransform();
			at.translate(cx, cy);
			at.scale(scale, scale);
			at.translate(-bounds.getCenterX(), -bounds.getCenterY());
			g.fill(at.createTransformedShape(glyph));
			return;
		}
		g.setStroke(new BasicStroke(pen, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
		double slant = random.nextDouble() * 0.3 - 0.1;
		for (double[][] stroke : HANDWRITTEN[label]) {
			Path2D path = new Path2D.Double();
			for (int i = 0; i < stroke.length; i++) {
				double u = stroke[i][0] + (random.nextDouble() - 0.5) * 0.04;
				double v = stroke[i][1] + (random.nextDouble() - 0.5) * 0.04;
				double x = cx + (u - 0.5) * width + slant * (0.5 - v) * height;
				double y = cy + (v - 0.5) * height;
				if (i == 0) {
					path.moveTo(x, y);
				}
				else {
					path.lineTo(x, y);
				}
			}
			g.draw(path);
		}
	}

	/**
	 * A soft shadow (a dark band across part of the page) or a gentle gradient of light.
	 */
	private static void shade(BufferedImage image, Random random, boolean strong) {
		double angle = random.nextDouble() * Math.PI * 2;
		double nx = Math.cos(angle);
		double ny = Math.sin(angle);
		double edge = (random.nextDouble() - 0.5) * 0.4 * WIDTH;
		double softness = 20 + random.nextDouble() * 60;
		double depth = strong ? 0.35 + random.nextDouble() * 0.25 : 0.1 + random.nextDouble() * 0.15;
		for (int y = 0; y < HEIGHT; y++) {
			for (int x = 0; x < WIDTH; x++) {
				double d = (x - WIDTH / 2.0) * nx + (y - HEIGHT / 2.0) * ny - edge;
				double shadow = strong ? depth / (1 + Math.exp(-d / softness)) : depth * (d / WIDTH + 0.5);
				double gradient = 1 - 0.15 * (double) y / HEIGHT;
				double factor = Math.max(0.1, (1 - shadow) * gradient);
				int rgb = image.getRGB(x, y);
				int r = (int) (((rgb >> 16) & 0xFF) * factor);
				int gr = (int) (((rgb >> 8) & 0xFF) * factor);
				int b = (int) ((rgb & 0xFF) * factor);
				image.setRGB(x, y, (r << 16) | (gr << 8) | b);
			}
		}
	}

	private static void noise(BufferedImage image, Random random, double sigma) {
		for (int y = 0; y < image.getHeight(); y++) {
			for (int x = 0; x < image.getWidth(); x++) {
				int rgb = image.getRGB(x, y);
				int n = (int) Math.round(random.nextGaussian() * sigma);
				int r = clamp(((rgb >> 16) & 0xFF) + n);
				int g = clamp(((rgb >> 8) & 0xFF) + n);
				int b = clamp((rgb & 0xFF) + n);
				image.setRGB(x, y, (r << 16) | (g << 8) | b);
			}
		}
	}

	private static int clamp(int v) {
		return Math.max(0, Math.min(255, v));
	}

}
