package dev.digits.preprocessing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

import dev.digits.training.PhotoFailures;
import dev.digits.training.PhotoSynth;

/**
 * How much of the picture outside a found sheet is ink, on the photos
 * {@code PhotoFailures} reads (validation digits, never the held-out sets): per paper
 * condition, how many photos had a sheet found, the largest, median and 90th percentile
 * share of ink outside it, and how many the digit finding took for a table
 * ({@link PaperSheet#isTable}). The measurement behind {@link PaperSheet#MIN_TABLE_INK};
 * run by hand, not a test:
 * {@code java -cp tools/target/test-classes:tools/target/classes:core/target/classes:<deps> dev.digits.preprocessing.SheetShares 300 ../shared/mnist}.
 */
public final class SheetShares {

	private SheetShares() {
	}

	public static void main(String[] args) throws IOException {
		int per = Integer.parseInt(args[0]);
		Map<PhotoSynth.Condition, List<double[]>> found = new EnumMap<>(PhotoSynth.Condition.class);
		PhotoFailures.photos(Path.of(args[1]), per, (labelled) -> {
			GreyImage grey = GreyConverter.toGrey(ImageIO.read(new ByteArrayInputStream(labelled.photo().bytes())));
			try {
				double[] shares = InkLocator.steps(grey, PreprocessingLimits.defaults().minInkPixels(), Long.MAX_VALUE)
					.sheetInk();
				if (shares != null) {
					found.computeIfAbsent(labelled.condition(), (c) -> new ArrayList<>()).add(shares);
				}
			}
			catch (PreprocessingException refused) {
				// no ink found: nothing to measure
			}
		});
		System.out.printf(Locale.ROOT, "%-8s %6s %8s %8s %8s %6s%n", "paper", "sheets", "largest", "median", "p90",
				"table");
		for (PhotoSynth.Condition condition : PhotoSynth.Condition.values()) {
			List<double[]> shares = found.getOrDefault(condition, List.of());
			double[] outside = shares.stream().mapToDouble((s) -> s[0]).sorted().toArray();
			long tables = shares.stream().filter(PaperSheet::isTable).count();
			System.out.printf(Locale.ROOT, "%-8s %6d %8s %8s %8s %6d%n", condition.id(), outside.length,
					percent(outside, 1), percent(outside, 0.5), percent(outside, 0.9), tables);
		}
	}

	/** The share at {@code q} of the sorted {@code values}, in percent. */
	private static String percent(double[] values, double q) {
		if (values.length == 0) {
			return "-";
		}
		int at = (int) Math.min(values.length - 1, Math.floor(q * values.length));
		return String.format(Locale.ROOT, "%.1f%%", 100 * values[at]);
	}

}
