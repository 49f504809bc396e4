package dev.digits.training;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.digits.model.GoldenSet;
import dev.digits.model.LoadedModel;
import dev.digits.model.ModelFiles;
import dev.digits.model.ModelRepository;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ensemble --members=1,3 --to=models/mnist-cnn/e13 [--models=models] [--mnist-dir=...]}:
 * makes an ensemble version (the average of its members' probabilities) servable: its
 * {@code ensemble.json}, and metadata with its MNIST test figures and golden outputs,
 * measured on what the members compute. The service loads it once its members are READY.
 */
public final class EnsembleCommand {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private EnsembleCommand() {
	}

	public static Map<String, Object> run(Path repositoryDir, List<String> members, Path to, Mnist.Split test,
			PrintStream out) throws IOException {
		if (members.size() < 2) {
			throw new IllegalArgumentException("an ensemble needs at least two members, got " + members);
		}
		ModelRepository repository = new ModelRepository(repositoryDir, "mnist-cnn");
		List<MultiLayerNetwork> networks = new ArrayList<>();
		List<ClassificationReport> alone = new ArrayList<>();
		Path labels = null;
		for (String member : members) {
			ModelRepository.Source source = repository.find(member)
				.orElseThrow(() -> new IllegalArgumentException("no version " + member + " in " + repositoryDir));
			MultiLayerNetwork network = LoadedModel.load(source.dir()).network();
			if (network == null) {
				throw new IllegalArgumentException("version " + member + " is itself an ensemble");
			}
			networks.add(network);
			labels = labels != null ? labels : new ModelFiles(source.dir()).labels();
		}
		float[] mean = null;
		for (MultiLayerNetwork network : networks) {
			float[] p = Batches.predict(network, test);
			alone.add(ClassificationReport.of(p, test.labels()));
			if (mean == null) {
				mean = new float[p.length];
			}
			for (int i = 0; i < p.length; i++) {
				mean[i] += p[i] / networks.size();
			}
		}
		ClassificationReport report = ClassificationReport.of(mean, test.labels());
		GoldenSet golden = GoldenSet.record(test.pixels(), test.labels(), inputs -> {
			float[][] sum = new float[inputs.length][];
			for (MultiLayerNetwork network : networks) {
				float[][] p = LoadedModel.output(network, inputs);
				for (int i = 0; i < p.length; i++) {
					if (sum[i] == null) {
						sum[i] = new float[p[i].length];
					}
					for (int k = 0; k < p[i].length; k++) {
						sum[i][k] += p[i][k] / networks.size();
					}
				}
			}
			return sum;
		});
		Files.createDirectories(to);
		ModelFiles files = new ModelFiles(to);
		JSON.writerWithDefaultPrettyPrinter().writeValue(files.ensemble().toFile(), Map.of("members", members));
		Files.copy(labels, files.labels(), StandardCopyOption.REPLACE_EXISTING);
		Map<String, Object> metadata = new LinkedHashMap<>();
		metadata.put("name", "mnist-cnn");
		metadata.put("version", "ensemble-" + String.join("+", members));
		metadata.put("createdAt", OffsetDateTime.now(ZoneOffset.UTC).toString());
		metadata.put("description",
				"ensemble of versions " + String.join(" and ", members) + ": the average of their probabilities");
		metadata.put("members", members);
		Map<String, Object> membersAlone = new LinkedHashMap<>();
		for (int i = 0; i < members.size(); i++) {
			membersAlone.put(members.get(i), alone.get(i).accuracy());
		}
		metadata.put("membersTestAccuracy", membersAlone);
		metadata.put("metrics", Map.of("test", report));
		metadata.put(GoldenSet.KEY, golden.toJson());
		JSON.writerWithDefaultPrettyPrinter().writeValue(files.metadata().toFile(), metadata);
		out.printf(Locale.ROOT, "wrote %s: ensemble of %s, test accuracy %.4f (members alone: %s)%n", to, members,
				report.accuracy(), membersAlone);
		return metadata;
	}

}
