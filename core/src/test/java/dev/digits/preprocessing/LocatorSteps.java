package dev.digits.preprocessing;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

/**
 * Draws what the digit finding did to each photo in a folder (a look at where photos go
 * wrong, not a test): beside the photo at the working resolution, its ink mask with the
 * pixels lines took away in red, the other ink in grey, the chosen group in blue and the
 * digit grown from it in black. Writes {@code <name>-steps.png} next to each
 * {@code .jpg}/{@code .png} (files ending {@code -input.png} or {@code -steps.png} are
 * skipped), e.g. on the misses {@code PhotoFailures} writes: <pre>
 * java -cp core/target/test-classes:core/target/classes:$(cat cp.txt) dev.digits.preprocessing.LocatorSteps target/photo-failures
 * </pre>
 */
public final class LocatorSteps {

	private LocatorSteps() {
	}

	public static void main(String[] args) throws IOException {
		List<Path> files;
		try (Stream<Path> listing = Files.list(Path.of(args[0]))) {
			files = listing.filter((p) -> {
				String name = p.getFileName().toString();
				return (name.endsWith(".jpg") || name.endsWith(".png")) && !name.endsWith("-input.png")
						&& !name.endsWith("-steps.png");
			}).sorted().toList();
		}
		for (Path file : files) {
			GreyImage grey = GreyConverter.toGrey(ImageIO.read(file.toFile()));
			String name = file.getFileName().toString().replaceAll("\\.(jpg|png)$", "");
			try {
				InkLocator.Steps steps = InkLocator.steps(grey, PreprocessingLimits.defaults().minInkPixels(),
						Long.MAX_VALUE);
				System.out.printf(java.util.Locale.ROOT, "%s: %dx%d, lines turned %.1f degrees across, %.1f down%n",
						name, steps.width(), steps.height(), steps.slant()[0], steps.slant()[1]);
				ImageIO.write(draw(grey, steps), "png", file.resolveSibling(name + "-steps.png").toFile());
			}
			catch (PreprocessingException ex) {
				System.out.println(name + ": " + ex.getMessage());
			}
		}
	}

	private static BufferedImage draw(GreyImage grey, InkLocator.Steps steps) {
		int w = steps.width();
		int h = steps.height();
		float[] photo = InkLocator.areaDownscale(grey, w, h, false);
		byte[] chosen = steps.groups().dilatedChosen(0);
		BufferedImage out = new BufferedImage(2 * w + 4, h, BufferedImage.TYPE_INT_RGB);
		for (int y = 0; y < h; y++) {
			for (int x = 0; x < w; x++) {
				int i = y * w + x;
				int v = Math.max(0, Math.min(255, Math.round(photo[i])));
				out.setRGB(x, y, (v << 16) | (v << 8) | v);
				int rgb = 0xFFFFFF;
				if (steps.digit()[i] != 0) {
					rgb = chosen[i] != 0 ? 0x0000C0 : 0x000000;
				}
				else if (steps.lines().removed[i] != 0) {
					rgb = 0xFF4040;
				}
				else if (steps.mask()[i] != 0) {
					rgb = 0xA0A0A0;
				}
				out.setRGB(w + 4 + x, y, rgb);
			}
		}
		return out;
	}

}
