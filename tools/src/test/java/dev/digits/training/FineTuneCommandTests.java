package dev.digits.training;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.digits.model.LoadedModel;
import dev.digits.model.ModelFiles;
import dev.digits.model.ModelRepository;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code finetune} from the committed first model on the shipped fixture of printed
 * digits ({@code tools/src/test/resources/finetune}, made by
 * {@code scripts/make-finetune-fixture.jsh}), with the tiny MNIST fixture as replay and
 * test set; and every kind of bad input it must refuse.
 */
class FineTuneCommandTests {

	private static final Path DIGITS = Path.of("tools/src/test/resources/finetune/digits");

	private static final Path CSV = Path.of("tools/src/test/resources/finetune/labels.csv");

	private static final Path MNIST = Path.of("core/src/test/resources/mnist-tiny");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	static Path shared;

	private static Path repository;

	private static FineTuneCommand.Result result;

	private static PrintStream quiet() {
		return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
	}

	/**
	 * A repository holding only the committed first model (version 1).
	 */
	private static Path repositoryWithTheFirstModel(Path into) throws IOException {
		Path one = Files.createDirectories(into.resolve("mnist-cnn/1"));
		try (Stream<Path> files = Files.list(Path.of("models/mnist-cnn/1"))) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				Files.copy(file, one.resolve(file.getFileName()));
			}
		}
		return into;
	}

	private static FineTuneCommand.Options options(Path models, Path data, String... extra) {
		List<String> args = new ArrayList<>(List.of("--from=1", "--data=" + data, "--models=" + models,
				"--mnist-dir=" + MNIST, "--epochs=4", "--calibration-set-size=20", "--non-digits=10"));
		args.addAll(List.of(extra));
		return FineTuneCommand.Options.parse(args.toArray(String[]::new));
	}

	@BeforeAll
	static void fineTuneTheFirstModelOnTheFixture() throws IOException {
		repository = repositoryWithTheFirstModel(shared.resolve("models"));
		result = FineTuneCommand.run(options(repository, DIGITS), quiet());
	}

	@Test
	void writesANewServableVersionWithItsCalibrationAndReport() throws IOException {
		assertThat(result.version()).isEqualTo("2");
		assertThat(result.dir()).isEqualTo(repository.resolve("mnist-cnn/2"));
		assertThat(new ModelRepository(repository, "mnist-cnn").find("2")).isPresent();
		try (Stream<Path> siblings = Files.list(repository.resolve("mnist-cnn"))) {
			assertThat(siblings.map(p -> p.getFileName().toString())).as("no staging folder left")
				.containsExactlyInAnyOrder("1", "2");
		}
		ModelFiles files = new ModelFiles(result.dir());
		for (Path file : List.of(files.network(), files.tfjs(), files.quantized(), files.labels(),
				result.dir().resolve(ModelFiles.TFJS_WEIGHTS), result.dir().resolve(CalibrateCommand.OOD_FILE),
				result.dir().resolve("finetune-report.md"), result.dir().resolve("finetune-report.json"))) {
			assertThat(file).isRegularFile();
		}
		// the service's own loader: golden outputs reproduced, finite weights,
		// calibration and OOD read
		LoadedModel loaded = LoadedModel.load(result.dir());
		assertThat(loaded.calibration().hasOod()).isTrue();
		assertThat(loaded.calibration().temperature()).isPositive().isNotEqualTo(1.0);

		JsonNode metadata = JSON.readTree(files.metadata().toFile());
		assertThat(metadata.at("/derivedFrom/version").asString()).isEqualTo("1");
		assertThat(metadata.at("/fineTuning/data/images").asInt()).isEqualTo(50);
		assertThat(metadata.at("/fineTuning/data/trainedOn").asInt()).isEqualTo(40);
		assertThat(metadata.at("/fineTuning/data/heldOut").asInt()).isEqualTo(10);
		assertThat(metadata.at("/fineTuning/data/sha256").asString()).hasSize(64);
		assertThat(metadata.at("/metrics/test/examples").asInt()).isEqualTo(Mnist.loadTest(MNIST).size());
		assertThat(metadata.has("calibration")).isTrue();
		assertThat(Files.readString(result.dir().resolve("finetune-report.md"))).contains("| held-out | 10 |",
				"| trained-on | 40 |", "| mnist-test | ");
	}

	@Test
	void holdsOutOneImageOfEachDigitAndNeverTrainsOnIt() throws IOException {
		JsonNode metadata = JSON.readTree(new ModelFiles(result.dir()).metadata().toFile());
		List<String> heldOut = new ArrayList<>();
		metadata.at("/fineTuning/data/heldOutFiles").forEach(f -> heldOut.add(f.asString()));
		assertThat(heldOut).hasSize(10);
		assertThat(heldOut.stream().map(f -> f.substring(0, 1)).distinct()).hasSize(10);
		int[][] parts = FineTuneCommand.holdout(UserDigits.read(DIGITS).labels(), 0.2, 42);
		assertThat(java.util.Arrays.stream(parts[0]).boxed().toList())
			.doesNotContainAnyElementsOf(java.util.Arrays.stream(parts[1]).boxed().toList());
		assertThat(parts[0].length + parts[1].length).isEqualTo(50);
	}

	@Test
	void learnsTheUsersDigitsAndReportsBeforeAndAfter() {
		FineTuneCommand.Comparison trained = result.comparison("trained-on");
		assertThat(trained.examples()).isEqualTo(40);
		assertThat(trained.lossAfter()).isLessThan(trained.lossBefore());
		FineTuneCommand.Comparison test = result.comparison("mnist-test");
		assertThat(test.examples()).isEqualTo(200);
		// replaying MNIST beside the user's images keeps what the first model knew
		assertThat(test.accuracyAfter()).isGreaterThanOrEqualTo(test.accuracyBefore() - 0.03);
	}

	@Test
	void aCsvOfFileAndLabelReadsTheSameImages() throws IOException {
		UserDigits folders = UserDigits.read(DIGITS);
		UserDigits csv = UserDigits.read(CSV);
		assertThat(csv.labels()).isEqualTo(folders.labels());
		assertThat(csv.pixels()).isEqualTo(folders.pixels());
		assertThat(csv.files().get(0)).isEqualTo("digits/0/0.png");
		assertThat(folders.files().get(0)).isEqualTo("0/0.png");
		assertThat(folders.counts()).containsOnly(5);
	}

	@Test
	void refusesAnExistingVersionAnUnknownSourceAndUnknownOptions(@TempDir Path tmp) {
		assertThatThrownBy(() -> FineTuneCommand.run(options(repository, DIGITS, "--to=2"), quiet()))
			.hasMessageContaining("version 2 exists already");
		assertThatThrownBy(() -> FineTuneCommand.run(FineTuneCommand.Options
			.parse(new String[] { "--from=9", "--data=" + DIGITS, "--models=" + repository }), quiet()))
			.hasMessageContaining("no version 9")
			.hasMessageContaining("[1, 2]");
		assertThatThrownBy(() -> FineTuneCommand.Options.parse(new String[] { "--from=1", "--data=x", "--epoch=3" }))
			.hasMessageContaining("Unknown option: '--epoch=3'");
		assertThatThrownBy(() -> FineTuneCommand.Options.parse(new String[] { "--data=x" }))
			.hasMessageContaining("Missing required option: '--from=VERSION'");
		assertThatThrownBy(() -> FineTuneCommand.Options.parse(new String[] { "--from=1" }))
			.hasMessageContaining("--data=DIR");
		assertThatThrownBy(() -> FineTuneCommand.Options.parse(new String[] { "--from=1", "--data=x", "--to=../evil" }))
			.hasMessageContaining("--to must be a version name");
		assertThatThrownBy(() -> FineTuneCommand.Options.parse(new String[] { "--from=1", "--data=x", "--holdout=1" }))
			.hasMessageContaining("holdout");
		assertThat(tmp).isEmptyDirectory();
	}

	@Test
	void refusesAnImageItCannotReadNamingTheFile(@TempDir Path tmp) throws IOException {
		Path data = copyOfTheFixture(tmp);
		Files.writeString(data.resolve("3/notes.png"), "not an image");
		assertThatThrownBy(() -> UserDigits.read(data)).isInstanceOf(UserDigits.DataException.class)
			.hasMessageContaining("3/notes.png cannot be read as a digit image");
		Files.delete(data.resolve("3/notes.png"));
		// within the upload limits: a decompression bomb is refused by the same checks as
		// over HTTP
		java.awt.image.BufferedImage huge = new java.awt.image.BufferedImage(12_000, 1,
				java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
		javax.imageio.ImageIO.write(huge, "png", data.resolve("4/huge.png").toFile());
		assertThatThrownBy(() -> UserDigits.read(data)).hasMessageContaining("4/huge.png");
		Files.delete(data.resolve("4/huge.png"));
		Files.write(data.resolve("5/big.png"), new byte[(int) UserDigits.MAX_FILE_BYTES + 1]);
		assertThatThrownBy(() -> UserDigits.read(data)).hasMessageContaining("5/big.png")
			.hasMessageContaining("more than the " + UserDigits.MAX_FILE_BYTES);
	}

	@Test
	void refusesFilesOutsideDigitFoldersAndLinks(@TempDir Path tmp) throws IOException {
		Path data = copyOfTheFixture(tmp);
		Files.createDirectories(data.resolve("ten"));
		assertThatThrownBy(() -> UserDigits.read(data)).hasMessageContaining("not digit folders [ten]");
		Files.delete(data.resolve("ten"));
		Files.createSymbolicLink(data.resolve("7/link.png"), Path.of("/etc/hostname"));
		assertThatThrownBy(() -> UserDigits.read(data)).hasMessageContaining("7/link.png")
			.hasMessageContaining("not a regular file");
	}

	@Test
	void refusesMissingAndUnknownLabelsInACsv(@TempDir Path tmp) throws IOException {
		Path data = copyOfTheFixture(tmp);
		String rows = Files.readString(CSV).replace("digits/", "");
		assertThat(UserDigits.read(csv(tmp, rows)).size()).isEqualTo(50);
		assertThatThrownBy(() -> UserDigits.read(csv(tmp, rows + "3/0.png,\n")))
			.hasMessageContaining("line 52: 3/0.png has no label");
		assertThatThrownBy(() -> UserDigits.read(csv(tmp, rows + "3/0.png,12\n")))
			.hasMessageContaining("label '12' of 3/0.png is not a digit");
		assertThatThrownBy(() -> UserDigits.read(csv(tmp, rows + "3/0.png\n")))
			.hasMessageContaining("expected file,label");
		assertThatThrownBy(() -> UserDigits.read(csv(tmp, rows + "3/missing.png,3\n")))
			.hasMessageContaining("3/missing.png does not exist");
		assertThatThrownBy(() -> UserDigits.read(csv(tmp, rows + "../outside.png,3\n")))
			.hasMessageContaining("is outside");
		assertThat(data).isDirectory();
	}

	@Test
	void refusesTooFewExamples(@TempDir Path tmp) throws IOException {
		Path data = tmp.resolve("few");
		for (int digit = 0; digit < 3; digit++) {
			Files.createDirectories(data.resolve(String.valueOf(digit)));
			Files.copy(DIGITS.resolve(digit + "/0.png"), data.resolve(digit + "/0.png"));
		}
		assertThatThrownBy(() -> UserDigits.read(data)).hasMessageContaining("too few examples")
			.hasMessageContaining("3 images, at least " + UserDigits.MIN_IMAGES);
		assertThatThrownBy(() -> UserDigits.read(tmp.resolve("nothing-here"))).hasMessageContaining("does not exist");
		Files.createDirectories(tmp.resolve("empty"));
		assertThatThrownBy(() -> UserDigits.read(tmp.resolve("empty"))).hasMessageContaining("no images");
	}

	private static Path copyOfTheFixture(Path tmp) throws IOException {
		Path data = tmp.resolve("digits");
		try (Stream<Path> files = Files.walk(DIGITS)) {
			for (Path file : files.toList()) {
				Path target = data.resolve(DIGITS.relativize(file).toString());
				if (Files.isDirectory(file)) {
					Files.createDirectories(target);
				}
				else {
					Files.copy(file, target);
				}
			}
		}
		return data;
	}

	private static Path csv(Path tmp, String rows) throws IOException {
		Path file = tmp.resolve("digits/labels.csv");
		Files.writeString(file, rows);
		return file;
	}

}
