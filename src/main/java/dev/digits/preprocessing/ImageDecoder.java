package dev.digits.preprocessing;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes one image with ImageIO after checking its header against the pixel limit.
 * <p>
 * Images above {@link #DECODE_BUDGET} pixels are subsampled by an integer step while decoding, so a
 * request never holds more than about that many pixels in memory whatever the limit; the digit ends
 * up 20 pixels tall, so a 2048-pixel-wide decode loses nothing that matters.
 */
final class ImageDecoder {

	/** Most pixels decoded at full resolution (2048 x 2048). */
	static final long DECODE_BUDGET = 2048L * 2048L;

	private ImageDecoder() {
	}

	/** The decoded image in grey, composited if it had transparency, with its size before subsampling. */
	record Decoded(GreyImage grey, int width, int height) {
	}

	static Decoded decode(byte[] bytes, ImageFormat format, long maxPixels) {
		ImageReader reader = readerFor(format);
		List<String> warnings = new ArrayList<>();
		reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
		try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
			reader.setInput(input, true, true);
			int width = reader.getWidth(0);
			int height = reader.getHeight(0);
			if (width <= 0 || height <= 0) {
				throw new PreprocessingException(Reason.UNDECODABLE,
						"The " + format.displayName() + " image has no pixels (" + width + " x " + height + ").");
			}
			long pixels = (long) width * height;
			if (pixels > maxPixels) {
				throw new PreprocessingException(Reason.TOO_MANY_PIXELS,
						String.format(Locale.ROOT,
								"The image is %d x %d pixels (%.1f megapixels); at most %.1f megapixels are accepted. "
										+ "Scale it down before uploading.",
								width, height, pixels / 1e6, maxPixels / 1e6));
			}
			ImageReadParam param = reader.getDefaultReadParam();
			int step = subsamplingStep(pixels);
			if (step > 1) {
				param.setSourceSubsampling(step, step, 0, 0);
			}
			BufferedImage image = reader.read(0, param);
			if (image == null || image.getWidth() <= 0 || image.getHeight() <= 0) {
				throw undecodable(format, null);
			}
			if (warnings.stream().anyMatch(ImageDecoder::meansTruncated)) {
				throw new PreprocessingException(Reason.UNDECODABLE,
						"The " + format.displayName() + " data ends before the image does (truncated upload?).");
			}
			return new Decoded(GreyConverter.toGrey(image), width, height);
		}
		catch (PreprocessingException ex) {
			throw ex;
		}
		catch (IOException | RuntimeException ex) {
			// ImageIO readers signal corrupt data with IIOException, but also with
			// IndexOutOfBounds, IllegalArgument, IllegalState, NegativeArraySize, ...
			throw undecodable(format, ex);
		}
		finally {
			reader.dispose();
		}
	}

	/** The smallest integer step that brings the decoded pixels within {@link #DECODE_BUDGET}. */
	static int subsamplingStep(long pixels) {
		int step = 1;
		while (pixels > DECODE_BUDGET * step * step) {
			step++;
		}
		return step;
	}

	private static boolean meansTruncated(String warning) {
		String lower = warning.toLowerCase(Locale.ROOT);
		return lower.contains("premature end") || lower.contains("truncat");
	}

	private static PreprocessingException undecodable(ImageFormat format, Throwable cause) {
		return new PreprocessingException(Reason.UNDECODABLE, "The upload starts like a " + format.displayName()
				+ " image but its data is corrupt or truncated and could not be decoded.", cause);
	}

	private static ImageReader readerFor(ImageFormat format) {
		Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format.id());
		if (!readers.hasNext()) {
			throw new PreprocessingException(Reason.UNSUPPORTED_FORMAT,
					format.displayName() + " images cannot be decoded by this server.");
		}
		return readers.next();
	}

}
