package dev.digits.preprocessing;

/**
 * A grey image for the pipeline's internal use: levels 0..255 as unsigned bytes, row-major. The
 * array is shared, not copied; every step that changes it says so.
 */
record GreyImage(int width, int height, byte[] levels) {

	GreyImage {
		if (width <= 0 || height <= 0 || levels.length != width * height) {
			throw new IllegalArgumentException(width + "x" + height + " with " + levels.length + " levels");
		}
	}

	int level(int index) {
		return this.levels[index] & 0xFF;
	}

	int size() {
		return this.levels.length;
	}

}
