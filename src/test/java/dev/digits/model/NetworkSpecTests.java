package dev.digits.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class NetworkSpecTests {

	@Test
	void theSpecsDl4jConfigurationIsTheFormerDefinitionsWithTheSameParametersForASeed() {
		for (long seed : new long[] { 1, 42 }) {
			assertThat(DigitNetwork.configuration(NetworkSpec.MNIST_CNN, seed, 0.001).toJson())
				.isEqualTo(DigitNetwork.configuration(seed, 0.001).toJson());
			MultiLayerNetwork before = new MultiLayerNetwork(DigitNetwork.configuration(seed, 0.001));
			before.init();
			MultiLayerNetwork after = new MultiLayerNetwork(
					DigitNetwork.configuration(NetworkSpec.MNIST_CNN, seed, 0.001));
			after.init();
			assertThat(after.params().data().asFloat()).isEqualTo(before.params().data().asFloat());
		}
	}

	@Test
	void theCardsParameterCountFollowsFromTheSpec() {
		assertThat(NetworkSpec.MNIST_CNN.parameters()).isEqualTo(225_034L).isEqualTo(DigitNetwork.PARAMETERS);
	}

}
