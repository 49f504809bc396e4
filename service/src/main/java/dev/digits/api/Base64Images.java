package dev.digits.api;

import java.util.Base64;
import java.util.Locale;
import java.util.Set;

import dev.digits.preprocessing.PreprocessingException;
import dev.digits.preprocessing.Reason;

/**
 * An encoded image sent in JSON: plain base64 (standard or URL-safe alphabet, padding
 * optional, whitespace ignored), or a data URL {@code data:image/png;base64,...} as a
 * canvas's {@code toDataURL()} gives it. Its decoded size is checked against the image
 * limit before anything is decoded; the pixel limits are the preprocessor's, as for any
 * upload.
 */
final class Base64Images {

	private static final Set<String> IMAGE_TYPES = Set.of("image/png", "image/jpeg", "image/jpg", "image/gif",
			"image/bmp", "image/webp", "application/octet-stream", "");

	private Base64Images() {
	}

	static byte[] decode(String text, long maxBytes, String where) {
		String data = text;
		if (text.regionMatches(true, 0, "data:", 0, 5)) {
			int comma = text.indexOf(',');
			if (comma < 0) {
				throw new InvalidRequestException(where + "the data URL has no comma before its data");
			}
			String[] header = text.substring(5, comma).toLowerCase(Locale.ROOT).split(";");
			String type = header[0].trim();
			boolean base64 = false;
			for (int i = 1; i < header.length; i++) {
				base64 |= header[i].trim().equals("base64");
			}
			if (!IMAGE_TYPES.contains(type)) {
				throw new PreprocessingException(Reason.UNSUPPORTED_FORMAT,
						where + "the data URL holds " + type + ", not an image (PNG, JPEG, GIF, BMP or WebP)");
			}
			if (!base64) {
				throw new InvalidRequestException(
						where + "the data URL must be base64-encoded (data:image/png;base64,...)");
			}
			data = text.substring(comma + 1);
		}
		String compact = data.replaceAll("\\s+", "");
		long decodedSize = compact.length() / 4L * 3 + (compact.length() % 4 == 0 ? 0 : 2);
		if (decodedSize > maxBytes + 2) {
			throw new TooLargeException(
					where + "the image is about " + decodedSize + " bytes; the limit is " + maxBytes);
		}
		byte[] bytes;
		try {
			bytes = compact.indexOf('-') >= 0 || compact.indexOf('_') >= 0 ? Base64.getUrlDecoder().decode(compact)
					: Base64.getDecoder().decode(compact);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidRequestException(where + "\"image\" is not valid base64 (" + ex.getMessage() + ")");
		}
		if (bytes.length > maxBytes) {
			throw new TooLargeException(where + "the image is " + bytes.length + " bytes; the limit is " + maxBytes);
		}
		return bytes;
	}

}
