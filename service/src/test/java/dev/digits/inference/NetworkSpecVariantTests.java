package dev.digits.inference;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import dev.digits.model.DigitNetwork;
import dev.digits.model.NetworkSpec;
import dev.digits.model.TfjsFormat;
import org.assertj.core.data.Offset;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static dev.digits.model.NetworkSpec.conv;
import static dev.digits.model.NetworkSpec.dense;
import static dev.digits.model.NetworkSpec.dropout;
import static dev.digits.model.NetworkSpec.flatten;
import static dev.digits.model.NetworkSpec.maxPool;
import static dev.digits.model.NetworkSpec.output;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * A change of architecture is a change of the {@link NetworkSpec} alone: networks of
 * other specs build in DL4J with the parameter count their spec computes, go through the
 * TF.js format and back unchanged, and run on the NHWC engine to DL4J's outputs.
 */
class NetworkSpecVariantTests {

	private static final float TOLERANCE = 1e-5f;

	@TempDir
	Path dir;

	static Stream<NetworkSpec> variants() {
		return Stream.of(
				// the card's layers, narrower: 16 and 32 filters, dense 64
				new NetworkSpec("narrow", 28, 28, 1,
						List.of(conv(16, 3), maxPool(2), conv(32, 3), maxPool(2), dropout(0.25), flatten(), dense(64),
								dropout(0.5), output(10))),
				// an extra convolution before the first pooling
				new NetworkSpec("deeper", 28, 28, 1,
						List.of(conv(16, 3), conv(16, 3), maxPool(2), conv(32, 3), maxPool(2), dropout(0.25), flatten(),
								dense(64), dropout(0.5), output(10))),
				// a 4x4 kernel, 3x3 pooling that drops a row and a column (25 -> 8), a
				// convolution flattened without pooling, two hidden dense layers
				new NetworkSpec("odd-sizes", 28, 28, 1,
						List.of(conv(8, 4), maxPool(3), conv(12, 3), flatten(), dense(48), dense(24), output(10))));
	}

	@ParameterizedTest
	@MethodSource("variants")
	void buildsWithTheParameterCountOfItsSpec(NetworkSpec spec) {
		MultiLayerNetwork network = DigitNetwork.create(spec, 3, 0.001);
		assertThat(network.numParams()).isEqualTo(spec.parameters()).isNotEqualTo(DigitNetwork.PARAMETERS);
		assertThat(network.getnLayers()).isEqualTo(DigitNetwork.layerCount(spec));
		for (int i = 0; i < spec.layers().size(); i++) {
			if (!(spec.layers().get(i) instanceof NetworkSpec.Flatten)) {
				assertThat(network.getLayer(DigitNetwork.layerIndex(spec, i)).numParams()).as("layer %d", i)
					.isEqualTo(spec.parameters(i));
			}
		}
	}

	@ParameterizedTest
	@MethodSource("variants")
	void goesThroughTheTfjsFormatAndBackUnchanged(NetworkSpec spec) throws IOException {
		MultiLayerNetwork network = network(spec);
		Path json = dir.resolve(spec.name() + ".json");
		TfjsFormat.write(spec, network, json, spec.name() + "-weights.bin", false);
		MultiLayerNetwork read = TfjsFormat.read(json, spec);
		assertThat(read.params().data().asFloat()).isEqualTo(network.params().data().asFloat());
		INDArray inputs = inputs(spec, 5, new Random(2));
		assertThat(read.output(inputs, false).data().asFloat())
			.isEqualTo(network.output(inputs, false).data().asFloat());
		assertThatIOException().isThrownBy(() -> TfjsFormat.read(json));
	}

	@ParameterizedTest
	@MethodSource("variants")
	void runsOnTheNhwcEngineToDl4jsOutputs(NetworkSpec spec) {
		MultiLayerNetwork network = network(spec);
		int capacity = 8;
		NhwcForwardPass fast = new NhwcForwardPass(NhwcWeights.of(spec, network), capacity);
		INDArray inputs = inputs(spec, capacity, new Random(4));
		float[] pixels = inputs.data().asFloat();
		for (int n : new int[] { 1, 3, capacity }) {
			float[] logits = new float[n * spec.classes()];
			fast.forward(pixels, n, logits);
			float[] probabilities = new float[logits.length];
			ForwardPass.softmax(logits, n, probabilities);
			float[] dl4j = network.output(inputs.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n)), false)
				.data()
				.asFloat();
			assertThat(probabilities).as("%s, batch of %d", spec.name(), n)
				.containsExactly(dl4j, Offset.offset(TOLERANCE));
		}
		fast.close();
	}

	/** A network of {@code spec} with Xavier weights and random biases (not zero). */
	private static MultiLayerNetwork network(NetworkSpec spec) {
		MultiLayerNetwork network = DigitNetwork.create(spec, 5, 0.001);
		Nd4j.getRandom().setSeed(6);
		for (int i = 0; i < network.getnLayers(); i++) {
			if (network.getLayer(i).paramTable().containsKey("b")) {
				INDArray b = network.getLayer(i).getParam("b");
				network.getLayer(i).setParam("b", Nd4j.rand(DataType.FLOAT, b.shape()).subi(0.5).muli(0.2));
			}
		}
		return network;
	}

	private static INDArray inputs(NetworkSpec spec, int n, Random random) {
		return Nd4j.create(NhwcForwardPassTests.randomImages(random, n), new long[] { n, spec.pixels() }, 'c');
	}

}
