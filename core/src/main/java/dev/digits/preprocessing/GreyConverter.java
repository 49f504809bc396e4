package dev.digits.preprocessing;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBufferByte;
import java.awt.image.DirectColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;

/**
 * Turns any decoded image into grey levels 0..255, compositing transparency away.
 * <p>
 * Samples are read from the raster, never through {@link BufferedImage#getRGB}, which
 * converts grey images from a linear colour space and so changes their levels. Colour
 * becomes luminance {@code 0.299 R + 0.587 G + 0.114 B}, rounded.
 * <p>
 * Transparent pixels are composited onto the background that contrasts with what is
 * visible: a canvas drawing (dark strokes over fully transparent {@code rgba(0,0,0,0)})
 * goes onto white, light strokes go onto black. An image whose every pixel is fully
 * transparent has its alpha ignored, as 32-bit BMPs often carry an unused alpha of zero.
 */
final class GreyConverter {

	private GreyConverter() {
	}

	static GreyImage toGrey(BufferedImage image) {
		int width = image.getWidth();
		int height = image.getHeight();
		byte[] grey = new byte[width * height];
		byte[] alpha = new byte[width * height];
		boolean hasAlpha = image.getColorModel().hasAlpha();
		ColorModel model = image.getColorModel();
		if (model instanceof IndexColorModel indexed) {
			readIndexed(image.getRaster(), indexed, grey, alpha);
		}
		else if (readsRawSamples(model)) {
			readComponents(image.getRaster(), model, grey, alpha);
		}
		else {
			readThroughSrgb(image, grey, alpha);
		}
		if (hasAlpha) {
			composite(grey, alpha);
		}
		return new GreyImage(width, height, grey);
	}

	/**
	 * Grey or RGB colour models with (optional) straight alpha and 1 to 16 bits per
	 * sample: the samples are the encoded levels, read as they are.
	 */
	private static boolean readsRawSamples(ColorModel model) {
		if (!(model instanceof ComponentColorModel || model instanceof DirectColorModel)
				|| model.isAlphaPremultiplied()) {
			return false;
		}
		int type = model.getColorSpace().getType();
		if (!(type == ColorSpace.TYPE_GRAY && model.getNumColorComponents() == 1)
				&& !(type == ColorSpace.TYPE_RGB && model.getNumColorComponents() == 3)) {
			return false;
		}
		for (int bits : model.getComponentSize()) {
			if (bits < 1 || bits > 16) {
				return false;
			}
		}
		return true;
	}

	private static void readIndexed(Raster raster, IndexColorModel model, byte[] grey, byte[] alpha) {
		int entries = model.getMapSize();
		byte[] greyOf = new byte[entries];
		byte[] alphaOf = new byte[entries];
		for (int i = 0; i < entries; i++) {
			greyOf[i] = (byte) luminance(model.getRed(i), model.getGreen(i), model.getBlue(i));
			alphaOf[i] = (byte) model.getAlpha(i);
		}
		int width = raster.getWidth();
		int[] row = new int[width];
		for (int y = 0; y < raster.getHeight(); y++) {
			raster.getSamples(raster.getMinX(), raster.getMinY() + y, width, 1, 0, row);
			for (int x = 0; x < width; x++) {
				int index = row[x];
				int at = y * width + x;
				// an index beyond the palette (possible in corrupt files) reads as entry
				// 0
				int entry = (index >= 0 && index < entries) ? index : 0;
				grey[at] = greyOf[entry];
				alpha[at] = alphaOf[entry];
			}
		}
	}

	private static void readComponents(Raster raster, ColorModel model, byte[] grey, byte[] alpha) {
		if (readInterleavedBytes(raster, model, grey, alpha)) {
			return;
		}
		int colours = model.getNumColorComponents();
		int[] bits = model.getComponentSize();
		int width = raster.getWidth();
		int height = raster.getHeight();
		int[][] rows = new int[model.getNumComponents()][width];
		for (int y = 0; y < height; y++) {
			for (int band = 0; band < rows.length; band++) {
				raster.getSamples(raster.getMinX(), raster.getMinY() + y, width, 1, band, rows[band]);
			}
			for (int x = 0; x < width; x++) {
				int at = y * width + x;
				if (colours == 1) {
					grey[at] = (byte) to8Bits(rows[0][x], bits[0]);
				}
				else {
					grey[at] = (byte) luminance(to8Bits(rows[0][x], bits[0]), to8Bits(rows[1][x], bits[1]),
							to8Bits(rows[2][x], bits[2]));
				}
				alpha[at] = (byte) (model.hasAlpha() ? to8Bits(rows[colours][x], bits[colours]) : 255);
			}
		}
	}

	/**
	 * The common case of {@link #readComponents}, 8-bit samples side by side in one byte
	 * array (what the JPEG and PNG readers make of a photo: BGR, RGB, grey, with or
	 * without alpha), read straight from the array rather than a row of each band at a
	 * time through the raster: the same levels (a test compares every layout), in about
	 * three quarters of the time for colour and half or less for grey (a 1 MP JPEG's
	 * decoded image, timed alone). False, and nothing read, for any other layout.
	 */
	private static boolean readInterleavedBytes(Raster raster, ColorModel model, byte[] grey, byte[] alpha) {
		if (!(raster.getDataBuffer() instanceof DataBufferByte buffer) || buffer.getNumBanks() != 1
				|| !(raster.getSampleModel() instanceof PixelInterleavedSampleModel layout)
				|| layout.getNumBands() != model.getNumComponents() || raster.getSampleModelTranslateX() != 0
				|| raster.getSampleModelTranslateY() != 0) {
			return false;
		}
		for (int bits : model.getComponentSize()) {
			if (bits != 8) {
				return false;
			}
		}
		int colours = model.getNumColorComponents();
		int width = raster.getWidth();
		int height = raster.getHeight();
		byte[] data = buffer.getData();
		int[] offsets = layout.getBandOffsets();
		int base = buffer.getOffset();
		int stride = layout.getPixelStride();
		int scanline = layout.getScanlineStride();
		int first = offsets[0];
		int second = (colours == 3) ? offsets[1] : 0;
		int third = (colours == 3) ? offsets[2] : 0;
		boolean hasAlpha = model.hasAlpha();
		int alphaAt = hasAlpha ? offsets[colours] : 0;
		for (int y = 0; y < height; y++) {
			int pixel = base + y * scanline;
			int at = y * width;
			int end = at + width;
			// one loop per layout, so that each compiles without a choice per pixel;
			// alpha
			// is read only when there is one (toGrey composites only then)
			if (colours == 1 && stride == 1) {
				System.arraycopy(data, pixel + first, grey, at, width);
			}
			else if (colours == 1) {
				for (; at < end; at++, pixel += stride) {
					grey[at] = data[pixel + first];
				}
			}
			else {
				for (; at < end; at++, pixel += stride) {
					grey[at] = (byte) luminance(data[pixel + first] & 0xFF, data[pixel + second] & 0xFF,
							data[pixel + third] & 0xFF);
				}
			}
			if (hasAlpha) {
				pixel = base + y * scanline + alphaAt;
				for (at = y * width; at < end; at++, pixel += stride) {
					alpha[at] = data[pixel];
				}
			}
		}
		return true;
	}

	/**
	 * Anything else (other colour spaces, premultiplied alpha): let Java2D convert to
	 * sRGB.
	 */
	private static void readThroughSrgb(BufferedImage image, byte[] grey, byte[] alpha) {
		int width = image.getWidth();
		int[] row = new int[width];
		for (int y = 0; y < image.getHeight(); y++) {
			image.getRGB(0, y, width, 1, row, 0, width);
			for (int x = 0; x < width; x++) {
				int argb = row[x];
				int at = y * width + x;
				grey[at] = (byte) luminance(argb >> 16 & 0xFF, argb >> 8 & 0xFF, argb & 0xFF);
				alpha[at] = (byte) (argb >>> 24);
			}
		}
	}

	/**
	 * Composites {@code grey} over a uniform background chosen to contrast with the
	 * visible pixels: white when their alpha-weighted mean is dark, black otherwise.
	 * Changes {@code grey} in place.
	 */
	static void composite(byte[] grey, byte[] alpha) {
		long weight = 0;
		long weightedSum = 0;
		boolean opaque = true;
		for (int i = 0; i < grey.length; i++) {
			int a = alpha[i] & 0xFF;
			opaque &= a == 255;
			weight += a;
			weightedSum += (long) a * (grey[i] & 0xFF);
		}
		if (opaque || weight == 0) {
			return;
		}
		int background = (weightedSum < 128 * weight) ? 255 : 0;
		for (int i = 0; i < grey.length; i++) {
			int a = alpha[i] & 0xFF;
			grey[i] = (byte) (((grey[i] & 0xFF) * a + background * (255 - a) + 127) / 255);
		}
	}

	/** Rounded {@code 0.299 R + 0.587 G + 0.114 B} of 8-bit components. */
	static int luminance(int red, int green, int blue) {
		return (299 * red + 587 * green + 114 * blue + 500) / 1000;
	}

	/** A sample of {@code bits} bits scaled to 0..255, rounded. */
	static int to8Bits(int sample, int bits) {
		if (bits == 8) {
			return sample;
		}
		int max = (1 << bits) - 1;
		return (int) ((sample * 255L + max / 2) / max);
	}

}
