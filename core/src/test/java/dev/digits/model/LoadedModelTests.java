package dev.digits.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A model is refused at load, with the file named, unless it is exactly what its metadata
 * describes.
 */
class LoadedModelTests {

	private static final Path COMMITTED = Path.of("models/mnist-cnn/1");

	@TempDir
	Path dir;

	@Test
	void theCommittedModelLoadsAndReproducesItsGoldenOutputs() throws IOException {
		LoadedModel model = LoadedModel.load(COMMITTED);
		GoldenSet golden = model.golden();
		assertThat(golden.examples()).hasSize(10);
		assertThat(golden.examples()).extracting(GoldenSet.Example::label)
			.containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
		for (GoldenSet.Example e : golden.examples()) {
			assertThat(DigitNetwork.argMax(e.probabilities(), 0)).isEqualTo(e.label());
		}
	}

	@Test
	void anEmptyTruncatedOrCorruptZipIsRefusedByName() throws IOException {
		byte[] zip = Files.readAllBytes(COMMITTED.resolve(ModelFiles.NETWORK));
		assertRefused(new byte[0], IOException.class, "empty");
		assertRefused(Arrays.copyOf(zip, zip.length / 2), IOException.class, "not a readable DL4J model zip");
		byte[] flipped = zip.clone();
		for (int i = zip.length / 3; i < zip.length / 3 + 64; i++) {
			flipped[i] ^= 0x5A;
		}
		assertThatThrownBy(() -> load(flipped)).hasMessageContaining(dir.resolve(ModelFiles.NETWORK).toString());
	}

	@Test
	void nanWeightsWithTheRightShapesAreRefused() throws IOException {
		MultiLayerNetwork network = LoadedModel.restore(COMMITTED.resolve(ModelFiles.NETWORK).toAbsolutePath());
		INDArray bias = network.getLayer(DigitNetwork.OUTPUT).getParam("b");
		bias.putScalar(3, Float.NaN);
		assertThatThrownBy(() -> load(network)).isInstanceOf(ModelCheckException.class)
			.hasMessageContaining("non-finite")
			.hasMessageContaining(dir.resolve(ModelFiles.NETWORK).toString());
	}

	@Test
	void finiteButDifferentWeightsFailTheGoldenCheck() throws IOException {
		MultiLayerNetwork network = LoadedModel.restore(COMMITTED.resolve(ModelFiles.NETWORK).toAbsolutePath());
		network.getLayer(DigitNetwork.OUTPUT).getParam("b").putScalar(3, 0.5f);
		assertThatThrownBy(() -> load(network)).isInstanceOf(ModelCheckException.class)
			.hasMessageContaining("golden outputs")
			.hasMessageContaining(dir.resolve(ModelFiles.NETWORK).toString());
	}

	@Test
	void brokenOrIncompleteMetadataIsRefusedByName() throws IOException {
		Files.copy(COMMITTED.resolve(ModelFiles.NETWORK), dir.resolve(ModelFiles.NETWORK));
		Files.writeString(dir.resolve(ModelFiles.METADATA), "{\"name\": \"mnist-cnn\", \"version\": ");
		assertThatThrownBy(() -> LoadedModel.load(dir)).isInstanceOf(IOException.class)
			.hasMessageContaining(dir.resolve(ModelFiles.METADATA).toAbsolutePath().toString())
			.hasMessageContaining("not valid JSON");
		Files.writeString(dir.resolve(ModelFiles.METADATA), "{\"name\": \"mnist-cnn\", \"version\": \"1\"}");
		assertThatThrownBy(() -> LoadedModel.load(dir)).isInstanceOf(IOException.class)
			.hasMessageContaining("no \"golden\" reference outputs");
		Files.writeString(dir.resolve(ModelFiles.METADATA), "{\"golden\": {\"tolerance\": 0.001, \"examples\": [{}]}}");
		assertThatThrownBy(() -> LoadedModel.load(dir)).isInstanceOf(IOException.class)
			.hasMessageContaining("malformed \"golden\"");
	}

	private void assertRefused(byte[] zip, Class<? extends Exception> type, String message) {
		assertThatThrownBy(() -> load(zip)).isInstanceOf(type)
			.hasMessageContaining(message)
			.hasMessageContaining(dir.resolve(ModelFiles.NETWORK).toString());
	}

	private LoadedModel load(byte[] zip) throws IOException {
		Files.write(dir.resolve(ModelFiles.NETWORK), zip);
		Files.copy(COMMITTED.resolve(ModelFiles.METADATA), dir.resolve(ModelFiles.METADATA),
				java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		return LoadedModel.load(dir);
	}

	private LoadedModel load(MultiLayerNetwork network) throws IOException {
		ModelSerializer.writeModel(network, dir.resolve(ModelFiles.NETWORK).toFile(), false);
		Files.copy(COMMITTED.resolve(ModelFiles.METADATA), dir.resolve(ModelFiles.METADATA),
				java.nio.file.StandardCopyOption.REPLACE_EXISTING);
		return LoadedModel.load(dir);
	}

}
