package dev.digits.model;

import java.util.Set;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Which native build is loaded for each CPU and each set of builds a jar carries: the jar
 * people run carries three, the container image's one.
 */
class NativeBuildChoiceTests {

	private static final Set<String> AVX512 = Set.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl",
			"avx512dq");

	private static final Set<String> AVX2 = Set.of("sse4_2", "avx", "avx2", "fma");

	private static final Set<String> OLD = Set.of("sse4_2", "avx");

	private static final Set<String> ALL = Set.of("-onednn-avx512", "-onednn-avx2", "-onednn");

	private static final Set<String> IMAGE = Set.of("-onednn-avx2");

	@Test
	void withEveryBuildTheFastestTheCpuRuns() {
		assertThat(NativeBuild.choose("auto", AVX512, ALL::contains)).isEqualTo("-onednn-avx512");
		assertThat(NativeBuild.choose("auto", AVX2, ALL::contains)).isEqualTo("-onednn-avx2");
		assertThat(NativeBuild.choose("auto", OLD, ALL::contains)).isEqualTo("-onednn");
		assertThat(NativeBuild.choose("auto", Set.of(), ALL::contains)).isEqualTo("-onednn");
	}

	@Test
	void theImagesOneBuildOnAnyCpuThatRunsIt() {
		assertThat(NativeBuild.choose("auto", AVX512, IMAGE::contains)).isEqualTo("-onednn-avx2");
		assertThat(NativeBuild.choose("auto", AVX2, IMAGE::contains)).isEqualTo("-onednn-avx2");
	}

	@Test
	void aCpuThatRunsNoBuildCarriedIsRefusedWithAMessageNotAnIllegalInstruction() {
		assertThatIllegalStateException().isThrownBy(() -> NativeBuild.choose("auto", OLD, IMAGE::contains))
			.withMessageContaining("linux-x86_64-onednn-avx2")
			.withMessageContaining("neither AVX2 nor AVX-512")
			.withMessageContaining("ND4J_BUILD=all");
	}

	@Test
	void aForcedBuildMustBeCarried() {
		assertThat(NativeBuild.choose("generic", AVX512, ALL::contains)).isEqualTo("-onednn");
		assertThat(NativeBuild.choose("avx2", AVX512, IMAGE::contains)).isEqualTo("-onednn-avx2");
		assertThatIllegalStateException().isThrownBy(() -> NativeBuild.choose("avx512", AVX512, IMAGE::contains))
			.withMessageContaining("does not carry");
	}

	@Test
	void withoutNd4jOnTheClassPathByTheCpuAlone() {
		assertThat(NativeBuild.choose("auto", AVX2, build -> false)).isEqualTo("-onednn-avx2");
	}

}
