package dev.digits.serving;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import dev.digits.inference.DigitClassifier;
import dev.digits.inference.InferenceEngine;
import dev.digits.inference.InferenceProperties;
import dev.digits.inference.NotReadyException;
import dev.digits.inference.PipelineTracer;
import dev.digits.model.ModelRepository;
import dev.digits.preprocessing.ImagePreprocessor;
import dev.digits.preprocessing.PixelScale;
import dev.digits.preprocessing.PreprocessingLimits;
import dev.digits.preprocessing.Upload;
import dev.digits.training.EnsembleCommand;
import dev.digits.training.Mnist;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The model lifecycle under fire, without HTTP: a repository of four versions (the
 * committed network at the root as 1, copies of it as 2 and 3, and e12, the ensemble of 1
 * and 2), a real inference engine, and the data plane every protocol calls. The races a
 * review found, one test each, then all of them at once: clients predicting while
 * versions are loaded, unloaded, promoted, re-weighted, rolled back and rescanned
 * thousands of times. Every version is the same network, so every answer must be the
 * digit version 1 gives.
 */
class ModelLifecycleTests {

	private static final Path FIXTURE = Path.of("core/src/test/resources/mnist-tiny");

	private static final List<String> SINGLES = List.of("1", "2", "3");

	private Path repositoryDir;

	private DigitClassifier classifier;

	private ModelManager manager;

	private RepositoryWatcher watcher;

	private DriftMonitor drift;

	private DataPlane plane;

	private ModelRepository repository;

	private Mnist.Split digits;

	@BeforeEach
	void start() throws IOException {
		repositoryDir = dev.digits.TemporaryFolders.create("model-lifecycle");
		for (String version : List.of("1", "2", "3")) {
			copy(Path.of("models/mnist-cnn/1"), repositoryDir.resolve("mnist-cnn/" + version), true);
		}
		digits = Mnist.loadTest(FIXTURE).slice(0, 16);
		EnsembleCommand.run(repositoryDir, List.of("1", "2"), repositoryDir.resolve("mnist-cnn/e12"),
				Mnist.loadTest(FIXTURE), new PrintStream(PrintStream.nullOutputStream()));
		SimpleMeterRegistry meters = new SimpleMeterRegistry();
		classifier = new DigitClassifier(InferenceEngine.nhwc(),
				new InferenceProperties(InferenceProperties.Engine.NHWC, 2, 1, 32, Duration.ZERO, 1024,
						Duration.ofSeconds(30), 0, false),
				meters);
		repository = new ModelRepository(repositoryDir, "mnist-cnn");
		manager = new ModelManager(classifier, meters, new Traffic("lifecycle", TrafficPolicy.only("1")),
				Duration.ofSeconds(10));
		watcher = new RepositoryWatcher(repository, manager, Duration.ZERO);
		watcher.scan(Duration.ZERO);
		FeedbackTokens tokens = new FeedbackTokens(FeedbackTokens.randomKey(), Duration.ofHours(1), Clock.systemUTC(),
				10_000);
		// drift tested every 20 ms on windows of 100: its loads of references and its
		// tests race the churn too
		drift = new DriftMonitor(manager, new DriftProperties(true, 100, Duration.ofMillis(20), 0.05, 400), meters);
		RecognitionService service = new RecognitionService(new ImagePreprocessor(PreprocessingLimits.defaults()),
				manager, tokens, new FeedbackLimiter(0, Duration.ofHours(1)), new Outcomes(meters), "mnist-cnn", meters,
				PipelineTracer.OFF, Map.of(), drift,
				new CaptureStore(
						new CaptureProperties(null, Duration.ofDays(1), 10,
								org.springframework.util.unit.DataSize.ofKilobytes(10), 10),
						tokens, Clock.systemUTC(), meters));
		plane = new DataPlane(service, manager, "mnist-cnn", "test", List.of());
	}

	@AfterEach
	void stop() throws IOException {
		drift.close();
		watcher.close();
		manager.close();
		classifier.close();
		dev.digits.TemporaryFolders.delete(repositoryDir);
	}

	@Test
	void everyVersionOfTheRepositoryIsLoadedWithOneEnginePerNetwork() {
		assertThat(states())
			.containsExactlyInAnyOrderEntriesOf(Map.of("1", "READY", "2", "READY", "3", "READY", "e12", "READY"));
		assertThat(classifier.liveEngines()).isEqualTo(3);
	}

	@Test
	void onlyTheLegalMovesAreAllowed() {
		ServedModel served = new ServedModel("9", repositoryDir, "x");
		assertThatThrownBy(() -> served.move(ServedModel.State.LOADING, ServedModel.State.DRAINING))
			.isInstanceOf(IllegalStateException.class);
		assertThat(served.move(ServedModel.State.LOADING, ServedModel.State.UNLOADED)).isTrue();
		// the loader's move comes second and loses: the version stays UNLOADED
		assertThat(served.move(ServedModel.State.LOADING, ServedModel.State.READY)).isFalse();
		assertThat(served.state()).isEqualTo(ServedModel.State.UNLOADED);
		assertThatThrownBy(() -> served.move(ServedModel.State.UNLOADED, ServedModel.State.READY))
			.isInstanceOf(IllegalStateException.class);
	}

	@Test
	void aPromotionRacingAnUnloadNeverLeavesThePolicyOnAnUnloadedVersion() throws Exception {
		ExecutorService two = Executors.newFixedThreadPool(2);
		try {
			for (int round = 0; round < 30; round++) {
				manager.setPolicy(TrafficPolicy.only("1"));
				manager.load(repository.find("3").orElseThrow(), ModelManager.Origin.ADMIN).join();
				CountDownLatch go = new CountDownLatch(1);
				Future<?> promote = two.submit(() -> {
					go.await();
					return manager.setPolicy(TrafficPolicy.only("3"));
				});
				Future<?> unload = two.submit(() -> {
					go.await();
					return manager.unload("3", ModelManager.Origin.ADMIN);
				});
				go.countDown();
				boolean promoted = succeeded(promote);
				boolean unloaded = succeeded(unload);
				assertThat(promoted && unloaded).as("round %d: both answered 200", round).isFalse();
				assertThat(promoted || unloaded).as("round %d: neither won", round).isTrue();
				assertThat(manager.ready()).as("round %d: %s with %s", round, manager.policy(), states()).isTrue();
			}
		}
		finally {
			two.shutdownNow();
		}
	}

	@Test
	void anUnloadDuringLoadingWinsAndLeaksNoEngine() throws Exception {
		for (int round = 0; round < 5; round++) {
			manager.unload("3", ModelManager.Origin.ADMIN);
			assertThat(classifier.liveEngines()).isEqualTo(2);
			var loading = manager.load(repository.find("3").orElseThrow(), ModelManager.Origin.ADMIN);
			ServedModel unloaded = manager.unload("3", ModelManager.Origin.ADMIN);
			assertThat(unloaded.state()).isEqualTo(ServedModel.State.UNLOADED);
			assertThat(loading.get(30, TimeUnit.SECONDS).state()).isEqualTo(ServedModel.State.UNLOADED);
			Thread.sleep(50);
			assertThat(manager.get("3").orElseThrow().state()).isEqualTo(ServedModel.State.UNLOADED);
			assertThat(classifier.liveEngines()).isEqualTo(2);
			manager.load(repository.find("3").orElseThrow(), ModelManager.Origin.ADMIN).join();
			assertThat(classifier.liveEngines()).isEqualTo(3);
		}
	}

	@Test
	void twoUnloadsAtOnceRetireTheEngineOnce() throws Exception {
		ExecutorService two = Executors.newFixedThreadPool(2);
		try {
			for (int round = 0; round < 10; round++) {
				CountDownLatch go = new CountDownLatch(1);
				List<Future<ServedModel>> unloads = new ArrayList<>();
				for (int i = 0; i < 2; i++) {
					unloads.add(two.submit(() -> {
						go.await();
						return manager.unload("3", ModelManager.Origin.ADMIN);
					}));
				}
				go.countDown();
				for (Future<ServedModel> unload : unloads) {
					assertThat(unload.get(30, TimeUnit.SECONDS).state()).isEqualTo(ServedModel.State.UNLOADED);
				}
				assertThat(classifier.liveEngines()).isEqualTo(2);
				manager.load(repository.find("3").orElseThrow(), ModelManager.Origin.ADMIN).join();
				assertThat(classifier.liveEngines()).isEqualTo(3);
			}
		}
		finally {
			two.shutdownNow();
		}
	}

	@Test
	void theWatcherLeavesAnAdminUnloadAlone() throws Exception {
		manager.unload("3", ModelManager.Origin.ADMIN);
		watcher.scan(Duration.ZERO);
		watcher.scan(Duration.ZERO);
		assertThat(manager.get("3").orElseThrow().state()).isEqualTo(ServedModel.State.UNLOADED);
		manager.load(repository.find("3").orElseThrow(), ModelManager.Origin.ADMIN).join();
		assertThat(manager.get("3").orElseThrow().state()).isEqualTo(ServedModel.State.READY);
	}

	@Test
	void anEnsembleNeedsItsMembersAndHoldsThem() throws Exception {
		assertThatThrownBy(() -> manager.unload("2", ModelManager.Origin.ADMIN))
			.isInstanceOf(PolicyConflictException.class)
			.hasMessageContaining("member of ensemble e12");
		manager.unload("e12", ModelManager.Origin.ADMIN);
		manager.unload("2", ModelManager.Origin.ADMIN);
		ServedModel ensemble = manager.load(repository.find("e12").orElseThrow(), ModelManager.Origin.ADMIN).join();
		assertThat(ensemble.state()).isEqualTo(ServedModel.State.FAILED);
		assertThat(ensemble.failure()).contains("member 2 is UNLOADED");
		assertThatThrownBy(() -> manager.setPolicy(TrafficPolicy.only("e12")))
			.isInstanceOf(PolicyConflictException.class);
		assertThat(manager.ready()).isTrue();
	}

	@Test
	void aFolderCopiedWithItsFileTimesIsLoadedOnceComplete() throws Exception {
		Path one = repositoryDir.resolve("mnist-cnn/1");
		Path dir = repositoryDir.resolve("mnist-cnn/4");
		Files.createDirectories(dir);
		// a copy that preserves file times, caught half-way: the weights are cut short
		for (String name : List.of("model-metadata.json", "mnist-cnn.zip")) {
			byte[] bytes = Files.readAllBytes(one.resolve(name));
			Files.write(dir.resolve(name),
					name.endsWith(".zip") ? java.util.Arrays.copyOf(bytes, bytes.length / 3) : bytes);
			Files.setLastModifiedTime(dir.resolve(name), Files.getLastModifiedTime(one.resolve(name)));
		}
		Duration settle = Duration.ofMillis(1);
		watcher.scan(settle);
		watcher.scan(settle); // the same half copy two polls running: loaded, and it
								// fails
		assertThat(manager.get("4").orElseThrow().state()).isEqualTo(ServedModel.State.FAILED);
		copy(one, dir, false);
		watcher.scan(settle); // changed since the last poll: not yet
		watcher.scan(settle);
		assertThat(manager.get("4").orElseThrow().state()).isEqualTo(ServedModel.State.READY);
	}

	@Test
	void clientsPredictingWhileAdminsAndTheWatcherChurnTheVersions() throws Exception {
		int[] expected = new int[digits.size()];
		for (int i = 0; i < expected.length; i++) {
			expected[i] = predict(i, null, null).images().get(0).answer().digit();
			assertThat(expected[i]).isEqualTo(digits.labels()[i]);
		}
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicLong answered = new AtomicLong();
		AtomicLong pinnedRefused = new AtomicLong();
		List<String> wrong = java.util.Collections.synchronizedList(new ArrayList<>());
		Map<String, Throwable> failures = new ConcurrentHashMap<>();
		int clients = 12;
		ExecutorService pool = Executors.newFixedThreadPool(clients + 3);
		List<Future<?>> work = new ArrayList<>();
		for (int c = 0; c < clients; c++) {
			int client = c;
			work.add(pool.submit(() -> {
				Random random = new Random(client);
				while (running.get()) {
					int i = random.nextInt(expected.length);
					String pinned = client % 4 == 3 ? List.of("1", "2", "3", "e12").get(random.nextInt(4)) : null;
					String sticky = client % 4 == 2 ? "client-" + random.nextInt(100) : null;
					try {
						RecognitionService.Result result = predict(i, sticky, pinned);
						int digit = result.images().get(0).answer().digit();
						if (digit != expected[i]) {
							wrong.add(result.version() + ": image " + i + " answered " + digit);
						}
						answered.incrementAndGet();
					}
					catch (NotReadyException | UnknownVersionException ex) {
						if (pinned == null) {
							failures.putIfAbsent("unpinned: " + ex.getMessage(), ex);
						}
						else {
							pinnedRefused.incrementAndGet(); // 503 for a version not
																// READY: the honest
																// answer
						}
					}
					catch (RuntimeException ex) {
						failures.putIfAbsent(ex.getClass().getName() + ": " + ex.getMessage(), ex);
					}
				}
			}));
		}
		Map<String, AtomicLong> done = new ConcurrentHashMap<>();
		AtomicLong operations = new AtomicLong();
		AtomicLong refusedOperations = new AtomicLong();
		int opsPerAdmin = 1_200;
		for (int a = 0; a < 3; a++) {
			int admin = a;
			work.add(pool.submit(() -> {
				Random random = new Random(100 + admin);
				for (int op = 0; op < opsPerAdmin; op++) {
					String version = List.of("1", "2", "3", "e12").get(random.nextInt(4));
					int kind = random.nextInt(7);
					try {
						switch (kind) {
							case 0 -> manager.setPolicy(TrafficPolicy.only(version));
							case 1 -> {
								Map<String, Integer> weights = new java.util.HashMap<>();
								weights.put("1", random.nextInt(3));
								weights.put("3", 1 + random.nextInt(5));
								weights.put(version, 1 + random.nextInt(2));
								manager.setPolicy(new TrafficPolicy(version, weights, null));
							}
							case 2 -> {
								ServedModel.State before = manager.get(version).orElseThrow().state();
								manager.unload(version, ModelManager.Origin.ADMIN);
								if (before == ServedModel.State.READY) {
									done.computeIfAbsent("unloads", k -> new AtomicLong()).incrementAndGet();
								}
							}
							case 3 -> {
								ServedModel.State before = manager.get(version).orElseThrow().state();
								ServedModel loaded = manager
									.load(repository.find(version).orElseThrow(), ModelManager.Origin.ADMIN)
									.get(30, TimeUnit.SECONDS);
								if (before != ServedModel.State.READY && loaded.state() == ServedModel.State.READY) {
									done.computeIfAbsent("loads", k -> new AtomicLong()).incrementAndGet();
								}
							}
							case 4 -> manager.rollback();
							case 5 -> watcher.scan(Duration.ZERO);
							default -> manager.setPolicy(
									new TrafficPolicy("1", Map.of("1", 5), version.equals("1") ? null : version));
						}
						if (kind != 2 && kind != 3) {
							done.computeIfAbsent(
									List.of("promotions", "re-weightings", "", "", "rollbacks", "scans", "shadowings")
										.get(kind),
									k -> new AtomicLong())
								.incrementAndGet();
						}
					}
					catch (PolicyConflictException | UnknownVersionException ex) {
						refusedOperations.incrementAndGet(); // a 409 or 404: the
																// operation was not
																// allowed now
					}
					catch (Exception ex) {
						failures.putIfAbsent("admin: " + ex, ex);
					}
					operations.incrementAndGet();
					assertPolicyIsServable();
				}
				return null;
			}));
		}
		for (Future<?> admin : work.subList(clients, work.size())) {
			admin.get(5, TimeUnit.MINUTES);
		}
		running.set(false);
		for (Future<?> client : work.subList(0, clients)) {
			client.get(1, TimeUnit.MINUTES);
		}
		pool.shutdown();
		System.out.printf(
				"lifecycle under fire: %d operations (%d refused as conflicts; done: %s), %d answers, %d pinned "
						+ "requests refused as not ready, %d wrong, %d failures; states %s; live engines %d%n",
				operations.get(), refusedOperations.get(), new java.util.TreeMap<>(done), answered.get(),
				pinnedRefused.get(), wrong.size(), failures.size(), states(), classifier.liveEngines());
		assertThat(failures).isEmpty();
		assertThat(wrong).isEmpty();
		assertThat(answered.get()).isGreaterThan(1_000);
		assertThat(operations.get()).isEqualTo(3L * opsPerAdmin);
		// nothing stuck half-way, and one engine per loaded network, no more; shadow work
		// the clients
		// queued last may still be computing: it releases its lease when done
		long settle = System.nanoTime() + 10_000_000_000L;
		while (manager.all().stream().anyMatch(m -> m.inFlight() > 0) && System.nanoTime() < settle) {
			Thread.sleep(10);
		}
		for (ServedModel model : manager.all()) {
			if (model.state() == ServedModel.State.FAILED) {
				// an ensemble loaded while a member was not READY: refused, as it should
				// be
				assertThat(model.failure()).as(model.toString()).startsWith("ensemble member");
				continue;
			}
			assertThat(model.state()).as(model.toString()).isIn(ServedModel.State.READY, ServedModel.State.UNLOADED);
			assertThat(model.inFlight()).as(model.toString()).isZero();
		}
		long loadedNetworks = manager.all()
			.stream()
			.filter(m -> m.state() == ServedModel.State.READY && m.members().isEmpty())
			.count();
		assertThat(classifier.liveEngines()).isEqualTo((int) loadedNetworks);
		// and every version can still be loaded and answer
		for (String version : List.of("1", "2", "3", "e12")) {
			assertThat(manager.load(repository.find(version).orElseThrow(), ModelManager.Origin.ADMIN).join().state())
				.isEqualTo(ServedModel.State.READY);
			assertThat(predict(0, null, version).images().get(0).answer().digit()).isEqualTo(expected[0]);
		}
		assertThat(classifier.liveEngines()).isEqualTo(3);
		// drift followed the reloads: each version answers into a window of its own load,
		// tested against its reference; the ensemble has none and says so
		drift.evaluate();
		assertThat(drift.status("1").orElseThrow().state()).isIn(DriftMonitor.COLLECTING, DriftMonitor.TESTED);
		assertThat(drift.status("1").orElseThrow().answers()).isBetween(1, 100);
		assertThat(drift.status("e12").orElseThrow().state()).isEqualTo(DriftMonitor.NO_REFERENCE);
		assertThat(drift.status("e12").orElseThrow().reason()).contains("no drift-reference.json");
	}

	private void assertPolicyIsServable() {
		manager.checkInvariants();
	}

	private RecognitionService.Result predict(int index, String clientId, String pinned) {
		byte[] grey = digits.image(index);
		double[] values = new double[grey.length];
		for (int p = 0; p < grey.length; p++) {
			values[p] = grey[p] & 0xFF;
		}
		// through the data plane every protocol adapts over
		return plane.infer(
				new DataPlane.InferenceRequest("mnist-cnn", List.of(new Upload.Pixels(values, PixelScale.GREY_LEVELS)),
						false, DataPlane.routing(pinned, clientId, null, null)));
	}

	private Map<String, String> states() {
		Map<String, String> states = new java.util.TreeMap<>();
		manager.all().forEach(m -> states.put(m.version(), m.state().name()));
		return states;
	}

	private static boolean succeeded(Future<?> future) throws InterruptedException {
		try {
			future.get(30, TimeUnit.SECONDS);
			return true;
		}
		catch (java.util.concurrent.ExecutionException ex) {
			if (ex.getCause() instanceof PolicyConflictException) {
				return false;
			}
			throw new AssertionError(ex.getCause());
		}
		catch (java.util.concurrent.TimeoutException ex) {
			throw new AssertionError(ex);
		}
	}

	/**
	 * A version's files into {@code to}, dated ten seconds ago (or with their own times).
	 */
	private static void copy(Path from, Path to, boolean settled) throws IOException {
		Files.createDirectories(to);
		try (Stream<Path> files = Files.list(from)) {
			for (Path file : files.filter(Files::isRegularFile).toList()) {
				Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING,
						StandardCopyOption.COPY_ATTRIBUTES);
				if (settled) {
					Files.setLastModifiedTime(to.resolve(file.getFileName()),
							FileTime.fromMillis(System.currentTimeMillis() - 10_000));
				}
			}
		}
	}

}
