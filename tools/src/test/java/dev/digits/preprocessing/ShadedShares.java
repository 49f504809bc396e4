package dev.digits.preprocessing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import dev.digits.training.FontSets;
import dev.digits.training.Mnist;
import dev.digits.training.PhotoFailures;
import dev.digits.training.RealisticUploads;
import dev.digits.training.SyntheticData;

/**
 * The measurement behind {@link InkLocator#MAX_SHADED_SHARE}: among small pictures whose
 * paper is pure white or black ({@link InkLocator#purePaper}), the share of shaded paper
 * ({@link InkLocator#shadedShare}) per kind: clean uploads ({@link RealisticUploads}, 200
 * validation digits), printed digits in the validation fonts clean and photographed
 * ({@code per} a family each), enlarged 8x8 digits (300) and handwritten photos
 * ({@code per} a paper condition, as {@code PhotoFailures} makes them). Validation digits
 * only, never the held-out sets. Run by hand, not a test:
 * {@code java -cp tools/target/test-classes:tools/target/classes:core/target/classes:<deps> dev.digits.preprocessing.ShadedShares 400 ../shared/mnist}.
 */
public final class ShadedShares {

	private static final Map<String, List<Double>> SHARES = new TreeMap<>();

	private static final Map<String, Integer> SEEN = new TreeMap<>();

	private ShadedShares() {
	}

	public static void main(String[] args) throws IOException {
		int per = Integer.parseInt(args[0]);
		Path mnistDir = Path.of(args[1]);
		Mnist.Split split = PhotoFailures.validation(mnistDir);
		for (String family : FontSets.VALIDATION) {
			SyntheticData data = new SyntheticData(split,
					FontSets.installed(List.of(family), "0123456789" + SyntheticData.LETTERS), null, 240, 480);
			for (int i = 0; i < per; i++) {
				add("printed, clean",
						data.printedUpload(i % 10, false, new Random(4242L * 7919 + i * 31 + family.hashCode()))
							.bytes());
				add("printed, photographed",
						data.printedUpload(i % 10, true, new Random(4243L * 7919 + i * 31 + family.hashCode()))
							.bytes());
			}
		}
		SyntheticData data = new SyntheticData(split, List.of(), null, 240, 480);
		for (int i = 0; i < 300; i++) {
			add("8x8 enlarged", data.lowResolutionPng(i, new Random(i)));
		}
		List<byte[]> digits = new ArrayList<>();
		byte[] labels = new byte[200];
		for (int i = 0; i < 200; i++) {
			digits.add(split.image(i));
			labels[i] = split.labels()[i];
		}
		for (RealisticUploads.Upload upload : RealisticUploads.make(digits, labels, 7)) {
			add("clean upload, " + upload.kind(), upload.bytes());
		}
		PhotoFailures.photos(mnistDir, per, (labelled) -> add("handwritten photo", labelled.photo().bytes()));
		SEEN.forEach((kind, seen) -> {
			List<Double> shares = new ArrayList<>(SHARES.getOrDefault(kind, List.of()));
			Collections.sort(shares);
			System.out.printf(Locale.ROOT, "%-32s %5d made, %5d on pure paper%s%n", kind, seen, shares.size(),
					shares.isEmpty() ? "" : String.format(Locale.ROOT, ", shaded %.3f-%.3f (median %.3f)",
							shares.get(0), shares.get(shares.size() - 1), shares.get(shares.size() / 2)));
		});
	}

	private static void add(String kind, byte[] bytes) {
		SEEN.merge(kind, 1, Integer::sum);
		ImageFormat format = ImageFormat.sniff(bytes).orElseThrow();
		PreprocessingLimits limits = PreprocessingLimits.defaults();
		GreyImage grey = ImageDecoder
			.decode(bytes, format, ImageHeader.inspect(bytes, format, limits), limits.decodePixels(), Long.MAX_VALUE)
			.grey();
		if (Math.max(grey.width(), grey.height()) > InkLocator.SMALL_IMAGE_SIDE) {
			return;
		}
		int[] histogram = InkLocator.levelHistogram(grey);
		int mode = Framing.mode(histogram);
		if (InkLocator.purePaper(histogram, mode, grey.size())) {
			SHARES.computeIfAbsent(kind, (k) -> new ArrayList<>()).add(InkLocator.shadedShare(grey, mode));
		}
	}

}
