package dev.digits.training;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

class MixedTrainerRecipeTests {

	@Test
	void everyRecipeTheTrainCommandTakesIsKnownByName() {
		for (String name : TrainingOptions.RECIPES) {
			if (!name.equals("mnist")) {
				assertThat(MixedTrainer.Recipe.named(name)).extracting(MixedTrainer.Recipe::name).isEqualTo(name);
			}
		}
		assertThat(MixedTrainer.Recipe.named("mnist")).isNull();
	}

	@Test
	void sourcesAreDrawnInTheirShares() {
		for (MixedTrainer.Recipe recipe : MixedTrainer.Recipe.ALL) {
			Map<String, Integer> counts = new HashMap<>();
			Random random = new Random(1);
			int n = 200_000;
			for (int i = 0; i < n; i++) {
				counts.merge(recipe.source(random.nextDouble()), 1, Integer::sum);
			}
			recipe.shares()
				.forEach((source, share) -> assertThat(counts.get(source) / (double) n).as(recipe.name() + " " + source)
					.isCloseTo(share, within(0.005)));
		}
	}

	@Test
	void theHardRecipeDrawsShadowsAndLettersMoreOftenThanVersion4s() {
		Map<PhotoSynth.Condition, Integer> v4 = new EnumMap<>(PhotoSynth.Condition.class);
		Map<PhotoSynth.Condition, Integer> hard = new EnumMap<>(PhotoSynth.Condition.class);
		Map<String, Integer> v4Kinds = new HashMap<>();
		Map<String, Integer> hardKinds = new HashMap<>();
		Random random = new Random(2);
		for (int i = 0; i < 50_000; i++) {
			v4.merge(MixedTrainer.Recipe.MIXED.condition(random), 1, Integer::sum);
			hard.merge(MixedTrainer.Recipe.MIXED_HARD.condition(random), 1, Integer::sum);
			v4Kinds.merge(MixedTrainer.Recipe.MIXED.nonDigitKind(random), 1, Integer::sum);
			hardKinds.merge(MixedTrainer.Recipe.MIXED_HARD.nonDigitKind(random), 1, Integer::sum);
		}
		assertThat(hard.get(PhotoSynth.Condition.SHADOW)).isGreaterThan(2 * v4.get(PhotoSynth.Condition.SHADOW));
		assertThat(hard.get(PhotoSynth.Condition.BOXED)).isLessThan(v4.get(PhotoSynth.Condition.BOXED));
		assertThat(hardKinds.get("letters")).isGreaterThan(2 * v4Kinds.get("letters"));
		assertThat(hardKinds.keySet()).containsExactlyInAnyOrderElementsOf(SyntheticData.NON_DIGIT_KINDS);
	}

	@Test
	void theOodRecipeDrawsMoreNonDigitsLettersAndSymbolsThanTheHardOne() {
		MixedTrainer.Recipe hard = MixedTrainer.Recipe.MIXED_HARD;
		MixedTrainer.Recipe ood = MixedTrainer.Recipe.MIXED_OOD;
		assertThat(ood.shares().get("non-digit")).isGreaterThan(hard.shares().get("non-digit"));
		Map<String, Integer> hardKinds = new HashMap<>();
		Map<String, Integer> oodKinds = new HashMap<>();
		Map<PhotoSynth.Condition, Integer> oodConditions = new EnumMap<>(PhotoSynth.Condition.class);
		Random random = new Random(3);
		for (int i = 0; i < 50_000; i++) {
			hardKinds.merge(hard.nonDigitKind(random), 1, Integer::sum);
			oodKinds.merge(ood.nonDigitKind(random), 1, Integer::sum);
			oodConditions.merge(ood.condition(random), 1, Integer::sum);
		}
		assertThat(oodKinds.get("symbols")).isGreaterThan(2 * hardKinds.get("symbols"));
		assertThat(oodKinds.get("letters")).isGreaterThan(hardKinds.get("letters"));
		assertThat(oodConditions.get(PhotoSynth.Condition.PLAIN))
			.isGreaterThan(oodConditions.get(PhotoSynth.Condition.RULED));
		assertThat(oodKinds.keySet()).containsExactlyInAnyOrderElementsOf(SyntheticData.NON_DIGIT_KINDS);
	}

	@Test
	void aRecipeMustCoverEverySourceAndAddUpToOne() {
		Map<String, Double> shares = new HashMap<>(MixedTrainer.Recipe.MIXED.shares());
		shares.put("mnist", 0.5);
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new MixedTrainer.Recipe("bad", shares, Map.of(), Map.of(), FontSets.TRAINING))
			.withMessageContaining("add up to 1");
		shares.remove("mnist");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new MixedTrainer.Recipe("bad", shares, Map.of(), Map.of(), FontSets.TRAINING))
			.withMessageContaining("every source");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new MixedTrainer.Recipe("bad", MixedTrainer.Recipe.MIXED.shares(),
					Map.of(PhotoSynth.Condition.SHADOW, 1.0), Map.of(), FontSets.TRAINING))
			.withMessageContaining("every condition");
	}

	@Test
	void noRecipeTrainsOnTheHeldOutOrTheValidationFonts() {
		for (String family : List.of(FontSets.HELD_OUT.get(0), FontSets.VALIDATION.get(0))) {
			assertThatIllegalArgumentException()
				.isThrownBy(() -> new MixedTrainer.Recipe("bad", MixedTrainer.Recipe.MIXED.shares(), Map.of(), Map.of(),
						List.of("DejaVu Sans", family)))
				.withMessageContaining(family);
		}
		assertThat(MixedTrainer.Recipe.MIXED_FONTS.fonts()).containsAll(FontSets.TRAINING)
			.containsAll(FontSets.ADDED)
			.doesNotHaveDuplicates();
	}

	@Test
	void onlyTheHeavyRecipeDrawsPrintedDigitsHeavierAndTheOthersDrawNoRandomNumberForIt() {
		Random random = new Random(5);
		for (MixedTrainer.Recipe recipe : MixedTrainer.Recipe.ALL) {
			if (recipe != MixedTrainer.Recipe.MIXED_HEAVY) {
				long before = new Random(5).nextLong();
				random.setSeed(5);
				assertThat(recipe.printedStroke(random)).as(recipe.name()).isZero();
				assertThat(random.nextLong()).as(recipe.name() + " drew no number").isEqualTo(before);
			}
		}
		int heavier = 0;
		for (int i = 0; i < 30_000; i++) {
			double stroke = MixedTrainer.Recipe.MIXED_HEAVY.printedStroke(random);
			if (stroke > 0) {
				heavier++;
				assertThat(stroke).isBetween(0.03, 0.10);
			}
		}
		assertThat(heavier / 30_000.0).isCloseTo(1.0 / 3, within(0.01));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new MixedTrainer.Recipe("bad", MixedTrainer.Recipe.MIXED.shares(), Map.of(), Map.of(),
					FontSets.TRAINING, 1.5))
			.withMessageContaining("share");
	}

}
