package dev.digits.preprocessing;

/**
 * Why an upload could not be turned into network input; each maps to one kind of client
 * error.
 */
public enum Reason {

	/**
	 * Not PNG, JPEG, GIF or BMP (judged from the bytes, never from a declared content
	 * type).
	 */
	UNSUPPORTED_FORMAT,

	/** Empty, truncated or corrupt image data, or an image without pixels. */
	UNDECODABLE,

	/**
	 * The image header announces more pixels, or a wider or taller image, than the
	 * limits; nothing was decoded.
	 */
	TOO_MANY_PIXELS,

	/**
	 * Decoding would need more than the budget allows (memory, frames, JPEG scans), or
	 * the file nests another format (a BMP carrying a PNG or JPEG); nothing was decoded.
	 */
	TOO_COMPLEX,

	/**
	 * Decoding and normalising took longer than the time budget; the work was abandoned.
	 */
	TIMEOUT,

	/** The server is decoding as much as its memory budget allows; retry shortly. */
	BUSY,

	/** No digit to see: uniform, or fewer ink pixels than the configured minimum. */
	BLANK,

	/**
	 * Ink that cannot be one digit: a dot or a short dash (a tap), or a clean picture
	 * mostly covered in ink (a scribble over a whole pad).
	 */
	NOT_A_DIGIT,

	/** A pixel array of the wrong length or with values outside the allowed range. */
	INVALID_PIXELS

}
