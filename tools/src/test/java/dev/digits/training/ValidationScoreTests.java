package dev.digits.training;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@code validation-score}: the figures a mixed run logs per epoch, for any models and
 * for the average of their probabilities (how an ensemble is judged before it is made).
 */
class ValidationScoreTests {

	private static final Path FIXTURE = Path.of("core/src/test/resources/mnist-tiny");

	@Test
	void scoresEachModelAndTheAverageOfTheirProbabilities() throws IOException {
		ByteArrayOutputStream console = new ByteArrayOutputStream();
		TrainingOptions options = new TrainingOptions(FIXTURE, Path.of("target/unused"), 1, 128, 0.001, 42, 1, 200, 1,
				false, 1.0, "v1", "mixed-ood", null, Path.of("target/unused"));
		Path one = Path.of("models/mnist-cnn/1");
		Path six = Path.of("models/mnist-cnn/6");
		Map<String, Map<String, Double>> figures = new MixedTrainer(options,
				new PrintStream(console, true, StandardCharsets.UTF_8))
			.score(Mnist.load(FIXTURE), List.of(one, six));
		assertThat(figures).containsOnlyKeys(one.toString(), six.toString(), "average of all");
		figures
			.forEach(
					(name, f) -> assertThat(f.get("score")).as(name)
						.isCloseTo((2 * f.get("mnist") + f.get("photos")
								+ (f.get("printed") + f.get("printed-unseen")) / 2 + f.get("non-digits-low")) / 5,
								within(1e-12)));
		// printed digits in fonts no recipe trains on: version 6 reads most, version 1
		// (MNIST only) far fewer
		assertThat(figures.get(six.toString()).get("printed-unseen")).isGreaterThan(0.9)
			.isGreaterThan(figures.get(one.toString()).get("printed-unseen"));
		// version 6 was chosen on these figures; version 1 never saw a photo or a
		// non-digit
		assertThat(figures.get(six.toString()).get("mnist")).isGreaterThan(0.95);
		assertThat(figures.get(six.toString()).get("photos")).isGreaterThan(0.9);
		assertThat(figures.get(one.toString()).get("score")).isLessThan(figures.get(six.toString()).get("score"));
		// the average is neither member: both took part
		double average = figures.get("average of all").get("score");
		assertThat(average).isNotEqualTo(figures.get(one.toString()).get("score"))
			.isNotEqualTo(figures.get(six.toString()).get("score"));
		assertThat(console.toString(StandardCharsets.UTF_8)).contains("average of all").contains("score ");
	}

}
