package dev.digits.training;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.digits.model.DigitNetwork;
import dev.digits.model.LoadedModel;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code gate}: the way from labelled captures to a promoted version, with a gate. It
 * fine-tunes a candidate from a version ({@link FineTuneCommand}: a fifth of the captures
 * held out and never trained on), then compares candidate and source on the MNIST test
 * set, on the held-out captures and on robustness sets (rotated, noisy, low resolution,
 * made with {@link DriftCommand#CHECK_SEED}), each with its own calibration, and times
 * both. The candidate passes when it is as accurate on MNIST (within
 * {@code mnist-tolerance}), better on the held-out captures by {@code margin}, calibrated
 * no worse there (ECE within {@code ece-tolerance}) and no slower (within
 * {@code speed-tolerance}). {@code gate-report.md} and {@code .json} are written into the
 * candidate's folder either way. With {@code --service}, a passing candidate is promoted
 * through the service's admin API (after its repository watcher has loaded it), and a
 * failing one becomes the shadow of the current default, so that its agreement is
 * measured on live traffic.
 */
public final class GateCommand {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** The gate's settings. */
	public record Options(FineTuneCommand.Options fineTune, double margin, double mnistTolerance, double eceTolerance,
			double speedTolerance, int robustnessSize, URI service, String adminToken) {
	}

	/** One set's figures for the source and the candidate. */
	public record SetFigures(String set, int examples, double accuracyBefore, double accuracyAfter, double eceBefore,
			double eceAfter) {
	}

	/** A check of the gate, its figures and whether it passed. */
	public record Check(String name, String rule, boolean passed) {
	}

	/** What the gate decided. */
	public record Result(String candidate, Path dir, List<SetFigures> sets, double millisBefore, double millisAfter,
			List<Check> checks, boolean promote) {
	}

	/** Images of the timed forward pass. */
	static final int TIMED_IMAGES = 500;

	private GateCommand() {
	}

	public static Result run(Options options, PrintStream out) throws IOException, InterruptedException {
		FineTuneCommand.Options tune = options.fineTune();
		Path sourceDir = tune.models().resolve("mnist-cnn").resolve(tune.from());
		LoadedModel source = LoadedModel.load(sourceDir);
		FineTuneCommand.Result tuned = FineTuneCommand.run(tune, out);
		LoadedModel candidate = LoadedModel.load(tuned.dir());

		UserDigits heldOut = tuned.heldOut();
		Mnist.Split test = Mnist.loadTest(tune.mnistDir());
		List<SetFigures> sets = new ArrayList<>();
		sets.add(figures("mnist-test", source, candidate, ModelQuality.pixels(test), test.labels()));
		sets.add(figures("held-out-captures", source, candidate, heldOut.pixels(), heldOut.labels()));
		RobustnessSets robustness = new RobustnessSets(DriftCommand.CHECK_SEED);
		for (String name : List.of("rotated", "noisy", "low-resolution")) {
			RobustnessSets.LabelledSet set = robustness.digitSet(name, test, options.robustnessSize());
			sets.add(figures(name, source, candidate, set.pixels(), set.labels()));
		}
		double[] millis = millisPerPass(source.network(), candidate.network());
		double millisBefore = millis[0];
		double millisAfter = millis[1];

		SetFigures mnist = sets.get(0);
		SetFigures captures = sets.get(1);
		List<Check> checks = List.of(
				new Check("mnist", String.format(Locale.ROOT, "MNIST test %.2f%% -> %.2f%%: at most %.2f points lower",
						100 * mnist.accuracyBefore(), 100 * mnist.accuracyAfter(), 100 * options.mnistTolerance()),
						mnist.accuracyAfter() >= mnist.accuracyBefore() - options.mnistTolerance() - 1e-12),
				new Check("captures",
						String.format(Locale.ROOT, "held-out captures %.2f%% -> %.2f%%: at least %.2f points higher",
								100 * captures.accuracyBefore(), 100 * captures.accuracyAfter(),
								100 * options.margin()),
						captures.accuracyAfter() >= captures.accuracyBefore() + options.margin() - 1e-12),
				new Check("calibration",
						String.format(Locale.ROOT,
								"ECE on held-out captures %.2f%% -> %.2f%%: at most %.2f points worse",
								100 * captures.eceBefore(), 100 * captures.eceAfter(), 100 * options.eceTolerance()),
						captures.eceAfter() <= captures.eceBefore() + options.eceTolerance() + 1e-12),
				new Check("speed",
						String.format(Locale.ROOT,
								"%.1f -> %.1f ms per " + TIMED_IMAGES + " images: at most %.0f%% slower", millisBefore,
								millisAfter, 100 * options.speedTolerance()),
						millisAfter <= millisBefore * (1 + options.speedTolerance())));
		boolean promote = checks.stream().allMatch(Check::passed);
		Result result = new Result(tuned.version(), tuned.dir(), sets, millisBefore, millisAfter, checks, promote);
		write(result, options);
		for (Check check : checks) {
			out.printf(Locale.ROOT, "%s %s%n", check.passed() ? "pass" : "FAIL", check.rule());
		}
		out.printf(Locale.ROOT, "version %s %s%n", result.candidate(),
				promote ? "passes the gate" : "does not pass the gate: it stays a candidate");
		if (options.service() != null) {
			apply(options, result, out);
		}
		return result;
	}

	/** Accuracy and ECE of both, each under its own calibration. */
	private static SetFigures figures(String name, LoadedModel source, LoadedModel candidate, float[] pixels,
			byte[] labels) {
		double[] before = calibrated(source, pixels);
		double[] after = calibrated(candidate, pixels);
		Calibration.Metrics b = Calibration.metrics(before, labels);
		Calibration.Metrics a = Calibration.metrics(after, labels);
		return new SetFigures(name, labels.length, b.accuracy(), a.accuracy(), b.ece(), a.ece());
	}

	private static double[] calibrated(LoadedModel model, float[] pixels) {
		NetworkOutputs outputs = NetworkOutputs.of(model.network(), pixels);
		return Calibration.softmax(Calibration.logProbabilities(outputs.probabilities()),
				model.calibration().temperature());
	}

	/**
	 * The median time of a forward pass of {@value #TIMED_IMAGES} images by each network,
	 * in ms: 9 rounds after 2 untimed, the two networks in turn and in alternating order,
	 * so that a load that changes during the measurement weighs on both alike.
	 */
	private static double[] millisPerPass(MultiLayerNetwork before, MultiLayerNetwork after) {
		INDArray input = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, TIMED_IMAGES, DigitNetwork.PIXELS);
		int rounds = 9;
		double[] a = new double[rounds];
		double[] b = new double[rounds];
		for (int r = -2; r < rounds; r++) {
			boolean beforeFirst = (r & 1) == 0;
			double first = time(beforeFirst ? before : after, input);
			double second = time(beforeFirst ? after : before, input);
			if (r >= 0) {
				a[r] = beforeFirst ? first : second;
				b[r] = beforeFirst ? second : first;
			}
		}
		Arrays.sort(a);
		Arrays.sort(b);
		return new double[] { a[rounds / 2], b[rounds / 2] };
	}

	private static double time(MultiLayerNetwork network, INDArray input) {
		long start = System.nanoTime();
		network.output(input, false);
		return (System.nanoTime() - start) / 1e6;
	}

	private static void write(Result result, Options options) throws IOException {
		StringBuilder md = new StringBuilder();
		md.append("# Gate: version ")
			.append(result.candidate())
			.append(" from version ")
			.append(options.fineTune().from())
			.append("\n\n");
		md.append("Fine-tuned on `")
			.append(options.fineTune().data())
			.append("` (a fifth of it held out, never trained on; `finetune-report.md` has the run). Each version "
					+ "answers under its own calibration.\n\n");
		md.append("| set | images | accuracy before | after | ECE before | after |\n|---|---:|---:|---:|---:|---:|\n");
		for (SetFigures s : result.sets()) {
			md.append(String.format(Locale.ROOT, "| %s | %,d | %.2f%% | %.2f%% | %.2f%% | %.2f%% |%n", s.set(),
					s.examples(), 100 * s.accuracyBefore(), 100 * s.accuracyAfter(), 100 * s.eceBefore(),
					100 * s.eceAfter()));
		}
		md.append(String.format(Locale.ROOT, "%nTime of a forward pass of " + TIMED_IMAGES
				+ " images (median of 9 rounds, the two in turn, one process): " + "%.1f ms before, %.1f ms after.%n%n",
				result.millisBefore(), result.millisAfter()));
		md.append("| check | rule and figures | |\n|---|---|---|\n");
		for (Check c : result.checks()) {
			md.append("| ").append(c.name()).append(" | ").append(c.rule()).append(" | ");
			md.append(c.passed() ? "pass" : "**fail**").append(" |\n");
		}
		md.append("\n")
			.append(result.promote() ? "**Passes the gate**: promote it."
					: "**Does not pass the gate**: it stays a candidate (a shadow when applied to a service).")
			.append('\n');
		Files.writeString(result.dir().resolve("gate-report.md"), md.toString());
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("from", options.fineTune().from());
		json.put("candidate", result.candidate());
		json.put("sets", result.sets());
		json.put("millisBefore", result.millisBefore());
		json.put("timedImages", TIMED_IMAGES);
		json.put("millisAfter", result.millisAfter());
		json.put("checks", result.checks());
		json.put("promote", result.promote());
		JSON.writerWithDefaultPrettyPrinter().writeValue(result.dir().resolve("gate-report.json").toFile(), json);
	}

	/**
	 * Waits until the service has loaded the candidate, then promotes it or makes it the
	 * shadow of the current default.
	 */
	private static void apply(Options options, Result result, PrintStream out)
			throws IOException, InterruptedException {
		HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
		URI base = options.service();
		String version = result.candidate();
		long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
		while (true) {
			HttpResponse<String> reply = http.send(
					HttpRequest.newBuilder(base.resolve("/api/v1/models/" + version)).GET().build(),
					HttpResponse.BodyHandlers.ofString());
			if (reply.statusCode() == 200 && "READY".equals(JSON.readTree(reply.body()).path("state").asString())) {
				break;
			}
			if (System.nanoTime() > deadline) {
				throw new IOException("the service at " + base + " did not load version " + version
						+ " within 2 minutes (is it watching the same repository?)");
			}
			Thread.sleep(500);
		}
		HttpRequest.Builder request;
		if (result.promote()) {
			request = HttpRequest.newBuilder(base.resolve("/admin/models/" + version + "/promote"))
				.POST(HttpRequest.BodyPublishers.noBody());
		}
		else {
			JsonNode policy = JSON.readTree(
					admin(http, HttpRequest.newBuilder(base.resolve("/admin/traffic")).GET(), options.adminToken()));
			Map<String, Object> next = new LinkedHashMap<>();
			next.put("defaultVersion", policy.path("defaultVersion").asString());
			next.put("weights", JSON.convertValue(policy.path("weights"), Map.class));
			next.put("shadow", version);
			request = HttpRequest.newBuilder(base.resolve("/admin/traffic"))
				.header("Content-Type", "application/json")
				.PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(next)));
		}
		String policy = admin(http, request, options.adminToken());
		out.println((result.promote() ? "promoted: " : "shadowed: ") + policy);
	}

	private static String admin(HttpClient http, HttpRequest.Builder request, String token)
			throws IOException, InterruptedException {
		if (token == null || token.isBlank()) {
			throw new IOException("the admin token is needed to change the traffic policy (DIGITS_ADMIN_TOKEN)");
		}
		HttpResponse<String> reply = http.send(request.header("Authorization", "Bearer " + token).build(),
				HttpResponse.BodyHandlers.ofString());
		if (reply.statusCode() != 200) {
			throw new IOException("the admin API answered " + reply.statusCode() + " to " + request.build().uri() + ": "
					+ reply.body());
		}
		return reply.body();
	}

}
