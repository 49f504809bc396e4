package dev.digits.training;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;

import dev.digits.model.DigitNetwork;

/**
 * The evaluation sets that look like what clients send, made by {@link SyntheticData}
 * from MNIST <em>test</em> digits and the {@link FontSets#HELD_OUT held-out fonts}, with
 * a seed training never uses: handwritten digits photographed in each
 * {@link PhotoSynth.Condition}, printed digits in fonts training never saw, 8x8 scans,
 * and non-digits of every kind. They are for reporting only; no choice (threshold,
 * temperature, epoch) is made on them.
 */
public final class PhotoSets {

	/**
	 * A generated set: what the preprocessor accepted, and how many of each kind it
	 * refused.
	 */
	public record PhotoSet(RobustnessSets.LabelledSet set, int[] refusedByKind, boolean[] severalDigits) {

		public String name() {
			return this.set.name();
		}

		/** Examples made, accepted or not. */
		public int made() {
			return this.set.size() + this.set.rejected();
		}

	}

	private static final int N = DigitNetwork.PIXELS;

	private final long seed;

	private final SyntheticData data;

	/**
	 * Sets for reports: from {@code source} (the test split) in the held-out fonts.
	 * @param seed every random choice derives from it
	 */
	public PhotoSets(Mnist.Split source, long seed) {
		this(source, seed, FontSets.require(FontSets.HELD_OUT, "0123456789" + SyntheticData.LETTERS, 4));
	}

	private PhotoSets(Mnist.Split source, long seed, List<java.awt.Font> fonts) {
		this.seed = seed;
		this.data = new SyntheticData(source, fonts, Preprocessors.unhurried(), 320, 960);
	}

	/**
	 * Sets for choices (temperature, OOD thresholds): from {@code validation} in the
	 * training fonts, so that no held-out font or test digit informs a choice.
	 */
	public static PhotoSets forChoices(Mnist.Split validation, long seed) {
		return new PhotoSets(validation, seed,
				FontSets.require(FontSets.TRAINING, "0123456789" + SyntheticData.LETTERS, 4));
	}

	/**
	 * Handwritten digits photographed on paper: {@code perCondition} of each condition,
	 * pens mixed.
	 */
	public PhotoSet photos(int perCondition) {
		PhotoSynth.Condition[] conditions = PhotoSynth.Condition.values();
		List<String> kinds = Arrays.stream(conditions).map(PhotoSynth.Condition::id).toList();
		return make("photos", "MNIST test digits handwritten (fine pen, ballpoint, marker or pencil) on paper in each "
				+ "condition, photographed: 320-960 px, perspective, rotation, uneven light, blur, noise, JPEG 45-95 "
				+ "(85%) or PNG", kinds, perCondition * conditions.length,
				i -> this.data.photo(i % this.data.digits().size(), conditions[i % conditions.length], random(1, i)),
				i -> i % conditions.length);
	}

	/**
	 * Printed digits in the held-out fonts, half on clean paper and half photographed.
	 */
	public PhotoSet printed(int size) {
		return make("printed-held-out",
				"digits printed in fonts never used in training (" + String.join(", ", FontSets.HELD_OUT)
						+ "), half clean (PNG or JPEG), half photographed on paper",
				List.of("clean", "photographed"), size, i -> this.data.printed(i % 10, i % 2 == 1, random(2, i)),
				i -> i % 2);
	}

	/** MNIST test digits as 8x8 scans (17 grey levels) enlarged 4-16 times. */
	public PhotoSet lowResolution(int size) {
		return make("low-resolution-8x8",
				"MNIST test digits fitted into 8x8 with 17 grey levels (as the UCI digits), "
						+ "enlarged 4-16 times blocky or smooth, PNG",
				List.of("8x8"), size, i -> this.data.lowResolution(i % this.data.digits().size(), random(3, i)),
				i -> 0);
	}

	/**
	 * Non-digits: {@code perKind} of each of {@link SyntheticData#NON_DIGIT_KINDS}, in
	 * the held-out fonts.
	 */
	public PhotoSet nonDigits(int perKind) {
		List<String> kinds = SyntheticData.NON_DIGIT_KINDS;
		int n = this.data.digits().size();
		return make("non-digits-photographed", "letters " + SyntheticData.LETTERS + " and symbols "
				+ SyntheticData.SYMBOLS
				+ " in the held-out fonts (typed or handwriting-like), scribbles, shapes, textures, two MNIST test digits "
				+ "side by side, empty paper; photographed on paper (three in four) or clean", kinds,
				perKind * kinds.size(),
				i -> this.data.nonDigit(kinds.get(i % kinds.size()), i % n, (i + 7) % n, random(4, i)),
				i -> i % kinds.size());
	}

	/**
	 * Accuracy per kind (refused examples count as wrong) from per-example correctness of
	 * the accepted ones.
	 */
	public static Map<String, Double> accuracyByKind(PhotoSet set, boolean[] correct) {
		Map<String, Double> byKind = new LinkedHashMap<>();
		List<String> names = set.set().kindNames();
		for (int k = 0; k < names.size(); k++) {
			int right = 0;
			int accepted = 0;
			for (int r = 0; r < set.set().size(); r++) {
				if (set.set().kinds()[r] == k) {
					accepted++;
					right += correct[r] ? 1 : 0;
				}
			}
			int all = accepted + set.refusedByKind()[k];
			byKind.put(names.get(k), all == 0 ? 0 : (double) right / all);
		}
		return byKind;
	}

	private Random random(int set, int index) {
		return new Random(Augmentation.mix(Augmentation.mix(this.seed * 1_000_003L + set) ^ index));
	}

	private static PhotoSet make(String name, String description, List<String> kinds, int size,
			IntFunction<SyntheticData.Example> maker, IntFunction<Integer> kindOf) {
		List<float[]> pixels = new ArrayList<>();
		List<Integer> labels = new ArrayList<>();
		List<Integer> kindIndex = new ArrayList<>();
		List<Boolean> several = new ArrayList<>();
		int[] refused = new int[kinds.size()];
		int rejected = 0;
		for (int i = 0; i < size; i++) {
			SyntheticData.Example example = maker.apply(i);
			int kind = kindOf.apply(i);
			if (!example.accepted()) {
				refused[kind]++;
				rejected++;
				continue;
			}
			pixels.add(example.pixels());
			labels.add(example.label());
			kindIndex.add(kind);
			several.add(example.severalDigits());
		}
		float[] all = new float[pixels.size() * N];
		byte[] l = new byte[pixels.size()];
		int[] k = new int[pixels.size()];
		boolean[] s = new boolean[pixels.size()];
		for (int i = 0; i < pixels.size(); i++) {
			System.arraycopy(pixels.get(i), 0, all, i * N, N);
			l[i] = (byte) (int) labels.get(i);
			k[i] = kindIndex.get(i);
			s[i] = several.get(i);
		}
		return new PhotoSet(new RobustnessSets.LabelledSet(name, description, all, l, k, kinds, rejected), refused, s);
	}

}
