package dev.digits.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link TfjsFormat} writes, from each committed DL4J zip, exactly the TF.js files
 * committed beside it (topology, weights manifest and weights, float and 8-bit), and
 * reads them back to the same parameters.
 */
class TfjsFormatTests {

	private static final Pattern GENERATED_BY = Pattern.compile("\"generatedBy\" : \"[^\"]*\"");

	@TempDir
	Path dir;

	@ParameterizedTest
	@ValueSource(strings = { "models/mnist-cnn/1", "models/mnist-cnn/3", "models/mnist-cnn/4", "models/mnist-cnn/5",
			"models/mnist-cnn/6" })
	void writesTheCommittedFilesByteForByte(String version) throws IOException {
		ModelFiles committed = new ModelFiles(Path.of(version));
		MultiLayerNetwork network = LoadedModel.restore(committed.network().toAbsolutePath());
		ModelFiles written = new ModelFiles(dir);
		TfjsFormat.write(network, written.tfjs(), ModelFiles.TFJS_WEIGHTS, false);
		TfjsFormat.write(network, written.quantized(), ModelFiles.QUANTIZED_WEIGHTS, true);
		for (String weights : new String[] { ModelFiles.TFJS_WEIGHTS, ModelFiles.QUANTIZED_WEIGHTS }) {
			assertThat(Files.readAllBytes(dir.resolve(weights))).as(version + "/" + weights)
				.isEqualTo(Files.readAllBytes(committed.dir().resolve(weights)));
		}
		for (String json : new String[] { ModelFiles.TFJS, ModelFiles.QUANTIZED }) {
			String expected = Files.readString(committed.dir().resolve(json));
			String actual = Files.readString(dir.resolve(json));
			if (!version.endsWith("/4")) {
				// versions before 4 were written when TfjsFormat lived in the training
				// package, which "generatedBy" names; everything else is the same
				actual = GENERATED_BY.matcher(actual).replaceFirst(Matcher.quoteReplacement(generatedBy(expected)));
			}
			assertThat(actual).as(version + "/" + json).isEqualTo(expected);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "models/mnist-cnn/1", "models/mnist-cnn/4", "models/mnist-cnn/5", "models/mnist-cnn/6" })
	void readsTheCommittedFloatFilesToTheZipsParameters(String version) throws IOException {
		ModelFiles committed = new ModelFiles(Path.of(version));
		MultiLayerNetwork zip = LoadedModel.restore(committed.network().toAbsolutePath());
		MultiLayerNetwork tfjs = TfjsFormat.read(committed.tfjs());
		assertThat(tfjs.params().data().asFloat()).isEqualTo(zip.params().data().asFloat());
	}

	private static String generatedBy(String json) {
		Matcher m = GENERATED_BY.matcher(json);
		assertThat(m.find()).isTrue();
		return m.group();
	}

}
