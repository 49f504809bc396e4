package dev.digits.training;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import dev.digits.model.ModelFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code calibrate} and {@code evaluate} on a small model trained on the shipped fixture
 * (the real figures come from the same code on MNIST; see docs/model-quality.md).
 */
class QualityCommandsTests {

	private static final Path FIXTURE = Path.of("core/src/test/resources/mnist-tiny");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	static Path dir;

	private static Path model;

	private static PrintStream quiet() {
		return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
	}

	@BeforeAll
	static void trainATinyModel() throws IOException {
		model = dir.resolve("tiny");
		TrainCommand.run(new TrainingOptions(FIXTURE, model, 3, 32, 0.002, 7L, 500, 100, 200, true, 0.9), quiet());
	}

	@Test
	void calibrateLowersValidationNllAndOnlyAddsToTheMetadata() throws IOException {
		ModelFiles files = new ModelFiles(model);
		JsonNode original = JSON.readTree(files.metadata().toFile());
		ModelQuality.Fitted fitted = CalibrateCommand.run(model, FIXTURE, 20, 10, 0.01, quiet());

		assertThat(fitted.validationAfter().nll()).isLessThan(fitted.validationBefore().nll());
		assertThat(fitted.temperature()).isPositive();
		JsonNode updated = JSON.readTree(files.metadata().toFile());
		ObjectNode withoutAdditions = ((ObjectNode) updated.deepCopy());
		withoutAdditions.remove(List.of("calibration", "ood"));
		assertThat(withoutAdditions).isEqualTo(original);
		assertThat(updated.at("/calibration/temperature").asDouble()).isEqualTo(fitted.temperature());
		assertThat(updated.at("/calibration/fittedOn").asString()).isEqualTo("validation");
		assertThat(updated.at("/ood/file").asString()).isEqualTo(CalibrateCommand.OOD_FILE);
		assertThat(ModelQuality.falseFlagRate(updated)).isEqualTo(0.01);

		JsonNode ood = JSON.readTree(model.resolve(CalibrateCommand.OOD_FILE).toFile());
		assertThat(ood.at("/score").asString()).isIn(OodScores.NAMES);
		assertThat(ood.at("/whitening")).hasSize(128 * 128);
		assertThat(ood.at("/whitenedMeans")).hasSize(10);
		assertThat(ood.at("/whitenedMeans/0")).hasSize(128);
		assertThat(ood.at("/thresholds/" + ood.at("/score").asString()).asDouble()).isEqualTo(fitted.threshold());
	}

	@Test
	void aHigherFalseFlagRateLowersEveryThresholdAndIsRecorded() throws IOException {
		var network = EvaluateCommand.load(model.resolve(ModelFiles.NETWORK));
		Mnist mnist = Mnist.load(FIXTURE);
		int train = 500;
		ModelQuality.Fitted strict = ModelQuality.fit(network, mnist, train, 100, 20, 10, 0.01, quiet());
		ModelQuality.Fitted lenient = ModelQuality.fit(network, mnist, train, 100, 20, 10, 0.2, quiet());

		for (String score : OodScores.NAMES) {
			assertThat(lenient.thresholds().get(score)).as(score).isLessThanOrEqualTo(strict.thresholds().get(score));
		}
		assertThat(lenient.threshold()).isLessThan(strict.threshold());
		assertThat(ModelQuality.oodFile(lenient)).containsEntry("falseFlagRateOnValidation", 0.2);
		assertThat(ModelQuality.oodEntry(lenient, "ood.json")).containsEntry("falseFlagRateOnValidation", 0.2);
		assertThat(ModelQuality.falseFlagRate(JSON.createObjectNode())).isEqualTo(ModelQuality.FALSE_FLAG_RATE);
	}

	@Test
	void theNetworksLogProbabilitiesScaleLikeItsLogits() throws IOException {
		var network = EvaluateCommand.load(model.resolve(ModelFiles.NETWORK));
		NetworkOutputs outputs = NetworkOutputs.of(network, ModelQuality.pixels(Mnist.loadTest(FIXTURE)));
		for (double t : new double[] { 0.5, 1, 2 }) {
			assertThat(Calibration.scale(outputs.probabilities(), t)).containsExactly(
					Calibration.softmax(outputs.logits(), t), org.assertj.core.api.Assertions.within(1e-5));
		}
	}

	@Test
	void evaluateWritesAReportComparingModelsOnEverySet() throws IOException {
		Path out = dir.resolve("evaluation");
		Path zip = model.resolve(ModelFiles.NETWORK);
		EvaluateCommand.Options options = new EvaluateCommand.Options(List.of(zip, model.resolve(ModelFiles.TFJS)),
				FIXTURE, out, 18, 8, 10, 1, true, 3);
		EvaluateCommand.evaluate(options, "--test", quiet());

		String md = Files.readString(out.resolve("report.md"));
		assertThat(md).contains("## Photos, printed digits, 8x8 scans and non-digits", "| photos | 18 |",
				"| photos: ruled |", "| printed-held-out | 6 |", "| low-resolution-8x8 | 6 |", "| letters |",
				"| two-digits |");
		assertThat(md.indexOf("## Photos")).isLessThan(md.indexOf("## Accuracy"));
		assertThat(md).contains("## Accuracy", "## Calibration", "## Out-of-distribution score",
				"## Uncertain threshold", "tiny-mnist-cnn - tiny (95% CI)");
		for (String set : RobustnessSets.DIGIT_SETS) {
			assertThat(md).contains("| " + set + " |");
		}
		JsonNode json = JSON.readTree(out.resolve("report.json").toFile());
		assertThat(json.at("/models")).hasSize(2);
		assertThat(json.at("/photoSets/tiny/photos/made").asInt()).isEqualTo(18);
		assertThat(json.at("/photoSets/tiny/non-digits/made").asInt()).isEqualTo(7);
		// the TF.js copy gives the DL4J model's outputs, so every figure agrees
		assertThat(json.at("/models/1/sets")).isEqualTo(json.at("/models/0/sets"));
		assertThat(json.at("/models/0/sets/mnist/examples").asInt()).isEqualTo(200);
		assertThat(json.at("/models/0/testAccuracy").asDouble()).isEqualTo(
				JSON.readTree(model.resolve(ModelFiles.METADATA).toFile()).at("/metrics/test/accuracy").asDouble());
		for (String png : List.of("samples.png", "reliability-tiny-mnist.png", "reliability-tiny-shifted.png",
				"ood-roc-tiny.png")) {
			assertThat(ImageIO.read(out.resolve(png).toFile())).as(png).isNotNull();
		}
	}

}
