package dev.digits.preprocessing;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadProgressListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Decodes one image with ImageIO, within the budget its {@link ImageHeader} was checked
 * against: subsampled by an integer step so that at most
 * {@link PreprocessingLimits#decodePixels()} are decoded, and abandoned (through
 * {@link ImageReader#abort()}, which the JDK's readers honour per row or per progressive
 * pass) once the deadline has passed; a JPEG is turned upright by its EXIF orientation,
 * as phone cameras write it.
 */
final class ImageDecoder {

	private ImageDecoder() {
	}

	/**
	 * The decoded image in grey, composited if it had transparency, with its size before
	 * subsampling.
	 */
	record Decoded(GreyImage grey, int width, int height) {
	}

	static Decoded decode(byte[] bytes, ImageFormat format, ImageHeader header, long decodePixels, long deadlineNanos) {
		ImageReader reader = readerFor(format);
		List<String> warnings = new ArrayList<>();
		reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
		Deadline deadline = new Deadline(deadlineNanos);
		reader.addIIOReadProgressListener(deadline);
		// reads the array in place (MemoryCacheImageInputStream copied it into an 8 KB
		// cache block per image) and stops a reader that decodes on past the end
		try (ImageInputStream input = new ArrayImageInput(bytes, format.displayName(), deadlineNanos)) {
			reader.setInput(input, true, true);
			// the reader must see the image the header check saw
			if (reader.getWidth(0) != header.width() || reader.getHeight(0) != header.height()) {
				throw new PreprocessingException(Reason.UNDECODABLE,
						String.format(Locale.ROOT, "The %s header says %d x %d but the image data is %d x %d.",
								format.displayName(), header.width(), header.height(), reader.getWidth(0),
								reader.getHeight(0)));
			}
			checkEveryImage(reader, format, header);
			ImageReadParam param = reader.getDefaultReadParam();
			int step = header.subsamplingStep(decodePixels);
			if (step > 1) {
				param.setSourceSubsampling(step, step, 0, 0);
			}
			BufferedImage image = reader.read(0, param);
			if (deadline.aborted || System.nanoTime() > deadlineNanos) {
				throw ImagePreprocessor.timeout();
			}
			if (image == null || image.getWidth() <= 0 || image.getHeight() <= 0
					|| image.getWidth() > (header.width() + step - 1) / step
					|| image.getHeight() > (header.height() + step - 1) / step) {
				throw undecodable(format, null);
			}
			if (warnings.stream().anyMatch(ImageDecoder::meansTruncated)) {
				throw new PreprocessingException(Reason.UNDECODABLE,
						"The " + format.displayName() + " data ends before the image does (truncated upload?).");
			}
			GreyImage upright = GreyConverter.toGrey(image).upright(header.orientation());
			boolean turned = header.orientation() >= 5;
			return new Decoded(upright, turned ? header.height() : header.width(),
					turned ? header.width() : header.height());
		}
		catch (PreprocessingException ex) {
			throw ex;
		}
		catch (IOException | RuntimeException ex) {
			// a refusal thrown from inside a reader (the input's deadline, its end) may
			// come back wrapped: the JDK's PNG reader turns it into "Caught exception
			// during read", which is not corrupt data
			for (Throwable cause = ex.getCause(); cause != null; cause = cause.getCause()) {
				if (cause instanceof PreprocessingException refused) {
					throw refused;
				}
			}
			// a reader stopped at the deadline (aborted by the progress listener) may
			// fail
			// in its own way
			if (deadline.aborted || System.nanoTime() > deadlineNanos) {
				throw ImagePreprocessor.timeout();
			}
			// ImageIO readers signal corrupt data with IIOException, but also with
			// IndexOutOfBounds, IllegalArgument, IllegalState, NegativeArraySize, ...
			throw undecodable(format, ex);
		}
		finally {
			reader.dispose();
		}
	}

	/**
	 * The reader's own idea of every image in the file (every GIF frame), checked against
	 * the largest layer the header allowed: if the reader would ever size a raster from a
	 * field the header parser did not see, the file is refused here, before {@code read}
	 * allocates.
	 */
	private static void checkEveryImage(ImageReader reader, ImageFormat format, ImageHeader header) throws IOException {
		int images = reader.getNumImages(false);
		if (images > header.frames()) {
			throw new PreprocessingException(Reason.TOO_COMPLEX, "The " + format.displayName() + " holds " + images
					+ " images where its header shows " + header.frames() + "; send a single plain image.");
		}
		for (int i = 0; i < header.frames(); i++) {
			int width;
			int height;
			try {
				width = reader.getWidth(i);
				height = reader.getHeight(i);
			}
			catch (IndexOutOfBoundsException ex) {
				return; // the reader found fewer images than the header walk: it will not
						// decode more
			}
			if (width > header.largestWidth() || height > header.largestHeight()) {
				throw new PreprocessingException(Reason.TOO_MANY_PIXELS,
						String.format(Locale.ROOT,
								"The %s holds an image of %d x %d pixels beyond what its headers declare (%d x %d).",
								format.displayName(), width, height, header.largestWidth(), header.largestHeight()));
			}
		}
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

	/**
	 * Aborts the read at the first progress report after the deadline. The JDK's readers
	 * report progress as they go and may only be aborted from their own thread, which is
	 * this one.
	 */
	private static final class Deadline implements IIOReadProgressListener {

		private final long deadlineNanos;

		private boolean aborted;

		Deadline(long deadlineNanos) {
			this.deadlineNanos = deadlineNanos;
		}

		@Override
		public void imageProgress(ImageReader source, float percentageDone) {
			if (!aborted && System.nanoTime() > deadlineNanos) {
				aborted = true;
				source.abort();
			}
		}

		@Override
		public void readAborted(ImageReader source) {
			aborted = true;
		}

		@Override
		public void sequenceStarted(ImageReader source, int minIndex) {
		}

		@Override
		public void sequenceComplete(ImageReader source) {
		}

		@Override
		public void imageStarted(ImageReader source, int imageIndex) {
		}

		@Override
		public void imageComplete(ImageReader source) {
		}

		@Override
		public void thumbnailStarted(ImageReader source, int imageIndex, int thumbnailIndex) {
		}

		@Override
		public void thumbnailProgress(ImageReader source, float percentageDone) {
		}

		@Override
		public void thumbnailComplete(ImageReader source) {
		}

	}

}
