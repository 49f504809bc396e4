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
 * Generators of hostile images, one method per class of attack found against the service
 * (issue "Hostile input cannot hurt it"). Every file is made here from parameters, so the
 * corpus is reproducible and each attack can be scaled; the fuzz test's seed corpus and
 * the jar-level hostile suite are built from these.
 */
public final class HostileImages {

	private HostileImages() {
	}

	// ------------------------------------------------------------------ PNG

	/**
	 * A PNG of {@code width x height} with every sample zero, as small as deflate makes
	 * it: a 25,000,000 x 1 16-bit RGBA image is 194 KB but 200 MB of rows.
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
		chunk(png, "IHDR",
				ByteBuffer.allocate(13)
					.putInt(width)
					.putInt(height)
					.put((byte) bitDepth)
					.put((byte) colorType)
					.put((byte) 0)
					.put((byte) 0)
					.put((byte) 0)
					.array());
		if (colorType == 3) {
			chunk(png, "PLTE", new byte[] { 0, 0, 0, (byte) 255, (byte) 255, (byte) 255 });
		}
		chunk(png, "IDAT", idat.toByteArray());
		chunk(png, "IEND", new byte[0]);
		return png.toByteArray();
	}

	/**
	 * Only the signature and an IHDR announcing {@code width x height}: a bomb's header.
	 */
	public static byte[] pngHeaderOnly(int width, int height) {
		ByteArrayOutputStream png = new ByteArrayOutputStream();
		png.writeBytes(new byte[] { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' });
		chunk(png, "IHDR",
				ByteBuffer.allocate(13)
					.putInt(width)
					.putInt(height)
					.put((byte) 8)
					.put((byte) 0)
					.put((byte) 0)
					.put((byte) 0)
					.put((byte) 0)
					.array());
		return png.toByteArray();
	}

	/**
	 * A valid small PNG with an ancillary chunk whose length field claims {@code claimed}
	 * bytes.
	 */
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
	 * A BMP whose BITMAPINFOHEADER declares {@code width x height}, {@code compression}
	 * (4 = JPEG, 5 = PNG) and {@code sizeImage}, followed by {@code payload}: the JDK
	 * reader hands the payload to a nested PNG/JPEG reader (whatever size that image is)
	 * and allocates from {@code sizeImage}.
	 */
	public static byte[] bmp(int width, int height, int bitsPerPixel, int compression, long sizeImage, byte[] payload) {
		return bmp(width, height, bitsPerPixel, compression, sizeImage, 54, payload);
	}

	/**
	 * As {@link #bmp(int, int, int, int, long, byte[])} with the pixel data offset given.
	 */
	public static byte[] bmp(int width, int height, int bitsPerPixel, int compression, long sizeImage, long offset,
			byte[] payload) {
		ByteBuffer b = ByteBuffer.allocate(54 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
		b.put((byte) 'B').put((byte) 'M').putInt(54 + payload.length).putInt(0).putInt((int) offset);
		b.putInt(40).putInt(width).putInt(height).putShort((short) 1).putShort((short) bitsPerPixel);
		b.putInt(compression).putInt((int) sizeImage).putInt(2835).putInt(2835).putInt(0).putInt(0);
		b.put(payload);
		return b.array();
	}

	/**
	 * A BITMAPV5HEADER BMP of 2x2 that claims an embedded ICC profile of
	 * {@code profileSize} bytes.
	 */
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
		b.putInt(4).putInt(header).putInt((int) profileSize).putInt(0); // intent, profile
																		// data, size,
																		// reserved
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
	 * A progressive JPEG with its last scan repeated {@code extraScans} times before EOI.
	 * Decoders that output the image after every scan (the JDK's does) pay a full decode
	 * per scan.
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
	 * A GIF whose logical screen is {@code screen x screen} and whose {@code frames}
	 * image descriptors each claim {@code frameWidth x frameHeight} with a tiny LZW
	 * stream (the rest decodes as zeros).
	 */
	public static byte[] gif(int screen, int frames, int frameWidth, int frameHeight) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes("GIF89a".getBytes(StandardCharsets.US_ASCII));
		out.writeBytes(ByteBuffer.allocate(7)
			.order(ByteOrder.LITTLE_ENDIAN)
			.putShort((short) screen)
			.putShort((short) screen)
			.put((byte) 0x80)
			.put((byte) 0)
			.put((byte) 0)
			.array());
		out.writeBytes(new byte[] { 0, 0, 0, (byte) 255, (byte) 255, (byte) 255 });
		for (int f = 0; f < frames; f++) {
			out.write(0x2C);
			out.writeBytes(ByteBuffer.allocate(9)
				.order(ByteOrder.LITTLE_ENDIAN)
				.putShort((short) 0)
				.putShort((short) 0)
				.putShort((short) frameWidth)
				.putShort((short) frameHeight)
				.put((byte) 0)
				.array());
			out.write(2); // LZW minimum code size
			out.writeBytes(new byte[] { 2, 0x4C, 0x01, 0 }); // clear, 0, end
		}
		out.write(0x3B);
		return out.toByteArray();
	}

	/**
	 * A GIF whose first frame is a plain {@code first x first} and whose second frame's
	 * descriptor claims {@code second x second}: a reader that decodes or sizes every
	 * frame pays for the second.
	 */
	public static byte[] gifWithLargeSecondFrame(int first, int second) {
		byte[] one = gif(first, 1, first, first);
		byte[] big = gif(first, 1, second, second);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(one, 0, one.length - 1); // without the trailer
		int header = 13 + 6; // screen descriptor and a two-colour global table
		out.write(big, header, big.length - header);
		return out.toByteArray();
	}

	// ------------------------------------------------------------------ WebP

	/** RIFF/WEBP around the given chunks (each already made by {@link #webpChunk}). */
	public static byte[] webp(byte[]... chunks) {
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		for (byte[] chunk : chunks) {
			body.writeBytes(chunk);
		}
		ByteBuffer riff = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
		riff.put("RIFF".getBytes(StandardCharsets.US_ASCII))
			.putInt(4 + body.size())
			.put("WEBP".getBytes(StandardCharsets.US_ASCII));
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(riff.array());
		out.writeBytes(body.toByteArray());
		return out.toByteArray();
	}

	/** One RIFF chunk, padded to an even size as RIFF requires. */
	public static byte[] webpChunk(String fourCc, byte[] data) {
		ByteBuffer chunk = ByteBuffer.allocate(8 + data.length + (data.length & 1)).order(ByteOrder.LITTLE_ENDIAN);
		chunk.put(fourCc.getBytes(StandardCharsets.US_ASCII)).putInt(data.length).put(data);
		return chunk.array();
	}

	/**
	 * The extended header: a {@code width x height} canvas with the given flags (0x10
	 * alpha, 0x02 animation).
	 */
	public static byte[] vp8x(int width, int height, int flags) {
		byte[] data = new byte[10];
		data[0] = (byte) flags;
		put24(data, 4, width - 1);
		put24(data, 7, height - 1);
		return webpChunk("VP8X", data);
	}

	/**
	 * A lossy key frame header claiming {@code width x height} (up to 16383), then
	 * {@code payload} zero bytes of "partition data": the header of a bitstream bomb, as
	 * small as it gets.
	 */
	public static byte[] vp8(int width, int height, int payload) {
		ByteBuffer data = ByteBuffer.allocate(10 + payload).order(ByteOrder.LITTLE_ENDIAN);
		int firstPartition = payload;
		int tag = (firstPartition << 5) | (1 << 4); // key frame (bit 0 clear), version 0,
													// shown
		data.put((byte) tag).put((byte) (tag >> 8)).put((byte) (tag >> 16));
		data.put((byte) 0x9D).put((byte) 0x01).put((byte) 0x2A);
		data.putShort((short) (width & 0x3FFF)).putShort((short) (height & 0x3FFF));
		return webpChunk("VP8 ", data.array());
	}

	/** A lossless bitstream header claiming {@code width x height} (up to 16384). */
	public static byte[] vp8l(int width, int height, int payload) {
		ByteBuffer data = ByteBuffer.allocate(5 + payload).order(ByteOrder.LITTLE_ENDIAN);
		data.put((byte) 0x2F).putInt((width - 1) | ((height - 1) << 14));
		return webpChunk("VP8L", data.array());
	}

	/**
	 * A complete lossless bitstream of {@code width x height} whose five prefix codes
	 * have one symbol each, so that every pixel is decoded without reading a bit: the
	 * decoder fills the whole image from a few dozen bytes, and reads nothing on the way
	 * where a deadline could stop it.
	 */
	public static byte[] vp8lWithoutBits(int width, int height) {
		long bits = 0;
		int at = 0;
		bits |= (long) (width - 1) << at;
		at += 14;
		bits |= (long) (height - 1) << at;
		at += 14;
		at += 4; // no alpha, version 0
		at += 3; // no transform, no colour cache, no meta prefix codes
		byte[] data = new byte[1 + 8 + 8];
		data[0] = 0x2F;
		for (int code = 0; code < 5; code++) {
			bits |= 1L << at; // a simple code of one symbol, one bit wide: symbol 0
			at += 4;
		}
		for (int i = 0; i < 8; i++) {
			data[1 + i] = (byte) (bits >>> (8 * i));
		}
		return webpChunk("VP8L", data);
	}

	/**
	 * The real 28x28 lossy seven of the test resources with its frame header patched to
	 * claim {@code width x height}, inside an extended header that says 28x28: the attack
	 * of a VP8X canvas that disagrees with its bitstream, with a real bitstream behind
	 * it.
	 */
	public static byte[] webpCanvasAroundLargerBitstream(int width, int height) {
		byte[] lossy = read("core/src/test/resources/webp/seven-lossy.webp");
		byte[] vp8Data = java.util.Arrays.copyOfRange(lossy, 20, lossy.length);
		vp8Data[6] = (byte) width;
		vp8Data[7] = (byte) ((width >> 8) & 0x3F);
		vp8Data[8] = (byte) height;
		vp8Data[9] = (byte) ((height >> 8) & 0x3F);
		return webp(vp8x(28, 28, 0), webpChunk("VP8 ", vp8Data));
	}

	private static void put24(byte[] b, int at, int value) {
		b[at] = (byte) value;
		b[at + 1] = (byte) (value >> 8);
		b[at + 2] = (byte) (value >> 16);
	}

	// ------------------------------------------------------------------ JPEG thumbnails

	/**
	 * {@code jpeg} with its frame header (SOF) patched to claim {@code width x height}.
	 */
	public static byte[] withFrameSize(byte[] jpeg, int width, int height) {
		byte[] out = jpeg.clone();
		for (int i = 2; i + 9 < out.length;) {
			int marker = out[i + 1] & 0xFF;
			if (marker >= 0xC0 && marker <= 0xC2) {
				out[i + 5] = (byte) (height >> 8);
				out[i + 6] = (byte) height;
				out[i + 7] = (byte) (width >> 8);
				out[i + 8] = (byte) width;
				return out;
			}
			i += 2 + (((out[i + 2] & 0xFF) << 8) | (out[i + 3] & 0xFF));
		}
		throw new IllegalArgumentException("no frame header");
	}

	/**
	 * {@code jpeg} with an EXIF segment whose IFD1 (the thumbnail directory) points at
	 * {@code thumbnail}, a JPEG of its own, as cameras write it.
	 */
	public static byte[] withExifThumbnail(byte[] jpeg, byte[] thumbnail) {
		int ifd1 = 8 + 2 + 4; // after the TIFF header and an empty IFD0
		int thumbnailAt = ifd1 + 2 + 2 * 12 + 4;
		ByteBuffer exif = ByteBuffer.allocate(6 + thumbnailAt + thumbnail.length).order(ByteOrder.LITTLE_ENDIAN);
		exif.put("Exif".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) 0);
		exif.put((byte) 'I').put((byte) 'I').putShort((short) 42).putInt(8);
		exif.putShort((short) 0).putInt(ifd1);
		exif.putShort((short) 2);
		exif.putShort((short) 0x0201).putShort((short) 4).putInt(1).putInt(thumbnailAt);
		exif.putShort((short) 0x0202).putShort((short) 4).putInt(1).putInt(thumbnail.length);
		exif.putInt(0);
		exif.put(thumbnail);
		return withSegment(jpeg, 0xE1, exif.array());
	}

	/**
	 * {@code jpeg} with a JFXX extension segment carrying {@code thumbnail} as a JPEG
	 * (code 0x10).
	 */
	public static byte[] withJfxxThumbnail(byte[] jpeg, byte[] thumbnail) {
		ByteBuffer jfxx = ByteBuffer.allocate(6 + thumbnail.length);
		jfxx.put("JFXX".getBytes(StandardCharsets.US_ASCII)).put((byte) 0).put((byte) 0x10).put(thumbnail);
		return withSegment(jpeg, 0xE0, jfxx.array());
	}

	static byte[] withSegment(byte[] jpeg, int marker, byte[] payload) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.write(jpeg, 0, 2);
		out.write(0xFF);
		out.write(marker);
		out.write((payload.length + 2) >> 8);
		out.write((payload.length + 2) & 0xFF);
		out.writeBytes(payload);
		out.write(jpeg, 2, jpeg.length - 2);
		return out.toByteArray();
	}

	private static byte[] read(String file) {
		try {
			return java.nio.file.Files.readAllBytes(java.nio.file.Path.of(file));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
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
