package dev.digits.bench;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import javax.imageio.ImageIO;

import com.google.protobuf.ByteString;
import dev.digits.grpc.inference.GRPCInferenceServiceGrpc;
import dev.digits.grpc.inference.InferTensorContents;
import dev.digits.grpc.inference.ModelInferRequest;
import dev.digits.grpc.inference.ServerLiveRequest;
import dev.digits.training.Mnist;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;

/**
 * The Open Inference Protocol over gRPC against the same protocol over REST, on one
 * running service, in one run: for each form (UINT8 pixels of one MNIST test image per
 * request, a PNG of it, the same two with 32 images in one request, and each protocol's
 * liveness call as the framework's ceiling; and, REST only, the PNG on the prediction API
 * with and without an explanation by each method; {@code bench.forms} picks some by name),
 * {@code bench.clients} closed-loop clients send requests for {@code bench.seconds} after
 * {@code bench.warmup} seconds. REST: the JDK's HttpClient (HTTP/1.1, a connection per
 * client); gRPC: grpc-java's blocking stub over one shared channel (HTTP/2). Prints
 * throughput, latency percentiles, errors and the CPU the client and the service used
 * (of the machine's cores), and writes them to {@code bench.out} as JSON lines. Bounded:
 * it stops by itself, loopback only.
 */
public final class GrpcVsRest {

	private static final int IMAGES = 100;

	/** Images in one request of the batch forms. */
	private static final int BATCH = 32;

	private GrpcVsRest() {
	}

	interface Call {

		/** One request; false when it failed. */
		boolean send(int image) throws Exception;

	}

	record Result(String form, int clients, double seconds, long ok, long failed, double perSecond, double p50,
			double p90, double p95, double p99, double max, double clientCpu, double serviceCpu) {

		String json() {
			return String.format(Locale.ROOT,
					"{\"form\":\"%s\",\"clients\":%d,\"seconds\":%.1f,\"ok\":%d,\"failed\":%d,\"perSecond\":%.1f,"
							+ "\"p50Ms\":%.3f,\"p90Ms\":%.3f,\"p95Ms\":%.3f,\"p99Ms\":%.3f,\"maxMs\":%.3f,"
							+ "\"clientCpu\":%.2f,\"serviceCpu\":%.2f}",
					form, clients, seconds, ok, failed, perSecond, p50, p90, p95, p99, max, clientCpu, serviceCpu);
		}

	}

	public static void main(String[] args) throws Exception {
		String rest = System.getProperty("bench.restUrl", "http://127.0.0.1:8080");
		String grpc = System.getProperty("bench.grpcTarget", "127.0.0.1:9090");
		long servicePid = Long.parseLong(System.getProperty("bench.servicePid", "0"));
		int clients = Integer.getInteger("bench.clients", 8);
		int seconds = Integer.getInteger("bench.seconds", 20);
		int warmup = Integer.getInteger("bench.warmup", 5);
		Path out = Path.of(System.getProperty("bench.out", "target/benchmarks/grpc-vs-rest/results.jsonl"));
		Mnist.Split digits = Mnist.loadTest(Path.of(System.getProperty("bench.mnist", "core/src/test/resources/mnist-tiny")));
		String[] uint8Json = new String[IMAGES];
		String[] pngJson = new String[IMAGES];
		String[] imageJson = new String[IMAGES];
		ModelInferRequest[] uint8Grpc = new ModelInferRequest[IMAGES];
		ModelInferRequest[] pngGrpc = new ModelInferRequest[IMAGES];
		for (int i = 0; i < IMAGES; i++) {
			byte[] grey = digits.image(i);
			StringJoiner values = new StringJoiner(",");
			for (byte b : grey) {
				values.add(Integer.toString(b & 0xFF));
			}
			uint8Json[i] = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,784],\"datatype\":\"UINT8\",\"data\":["
					+ values + "]}],\"outputs\":[{\"name\":\"digit\"},{\"name\":\"probabilities\"}]}";
			byte[] png = png(grey);
			imageJson[i] = "{\"image\":\"" + Base64.getEncoder().encodeToString(png) + "\"}";
			pngJson[i] = "{\"inputs\":[{\"name\":\"image\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\""
					+ Base64.getEncoder().encodeToString(png) + "\"]}],\"outputs\":[{\"name\":\"digit\"},"
					+ "{\"name\":\"probabilities\"}]}";
			uint8Grpc[i] = request("input", "UINT8", new long[] { 1, 784 })
				.addRawInputContents(ByteString.copyFrom(grey))
				.build();
			pngGrpc[i] = request("image", "BYTES", new long[] { 1 }).build();
			pngGrpc[i] = pngGrpc[i].toBuilder()
				.setInputs(0, pngGrpc[i].getInputs(0)
					.toBuilder()
					.setContents(InferTensorContents.newBuilder().addBytesContents(ByteString.copyFrom(png))))
				.build();
		}
		String[] uint8BatchJson = new String[IMAGES];
		String[] pngBatchJson = new String[IMAGES];
		ModelInferRequest[] uint8BatchGrpc = new ModelInferRequest[IMAGES];
		ModelInferRequest[] pngBatchGrpc = new ModelInferRequest[IMAGES];
		for (int i = 0; i < IMAGES; i++) {
			StringJoiner values = new StringJoiner(",");
			StringJoiner pngs = new StringJoiner(",");
			ByteString.Output raw = ByteString.newOutput(BATCH * 784);
			InferTensorContents.Builder pngContents = InferTensorContents.newBuilder();
			for (int k = 0; k < BATCH; k++) {
				int image = (i + k) % IMAGES;
				for (byte b : digits.image(image)) {
					values.add(Integer.toString(b & 0xFF));
				}
				raw.write(digits.image(image));
				byte[] png = png(digits.image(image));
				pngs.add("\"" + Base64.getEncoder().encodeToString(png) + "\"");
				pngContents.addBytesContents(ByteString.copyFrom(png));
			}
			uint8BatchJson[i] = "{\"inputs\":[{\"name\":\"input\",\"shape\":[" + BATCH
					+ ",784],\"datatype\":\"UINT8\",\"data\":[" + values
					+ "]}],\"outputs\":[{\"name\":\"digit\"},{\"name\":\"probabilities\"}]}";
			pngBatchJson[i] = "{\"inputs\":[{\"name\":\"image\",\"shape\":[" + BATCH
					+ "],\"datatype\":\"BYTES\",\"data\":[" + pngs
					+ "]}],\"outputs\":[{\"name\":\"digit\"},{\"name\":\"probabilities\"}]}";
			uint8BatchGrpc[i] = request("input", "UINT8", new long[] { BATCH, 784 })
				.addRawInputContents(raw.toByteString())
				.build();
			ModelInferRequest pngBatch = request("image", "BYTES", new long[] { BATCH }).build();
			pngBatchGrpc[i] = pngBatch.toBuilder()
				.setInputs(0, pngBatch.getInputs(0).toBuilder().setContents(pngContents))
				.build();
		}
		HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
		ManagedChannel channel = Grpc.newChannelBuilder(grpc, InsecureChannelCredentials.create()).build();
		GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc
			.newBlockingStub(channel);
		URI infer = URI.create(rest + "/v2/models/mnist-cnn/infer");
		URI live = URI.create(rest + "/v2/health/live");
		URI predict = URI.create(rest + "/api/v1/predictions");
		URI explainOcclusion = URI.create(rest + "/api/v1/predictions?explain=occlusion");
		URI explainGradients = URI.create(rest + "/api/v1/predictions?explain=integrated-gradients");
		List<Object[]> forms = List.of(new Object[] { "rest-live", (Call) i -> status(http, HttpRequest.newBuilder(live).GET()) },
				new Object[] { "grpc-live",
						(Call) i -> stub.withDeadlineAfter(10, TimeUnit.SECONDS)
							.serverLive(ServerLiveRequest.getDefaultInstance())
							.getLive() },
				new Object[] { "rest-uint8", (Call) i -> status(http, post(infer, uint8Json[i])) },
				new Object[] { "grpc-uint8-raw",
						(Call) i -> stub.withDeadlineAfter(10, TimeUnit.SECONDS)
							.modelInfer(uint8Grpc[i])
							.getOutputsCount() == 2 },
				new Object[] { "rest-png", (Call) i -> status(http, post(infer, pngJson[i])) },
				new Object[] { "grpc-png",
						(Call) i -> stub.withDeadlineAfter(10, TimeUnit.SECONDS)
							.modelInfer(pngGrpc[i])
							.getOutputsCount() == 2 },
				new Object[] { "rest-uint8-b32", (Call) i -> status(http, post(infer, uint8BatchJson[i])) },
				new Object[] { "grpc-uint8-b32",
						(Call) i -> stub.withDeadlineAfter(10, TimeUnit.SECONDS)
							.modelInfer(uint8BatchGrpc[i])
							.getOutputs(0)
							.getShape(0) == BATCH },
				new Object[] { "rest-png-b32", (Call) i -> status(http, post(infer, pngBatchJson[i])) },
				new Object[] { "rest-png-predict", (Call) i -> status(http, post(predict, imageJson[i])) },
				new Object[] { "rest-png-explain-occlusion",
						(Call) i -> status(http, post(explainOcclusion, imageJson[i])) },
				new Object[] { "rest-png-explain-ig", (Call) i -> status(http, post(explainGradients, imageJson[i])) },
				new Object[] { "grpc-png-b32",
						(Call) i -> stub.withDeadlineAfter(10, TimeUnit.SECONDS)
							.modelInfer(pngBatchGrpc[i])
							.getOutputs(0)
							.getShape(0) == BATCH });
		List<String> only = List.of(System.getProperty("bench.forms", "").split(","));
		if (!only.equals(List.of(""))) {
			forms = forms.stream().filter(form -> only.contains((String) form[0])).toList();
		}
		Files.createDirectories(out.toAbsolutePath().getParent());
		List<String> lines = new ArrayList<>();
		System.out.printf(Locale.ROOT, "%-22s %8s %8s %8s %8s %8s %8s %7s %9s %9s%n", "form", "req/s", "p50 ms",
				"p90 ms", "p95 ms", "p99 ms", "max ms", "failed", "client", "service");
		try {
			for (Object[] form : forms) {
				run((Call) form[1], clients, warmup, 0);
				Result r = run((Call) form[1], clients, seconds, servicePid);
				r = new Result((String) form[0], r.clients(), r.seconds(), r.ok(), r.failed(), r.perSecond(), r.p50(),
						r.p90(), r.p95(), r.p99(), r.max(), r.clientCpu(), r.serviceCpu());
				System.out.printf(Locale.ROOT, "%-22s %8.0f %8.2f %8.2f %8.2f %8.2f %8.1f %7d %6.2f cpu %5.2f cpu%n",
						r.form(), r.perSecond(), r.p50(), r.p90(), r.p95(), r.p99(), r.max(), r.failed(), r.clientCpu(),
						r.serviceCpu());
				lines.add(r.json());
			}
		}
		finally {
			channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
		}
		Files.write(out, lines, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
				java.nio.file.StandardOpenOption.APPEND);
		System.out.println("written to " + out);
	}

	private static Result run(Call call, int clients, int seconds, long servicePid) throws Exception {
		long[][] latencies = new long[clients][];
		int[] counts = new int[clients];
		AtomicLong failed = new AtomicLong();
		CountDownLatch done = new CountDownLatch(clients);
		long clientCpu0 = cpuTicks(ProcessHandle.current().pid());
		long serviceCpu0 = servicePid > 0 ? cpuTicks(servicePid) : 0;
		long start = System.nanoTime();
		long end = start + TimeUnit.SECONDS.toNanos(seconds);
		for (int c = 0; c < clients; c++) {
			int client = c;
			latencies[c] = new long[1 << 16];
			Thread thread = new Thread(() -> {
				int image = client * 7;
				try {
					while (System.nanoTime() < end) {
						long t0 = System.nanoTime();
						boolean ok;
						try {
							ok = call.send(image % IMAGES);
						}
						catch (Exception ex) {
							ok = false;
						}
						long t1 = System.nanoTime();
						image++;
						if (!ok) {
							failed.incrementAndGet();
							continue;
						}
						if (counts[client] == latencies[client].length) {
							latencies[client] = Arrays.copyOf(latencies[client], latencies[client].length * 2);
						}
						latencies[client][counts[client]++] = t1 - t0;
					}
				}
				finally {
					done.countDown();
				}
			}, "bench-client-" + c);
			thread.start();
		}
		done.await();
		double elapsed = (System.nanoTime() - start) / 1e9;
		double ticks = 100.0; // USER_HZ
		double clientCpu = (cpuTicks(ProcessHandle.current().pid()) - clientCpu0) / ticks / elapsed;
		double serviceCpu = servicePid > 0 ? (cpuTicks(servicePid) - serviceCpu0) / ticks / elapsed : 0;
		int total = Arrays.stream(counts).sum();
		long[] all = new long[total];
		int at = 0;
		for (int c = 0; c < clients; c++) {
			System.arraycopy(latencies[c], 0, all, at, counts[c]);
			at += counts[c];
		}
		Arrays.sort(all);
		return new Result("", clients, elapsed, total, failed.get(), total / elapsed, ms(all, 0.50), ms(all, 0.90),
				ms(all, 0.95), ms(all, 0.99), total == 0 ? 0 : all[total - 1] / 1e6, clientCpu, serviceCpu);
	}

	private static double ms(long[] sorted, double quantile) {
		if (sorted.length == 0) {
			return 0;
		}
		return sorted[(int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)] / 1e6;
	}

	/** utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15). */
	private static long cpuTicks(long pid) {
		try {
			String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
			String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
		}
		catch (IOException | RuntimeException ex) {
			return 0;
		}
	}

	private static boolean status(HttpClient http, HttpRequest.Builder request) throws Exception {
		return http.send(request.timeout(java.time.Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString())
			.statusCode() == 200;
	}

	private static HttpRequest.Builder post(URI uri, String json) {
		return HttpRequest.newBuilder(uri)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json));
	}

	private static ModelInferRequest.Builder request(String name, String datatype, long[] shape) {
		ModelInferRequest.InferInputTensor.Builder tensor = ModelInferRequest.InferInputTensor.newBuilder()
			.setName(name)
			.setDatatype(datatype);
		for (long dimension : shape) {
			tensor.addShape(dimension);
		}
		return ModelInferRequest.newBuilder()
			.setModelName("mnist-cnn")
			.addInputs(tensor)
			.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("digit"))
			.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName("probabilities"));
	}

	private static byte[] png(byte[] grey) throws IOException {
		BufferedImage image = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
		image.getRaster().setDataElements(0, 0, 28, 28, grey);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		ImageIO.write(image, "png", bytes);
		return bytes.toByteArray();
	}

}
