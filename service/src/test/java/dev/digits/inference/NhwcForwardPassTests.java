package dev.digits.inference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import dev.digits.model.DigitNetwork;
import dev.digits.model.ModelFiles;
import dev.digits.training.Batches;
import dev.digits.training.Mnist;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NhwcForwardPassTests {

	private static final float TOLERANCE = 1e-5f;

	@Test
	void matchesDl4jOnRandomInputsForEveryBatchSizeUpToCapacity() {
		MultiLayerNetwork network = DigitNetwork.create(7, 0.001);
		float[] inputs = randomImages(new Random(1), 40);
		NhwcForwardPass fast = new NhwcForwardPass(NhwcWeights.of(network), 40);
		Dl4jForwardPass reference = new Dl4jForwardPass(network, 40);
		for (int n : new int[] { 1, 2, 3, 7, 16, 40, 1 }) {
			float[] expected = new float[n * 10];
			float[] actual = new float[n * 10];
			reference.forward(inputs, n, expected);
			fast.forward(inputs, n, actual);
			// logits: relative to their size (they reach tens)
			for (int k = 0; k < actual.length; k++) {
				assertThat(actual[k]).as("batch of %d, logit %d", n, k)
					.isCloseTo(expected[k],
							org.assertj.core.data.Offset.offset(TOLERANCE * Math.max(1f, Math.abs(expected[k]))));
			}
			float[] p = new float[n * 10];
			ForwardPass.softmax(actual, n, p);
			float[] dl4j = network
				.output(org.nd4j.linalg.factory.Nd4j.create(java.util.Arrays.copyOf(inputs, n * 784),
						new long[] { n, 784 }, 'c'))
				.data()
				.asFloat();
			assertThat(p).as("probabilities, batch of %d", n)
				.containsExactly(dl4j, org.assertj.core.data.Offset.offset(TOLERANCE));
		}
	}

	@Test
	void refusesBatchesOutsideItsCapacity() {
		NhwcForwardPass fast = new NhwcForwardPass(NhwcWeights.of(DigitNetwork.create(7, 0.001)), 4);
		assertThatIllegalArgumentException().isThrownBy(() -> fast.forward(new float[5 * 784], 5, new float[50]));
		assertThatIllegalArgumentException().isThrownBy(() -> fast.forward(new float[0], 0, new float[0]));
	}

	/**
	 * The acceptance check of the fast engine: the committed model, the whole MNIST test
	 * set.
	 */
	@Test
	void matchesDl4jOnTheMnistTestSetWithTheCommittedModel() throws IOException {
		Path dir = Mnist.fromEnvironment();
		assumeTrue(dir != null, "MNIST_DIR not set (or holds no t10k files): skipping the full test-set comparison");
		Path model = new ModelFiles(Path.of("models/mnist-cnn/1")).network();
		assumeTrue(Files.exists(model), "no committed model at " + model);
		MultiLayerNetwork network = ModelSerializer.restoreMultiLayerNetwork(model.toFile(), false);
		Mnist.Split test = Mnist.loadTest(dir);
		float[] expected = Batches.predict(network, test);
		int batch = 250;
		NhwcForwardPass fast = new NhwcForwardPass(NhwcWeights.of(network), batch);
		float[] actual = new float[expected.length];
		float[] out = new float[batch * 10];
		int[] order = new int[test.size()];
		for (int i = 0; i < order.length; i++) {
			order[i] = i;
		}
		float maxDifference = 0;
		int sameDigit = 0;
		for (int from = 0; from < test.size(); from += batch) {
			float[] in = Batches.features(test, order, from, from + batch).data().asFloat();
			fast.forward(in, batch, out);
			ForwardPass.softmax(out, batch, out);
			System.arraycopy(out, 0, actual, from * 10, batch * 10);
		}
		for (int i = 0; i < test.size(); i++) {
			for (int k = 0; k < 10; k++) {
				maxDifference = Math.max(maxDifference, Math.abs(actual[i * 10 + k] - expected[i * 10 + k]));
			}
			if (argMax(actual, i) == argMax(expected, i)) {
				sameDigit++;
			}
		}
		assertThat(sameDigit).isEqualTo(test.size());
		assertThat(maxDifference).isLessThan(TOLERANCE);
	}

	private static int argMax(float[] p, int row) {
		return DigitNetwork.argMax(p, row * 10);
	}

	static float[] randomImages(Random random, int n) {
		float[] x = new float[n * 784];
		for (int i = 0; i < x.length; i++) {
			x[i] = random.nextFloat() < 0.8f ? 0f : random.nextFloat();
		}
		return x;
	}

}
