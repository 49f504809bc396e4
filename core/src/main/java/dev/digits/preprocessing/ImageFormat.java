package dev.digits.preprocessing;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The image formats accepted, recognised from their magic bytes. */
enum ImageFormat {

	PNG("png", "PNG"), JPEG("jpeg", "JPEG"), GIF("gif", "GIF"), BMP("bmp", "BMP"), WEBP("webp", "WebP");

	private static final byte[] PNG_MAGIC = { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };

	private static final byte[] JPEG_MAGIC = { (byte) 0xFF, (byte) 0xD8, (byte) 0xFF };

	/** The formats named in messages, in the order clients should read them. */
	static final String ACCEPTED = "PNG, JPEG, GIF, BMP or WebP";

	private final String id;

	private final String displayName;

	ImageFormat(String id, String displayName) {
		this.id = id;
		this.displayName = displayName;
	}

	/**
	 * The lower-case name reported in {@link Preprocessed#format()}, also the ImageIO
	 * format name.
	 */
	String id() {
		return this.id;
	}

	String displayName() {
		return this.displayName;
	}

	/** The format announced by the first bytes, if it is one of ours. */
	static Optional<ImageFormat> sniff(byte[] bytes) {
		if (startsWith(bytes, PNG_MAGIC)) {
			return Optional.of(PNG);
		}
		if (startsWith(bytes, JPEG_MAGIC)) {
			return Optional.of(JPEG);
		}
		if (startsWith(bytes, ascii("GIF87a")) || startsWith(bytes, ascii("GIF89a"))) {
			return Optional.of(GIF);
		}
		if (isBmp(bytes)) {
			return Optional.of(BMP);
		}
		if (startsWith(bytes, ascii("RIFF")) && matchesAt(bytes, 8, ascii("WEBP"))) {
			return Optional.of(WEBP);
		}
		return Optional.empty();
	}

	/**
	 * A guess at what an unsupported upload is, for a helpful message, or {@code null}.
	 */
	static String describeUnsupported(byte[] bytes) {
		if (startsWith(bytes, new byte[] { 'I', 'I', 42, 0 }) || startsWith(bytes, new byte[] { 'M', 'M', 0, 42 })) {
			return "TIFF";
		}
		if (startsWith(bytes, ascii("%PDF"))) {
			return "PDF";
		}
		if (bytes.length >= 12 && matchesAt(bytes, 4, ascii("ftyp"))) {
			return "HEIC/AVIF or another ISO media file";
		}
		if (startsWith(bytes, ascii("<"))) {
			return "SVG, XML or HTML text";
		}
		return null;
	}

	/**
	 * "BM", then (when the header is long enough to tell) one of the known DIB header
	 * sizes, so that text that happens to start with "BM" is not taken for a bitmap.
	 * Shorter data is a truncated BMP.
	 */
	private static boolean isBmp(byte[] bytes) {
		if (!startsWith(bytes, ascii("BM"))) {
			return false;
		}
		if (bytes.length < 18) {
			return true;
		}
		int dibHeaderSize = (bytes[14] & 0xFF) | (bytes[15] & 0xFF) << 8 | (bytes[16] & 0xFF) << 16
				| (bytes[17] & 0xFF) << 24;
		return switch (dibHeaderSize) {
			case 12, 16, 40, 52, 56, 64, 108, 124 -> true;
			default -> false;
		};
	}

	private static boolean startsWith(byte[] bytes, byte[] prefix) {
		return matchesAt(bytes, 0, prefix);
	}

	private static boolean matchesAt(byte[] bytes, int offset, byte[] expected) {
		if (bytes.length < offset + expected.length) {
			return false;
		}
		for (int i = 0; i < expected.length; i++) {
			if (bytes[offset + i] != expected[i]) {
				return false;
			}
		}
		return true;
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
