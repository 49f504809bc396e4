package dev.digits.preprocessing;

import java.util.Locale;

/**
 * What an image will cost to decode, read from its header before any decoder runs, and
 * the refusal of anything over the budget.
 * <p>
 * The JDK's ImageIO readers allocate from header fields before they validate them (a
 * BMP's {@code biSizeImage}, a PNG's row width times bit depth, a progressive JPEG's
 * coefficient buffers, a GIF frame's size), and a BMP may nest a PNG or JPEG that
 * bypasses every check made on the BMP. So each accepted format's header is parsed here,
 * by bounded loops over the bytes, and every quantity a decoder will allocate or loop
 * over is checked against {@link PreprocessingLimits}.
 * <p>
 * A file that nests images is bounded by the largest dimensions ANY of its layers
 * declares, not by its outer header: a WebP's extended (VP8X) canvas and every VP8/VP8L
 * bitstream in it (a canvas that disagrees with its bitstream is refused, as libwebp
 * refuses it; animation and several bitstreams are refused), a GIF's logical screen and
 * every frame, a JPEG's frame and its thumbnails (the JPEG inside EXIF or JFXX, JFIF's
 * RGB thumbnail), while a BMP carrying a PNG or JPEG is refused outright. The chunk walks
 * are the decoders' own (RIFF chunks padded to even sizes, GIF blocks, JPEG segments), so
 * the layer the decoder reads is the layer checked here.
 *
 * @param width image width in pixels (the first frame's for GIF)
 * @param height image height in pixels
 * @param bands samples per pixel the decoder produces
 * @param bytesPerSample 1 or 2 (16-bit PNG)
 * @param rowBytes the largest row buffer the decoder allocates
 * @param nativeBytes memory the decoder needs outside the raster (progressive JPEG
 * coefficients)
 * @param frames frames in the file (GIF), else 1
 * @param scans scans in the file (JPEG), else 1
 * @param orientation the EXIF orientation (1 to 8) of a JPEG, as phone cameras write it;
 * 1 otherwise
 * @param largestWidth the widest any layer of the file declares: the image itself, a
 * GIF's logical screen or any of its frames, a WebP's canvas or its bitstream, a JPEG's
 * thumbnails (EXIF, JFIF, JFXX); at least {@code width}
 * @param largestHeight the tallest any layer declares; at least {@code height}
 */
record ImageHeader(int width, int height, int bands, int bytesPerSample, long rowBytes, long nativeBytes, int frames,
		int scans, int orientation, int largestWidth, int largestHeight) {

	ImageHeader {
		largestWidth = Math.max(largestWidth, width);
		largestHeight = Math.max(largestHeight, height);
	}

	ImageHeader(int width, int height, int bands, int bytesPerSample, long rowBytes, long nativeBytes, int frames,
			int scans, int orientation) {
		this(width, height, bands, bytesPerSample, rowBytes, nativeBytes, frames, scans, orientation, width, height);
	}

	ImageHeader(int width, int height, int bands, int bytesPerSample, long rowBytes, long nativeBytes, int frames,
			int scans) {
		this(width, height, bands, bytesPerSample, rowBytes, nativeBytes, frames, scans, 1);
	}

	/**
	 * Bytes per decoded pixel used by grey conversion and framing (grey, alpha, float
	 * ink, spare).
	 */
	static final int WORK_BYTES_PER_PIXEL = 14;

	long pixels() {
		return (long) width * height;
	}

	/**
	 * The integer subsampling step that brings the decoded pixels within
	 * {@code decodePixels}.
	 */
	int subsamplingStep(long decodePixels) {
		int step = 1;
		while (pixels() > decodePixels * step * step) {
			step++;
		}
		return step;
	}

	/**
	 * Memory to decode and normalise this image from {@code inputBytes}, subsampled as it
	 * will be.
	 */
	long decodeBytes(long inputBytes, long decodePixels) {
		int step = subsamplingStep(decodePixels);
		long decoded = ((long) (width + step - 1) / step) * ((height + step - 1) / step);
		return inputBytes + 3 * rowBytes + nativeBytes
				+ decoded * ((long) bands * bytesPerSample + WORK_BYTES_PER_PIXEL);
	}

	/**
	 * Parses the header of {@code bytes} (already sniffed as {@code format}) and checks
	 * it against the limits.
	 * @throws PreprocessingException {@link Reason#TOO_MANY_PIXELS},
	 * {@link Reason#TOO_COMPLEX}, {@link Reason#UNDECODABLE} or
	 * {@link Reason#UNSUPPORTED_FORMAT}
	 */
	static ImageHeader inspect(byte[] bytes, ImageFormat format, PreprocessingLimits limits) {
		ImageHeader header = switch (format) {
			case PNG -> png(bytes);
			case JPEG -> jpeg(bytes, limits);
			case GIF -> gif(bytes, limits);
			case BMP -> bmp(bytes, limits);
			case WEBP -> webp(bytes, limits);
		};
		header.check(bytes.length, format, limits);
		return header;
	}

	private void check(long inputBytes, ImageFormat format, PreprocessingLimits limits) {
		if (width <= 0 || height <= 0) {
			throw new PreprocessingException(Reason.UNDECODABLE,
					"The " + format.displayName() + " image has no pixels (" + width + " x " + height + ").");
		}
		if (width > limits.maxWidth() || height > limits.maxHeight() || pixels() > limits.maxPixels()) {
			throw new PreprocessingException(Reason.TOO_MANY_PIXELS, String.format(Locale.ROOT,
					"The image is %d x %d pixels (%.1f megapixels); at most %d x %d and %.1f megapixels are accepted. "
							+ "Scale it down before uploading.",
					width, height, pixels() / 1e6, limits.maxWidth(), limits.maxHeight(), limits.maxPixels() / 1e6));
		}
		if (exceeds(largestWidth, largestHeight, limits)) {
			throw new PreprocessingException(Reason.TOO_MANY_PIXELS, String.format(Locale.ROOT,
					"The %s file is %d x %d pixels outside but holds a layer (frame, bitstream or thumbnail) of "
							+ "%d x %d pixels; at most %d x %d and %.1f megapixels are accepted in any layer.",
					format.displayName(), width, height, largestWidth, largestHeight, limits.maxWidth(),
					limits.maxHeight(), limits.maxPixels() / 1e6));
		}
		long needed = decodeBytes(inputBytes, limits.decodePixels());
		if (needed > limits.maxDecodeBytes()) {
			throw new PreprocessingException(Reason.TOO_COMPLEX, String.format(Locale.ROOT,
					"Decoding this %s image would need about %d MB; at most %d MB are allowed per image%s.",
					format.displayName(), needed >> 20, limits.maxDecodeBytes() >> 20,
					nativeBytes > 0 ? (format == ImageFormat.WEBP
							? " (WebP is decoded at full size: send a smaller image)"
							: " (a progressive JPEG keeps every coefficient: send a baseline JPEG or a smaller image)")
							: ""));
		}
	}

	private static boolean exceeds(long w, long h, PreprocessingLimits limits) {
		return w > limits.maxWidth() || h > limits.maxHeight() || w * h > limits.maxPixels();
	}

	// ------------------------------------------------------------------ PNG

	private static ImageHeader png(byte[] b) {
		// signature (8), IHDR length (4) and type (4), then width, height, depth, colour
		// type
		if (b.length < 33 || !ascii(b, 12, "IHDR")) {
			throw truncated(ImageFormat.PNG, "it has no IHDR header");
		}
		long width = u32be(b, 16);
		long height = u32be(b, 20);
		int depth = b[24] & 0xFF;
		int colourType = b[25] & 0xFF;
		int bands = switch (colourType) {
			case 0, 3 -> 1;
			case 2 -> 3;
			case 4 -> 2;
			case 6 -> 4;
			default -> throw truncated(ImageFormat.PNG, "its colour type " + colourType + " does not exist");
		};
		if (depth != 1 && depth != 2 && depth != 4 && depth != 8 && depth != 16) {
			throw truncated(ImageFormat.PNG, "its bit depth " + depth + " does not exist");
		}
		// the JDK's reader keeps the previous and current row (and one more as a raster)
		long rowBytes = (width * bands * depth + 7) / 8 + 1;
		// palette and sub-byte grey expand to one byte per sample; a palette becomes up
		// to RGBA
		int outBands = colourType == 3 ? 4 : bands;
		return new ImageHeader(clampInt(width), clampInt(height), outBands, depth == 16 ? 2 : 1, rowBytes, 0, 1, 1);
	}

	// ------------------------------------------------------------------ JPEG

	private static ImageHeader jpeg(byte[] b, PreprocessingLimits limits) {
		int width = -1;
		int height = -1;
		int components = 0;
		boolean progressive = false;
		long coefficientBlocks = 0;
		int scans = 0;
		int orientation = 1;
		int largestWidth = 0;
		int largestHeight = 0;
		int i = 2;
		while (i + 3 < b.length) {
			if ((b[i] & 0xFF) != 0xFF) {
				i++; // entropy-coded data between markers
				continue;
			}
			int marker = b[i + 1] & 0xFF;
			if (marker == 0xFF) {
				i++; // fill byte
				continue;
			}
			if (marker == 0x00 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
				i += 2; // stuffed byte, TEM, restart markers: inside or between scans
				continue;
			}
			if (marker == 0xD9) {
				break;
			}
			if (marker == 0xD8) {
				throw new PreprocessingException(Reason.TOO_COMPLEX,
						"The JPEG holds another JPEG inside its image data; send a single plain JPEG.");
			}
			int length = u16be(b, i + 2);
			if (length < 2 || i + 2 + length > b.length) {
				throw truncated(ImageFormat.JPEG, "a segment runs past the end of the file");
			}
			boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
					&& marker != 0xCC;
			if (startOfFrame) {
				if (width >= 0) {
					throw new PreprocessingException(Reason.UNSUPPORTED_FORMAT,
							"The JPEG has several frames (hierarchical JPEG), which this server does not decode.");
				}
				if (length < 8) {
					throw truncated(ImageFormat.JPEG, "its frame header is too short");
				}
				if (marker == 0xC3 || marker == 0xC7 || marker == 0xCB || marker == 0xCF) {
					throw new PreprocessingException(Reason.UNSUPPORTED_FORMAT,
							"Lossless JPEG is not supported: send a PNG or a baseline JPEG.");
				}
				progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE;
				height = u16be(b, i + 5);
				width = u16be(b, i + 7);
				components = b[i + 9] & 0xFF;
				if (components == 0 || length < 8 + 3 * components) {
					throw truncated(ImageFormat.JPEG, "its frame header lists no components");
				}
				coefficientBlocks = coefficientBlocks(b, i + 10, components, width, height);
			}
			else if (marker == 0xE0 || marker == 0xE1) {
				// thumbnails: JFIF's RGB one, JFXX's (JPEG, palette or RGB), EXIF's (a
				// JPEG or a strip)
				int[] thumbnail = marker == 0xE0 ? app0Thumbnail(b, i + 4, length - 2)
						: exifThumbnail(b, i + 4, length - 2);
				largestWidth = Math.max(largestWidth, thumbnail[0]);
				largestHeight = Math.max(largestHeight, thumbnail[1]);
				if (marker == 0xE1 && orientation == 1) {
					orientation = exifOrientation(b, i + 4, length - 2);
				}
			}
			else if (marker == 0xDA) {
				scans++;
				if (scans > limits.maxJpegScans()) {
					throw new PreprocessingException(Reason.TOO_COMPLEX,
							"The JPEG has more than " + limits.maxJpegScans() + " scans; each costs a full decode. "
									+ "Save it as a baseline JPEG or a PNG.");
				}
			}
			i += 2 + length;
		}
		if (width < 0) {
			throw truncated(ImageFormat.JPEG, "it has no frame header");
		}
		if (height == 0) {
			throw new PreprocessingException(Reason.UNSUPPORTED_FORMAT,
					"The JPEG does not state its height in its header (DNL marker), which this server does not accept.");
		}
		int bands = components == 1 ? 1 : 3;
		// libjpeg keeps a few MCU rows per component: 16 rows per band is generous
		long rowBytes = (long) width * components * 16;
		long nativeBytes = progressive ? coefficientBlocks * 64 * 2 : 0;
		return new ImageHeader(width, height, bands, 1, rowBytes, nativeBytes, 1, Math.max(scans, 1), orientation,
				largestWidth, largestHeight);
	}

	private static final int[] NO_THUMBNAIL = { 0, 0 };

	/**
	 * The size of a JFIF or JFXX (APP0 at {@code at}, {@code length} bytes) thumbnail, or
	 * 0 x 0.
	 */
	static int[] app0Thumbnail(byte[] b, int at, int length) {
		int end = at + length;
		if (length >= 14 && end <= b.length && ascii(b, at, "JFIF") && b[at + 4] == 0) {
			return new int[] { b[at + 12] & 0xFF, b[at + 13] & 0xFF };
		}
		if (length >= 8 && end <= b.length && ascii(b, at, "JFXX") && b[at + 4] == 0) {
			int code = b[at + 5] & 0xFF;
			if (code == 0x10) {
				return nestedJpegSize(b, at + 6, end);
			}
			return new int[] { b[at + 6] & 0xFF, b[at + 7] & 0xFF };
		}
		return NO_THUMBNAIL;
	}

	/**
	 * The size an EXIF segment's thumbnail (IFD1) declares, the larger of its own tags
	 * and of the JPEG it points to, or 0 x 0. Bounded like {@link #exifOrientation}: at
	 * most 512 entries of each of IFD0 and IFD1, everything inside the segment.
	 */
	static int[] exifThumbnail(byte[] b, int at, int length) {
		int end = at + length;
		if (length < 14 || end > b.length || !(ascii(b, at, "Exif") && b[at + 4] == 0 && b[at + 5] == 0)) {
			return NO_THUMBNAIL;
		}
		int tiff = at + 6;
		boolean little = b[tiff] == 'I' && b[tiff + 1] == 'I';
		if (!little && !(b[tiff] == 'M' && b[tiff + 1] == 'M')) {
			return NO_THUMBNAIL;
		}
		long ifd0 = tiff + u32(b, tiff + 4, little);
		if (ifd0 < tiff + 8 || ifd0 + 2 > end) {
			return NO_THUMBNAIL;
		}
		int entries0 = Math.min(u16(b, (int) ifd0, little), 512);
		long next = ifd0 + 2 + 12L * entries0;
		if (next + 4 > end) {
			return NO_THUMBNAIL;
		}
		long ifd1 = tiff + u32(b, (int) next, little);
		if (ifd1 == tiff || ifd1 < tiff + 8 || ifd1 + 2 > end) {
			return NO_THUMBNAIL;
		}
		int width = 0;
		int height = 0;
		long jpegAt = -1;
		long jpegLength = -1;
		int entries1 = Math.min(u16(b, (int) ifd1, little), 512);
		for (int e = 0; e < entries1; e++) {
			int entry = (int) ifd1 + 2 + 12 * e;
			if (entry + 12 > end) {
				break;
			}
			int tag = u16(b, entry, little);
			int type = u16(b, entry + 2, little);
			long value = type == 3 ? u16(b, entry + 8, little) : type == 4 ? u32(b, entry + 8, little) : -1;
			switch (tag) {
				case 0x0100 -> width = clampInt(Math.max(width, value));
				case 0x0101 -> height = clampInt(Math.max(height, value));
				case 0x0201 -> jpegAt = value;
				case 0x0202 -> jpegLength = value;
				default -> {
				}
			}
		}
		if (jpegAt > 0 && jpegLength > 0 && tiff + jpegAt < end) {
			int[] jpeg = nestedJpegSize(b, (int) (tiff + jpegAt), (int) Math.min(end, tiff + jpegAt + jpegLength));
			width = Math.max(width, jpeg[0]);
			height = Math.max(height, jpeg[1]);
		}
		return new int[] { width, height };
	}

	/**
	 * The frame size of the JPEG in {@code [start, end)}, from its first start-of-frame
	 * segment, or 0 x 0. One level deep: a thumbnail's own thumbnails are never decoded
	 * by anyone.
	 */
	static int[] nestedJpegSize(byte[] b, int start, int end) {
		end = Math.min(end, b.length);
		if (start < 0 || start + 4 > end || (b[start] & 0xFF) != 0xFF || (b[start + 1] & 0xFF) != 0xD8) {
			return NO_THUMBNAIL;
		}
		int i = start + 2;
		while (i + 3 < end) {
			if ((b[i] & 0xFF) != 0xFF) {
				return NO_THUMBNAIL;
			}
			int marker = b[i + 1] & 0xFF;
			if (marker == 0xFF) {
				i++;
				continue;
			}
			if (marker == 0xDA || marker == 0xD9) {
				return NO_THUMBNAIL;
			}
			boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
					&& marker != 0xCC;
			if (startOfFrame) {
				return i + 9 <= end ? new int[] { u16be(b, i + 7), u16be(b, i + 5) } : NO_THUMBNAIL;
			}
			i += 2 + (((b[i + 2] & 0xFF) << 8) | (b[i + 3] & 0xFF));
		}
		return NO_THUMBNAIL;
	}

	/**
	 * The orientation tag (0x0112) of an APP1 segment's EXIF data at {@code at}
	 * ({@code length} bytes), or 1. Bounded: only IFD0's entries are read, at most 512 of
	 * them, all inside the segment.
	 */
	static int exifOrientation(byte[] b, int at, int length) {
		int end = at + length;
		if (length < 14 || end > b.length || !(b[at] == 'E' && b[at + 1] == 'x' && b[at + 2] == 'i' && b[at + 3] == 'f'
				&& b[at + 4] == 0 && b[at + 5] == 0)) {
			return 1;
		}
		int tiff = at + 6;
		boolean little = b[tiff] == 'I' && b[tiff + 1] == 'I';
		boolean big = b[tiff] == 'M' && b[tiff + 1] == 'M';
		if (!little && !big) {
			return 1;
		}
		long ifd = tiff + u32(b, tiff + 4, little);
		if (ifd < tiff + 8 || ifd + 2 > end) {
			return 1;
		}
		int entries = u16(b, (int) ifd, little);
		for (int e = 0; e < Math.min(entries, 512); e++) {
			int entry = (int) ifd + 2 + 12 * e;
			if (entry + 12 > end) {
				return 1;
			}
			if (u16(b, entry, little) == 0x0112 && u16(b, entry + 2, little) == 3) {
				int value = u16(b, entry + 8, little);
				return value >= 1 && value <= 8 ? value : 1;
			}
		}
		return 1;
	}

	private static int u16(byte[] b, int at, boolean little) {
		return little ? u16le(b, at) : ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
	}

	private static long u32(byte[] b, int at, boolean little) {
		return little ? u32le(b, at) : u32be(b, at);
	}

	// ------------------------------------------------------------------ WebP

	/**
	 * RIFF/WEBP: a lossy {@code VP8 }, lossless {@code VP8L} or extended {@code VP8X}
	 * first chunk, then every chunk to the end of the RIFF, walked as TwelveMonkeys'
	 * reader walks them (sizes padded to even). The reader decodes every VP8/VP8L
	 * bitstream it meets, each at the size ITS OWN frame header states (the canvas only
	 * sizes the output), so all of them are checked: more than one is refused, as are
	 * animation (ANIM/ANMF chunks or the VP8X flag) and a canvas that disagrees with its
	 * bitstream. The reader decodes at full resolution into ARGB, so the estimate counts
	 * 4 bytes a pixel plus the decoder's YUV planes, at the largest size declared.
	 */
	private static ImageHeader webp(byte[] b, PreprocessingLimits limits) {
		if (b.length < 30) {
			throw truncated(ImageFormat.WEBP, "its header is incomplete");
		}
		String first = fourCc(b, 12);
		if (!first.equals("VP8 ") && !first.equals("VP8L") && !first.equals("VP8X")) {
			throw truncated(ImageFormat.WEBP, "its first chunk \"" + first.strip() + "\" is not an image");
		}
		long end = Math.min(b.length, 8 + u32le(b, 4));
		int canvasWidth = -1;
		int canvasHeight = -1;
		int imageWidth = -1;
		int imageHeight = -1;
		int bitstreams = 0;
		long at = 12;
		while (at + 8 <= end) {
			int data = (int) at + 8;
			String chunk = fourCc(b, (int) at);
			long size = u32le(b, (int) at + 4);
			if (size > end - data) {
				throw truncated(ImageFormat.WEBP, "its \"" + chunk.strip() + "\" chunk runs past the end of the file");
			}
			switch (chunk) {
				case "VP8X" -> {
					if (at != 12 || size < 10) {
						throw truncated(ImageFormat.WEBP, "its extended header is misplaced or incomplete");
					}
					if ((b[data] & 0x02) != 0) {
						throw animated();
					}
					canvasWidth = u24le(b, data + 4) + 1;
					canvasHeight = u24le(b, data + 7) + 1;
				}
				case "VP8 " -> {
					// frame tag (3 bytes, bit 0 clear for a key frame), start code 9D 01
					// 2A, 14-bit sizes
					if (size < 10 || (b[data] & 0x01) != 0 || (b[data + 3] & 0xFF) != 0x9D
							|| (b[data + 4] & 0xFF) != 0x01 || (b[data + 5] & 0xFF) != 0x2A) {
						throw truncated(ImageFormat.WEBP, "its VP8 frame has no start code");
					}
					bitstreams++;
					imageWidth = Math.max(imageWidth, u16le(b, data + 6) & 0x3FFF);
					imageHeight = Math.max(imageHeight, u16le(b, data + 8) & 0x3FFF);
				}
				case "VP8L" -> {
					if (size < 5 || (b[data] & 0xFF) != 0x2F) {
						throw truncated(ImageFormat.WEBP, "its VP8L signature is missing");
					}
					bitstreams++;
					long bits = u32le(b, data + 1);
					imageWidth = Math.max(imageWidth, (int) (bits & 0x3FFF) + 1);
					imageHeight = Math.max(imageHeight, (int) ((bits >> 14) & 0x3FFF) + 1);
				}
				case "ANIM", "ANMF" -> throw animated();
				default -> {
					// ALPH is decoded at the canvas size; ICCP, EXIF, XMP and unknown
					// chunks are skipped
				}
			}
			at = data + size + (size & 1);
		}
		if (bitstreams == 0) {
			throw truncated(ImageFormat.WEBP, "it holds no VP8 or VP8L image data");
		}
		int width = canvasWidth > 0 ? canvasWidth : imageWidth;
		int height = canvasHeight > 0 ? canvasHeight : imageHeight;
		int largestWidth = Math.max(width, imageWidth);
		int largestHeight = Math.max(height, imageHeight);
		if (!exceeds(largestWidth, largestHeight, limits)) {
			if (bitstreams > 1) {
				throw new PreprocessingException(Reason.TOO_COMPLEX, "The WebP holds " + bitstreams
						+ " image bitstreams; the decoder would decode each one. Send a single plain image.");
			}
			if (imageWidth != width || imageHeight != height) {
				throw new PreprocessingException(Reason.TOO_COMPLEX,
						String.format(Locale.ROOT,
								"The WebP's canvas says %d x %d but its image data is %d x %d; send a plain image.",
								width, height, imageWidth, imageHeight));
			}
		}
		long rowBytes = (long) largestWidth * 4;
		long pixels = (long) largestWidth * largestHeight;
		long nativeBytes = pixels * 4 + pixels * 3 / 2;
		return new ImageHeader(width, height, 4, 1, rowBytes, nativeBytes, 1, 1, 1, largestWidth, largestHeight);
	}

	private static PreprocessingException animated() {
		return new PreprocessingException(Reason.UNSUPPORTED_FORMAT,
				"Animated WebP is not accepted: send a single image.");
	}

	private static String fourCc(byte[] b, int at) {
		return new String(b, at, 4, java.nio.charset.StandardCharsets.US_ASCII);
	}

	/**
	 * DCT blocks of all components, from their sampling factors (for progressive
	 * coefficient buffers).
	 */
	private static long coefficientBlocks(byte[] b, int at, int components, int width, int height) {
		int[] h = new int[components];
		int[] v = new int[components];
		int hMax = 1;
		int vMax = 1;
		for (int c = 0; c < components; c++) {
			int sampling = b[at + 3 * c + 1] & 0xFF;
			h[c] = Math.max(1, Math.min(4, sampling >> 4));
			v[c] = Math.max(1, Math.min(4, sampling & 0x0F));
			hMax = Math.max(hMax, h[c]);
			vMax = Math.max(vMax, v[c]);
		}
		long blocks = 0;
		for (int c = 0; c < components; c++) {
			long w = ((long) width * h[c] + hMax - 1) / hMax;
			long hh = ((long) height * v[c] + vMax - 1) / vMax;
			blocks += ((w + 7) / 8) * ((hh + 7) / 8);
		}
		return blocks;
	}

	// ------------------------------------------------------------------ GIF

	private static ImageHeader gif(byte[] b, PreprocessingLimits limits) {
		if (b.length < 13) {
			throw truncated(ImageFormat.GIF, "its header is incomplete");
		}
		int flags = b[10] & 0xFF;
		int i = 13 + ((flags & 0x80) != 0 ? 3 << ((flags & 0x07) + 1) : 0);
		int frames = 0;
		int width = -1;
		int height = -1;
		int largestWidth = u16le(b, 6);
		int largestHeight = u16le(b, 8);
		while (i < b.length) {
			int block = b[i] & 0xFF;
			if (block == 0x3B) {
				break;
			}
			if (block == 0x21) {
				i = skipSubBlocks(b, i + 2);
			}
			else if (block == 0x2C) {
				if (i + 10 > b.length) {
					throw truncated(ImageFormat.GIF, "an image descriptor is incomplete");
				}
				int w = u16le(b, i + 5);
				int h = u16le(b, i + 7);
				if (frames == 0) {
					width = w;
					height = h;
				}
				largestWidth = Math.max(largestWidth, w);
				largestHeight = Math.max(largestHeight, h);
				frames++;
				if (frames > limits.maxFrames()) {
					throw new PreprocessingException(Reason.TOO_COMPLEX,
							"The GIF has more than " + limits.maxFrames() + " frames; send a single image.");
				}
				int local = b[i + 9] & 0xFF;
				i += 10 + ((local & 0x80) != 0 ? 3 << ((local & 0x07) + 1) : 0);
				i = skipSubBlocks(b, i + 1); // LZW minimum code size, then the data
			}
			else {
				break; // trailing garbage: the decoder stops at the first frame anyway
			}
		}
		if (frames == 0) {
			throw truncated(ImageFormat.GIF, "it holds no image");
		}
		// the JDK's reader decodes one frame into 8-bit indices, converted to RGB(A) by
		// luminance;
		// every other frame and the logical screen bound the file too
		return new ImageHeader(width, height, 1, 1, width, 0, frames, 1, 1, largestWidth, largestHeight);
	}

	private static int skipSubBlocks(byte[] b, int i) {
		while (i < b.length) {
			int size = b[i] & 0xFF;
			i += 1 + size;
			if (size == 0) {
				return i;
			}
		}
		throw truncated(ImageFormat.GIF, "its data ends inside a block");
	}

	// ------------------------------------------------------------------ BMP

	private static ImageHeader bmp(byte[] b, PreprocessingLimits limits) {
		if (b.length < 26) {
			throw truncated(ImageFormat.BMP, "its header is incomplete");
		}
		long offset = u32le(b, 10);
		long infoSize = u32le(b, 14);
		if (offset < 14 + infoSize || offset > b.length) {
			throw truncated(ImageFormat.BMP, "its pixel data offset " + offset + " lies outside the file");
		}
		long width;
		long height;
		int bits;
		long compression = 0;
		long sizeImage = 0;
		if (infoSize == 12) {
			width = u16le(b, 18);
			height = u16le(b, 20);
			bits = u16le(b, 24);
		}
		else {
			if (b.length < 14 + 40 || infoSize < 40) {
				throw truncated(ImageFormat.BMP, "its info header is incomplete");
			}
			width = (int) u32le(b, 18);
			height = Math.abs((long) (int) u32le(b, 22)); // negative: stored top-down
			bits = u16le(b, 28);
			compression = u32le(b, 30);
			sizeImage = u32le(b, 34);
		}
		if (compression == 4 || compression == 5) {
			throw new PreprocessingException(Reason.UNSUPPORTED_FORMAT,
					"The BMP carries an embedded " + (compression == 4 ? "JPEG" : "PNG")
							+ " image, which is not accepted: send that " + (compression == 4 ? "JPEG" : "PNG")
							+ " file itself.");
		}
		if (bits != 1 && bits != 4 && bits != 8 && bits != 16 && bits != 24 && bits != 32) {
			throw truncated(ImageFormat.BMP, "its bit count " + bits + " does not exist");
		}
		boolean rle = compression == 1 || compression == 2;
		if (compression > 6 || (rle && bits != (compression == 1 ? 8 : 4))) {
			throw new PreprocessingException(Reason.UNSUPPORTED_FORMAT, "The BMP uses compression type " + compression
					+ " with " + bits + " bits per pixel, which is not supported.");
		}
		if (width > limits.maxWidth() || height > limits.maxHeight()) {
			// refused by size in check(), before anything is read from the data
			return new ImageHeader(clampInt(width), clampInt(height), 3, 1, 0, 0, 1, 1);
		}
		long available = b.length - offset;
		if (rle && (sizeImage == 0 || sizeImage > available)) {
			throw truncated(ImageFormat.BMP, "its compressed data size " + sizeImage + " does not match the "
					+ available + " bytes in the file");
		}
		long rowBytes = ((width * bits + 31) / 32) * 4;
		if (!rle && width > 0 && height > 0 && rowBytes > available / height) {
			throw truncated(ImageFormat.BMP, "it holds " + available + " bytes of pixels, fewer than its " + width
					+ " x " + height + " pixels need");
		}
		if (infoSize >= 124 && b.length >= 14 + 124) {
			long colourSpace = u32le(b, 14 + 56);
			if (colourSpace == 0x4D424544L || colourSpace == 0x4C494E4BL) { // 'MBED',
																			// 'LINK'
				long profileAt = 14 + u32le(b, 14 + 112);
				long profileSize = u32le(b, 14 + 116);
				if (profileAt + profileSize > b.length) {
					throw truncated(ImageFormat.BMP, "its colour profile lies outside the file");
				}
			}
		}
		return new ImageHeader(clampInt(width), clampInt(height), bits == 32 ? 4 : 3, 1, rowBytes, 0, 1, 1);
	}

	// ------------------------------------------------------------------ bytes

	private static PreprocessingException truncated(ImageFormat format, String why) {
		return new PreprocessingException(Reason.UNDECODABLE,
				"The upload starts like a " + format.displayName() + " image but " + why + ".");
	}

	private static int clampInt(long value) {
		return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, value));
	}

	private static boolean ascii(byte[] b, int at, String text) {
		for (int k = 0; k < text.length(); k++) {
			if (b[at + k] != text.charAt(k)) {
				return false;
			}
		}
		return true;
	}

	private static long u32be(byte[] b, int at) {
		return ((long) (b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8)
				| (b[at + 3] & 0xFF);
	}

	private static int u16be(byte[] b, int at) {
		if (at + 1 >= b.length) {
			throw new PreprocessingException(Reason.UNDECODABLE, "The upload ends inside its image header.");
		}
		return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
	}

	private static long u32le(byte[] b, int at) {
		return (b[at] & 0xFF) | ((b[at + 1] & 0xFF) << 8) | ((b[at + 2] & 0xFF) << 16)
				| ((long) (b[at + 3] & 0xFF) << 24);
	}

	private static int u24le(byte[] b, int at) {
		return (b[at] & 0xFF) | ((b[at + 1] & 0xFF) << 8) | ((b[at + 2] & 0xFF) << 16);
	}

	private static int u16le(byte[] b, int at) {
		return (b[at] & 0xFF) | ((b[at + 1] & 0xFF) << 8);
	}

}
