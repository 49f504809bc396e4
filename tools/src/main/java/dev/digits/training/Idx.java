package dev.digits.training;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;

/**
 * Reader (and plain writer) for the IDX format of the MNIST files (gzip-compressed or
 * plain): unsigned-byte images (magic 0x00000803) and labels (magic 0x00000801).
 */
public final class Idx {

	static final int IMAGES_MAGIC = 0x00000803;
	static final int LABELS_MAGIC = 0x00000801;

	private Idx() {
	}

	/**
	 * Images as one row-major array of grey levels, {@code count * rows * cols} bytes.
	 */
	public record Images(int count, int rows, int cols, byte[] pixels, String sha256) {

		public int pixelsPerImage() {
			return rows * cols;
		}

	}

	/** Labels, one byte each, 0..9. */
	public record Labels(byte[] labels, String sha256) {

		public int count() {
			return labels.length;
		}

	}

	/** Writes {@code count} images of {@code rows x cols} grey levels, uncompressed. */
	public static void writeImages(Path file, byte[] pixels, int count, int rows, int cols) throws IOException {
		if ((long) count * rows * cols != pixels.length) {
			throw new IllegalArgumentException(
					pixels.length + " bytes are not " + count + " images of " + rows + "x" + cols);
		}
		ByteBuffer header = ByteBuffer.allocate(16).putInt(IMAGES_MAGIC).putInt(count).putInt(rows).putInt(cols);
		write(file, header.array(), pixels);
	}

	/** Writes labels, one byte each, uncompressed. */
	public static void writeLabels(Path file, byte[] labels) throws IOException {
		write(file, ByteBuffer.allocate(8).putInt(LABELS_MAGIC).putInt(labels.length).array(), labels);
	}

	private static void write(Path file, byte[] header, byte[] body) throws IOException {
		try (java.io.OutputStream out = Files.newOutputStream(file)) {
			out.write(header);
			out.write(body);
		}
	}

	public static Images readImages(Path file) throws IOException {
		byte[] data = readUncompressed(file);
		ByteBuffer buffer = header(file, data, 16, IMAGES_MAGIC);
		int count = buffer.getInt();
		int rows = buffer.getInt();
		int cols = buffer.getInt();
		if (count < 0 || rows <= 0 || cols <= 0) {
			throw new IdxFormatException(file, "bad dimensions " + count + "x" + rows + "x" + cols);
		}
		long expected = 16L + (long) count * rows * cols;
		if (data.length != expected) {
			throw new IdxFormatException(file,
					"header announces " + count + " images of " + rows + "x" + cols + " (" + expected
							+ " bytes) but the file has " + data.length + " bytes"
							+ (data.length < expected ? " (truncated)" : ""));
		}
		byte[] pixels = new byte[(int) (expected - 16)];
		System.arraycopy(data, 16, pixels, 0, pixels.length);
		return new Images(count, rows, cols, pixels, sha256(data));
	}

	public static Labels readLabels(Path file) throws IOException {
		byte[] data = readUncompressed(file);
		ByteBuffer buffer = header(file, data, 8, LABELS_MAGIC);
		int count = buffer.getInt();
		if (count < 0 || data.length != 8L + count) {
			throw new IdxFormatException(file, "header announces " + count + " labels but the file has "
					+ (data.length - 8) + " label bytes" + (data.length - 8 < count ? " (truncated)" : ""));
		}
		byte[] labels = new byte[count];
		System.arraycopy(data, 8, labels, 0, count);
		for (int i = 0; i < count; i++) {
			if (labels[i] < 0 || labels[i] > 9) {
				throw new IdxFormatException(file, "label " + i + " is " + (labels[i] & 0xFF) + ", not a digit 0..9");
			}
		}
		return new Labels(labels, sha256(data));
	}

	private static ByteBuffer header(Path file, byte[] data, int headerLength, int magic) throws IdxFormatException {
		if (data.length < headerLength) {
			throw new IdxFormatException(file, "only " + data.length + " bytes, shorter than the " + headerLength
					+ "-byte IDX header (truncated)");
		}
		ByteBuffer buffer = ByteBuffer.wrap(data); // IDX is big-endian, as ByteBuffer's
													// default
		int actual = buffer.getInt();
		if (actual != magic) {
			throw new IdxFormatException(file, String.format("magic number 0x%08X, expected 0x%08X (%s)", actual, magic,
					magic == IMAGES_MAGIC ? "unsigned-byte 3-D images" : "unsigned-byte 1-D labels"));
		}
		return buffer;
	}

	private static byte[] readUncompressed(Path file) throws IOException {
		byte[] raw;
		try {
			raw = Files.readAllBytes(file);
		}
		catch (NoSuchFileException ex) {
			throw new NoSuchFileException(file.toString(), null, "MNIST file not found");
		}
		if (raw.length >= 2 && (raw[0] & 0xFF) == 0x1F && (raw[1] & 0xFF) == 0x8B) {
			try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw), 1 << 16)) {
				ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length * 4);
				in.transferTo(out);
				return out.toByteArray();
			}
			catch (java.io.EOFException | java.util.zip.ZipException ex) {
				throw new IdxFormatException(file, "corrupt or truncated gzip data (" + ex.getMessage() + ")");
			}
		}
		return raw;
	}

	static String sha256(byte[] data) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
