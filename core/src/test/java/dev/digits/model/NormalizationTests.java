package dev.digits.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NormalizationTests {

	@Test
	void mapsGreyLevelsOntoZeroToOne() {
		assertThat(Normalization.normalize(0)).isZero();
		assertThat(Normalization.normalize(255)).isEqualTo(1f);
		assertThat(Normalization.normalize(51)).isEqualTo(0.2f);
	}

	@Test
	void readsBytesAsUnsigned() {
		float[] out = new float[3];
		Normalization.normalize(new byte[] { 9, (byte) 0, (byte) 255, (byte) 128 }, 1, out, 0, 3);
		assertThat(out).containsExactly(0f, 1f, 128 / 255f);
	}

}
