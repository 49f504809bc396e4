package dev.digits.preprocessing;

import java.util.Optional;

/** How pixel values are written: grey levels 0..255 (integers) or unit floats 0..1. */
public enum PixelScale {

	GREY_LEVELS("0-255"), UNIT("0-1");

	private final String label;

	PixelScale(String label) {
		this.label = label;
	}

	/** The name clients use, {@code "0-255"} or {@code "0-1"}. */
	public String label() {
		return this.label;
	}

	public static Optional<PixelScale> of(String label) {
		for (PixelScale scale : values()) {
			if (scale.label.equals(label)) {
				return Optional.of(scale);
			}
		}
		return Optional.empty();
	}

}
