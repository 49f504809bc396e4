package dev.digits.model;

import java.util.List;

import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DigitNetworkTests {

	private final MultiLayerNetwork network = DigitNetwork.create(1, 0.001);

	@Test
	void hasTheModelCardsParameterCount() {
		assertThat(network.numParams()).isEqualTo(DigitNetwork.PARAMETERS).isEqualTo(225_034L);
	}

	@Test
	void layersHaveTheModelCardsOutputShapesAndParameters() {
		List<DigitNetwork.LayerSummary> layers = DigitNetwork.summary(network);
		assertThat(layers).extracting(DigitNetwork.LayerSummary::outputShape)
			.containsExactly(List.of(32L, 26L, 26L), List.of(32L, 13L, 13L), List.of(64L, 11L, 11L),
					List.of(64L, 5L, 5L), List.of(64L, 5L, 5L), List.of(128L), List.of(128L), List.of(10L));
		assertThat(layers).extracting(DigitNetwork.LayerSummary::parameters)
			.containsExactly(320L, 0L, 18_496L, 0L, 0L, 204_928L, 0L, 1_290L);
		assertThat(layers).extracting(DigitNetwork.LayerSummary::type)
			.containsExactly("ConvolutionLayer", "SubsamplingLayer", "ConvolutionLayer", "SubsamplingLayer",
					"DropoutLayer", "DenseLayer", "DropoutLayer", "OutputLayer");
	}

	@Test
	void dropoutRatesAreTheCardsTwentyFiveAndFiftyPercent() {
		// DL4J's DropoutLayer takes the probability of keeping an activation
		var dropout1 = (DropoutLayer) network.getLayer(4).conf().getLayer();
		var dropout2 = (DropoutLayer) network.getLayer(6).conf().getLayer();
		assertThat(((org.deeplearning4j.nn.conf.dropout.Dropout) dropout1.getIDropout()).getP()).isEqualTo(0.75);
		assertThat(((org.deeplearning4j.nn.conf.dropout.Dropout) dropout2.getIDropout()).getP()).isEqualTo(0.5);
	}

	/**
	 * Seed 1 initialises the same parameters as the hand-written DL4J configuration that
	 * preceded {@link NetworkSpec} (figures measured with it; the two configurations'
	 * JSON and parameters were compared for seeds 1 and 42 before it was removed).
	 */
	@Test
	void aSeedInitialisesTheParametersOfTheFormerDefinition() {
		float[] p = network.params().data().asFloat();
		double sum = 0;
		double squares = 0;
		for (float v : p) {
			sum += v;
			squares += (double) v * v;
		}
		assertThat(sum).isCloseTo(-20.450145385061035, org.assertj.core.data.Offset.offset(1e-6));
		assertThat(squares).isCloseTo(300.4499078432767, org.assertj.core.data.Offset.offset(1e-6));
		assertThat(new float[] { p[319], p[18815], p[18816], p[100000], p[223744], p[225023] }).containsExactly(
				new float[] { 0.026581876f, 0.079622634f, 0.014773623f, 0.044013318f, -0.07835828f, 0.038428284f },
				org.assertj.core.data.Offset.offset(1e-7f));
	}

	@Test
	void outputIsAProbabilityDistribution() {
		float[] p = network.output(org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 3, 784))
			.data()
			.asFloat();
		for (int row = 0; row < 3; row++) {
			float sum = 0;
			for (int k = 0; k < 10; k++) {
				assertThat(p[row * 10 + k]).isBetween(0f, 1f);
				sum += p[row * 10 + k];
			}
			assertThat(sum).isCloseTo(1f, org.assertj.core.data.Offset.offset(1e-5f));
		}
	}

}
