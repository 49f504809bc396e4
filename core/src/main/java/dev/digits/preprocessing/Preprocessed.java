package dev.digits.preprocessing;

import java.util.Arrays;
import java.util.Objects;

import dev.digits.model.DigitNetwork;

/**
 * Network input made from one upload.
 *
 * @param pixels 784 values in 0..1, row-major 28x28, ink high (the MNIST convention);
 * copied in and out, so an instance cannot be changed
 * @param format what was decoded: {@code png}, {@code jpeg}, {@code gif}, {@code bmp}, or
 * {@code pixels} for pixel arrays
 * @param width width of the upload in pixels
 * @param height height of the upload in pixels
 * @param inverted whether the upload had dark ink on light paper and was inverted
 * @param reframed whether the digit was cropped, scaled to 20x20 and centred by mass
 * (false when the upload already was 28x28 and passed through unchanged)
 * @param severalDigits whether the picture shows two or more digit-sized groups of ink
 * side by side (such as "42" written on a page): only one of them, the most central and
 * heaviest, became the input, so the answer is for that digit alone; always false for
 * 28x28 images and pixel arrays
 */
public record Preprocessed(float[] pixels, String format, int width, int height, boolean inverted, boolean reframed,
		boolean severalDigits) {

	/** Network input of one digit ({@code severalDigits} false). */
	public Preprocessed(float[] pixels, String format, int width, int height, boolean inverted, boolean reframed) {
		this(pixels, format, width, height, inverted, reframed, false);
	}

	public Preprocessed {
		Objects.requireNonNull(pixels, "pixels");
		Objects.requireNonNull(format, "format");
		if (pixels.length != DigitNetwork.PIXELS) {
			throw new IllegalArgumentException("expected " + DigitNetwork.PIXELS + " pixels, got " + pixels.length);
		}
		pixels = pixels.clone();
	}

	/** A copy of the 784 network inputs. */
	@Override
	public float[] pixels() {
		return this.pixels.clone();
	}

	/**
	 * The 28x28 input as an 8-bit grey PNG, ink white on black as the network sees it
	 * (levels are the inputs times 255, rounded).
	 */
	public byte[] png() {
		java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(DigitNetwork.WIDTH, DigitNetwork.HEIGHT,
				java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
		byte[] levels = new byte[DigitNetwork.PIXELS];
		for (int i = 0; i < levels.length; i++) {
			levels[i] = (byte) Math.round(Math.max(0f, Math.min(1f, this.pixels[i])) * 255f);
		}
		image.getRaster().setDataElements(0, 0, DigitNetwork.WIDTH, DigitNetwork.HEIGHT, levels);
		java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
		try {
			javax.imageio.ImageIO.write(image, "png", out);
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
		return out.toByteArray();
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof Preprocessed that && Arrays.equals(this.pixels, that.pixels)
				&& this.format.equals(that.format) && this.width == that.width && this.height == that.height
				&& this.inverted == that.inverted && this.reframed == that.reframed
				&& this.severalDigits == that.severalDigits;
	}

	@Override
	public int hashCode() {
		return 31 * Objects.hash(this.format, this.width, this.height, this.inverted, this.reframed, this.severalDigits)
				+ Arrays.hashCode(this.pixels);
	}

	@Override
	public String toString() {
		return "Preprocessed[format=" + this.format + ", width=" + this.width + ", height=" + this.height
				+ ", inverted=" + this.inverted + ", reframed=" + this.reframed + ", severalDigits="
				+ this.severalDigits + "]";
	}

}
