package dev.digits.bench;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPInputStream;

import javax.imageio.ImageIO;

/**
 * The request bodies, made at the start of a run from files the repository ships: the README's
 * 28x28 PNG ({@code docs/examples/seven.png}); a 280x280 "canvas" PNG (an MNIST test digit as dark
 * ink on white, upscaled 10x bilinearly, like a drawing-pad upload); the first 16 MNIST test digits
 * for a batch request; and a set of distinct uploads for the cache benchmark, drawn with Zipf
 * frequencies ({@link Zipf}).
 */
final class Payloads {

	private static final Path MNIST = Path.of("core/src/test/resources/mnist-tiny");

	private Payloads() {
	}

	/** The README's example: a 28x28 grey PNG of a seven. */
	static byte[] seven() {
		try {
			return Files.readAllBytes(Path.of("docs/examples/seven.png"));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** MNIST test digit 0 as dark ink on white, 280x280. */
	static byte[] canvas() {
		byte[] digit = images("t10k-images-idx3-ubyte.gz").get(0);
		BufferedImage small = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
		for (int i = 0; i < 784; i++) {
			small.getRaster().setSample(i % 28, i / 28, 0, 255 - (digit[i] & 0xff));
		}
		BufferedImage big = new BufferedImage(280, 280, BufferedImage.TYPE_BYTE_GRAY);
		Graphics2D g = big.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
		g.drawImage(small, 0, 0, 280, 280, null);
		g.dispose();
		return png(big);
	}

	/** The first {@code n} MNIST test digits as 28x28 PNGs. */
	static List<byte[]> testDigits(int n) {
		List<byte[]> out = new ArrayList<>();
		for (byte[] digit : images("t10k-images-idx3-ubyte.gz").subList(0, n)) {
			out.add(png(digit));
		}
		return out;
	}

	/**
	 * {@code n} distinct 28x28 PNGs: the shipped MNIST digits (800, training and test), each in
	 * variants that shift it by up to a pixel and nudge a few ink pixels by a few grey levels, as
	 * the same digit redrawn or rescanned would; every one decodes to a different input for the
	 * network, so none is a cache hit for another. Deterministic (fixed seed).
	 */
	static List<byte[]> distinctUploads(int n) {
		List<byte[]> bases = new ArrayList<>(images("train-images-idx3-ubyte.gz"));
		bases.addAll(images("t10k-images-idx3-ubyte.gz"));
		Random random = new Random(13);
		List<byte[]> out = new ArrayList<>(n);
		Set<String> seen = new HashSet<>();
		for (int i = 0; out.size() < n; i++) {
			byte[] base = bases.get(i % bases.size());
			byte[] variant = i < bases.size() ? base.clone() : vary(base, random);
			if (seen.add(java.util.Base64.getEncoder().encodeToString(variant))) {
				out.add(png(variant));
			}
		}
		return out;
	}

	private static byte[] vary(byte[] digit, Random random) {
		int dx = random.nextInt(3) - 1;
		int dy = random.nextInt(3) - 1;
		byte[] out = new byte[784];
		for (int y = 0; y < 28; y++) {
			for (int x = 0; x < 28; x++) {
				int sx = x - dx;
				int sy = y - dy;
				if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) {
					out[y * 28 + x] = digit[sy * 28 + sx];
				}
			}
		}
		List<Integer> ink = new ArrayList<>();
		for (int i = 0; i < 784; i++) {
			if ((out[i] & 0xff) > 32) {
				ink.add(i);
			}
		}
		for (int k = 0; k < 3 && !ink.isEmpty(); k++) {
			int at = ink.get(random.nextInt(ink.size()));
			int delta = (1 + random.nextInt(8)) * (random.nextBoolean() ? 1 : -1);
			out[at] = (byte) Math.max(1, Math.min(255, (out[at] & 0xff) + delta));
		}
		return out;
	}

	static byte[] png(byte[] grey28) {
		BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
		for (int i = 0; i < 784; i++) {
			image.getRaster().setSample(i % 28, i / 28, 0, grey28[i] & 0xff);
		}
		return png(image);
	}

	private static byte[] png(BufferedImage image) {
		try {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			ImageIO.write(image, "png", out);
			return out.toByteArray();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** The images of an IDX3 file (gzip) of the shipped MNIST excerpt, 784 bytes each. */
	static List<byte[]> images(String file) {
		try (InputStream raw = Files.newInputStream(MNIST.resolve(file));
				DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
			if (in.readInt() != 0x803) {
				throw new IOException(file + " is not an IDX3 image file");
			}
			int count = in.readInt();
			int rows = in.readInt();
			int cols = in.readInt();
			List<byte[]> out = new ArrayList<>(count);
			for (int i = 0; i < count; i++) {
				byte[] image = new byte[rows * cols];
				in.readFully(image);
				out.add(image);
			}
			return out;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Zipf-distributed choice among {@code n} items: item of rank k (1-based) with probability
	 * proportional to {@code 1 / k^s}. Ranks are assigned to items in a fixed shuffled order, so the
	 * popular uploads are not all variants of the same digit.
	 */
	static final class Zipf {

		private final double[] cdf;

		private final int[] itemOfRank;

		Zipf(int n, double s) {
			cdf = new double[n];
			double sum = 0;
			for (int k = 1; k <= n; k++) {
				sum += 1 / Math.pow(k, s);
				cdf[k - 1] = sum;
			}
			for (int k = 0; k < n; k++) {
				cdf[k] /= sum;
			}
			itemOfRank = new int[n];
			for (int i = 0; i < n; i++) {
				itemOfRank[i] = i;
			}
			Random random = new Random(7);
			for (int i = n - 1; i > 0; i--) {
				int j = random.nextInt(i + 1);
				int t = itemOfRank[i];
				itemOfRank[i] = itemOfRank[j];
				itemOfRank[j] = t;
			}
		}

		int next() {
			double u = ThreadLocalRandom.current().nextDouble();
			int lo = 0;
			int hi = cdf.length - 1;
			while (lo < hi) {
				int mid = (lo + hi) >>> 1;
				if (cdf[mid] < u) {
					lo = mid + 1;
				}
				else {
					hi = mid;
				}
			}
			return itemOfRank[lo];
		}

		/** The share of draws that fall on the {@code top} most frequent items. */
		double topShare(int top) {
			return top <= 0 ? 0 : cdf[Math.min(top, cdf.length) - 1];
		}

	}

}
