package dev.digits.preprocessing;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link GreyConverter}: every layout a decoder hands over gives the levels its samples
 * stand for (luminance of colour, alpha composited away), whether read straight from the
 * byte array or through the raster.
 */
class GreyConverterTests {

	@Test
	void everyByteLayoutGivesTheLuminanceOfItsSamples() {
		Random random = new Random(3);
		int[] types = { BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_BYTE_GRAY,
				BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_USHORT_GRAY };
		for (int type : types) {
			BufferedImage image = new BufferedImage(37, 23, type);
			Raster raster = image.getRaster();
			for (int y = 0; y < image.getHeight(); y++) {
				for (int x = 0; x < image.getWidth(); x++) {
					for (int band = 0; band < raster.getNumBands(); band++) {
						int max = (1 << image.getColorModel().getComponentSize(band)) - 1;
						// alpha mostly opaque, sometimes partly or fully transparent
						int sample = (band == 3 && random.nextInt(3) > 0) ? max : random.nextInt(max + 1);
						image.getRaster().setSample(x, y, band, sample);
					}
				}
			}
			assertThat(GreyConverter.toGrey(image).levels()).as("type %d", type).isEqualTo(expected(image));
			// a part of a larger image: its raster starts inside the larger one's array
			BufferedImage part = image.getSubimage(5, 3, 20, 11);
			assertThat(GreyConverter.toGrey(part).levels()).as("part of type %d", type).isEqualTo(expected(part));
		}
	}

	/** Each pixel's samples, one at a time through the raster, as levels. */
	private static byte[] expected(BufferedImage image) {
		Raster raster = image.getRaster();
		int width = image.getWidth();
		byte[] grey = new byte[width * image.getHeight()];
		byte[] alpha = new byte[grey.length];
		boolean colour = raster.getNumBands() >= 3;
		for (int y = 0; y < image.getHeight(); y++) {
			for (int x = 0; x < width; x++) {
				int[] levels = new int[raster.getNumBands()];
				for (int band = 0; band < levels.length; band++) {
					levels[band] = GreyConverter.to8Bits(raster.getSample(x, y, band),
							image.getColorModel().getComponentSize(band));
				}
				grey[y * width
						+ x] = (byte) (colour ? GreyConverter.luminance(levels[0], levels[1], levels[2]) : levels[0]);
				alpha[y * width + x] = (byte) (image.getColorModel().hasAlpha() ? levels[levels.length - 1] : 255);
			}
		}
		if (image.getColorModel().hasAlpha()) {
			GreyConverter.composite(grey, alpha);
		}
		return grey;
	}

}
