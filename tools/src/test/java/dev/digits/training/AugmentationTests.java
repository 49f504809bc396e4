package dev.digits.training;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.dataset.DataSet;

import static org.assertj.core.api.Assertions.assertThat;

/** Augmentation is reproducible from (seed, epoch, index) and keeps digits digit-like. */
class AugmentationTests {

	private static Mnist.Split train;

	@BeforeAll
	static void load() throws IOException {
		train = Mnist.load(Path.of("core/src/test/resources/mnist-tiny")).train();
	}

	private static float[] batch(long seed, int epoch) {
		Augmentation augmentation = new Augmentation(Augmentation.Settings.defaults(), seed);
		DataSet data = Batches.dataSet(train, Batches.identity(train.size()), 0, 256, augmentation, epoch);
		return data.getFeatures().data().asFloat();
	}

	@Test
	void sameSeedGivesBitIdenticalBatchesAndAnotherSeedOrEpochDoesNot() {
		float[] first = batch(42, 3);
		assertThat(batch(42, 3)).containsExactly(first);
		assertThat(batch(43, 3)).isNotEqualTo(first);
		assertThat(batch(42, 4)).isNotEqualTo(first);
	}

	@Test
	void anImageDependsOnlyOnItsIndexNotOnItsBatch() {
		Augmentation augmentation = new Augmentation(Augmentation.Settings.defaults(), 42);
		int[] reversed = new int[64];
		for (int i = 0; i < 64; i++) {
			reversed[i] = 63 - i;
		}
		float[] forward = Batches.dataSet(train, Batches.identity(64), 0, 64, augmentation, 1)
			.getFeatures()
			.data()
			.asFloat();
		float[] backward = Batches.dataSet(train, reversed, 0, 64, augmentation, 1).getFeatures().data().asFloat();
		for (int i = 0; i < 64; i++) {
			for (int p = 0; p < 784; p++) {
				assertThat(backward[(63 - i) * 784 + p]).isEqualTo(forward[i * 784 + p]);
			}
		}
	}

	@Test
	void aboutTheConfiguredShareOfImagesChangesAndAllStayInRange() {
		Augmentation augmentation = new Augmentation(Augmentation.Settings.defaults(), 1);
		int changed = 0;
		for (int i = 0; i < train.size(); i++) {
			float[] clean = normalized(i);
			float[] out = augmentation.augment(clean, 1, i);
			assertThat(out).hasSize(784);
			for (float v : out) {
				assertThat(v).isBetween(0f, 1f);
			}
			if (!java.util.Arrays.equals(out, clean)) {
				changed++;
			}
		}
		// probability 0.8 of being chosen; a few chosen images draw no transform at all
		assertThat((double) changed / train.size()).isBetween(0.70, 0.85);
	}

	static java.util.stream.Stream<String> transforms() {
		return Augmentation.Settings.transforms().keySet().stream();
	}

	@ParameterizedTest
	@MethodSource("transforms")
	void eachTransformChangesTheImageAndKeepsTheInkMassSane(String transform) {
		Augmentation augmentation = new Augmentation(Augmentation.Settings.only(transform), 5);
		double minRatio = Double.MAX_VALUE;
		double maxRatio = 0;
		int changed = 0;
		for (int i = 0; i < 200; i++) {
			float[] clean = normalized(i);
			float[] out = augmentation.augment(clean, 1, i);
			if (!java.util.Arrays.equals(out, clean)) {
				changed++;
			}
			double ratio = Augmentation.mass(out) / Augmentation.mass(clean);
			minRatio = Math.min(minRatio, ratio);
			maxRatio = Math.max(maxRatio, ratio);
		}
		assertThat(changed).isGreaterThan(190);
		assertThat(minRatio).isGreaterThan(0.45);
		assertThat(maxRatio).isLessThan(2.2);
	}

	@Test
	void identityWarpReturnsTheImage() {
		float[] clean = normalized(0);
		assertThat(Augmentation.warp(clean, 0, 1, 0, 0, 0, null)).containsExactly(clean,
				org.assertj.core.api.Assertions.within(1e-6f));
	}

	@Test
	void optionsTurnAugmentationAndDecayOnAndDefaultToOff() {
		assertThat(TrainingOptions.parse(new String[0])).satisfies(o -> {
			assertThat(o.augment()).isFalse();
			assertThat(o.learningRateDecay()).isEqualTo(1.0);
		});
		TrainingOptions o = TrainingOptions.parse(new String[] { "--augment=true", "--lr-decay=0.5" });
		assertThat(o.augment()).isTrue();
		assertThat(o.learningRate(3)).isEqualTo(0.001 * 0.25, org.assertj.core.api.Assertions.within(1e-15));
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> TrainingOptions.parse(new String[] { "--augment=yes" }))
			.withMessageContaining("Invalid value for option '--augment'");
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> TrainingOptions.parse(new String[] { "--lr-decay=1.5" }))
			.withMessageContaining("lr-decay must be in (0, 1]");
	}

	private static float[] normalized(int index) {
		float[] image = new float[784];
		dev.digits.model.Normalization.normalize(train.pixels(), index * 784, image, 0, 784);
		return image;
	}

}
