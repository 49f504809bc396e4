package dev.digits.inference;

import java.io.IOException;
import java.nio.file.Path;

import dev.digits.explain.Attributions;
import dev.digits.model.DigitNetwork;
import dev.digits.model.LoadedModel;
import dev.digits.training.Mnist;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gradients the service explains with (channels-last custom ops) are DL4J's, through
 * its layers: for every pixel of 32 images along an integrated-gradients path, for the
 * answered digit and for another, and the maps built from them. DL4J's side runs in
 * double precision: in single precision its softmax gradient, one minus a probability
 * near 1, loses most of its digits (a relative difference of 6.5e-4 on a confident 7 on
 * one CPU, under 1e-4 on another), while the engine forms that seed in double; against
 * the double reference the engine is within 5e-7 on every case here.
 */
class NhwcGradientsTests {

	private static final Path FIXTURE = Path.of("core/src/test/resources/mnist-tiny");

	@Test
	void theGradientsAndTheIntegratedGradientsMapsAreDl4jsOwn() throws IOException {
		MultiLayerNetwork network = LoadedModel.load(Path.of("models/mnist-cnn/6")).network();
		Attributions.Gradients dl4j = Attributions
			.gradients(Attributions.gradientCopy(network).convertDataType(DataType.DOUBLE));
		NhwcGradients nhwc = NhwcGradients.of(network);
		Mnist.Split digits = Mnist.loadTest(FIXTURE);
		for (int index : new int[] { 0, 7, 42 }) {
			float[] image = new float[DigitNetwork.PIXELS];
			byte[] levels = digits.image(index);
			for (int i = 0; i < image.length; i++) {
				image[i] = (levels[i] & 0xff) / 255f;
			}
			int label = digits.labels()[index];
			for (int target : new int[] { label, (label + 3) % 10 }) {
				float[] path = new float[32 * DigitNetwork.PIXELS];
				for (int k = 0; k < 32; k++) {
					for (int i = 0; i < DigitNetwork.PIXELS; i++) {
						path[k * DigitNetwork.PIXELS + i] = (k + 0.5f) / 32 * image[i];
					}
				}
				float[] expected = dl4j.logProbabilityGradients(path, 32, target);
				float[] actual = nhwc.logProbabilityGradients(path, 32, target);
				assertThat(actual).hasSameSizeAs(expected);
				assertThat(relativeError(actual, expected)).as("digit %d, target %d", index, target).isLessThan(1e-5);
				float[] mapExpected = Attributions.integratedGradients(dl4j, image, target, 32);
				float[] mapActual = Attributions.integratedGradients(nhwc::logProbabilityGradients, image, target, 32);
				assertThat(relativeError(mapActual, mapExpected)).isLessThan(1e-5);
				// a map that means something: not all zero
				assertThat(norm(mapActual)).isGreaterThan(1e-3);
			}
		}
	}

	/** |a - b| / |b|, Euclidean. */
	private static double relativeError(float[] a, float[] b) {
		double diff = 0;
		for (int i = 0; i < a.length; i++) {
			diff += (a[i] - b[i]) * (double) (a[i] - b[i]);
		}
		return Math.sqrt(diff) / norm(b);
	}

	private static double norm(float[] v) {
		double s = 0;
		for (float x : v) {
			s += x * (double) x;
		}
		return Math.sqrt(s);
	}

}
