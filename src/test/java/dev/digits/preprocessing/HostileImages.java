package dev.digits.preprocessing;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Generators of hostile images, one method per class of attack found against the service (issue
 * "Hostile input cannot hurt it"). Every file is made here from parameters, so the corpus is
 * reproducible and each attack can be scaled; the fuzz test's seed corpus and the jar-level
 * hostile suite are built from these.
 */
public final class HostileImages {

	private HostileImages() {
	}

	// ------------------------------------------------------------------ PNG

	/**
	 * A PNG of {@code width x height} with every sample zero, as small as deflate makes it: a
	 * 25,000,000 x 1 16-bit RGBA image is 194 KB but 200 MB of rows.
	 * @param colorType 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA
	 */
	public static byte[] png(int width, int height, int bitDepth, int colorType) {
		int bands = switch (colorType) {
			case 0, 3 -> 1;
			case 2 -> 3;
			case 4 -> 2;
			case 6 -> 4;
			default -> throw new IllegalArgumentException("colour type " + colorType);
		};
		long rowBytes = ((long) width * bands * bitDepth + 7) / 8;
		ByteArrayOutputStream idat = new ByteArrayOutputStream();
		Deflater deflater = new Deflater(9);
		byte[] row = new byte[(int) Math.min(rowBytes + 1, 1 << 20)];
		byte[] out = new byte[1 << 16];
		for (int y = 0; y < height; y++) {
			long left = rowBytes + 1; // filter byte 0, then zero samples
			while (left > 0) {
				int n = (int) Math.min(left, row.length);
				deflater.setInput(row, 0, n);
				while (!deflater.needsInput()) {
					idat.write(out, 0, deflater.deflate(out));
				}
				left -= n;
			}
		}
		deflater.finish();
		while (!deflater.finished()) {
			idat.write(out, 0, deflater.deflate(out));
		}
		deflater.end();
		ByteArrayOutputStream png = new ByteArrayOutputStream();
		png.writeBytes(new byte[] { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' });
		chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) bitDepth)
			.put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0).array());
		if (colorType == 3) {
			chunk(png, "PLTE", new byte[] { 0, 0, 0, (byte) 255, (byte) 255, (byte) 255 });
		}
		chunk(png, "IDAT", idat.toByteArray());
		chunk(png, "IEND", new byte[0]);
		return png.toByteArray();
	}

	/** Only the signature and an IHDR announcing {@code width x height}: a bomb's header. */
	public static byte[] pngHeaderOnly(int width, int height) {
		ByteArrayOutputStream png = new ByteArrayOutputStream();
		png.writeBytes(new byte[] { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' });
		chunk(png, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 0)
			.put((byte) 0).put((byte) 0).put((byte) 0).array());
		return png.toByteArray();
	}

	/** A valid small PNG with an ancillary chunk whose length field claims {@code claimed} bytes. */
	public static byte[] pngWithLyingChunk(String type, int claimed) {
		byte[] good = encode(digitImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png");
		ByteArrayOutputStream png = new ByteArrayOutputStream();
		png.write(good, 0, 33); // signature + IHDR
		png.writeBytes(ByteBuffer.allocate(8).putInt(claimed).put(type.getBytes(StandardCharsets.US_ASCII)).array());
		png.writeBytes(new byte[64]);
		png.write(good, 33, good.length - 33);
		return png.toByteArray();
	}

	private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
		byte[] name = type.getBytes(StandardCharsets.US_ASCII);
		out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
		out.writeBytes(name);
		out.writeBytes(data);
		CRC32 crc = new CRC32();
		crc.update(name);
		crc.update(data);
		out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
	}

	// ------------------------------------------------------------------ BMP

	/**
	 * A BMP whose BITMAPINFOHEADER declares {@code width x height}, {@code compression} (4 = JPEG,
	 * 5 = PNG) and {@code sizeImage}, followed by {@code payload}: the JDK reader hands the payload to
	 * a nested PNG/JPEG reader (whatever size that image is) and allocates from {@code sizeImage}.
	 */
	public static byte[] bmp(int width, int height, int bitsPerPixel, int compression, long sizeImage,
			byte[] payload) {
		return bmp(width, height, bitsPerPixel, compression, sizeImage, 54, payload);
	}

	/** As {@link #bmp(int, int, int, int, long, byte[])} with the pixel data offset given. */
	public static byte[] bmp(int width, int height, int bitsPerPixel, int compression, long sizeImage, long offset,
			byte[] payload) {
		ByteBuffer b = ByteBuffer.allocate(54 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
		b.put((byte) 'B').put((byte) 'M').putInt(54 + payload.length).putInt(0).putInt((int) offset);
		b.putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) bitsPerPixel);
		b.putInt(compression).putInt((int) sizeImage).putInt(2835).putInt(2835).putInt(0).putInt(0);
		b.put(payload);
		return b.array();
	}

	/** A BITMAPV5HEADER BMP of 2x2 that claims an embedded ICC profile of {@code profileSize} bytes. */
	public static byte[] bmpV5WithProfile(long profileSize) {
		int header = 124;
		int pixels = 16;
		ByteBuffer b = ByteBuffer.allocate(14 + header + pixels).order(ByteOrder.LITTLE_ENDIAN);
		b.put((byte) 'B').put((byte) 'M').putInt(14 + header + pixels).putInt(0).putInt(14 + header);
		b.putInt(header).putInt(2).putInt(2).putShort((short) 1).putShort((short) 24);
		b.putInt(0).putInt(pixels).putInt(2835).putInt(2835).putInt(0).putInt(0);
		b.putInt(0).putInt(0).putInt(0).putInt(0); // masks
		b.putInt(0x4D424544); // 'MBED': embedded profile
		b.put(new byte[36]).putInt(0).putInt(0).putInt(0); // endpoints, gamma
		b.putInt(4).putInt(header).putInt((int) profileSize).putInt(0); // intent, profile data, size, reserved
		b.put(new byte[pixels]);
		return b.array();
	}

	// ------------------------------------------------------------------ JPEG

	/** A baseline JPEG of a dark digit on light paper, {@code width x height}. */
	public static byte[] jpeg(int width, int height, boolean progressive) {
		BufferedImage image = digitImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
		ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
			writer.setOutput(stream);
			ImageWriteParam param = writer.getDefaultWriteParam();
			param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
			param.setCompressionQuality(0.75f);
			if (progressive) {
				param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
			}
			writer.write(null, new IIOImage(image, null, null), param);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		finally {
			writer.dispose();
		}
		return out.toByteArray();
	}

	/**
	 * A progressive JPEG with its last scan repeated {@code extraScans} times before EOI. Decoders
	 * that output the image after every scan (the JDK's does) pay a full decode per scan.
	 */
	public static byte[] progressiveJpegWithScans(int width, int height, int extraScans) {
		byte[] jpeg = jpeg(width, height, true);
		List<int[]> scans = sosSegments(jpeg);
		int[] last = scans.get(scans.size() - 1);
		int eoi = jpeg.length - 2;
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(jpeg, 0, eoi);
		for (int i = 0; i < extraScans; i++) {
			out.write(jpeg, last[0], last[1] - last[0]);
		}
		out.write(jpeg, eoi, 2);
		return out.toByteArray();
	}

	/** The {@code [start, end)} of every SOS marker and its entropy-coded data. */
	static List<int[]> sosSegments(byte[] jpeg) {
		List<int[]> scans = new ArrayList<>();
		int i = 2;
		int start = -1;
		while (i + 1 < jpeg.length) {
			if ((jpeg[i] & 0xFF) != 0xFF) {
				i++;
				continue;
			}
			int marker = jpeg[i + 1] & 0xFF;
			if (marker == 0x00 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0xFF) {
				i += marker == 0xFF ? 1 : 2;
				continue;
			}
			if (start >= 0) {
				scans.add(new int[] { start, i });
				start = -1;
			}
			if (marker == 0xD9) {
				break;
			}
			int length = ((jpeg[i + 2] & 0xFF) << 8) | (jpeg[i + 3] & 0xFF);
			if (marker == 0xDA) {
				start = i;
			}
			i += 2 + length;
		}
		return scans;
	}

	// ------------------------------------------------------------------ GIF

	/**
	 * A GIF whose logical screen is {@code screen x screen} and whose {@code frames} image descriptors
	 * each claim {@code frameWidth x frameHeight} with a tiny LZW stream (the rest decodes as zeros).
	 */
	public static byte[] gif(int screen, int frames, int frameWidth, int frameHeight) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes("GIF89a".getBytes(StandardCharsets.US_ASCII));
		out.writeBytes(ByteBuffer.allocate(7).order(ByteOrder.LITTLE_ENDIAN).putShort((short) screen)
			.putShort((short) screen).put((byte) 0x80).put((byte) 0).put((byte) 0).array());
		out.writeBytes(new byte[] { 0, 0, 0, (byte) 255, (byte) 255, (byte) 255 });
		for (int f = 0; f < frames; f++) {
			out.write(0x2C);
			out.writeBytes(ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN).putShort((short) 0)
				.putShort((short) 0).putShort((short) frameWidth).putShort((short) frameHeight).put((byte) 0).array());
			out.write(2); // LZW minimum code size
			out.writeBytes(new byte[] { 2, 0x4C, 0x01, 0 }); // clear, 0, end
		}
		out.write(0x3B);
		return out.toByteArray();
	}

	// ------------------------------------------------------------------ helpers

	/** A dark "7" on light paper, scaled to the image. */
	public static BufferedImage digitImage(int width, int height, int type) {
		BufferedImage image = new BufferedImage(width, height, type);
		Graphics2D g = image.createGraphics();
		g.setColor(new Color(235, 235, 230));
		g.fillRect(0, 0, width, height);
		g.setColor(new Color(20, 20, 30));
		g.setStroke(new java.awt.BasicStroke(Math.max(1f, Math.min(width, height) / 12f)));
		int m = Math.min(width, height);
		int x0 = (width - m) / 2;
		int y0 = (height - m) / 2;
		g.drawLine(x0 + m / 4, y0 + m / 5, x0 + 3 * m / 4, y0 + m / 5);
		g.drawLine(x0 + 3 * m / 4, y0 + m / 5, x0 + 2 * m / 5, y0 + 4 * m / 5);
		g.dispose();
		return image;
	}

	/** Random noise in a tiny picture, for speckle-sized legitimate inputs. */
	public static byte[] noise(int width, int height, long seed) {
		Random random = new Random(seed);
		BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
		for (int y = 0; y < height; y++) {
			for (int x = 0; x < width; x++) {
				image.getRaster().setSample(x, y, 0, random.nextInt(256));
			}
		}
		return encode(image, "png");
	}

	public static byte[] encode(BufferedImage image, String format) {
		try {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
			if (!writers.hasNext() || !ImageIO.write(image, format, out)) {
				throw new IllegalStateException("no writer for " + format);
			}
			return out.toByteArray();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
