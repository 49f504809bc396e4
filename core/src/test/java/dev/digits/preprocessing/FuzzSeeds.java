package dev.digits.preprocessing;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the fuzz test's seed corpus: a small file of every accepted format and colour
 * model, one scaled-down instance of every hostile class ({@link HostileImages}), and
 * formats that must be refused. Regenerate with
 * {@code java -cp core/target/test-classes:core/target/classes dev.digits.preprocessing.FuzzSeeds};
 * findings of fuzzing runs land in the same folder under Jazzer's own names and are kept.
 */
public final class FuzzSeeds {

	static final Path DIR = Path
		.of("core/src/test/resources/dev/digits/preprocessing/ImagePreprocessorFuzzTestsInputs/anyBytesBecomeADigitOrATypedRefusal");

	private FuzzSeeds() {
	}

	static Map<String, byte[]> seeds() {
		Map<String, byte[]> seeds = new LinkedHashMap<>();
		int[] ink = TestImages.digit28();
		seeds.put("png-grey8", TestImages.encode(TestImages.grey8(28, 28, ink), "png"));
		seeds.put("png-grey16", TestImages.encode(TestImages.grey16(28, 28, scale16(ink)), "png"));
		seeds.put("png-rgb", TestImages.encode(TestImages.rgb(28, 28, ink, 0xFFFFFF, 0x102030), "png"));
		seeds.put("png-canvas-rgba", TestImages.encode(TestImages.canvas(40, 40, strokes40(), 0x000000), "png"));
		seeds.put("png-palette", TestImages.encode(TestImages.indexed(28, 28, ink, 16, true, false), "png"));
		seeds.put("png-1x1", TestImages.encode(TestImages.grey8(1, 1, new int[] { 255 }), "png"));
		seeds.put("jpeg-baseline", HostileImages.jpeg(64, 48, false));
		seeds.put("jpeg-progressive", HostileImages.jpeg(64, 64, true));
		seeds.put("jpeg-grey", TestImages.jpeg(TestImages.grey8(28, 28, ink), 0.9f));
		seeds.put("gif", TestImages.encode(TestImages.indexed(28, 28, ink, 4, false, false), "gif"));
		seeds.put("bmp-24", TestImages.encode(TestImages.rgb(28, 28, ink, 0xFFFFFF, 0), "bmp"));
		seeds.put("bmp-8-palette", TestImages.encode(TestImages.indexed(28, 28, ink, 256, true, false), "bmp"));
		seeds.put("hostile-png-wide-16bit-rgba", HostileImages.png(200_000, 1, 16, 6));
		seeds.put("hostile-png-lying-chunk", HostileImages.pngWithLyingChunk("zTXt", 2_000_000_000));
		seeds.put("hostile-png-header-only-bomb", HostileImages.pngHeaderOnly(50_000, 50_000));
		seeds.put("hostile-bmp-embedded-png", HostileImages.bmp(28, 28, 0, 5, 0,
				HostileImages.encode(HostileImages.digitImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png")));
		seeds.put("hostile-bmp-embedded-jpeg", HostileImages.bmp(28, 28, 0, 4, 0, HostileImages.jpeg(28, 28, false)));
		seeds.put("hostile-bmp-rle8-size-lie", HostileImages.bmp(28, 28, 8, 1, 1_500_000_000L, new byte[64]));
		seeds.put("hostile-bmp-offset-lie", HostileImages.bmp(28, 28, 24, 0, 0, 2_000_000_000L, new byte[64]));
		seeds.put("hostile-bmp-v5-profile-lie", HostileImages.bmpV5WithProfile(1_500_000_000L));
		seeds.put("hostile-jpeg-many-scans", HostileImages.progressiveJpegWithScans(32, 32, 40));
		seeds.put("hostile-gif-frame-larger-than-screen", HostileImages.gif(28, 1, 60_000, 60_000));
		seeds.put("hostile-gif-many-frames", HostileImages.gif(28, 120, 28, 28));
		seeds.put("hostile-webp-canvas-28-around-vp8-12000",
				HostileImages.webpCanvasAroundLargerBitstream(12_000, 12_000));
		seeds.put("hostile-webp-canvas-28-around-vp8l-16384",
				HostileImages.webp(HostileImages.vp8x(28, 28, 0), HostileImages.vp8l(16_384, 16_384, 64)));
		seeds.put("hostile-webp-canvas-disagrees-within-limits",
				HostileImages.webp(HostileImages.vp8x(28, 28, 0), HostileImages.vp8(2000, 2000, 64)));
		seeds.put("hostile-webp-bomb-after-odd-chunk", HostileImages.webp(HostileImages.vp8x(28, 28, 0),
				HostileImages.webpChunk("EXIF", new byte[7]), HostileImages.vp8(12_000, 12_000, 64)));
		seeds.put("hostile-webp-two-bitstreams",
				HostileImages.webp(HostileImages.vp8(28, 28, 64), HostileImages.vp8(12_000, 12_000, 64)));
		seeds.put("hostile-webp-anmf-without-flag",
				HostileImages.webp(HostileImages.vp8x(28, 28, 0), HostileImages.webpChunk("ANMF", new byte[16])));
		seeds.put("hostile-webp-lossless-without-bits-2700",
				HostileImages.webp(HostileImages.vp8lWithoutBits(2700, 2700)));
		seeds.put("hostile-gif-large-second-frame", HostileImages.gifWithLargeSecondFrame(28, 60_000));
		seeds.put("hostile-jpeg-exif-thumbnail-12000",
				HostileImages.withExifThumbnail(HostileImages.jpeg(64, 48, false),
						HostileImages.withFrameSize(HostileImages.jpeg(16, 16, false), 12_000, 12_000)));
		seeds.put("hostile-jpeg-jfxx-thumbnail-12000",
				HostileImages.withJfxxThumbnail(HostileImages.jpeg(64, 48, false),
						HostileImages.withFrameSize(HostileImages.jpeg(16, 16, false), 12_000, 12_000)));
		seeds.put("jpeg-exif-thumbnail-160", HostileImages.withExifThumbnail(HostileImages.jpeg(64, 48, false),
				HostileImages.jpeg(160, 120, false)));
		seeds.put("webp-truncated", "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1));
		for (String webp : new String[] { "seven-lossy", "seven-lossless", "three-canvas-alpha" }) {
			seeds.put("webp-" + webp, read("core/src/test/resources/webp/" + webp + ".webp"));
		}
		seeds.put("jpeg-exif-orientation-6", PhoneImagesTests.withOrientation(HostileImages.jpeg(48, 32, false), 6));
		seeds.put("refused-pdf", "%PDF-1.7\n".getBytes(StandardCharsets.ISO_8859_1));
		seeds.put("refused-text", "seven".getBytes(StandardCharsets.ISO_8859_1));
		return seeds;
	}

	public static void main(String[] args) throws IOException {
		Files.createDirectories(DIR);
		for (Map.Entry<String, byte[]> seed : seeds().entrySet()) {
			Files.write(DIR.resolve(seed.getKey()), seed.getValue());
		}
		System.out.println("wrote " + seeds().size() + " seeds to " + DIR);
	}

	private static byte[] read(String file) {
		try {
			return Files.readAllBytes(Path.of(file));
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private static int[] scale16(int[] levels) {
		int[] out = new int[levels.length];
		for (int i = 0; i < levels.length; i++) {
			out[i] = levels[i] * 257;
		}
		return out;
	}

	private static int[] strokes40() {
		return TestImages.strokes(40, 40, TestImages.SEVEN, 8, 6, 24, 28, 2);
	}

}
