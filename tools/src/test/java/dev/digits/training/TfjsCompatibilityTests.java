package dev.digits.training;

import dev.digits.model.TfjsFormat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import dev.digits.model.DigitNetwork;
import dev.digits.model.ModelFiles;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The exported TensorFlow.js files load with TF.js' own {@code tf.loadLayersModel} (4.x,
 * pure JS CPU backend, through {@code scripts/tfjs-check/predict.mjs}) and predict what
 * DL4J predicts.
 *
 * <p>
 * Needs a trained model in {@code models/} (system property {@code models.dir}), the
 * MNIST test files through {@value Mnist#ENV}, {@code node} on the PATH and
 * {@code npm ci --prefix scripts/tfjs-check}; skipped with a message when any is missing.
 */
class TfjsCompatibilityTests {

	private static final Path SCRIPT_DIR = Path.of("scripts", "tfjs-check");

	private static final int IMAGES = 200;

	private static final double PROBABILITY_TOLERANCE = 1e-4;

	private static final double MIN_INT8_ARGMAX_AGREEMENT = 0.99;

	private static final long NODE_TIMEOUT_SECONDS = 180;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	static Path work;

	private static ModelFiles files;

	private static INDArray features;

	private static Path imagesFile;

	/**
	 * Checks what the tests need before each of them, so that a missing piece shows as a
	 * skipped test with its reason (an assumption failing in {@code @BeforeAll} leaves no
	 * trace in the reports), and prepares the images once.
	 */
	@BeforeEach
	void requirements() throws IOException, InterruptedException {
		files = new ModelFiles(Path.of(System.getProperty("models.dir", "models/mnist-cnn/1")));
		assumeTrue(Files.isRegularFile(files.network()), () -> "no trained model at " + files.network().toAbsolutePath()
				+ ": train one first, or point -Dmodels.dir at a folder holding " + ModelFiles.NETWORK);
		Path mnist = Mnist.fromEnvironment();
		assumeTrue(mnist != null, () -> "MNIST test files not found: set " + Mnist.ENV + " to a folder holding "
				+ Mnist.TEST_IMAGES + "(.gz), e.g. ../shared/mnist");
		assumeTrue(nodeVersion() != null, "node not found on the PATH: install Node.js 18+ to check the TF.js export");
		assumeTrue(Files.isDirectory(SCRIPT_DIR.resolve("node_modules/@tensorflow/tfjs")),
				() -> SCRIPT_DIR.resolve("node_modules") + " is missing: run npm ci --prefix " + SCRIPT_DIR);
		assertThat(files.tfjs()).as("TF.js export written beside the DL4J model").isRegularFile();
		assertThat(files.quantized()).as("8-bit TF.js export written beside the DL4J model").isRegularFile();

		if (features == null) {
			Mnist.Split test = Mnist.loadTest(mnist);
			int stride = test.size() / IMAGES;
			int[] indices = new int[IMAGES];
			for (int i = 0; i < IMAGES; i++) {
				indices[i] = i * stride; // spread over the whole test set
			}
			features = Batches.features(test, indices, 0, IMAGES);
			imagesFile = work.resolve("images.f32");
			writeImages(features, imagesFile);
		}
	}

	@Test
	void floatModelLoadsInTfjsAndGivesDl4jProbabilities() throws Exception {
		MultiLayerNetwork network = ModelSerializer.restoreMultiLayerNetwork(files.network().toFile(), false);
		float[] dl4j = network.output(features, false).data().asFloat();

		float[] tfjs = predictWithTfjs(files.tfjs());

		report("float", tfjs, dl4j);
		assertThat(maxAbsDifference(tfjs, dl4j)).as("max |TF.js - DL4J| over %d images", IMAGES)
			.isLessThanOrEqualTo(PROBABILITY_TOLERANCE);
		assertThat(argmaxes(tfjs)).as("TF.js predicted digits").containsExactly(argmaxes(dl4j));
	}

	@Test
	void int8ModelLoadsInTfjsAndMatchesItsDl4jDequantization() throws Exception {
		MultiLayerNetwork floatNetwork = ModelSerializer.restoreMultiLayerNetwork(files.network().toFile(), false);
		float[] floatDl4j = floatNetwork.output(features, false).data().asFloat();
		float[] int8Dl4j = TfjsFormat.read(files.quantized()).output(features, false).data().asFloat();

		float[] int8Tfjs = predictWithTfjs(files.quantized());

		report("int8", int8Tfjs, int8Dl4j);
		assertThat(maxAbsDifference(int8Tfjs, int8Dl4j))
			.as("max |TF.js int8 - DL4J TfjsFormat.read(int8)| over %d images", IMAGES)
			.isLessThanOrEqualTo(PROBABILITY_TOLERANCE);
		double agreement = agreement(argmaxes(int8Tfjs), argmaxes(floatDl4j));
		System.out.printf("TfjsCompatibilityTests: int8 argmax agreement with the float model %.4f%n", agreement);
		assertThat(agreement).as("share of images where the int8 model predicts the float model's digit")
			.isGreaterThanOrEqualTo(MIN_INT8_ARGMAX_AGREEMENT);
	}

	/**
	 * Runs {@code predict.mjs} on {@link #imagesFile} and returns the row-major n x 10
	 * probabilities.
	 */
	private static float[] predictWithTfjs(Path modelJson) throws IOException, InterruptedException {
		String name = modelJson.getFileName().toString();
		Path out = work.resolve(name + ".predictions.json");
		Path log = work.resolve(name + ".log");
		Process process = new ProcessBuilder("node", SCRIPT_DIR.resolve("predict.mjs").toAbsolutePath().toString(),
				modelJson.toAbsolutePath().toString(), imagesFile.toAbsolutePath().toString(),
				out.toAbsolutePath().toString())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		if (!process.waitFor(NODE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
			process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			throw new AssertionError("predict.mjs " + name + " still running after " + NODE_TIMEOUT_SECONDS
					+ " s; output:\n" + Files.readString(log, StandardCharsets.UTF_8));
		}
		String output = Files.readString(log, StandardCharsets.UTF_8);
		assertThat(process.exitValue()).as("exit code of predict.mjs %s; output:%n%s", name, output).isZero();

		JsonNode result = JSON.readTree(out.toFile());
		assertThat(result.path("tfjsVersion").asString()).as("TF.js version").startsWith("4.");
		assertThat(result.path("backend").asString()).as("TF.js backend").isEqualTo("cpu");
		JsonNode rows = result.path("probabilities");
		assertThat(rows.size()).as("rows of %s", out).isEqualTo(IMAGES);
		float[] probabilities = new float[IMAGES * DigitNetwork.CLASSES];
		for (int i = 0; i < IMAGES; i++) {
			JsonNode row = rows.get(i);
			assertThat(row.size()).as("classes in row %d", i).isEqualTo(DigitNetwork.CLASSES);
			for (int c = 0; c < DigitNetwork.CLASSES; c++) {
				probabilities[i * DigitNetwork.CLASSES + c] = (float) row.get(c).doubleValue();
			}
		}
		return probabilities;
	}

	/**
	 * N x 28 x 28 x 1 float32 little-endian (NHWC): with one channel, the row-major pixel
	 * order as is.
	 */
	private static void writeImages(INDArray features, Path file) throws IOException {
		float[] values = features.dup('c').data().asFloat();
		ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
		buffer.asFloatBuffer().put(values);
		Files.write(file, buffer.array());
	}

	private static double maxAbsDifference(float[] a, float[] b) {
		assertThat(a).hasSameSizeAs(b);
		double max = 0;
		for (int i = 0; i < a.length; i++) {
			max = Math.max(max, Math.abs((double) a[i] - b[i]));
		}
		return max;
	}

	private static int[] argmaxes(float[] probabilities) {
		int n = probabilities.length / DigitNetwork.CLASSES;
		int[] best = new int[n];
		for (int i = 0; i < n; i++) {
			for (int c = 1; c < DigitNetwork.CLASSES; c++) {
				if (probabilities[i * DigitNetwork.CLASSES + c] > probabilities[i * DigitNetwork.CLASSES + best[i]]) {
					best[i] = c;
				}
			}
		}
		return best;
	}

	private static double agreement(int[] a, int[] b) {
		int same = 0;
		for (int i = 0; i < a.length; i++) {
			if (a[i] == b[i]) {
				same++;
			}
		}
		return (double) same / a.length;
	}

	private static void report(String model, float[] tfjs, float[] dl4j) {
		System.out.printf(
				"TfjsCompatibilityTests: %s model, %d images, max |TF.js - DL4J| = %.3g, argmax agreement %.4f%n",
				model, IMAGES, maxAbsDifference(tfjs, dl4j), agreement(argmaxes(tfjs), argmaxes(dl4j)));
	}

	/** {@code node --version}, or {@code null} when there is no {@code node} to run. */
	private static String nodeVersion() throws InterruptedException {
		try {
			Process process = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
			if (!process.waitFor(30, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				return null;
			}
			String version = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
			return process.exitValue() == 0 ? version : null;
		}
		catch (IOException ex) {
			return null;
		}
	}

}
