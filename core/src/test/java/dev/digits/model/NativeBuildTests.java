package dev.digits.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;

/** The build chosen for this CPU is the one loaded, and it computes. */
class NativeBuildTests {

	@Test
	void theChosenBuildIsTheOneLoaded() {
		assertThat(Nd4j.rand(8, 8).mmul(Nd4j.eye(8)).sumNumber().doubleValue()).isPositive();
		String os = System.getProperty("os.name").toLowerCase();
		if (os.contains("linux") && System.getProperty("os.arch").equals("amd64")) {
			String extension = System.getProperty(NativeBuild.EXTENSION);
			assertThat(NativeBuild.chosen()).isEqualTo("linux-x86_64" + extension);
			assertThat(org.bytedeco.javacpp.Loader.getLoadedLibraries().values())
				.anyMatch(path -> path != null && path.contains("linux-x86_64" + extension + "/libnd4jcpu.so"));
			if (NativeBuild.cpuFlags().contains("avx512f") && NativeBuild.cpuFlags().contains("avx512bw")) {
				assertThat(extension).as(NativeBuild.reason()).isEqualTo("-onednn-avx512");
			}
		}
	}

}
