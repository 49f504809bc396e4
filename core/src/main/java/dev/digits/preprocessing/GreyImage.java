package dev.digits.preprocessing;

/**
 * A grey image for the pipeline's internal use: levels 0..255 as unsigned bytes,
 * row-major. The array is shared, not copied; every step that changes it says so.
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

	/**
	 * This image turned upright by an EXIF orientation (1 to 8): 2 mirrors it, 3 turns it
	 * half a turn, 4 flips it, 5 transposes it, 6 turns it a quarter clockwise, 7
	 * transverses it, 8 turns it a quarter anticlockwise. 1 (or anything else) returns
	 * this image.
	 */
	GreyImage upright(int orientation) {
		if (orientation < 2 || orientation > 8) {
			return this;
		}
		boolean swap = orientation >= 5;
		int w = swap ? this.height : this.width;
		int h = swap ? this.width : this.height;
		byte[] out = new byte[this.levels.length];
		for (int y = 0; y < h; y++) {
			for (int x = 0; x < w; x++) {
				int sx;
				int sy;
				switch (orientation) {
					case 2 -> {
						sx = this.width - 1 - x;
						sy = y;
					}
					case 3 -> {
						sx = this.width - 1 - x;
						sy = this.height - 1 - y;
					}
					case 4 -> {
						sx = x;
						sy = this.height - 1 - y;
					}
					case 5 -> {
						sx = y;
						sy = x;
					}
					case 6 -> {
						sx = y;
						sy = this.height - 1 - x;
					}
					case 7 -> {
						sx = this.width - 1 - y;
						sy = this.height - 1 - x;
					}
					default -> {
						sx = this.width - 1 - y;
						sy = x;
					} // 8
				}
				out[y * w + x] = this.levels[sy * this.width + sx];
			}
		}
		return new GreyImage(w, h, out);
	}

}
