package dev.digits.model;

import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.digits.model.NetworkSpec.conv;
import static dev.digits.model.NetworkSpec.dense;
import static dev.digits.model.NetworkSpec.dropout;
import static dev.digits.model.NetworkSpec.flatten;
import static dev.digits.model.NetworkSpec.maxPool;
import static dev.digits.model.NetworkSpec.output;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class NetworkSpecTests {

	private static final NetworkSpec CARD = NetworkSpec.MNIST_CNN;

	@Test
	void theCardsShapesAndParameterCountFollowFromTheSpec() {
		assertThat(CARD.shapes()).extracting(NetworkSpec.Shape::toString)
			.containsExactly("26x26x32", "13x13x32", "11x11x64", "5x5x64", "5x5x64", "1600", "128", "128", "10");
		assertThat(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8)).extracting(CARD::parameters)
			.containsExactly(320L, 0L, 18_496L, 0L, 0L, 0L, 204_928L, 0L, 1_290L);
		assertThat(CARD.parameters()).isEqualTo(225_034L).isEqualTo(DigitNetwork.PARAMETERS);
		assertThat(CARD.pixels()).isEqualTo(784).isEqualTo(DigitNetwork.PIXELS);
		assertThat(CARD.classes()).isEqualTo(10).isEqualTo(DigitNetwork.CLASSES);
	}

	@Test
	void theCardsDl4jLayersAreNamedAndIndexedFromTheSpec() {
		assertThat(DigitNetwork.layerNames(CARD)).containsExactly("conv1", "pool1", "conv2", "pool2", "dropout1",
				"dense1", "dropout2", "output");
		assertThat(DigitNetwork.LAYERS).isEqualTo(8);
		assertThat(DigitNetwork.OUTPUT).isEqualTo(7);
		assertThat(DigitNetwork.DENSE1).isEqualTo(5);
		assertThat(DigitNetwork.FEATURES).isEqualTo(128);
		assertThat(ChannelsLastWeights.kerasNames(CARD)).containsExactly("conv2d", "max_pooling2d", "conv2d_1",
				"max_pooling2d_1", "dropout", "flatten", "dense", "dropout_1", "dense_1");
	}

	@Test
	void aSpecThatCannotRunIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> spec(conv(8, 3), dense(16), output(10)))
			.withMessageContaining("flatten first");
		assertThatIllegalArgumentException().isThrownBy(() -> spec(conv(8, 29), flatten(), output(10)))
			.withMessageContaining("does not fit");
		assertThatIllegalArgumentException().isThrownBy(() -> spec(flatten(), output(10), output(10)))
			.withMessageContaining("softmax before the last layer");
		assertThatIllegalArgumentException().isThrownBy(() -> spec(conv(8, 3), flatten(), dense(10)))
			.withMessageContaining("last layer must be a softmax");
		assertThatIllegalArgumentException().isThrownBy(() -> spec(flatten(), flatten(), output(10)));
		assertThatIllegalArgumentException().isThrownBy(() -> dropout(1.0));
		assertThatIllegalArgumentException().isThrownBy(() -> maxPool(0));
	}

	private static NetworkSpec spec(NetworkSpec.Layer... layers) {
		return new NetworkSpec("test", 28, 28, 1, List.of(layers));
	}

}
