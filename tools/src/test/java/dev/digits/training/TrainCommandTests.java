package dev.digits.training;

import dev.digits.model.TfjsFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import dev.digits.model.ModelFiles;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * One short training run on the shipped fixture, so the whole training path cannot rot.
 */
class TrainCommandTests {

	private static final Path FIXTURE = Path.of("core/src/test/resources/mnist-tiny");

	@TempDir
	static Path out;

	private static String console;

	private static ModelFiles files;

	@BeforeAll
	static void trainOnce() throws IOException {
		TrainingOptions options = new TrainingOptions(FIXTURE, out, 2, 64, 0.001, 7L, 500, 100, 200);
		ByteArrayOutputStream buffer = new ByteArrayOutputStream();
		TrainCommand.run(options, new PrintStream(buffer, true, StandardCharsets.UTF_8));
		console = buffer.toString(StandardCharsets.UTF_8);
		files = new ModelFiles(out);
	}

	@Test
	void printsAProgressLinePerEpochAndTheTestTables() {
		assertThat(console).containsPattern(
				"epoch  1/2  loss \\d\\.\\d{4}  val_loss \\d\\.\\d{4}  val_acc \\d\\.\\d{4}  epoch .* elapsed .* eta ");
		assertThat(console).contains("epoch  2/2").contains("confusion matrix").contains("precision");
	}

	@Test
	void writesEveryArtifactOfTheModelCard() throws IOException {
		for (Path file : List.of(files.network(), files.tfjs(), out.resolve(ModelFiles.TFJS_WEIGHTS), files.quantized(),
				out.resolve(ModelFiles.QUANTIZED_WEIGHTS), files.metadata(), files.labels())) {
			assertThat(file).isNotEmptyFile();
		}
		assertThat(ImageIO.read(files.curvesChart().toFile()).getWidth()).isEqualTo(900);
		assertThat(ImageIO.read(files.confusionChart().toFile()).getWidth()).isEqualTo(700);
		assertThat(Files.size(out.resolve(ModelFiles.TFJS_WEIGHTS))).isEqualTo(225_034L * 4);
		// kernels as one byte each, biases (32 + 64 + 128 + 10) as four
		assertThat(Files.size(out.resolve(ModelFiles.QUANTIZED_WEIGHTS))).isEqualTo(224_800L + 234L * 4);
	}

	@Test
	void metadataIsWhatTheRunProduced() throws IOException {
		JsonNode json = JsonMapper.builder().build().readTree(files.metadata().toFile());
		assertThat(json.at("/architecture/parameters").asLong()).isEqualTo(225_034L);
		assertThat(json.at("/training/epochsRun").asInt()).isEqualTo(2);
		assertThat(json.at("/training/history")).hasSize(2);
		assertThat(json.at("/data/split/train").asInt()).isEqualTo(500);
		assertThat(json.at("/data/sha256/" + Mnist.TRAIN_IMAGES).asString()).hasSize(64);
		assertThat(json.at("/metrics/test/confusion")).hasSize(10);
		assertThat(json.at("/metrics/test/perClass")).hasSize(10);
		assertThat(json.at("/artifacts/quantized/testAccuracy").isNumber()).isTrue();
		assertThat(json.at("/commit").asString()).isNotBlank();
		int best = json.at("/training/bestEpoch").asInt();
		double bestValidation = json.at("/training/history/" + (best - 1) + "/validationAccuracy").asDouble();
		for (JsonNode epoch : json.at("/training/history")) {
			assertThat(epoch.get("validationAccuracy").asDouble()).isLessThanOrEqualTo(bestValidation);
		}
		assertThat(json.at("/metrics/validation/accuracy").asDouble()).isEqualTo(bestValidation);
	}

	@Test
	void evaluationCommandReproducesTheMetadataAccuracy() throws IOException {
		ClassificationReport report = EvaluateCommand.run(files.network(), FIXTURE,
				new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
		JsonNode json = JsonMapper.builder().build().readTree(files.metadata().toFile());
		assertThat(report.accuracy()).isEqualTo(json.at("/metrics/test/accuracy").asDouble());
		assertThat(report.examples()).isEqualTo(200);
		// better than chance after 1,000 updates' worth of tiny data
		assertThat(report.accuracy()).isGreaterThan(0.5);
	}

	@Test
	void tfjsCopyGivesTheSameOutputsAndTheQuantizedCopyNearlySo() throws IOException {
		MultiLayerNetwork original = ModelSerializer.restoreMultiLayerNetwork(files.network().toFile(), false);
		Mnist.Split test = Mnist.loadTest(FIXTURE);
		float[] expected = Batches.predict(original, test);
		float[] tfjs = Batches.predict(TfjsFormat.read(files.tfjs()), test);
		float[] int8 = Batches.predict(TfjsFormat.read(files.quantized()), test);
		assertThat(tfjs).containsExactly(expected, within(1e-6f));
		int agree = 0;
		for (int i = 0; i < test.size(); i++) {
			if (dev.digits.model.DigitNetwork.argMax(int8, i * 10) == dev.digits.model.DigitNetwork.argMax(expected,
					i * 10)) {
				agree++;
			}
		}
		assertThat(agree).isGreaterThanOrEqualTo(test.size() * 97 / 100);
	}

	@Test
	void optionsRefuseUnknownOrInvalidValues() {
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> TrainingOptions.parse(new String[] { "--epoch=3" }))
			.withMessageContaining("Unknown option: '--epoch=3'");
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> TrainingOptions.parse(new String[] { "--epochs=0" }))
			.withMessageContaining("epochs must be at least 1");
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> TrainingOptions.parse(new String[] { "epochs" }));
		assertThat(TrainingOptions.parse(new String[] { "--epochs=3", "--seed=9" })).satisfies(o -> {
			assertThat(o.epochs()).isEqualTo(3);
			assertThat(o.seed()).isEqualTo(9);
			assertThat(o.batchSize()).isEqualTo(128);
			assertThat(o.learningRate()).isEqualTo(0.001);
		});
	}

	@Test
	void refusesASplitLargerThanTheData() {
		TrainingOptions options = new TrainingOptions(FIXTURE, out, 1, 64, 0.001, 7L, 550, 100, 200);
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> TrainCommand.run(options, new PrintStream(new ByteArrayOutputStream())))
			.withMessageContaining("train-size + validation-size = 650 but MNIST has 600");
	}

}
