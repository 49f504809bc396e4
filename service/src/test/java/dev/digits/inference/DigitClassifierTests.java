package dev.digits.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.digits.model.DigitNetwork;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.within;

class DigitClassifierTests {

	private static final MultiLayerNetwork NETWORK = DigitNetwork.create(11, 0.001);

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final List<DigitClassifier> started = new ArrayList<>();

	@AfterEach
	void close() {
		started.forEach(DigitClassifier::close);
	}

	/** A classifier with {@link #NETWORK} registered as version "1". */
	private Bound classifier(InferenceProperties.Engine engine, int workers, int maxBatch, Duration delay, int queue,
			int cache) {
		DigitClassifier classifier = new DigitClassifier(
				engine == InferenceProperties.Engine.NHWC ? InferenceEngine.nhwc() : InferenceEngine.dl4j(),
				new InferenceProperties(engine, workers, 1, maxBatch, delay, queue, Duration.ofSeconds(30), cache,
						false),
				registry);
		started.add(classifier);
		return new Bound(classifier, classifier.register("1", NETWORK));
	}

	/** A classifier and one registered model, called as before versions existed. */
	record Bound(DigitClassifier classifier, EngineModel model) {

		List<DigitClassifier.Classification> classify(List<float[]> images) {
			return classifier.classify(model, images);
		}

		void close() {
			classifier.close();
		}

		boolean isRunning() {
			return classifier.isRunning();
		}

	}

	/**
	 * Many threads at once get exactly the answers a single-threaded run gives, for both
	 * engines.
	 */
	@ParameterizedTest
	@EnumSource(InferenceProperties.Engine.class)
	void concurrentRequestsGetTheSingleThreadedAnswers(InferenceProperties.Engine engine) throws Exception {
		int images = 300;
		float[] pixels = NhwcForwardPassTests.randomImages(new Random(3), images);
		float[][] expected = new float[images][10];
		MultiLayerNetwork reference = NETWORK.clone();
		for (int i = 0; i < images; i++) {
			float[] one = java.util.Arrays.copyOfRange(pixels, i * 784, (i + 1) * 784);
			expected[i] = reference.output(org.nd4j.linalg.factory.Nd4j.create(one, new long[] { 1, 784 }, 'c'))
				.data()
				.asFloat();
		}
		Bound classifier = classifier(engine, 2, 16, Duration.ofMillis(1), 4096, 0);
		ExecutorService callers = Executors.newFixedThreadPool(32);
		CountDownLatch go = new CountDownLatch(1);
		try {
			List<Future<float[]>> answers = new ArrayList<>();
			for (int round = 0; round < 3; round++) {
				for (int i = 0; i < images; i++) {
					float[] one = java.util.Arrays.copyOfRange(pixels, i * 784, (i + 1) * 784);
					answers.add(callers.submit(() -> {
						go.await();
						return classifier.classify(List.of(one)).get(0).probabilities();
					}));
				}
			}
			go.countDown();
			for (int k = 0; k < answers.size(); k++) {
				assertThat(answers.get(k).get()).as("image %d", k % images)
					.containsExactly(expected[k % images], within(1e-5f));
			}
		}
		finally {
			callers.shutdownNow();
		}
		// under this load the workers really did batch
		assertThat(registry.get("digits.batch.size").summary().max()).isGreaterThan(1);
		assertThat(registry.get("digits.batch.size").summary().totalAmount()).isGreaterThanOrEqualTo(900);
	}

	@Test
	void aBatchRequestIsAnsweredInOrder() {
		Bound classifier = classifier(InferenceProperties.Engine.NHWC, 1, 4, Duration.ZERO, 64, 0);
		float[] pixels = NhwcForwardPassTests.randomImages(new Random(5), 10);
		List<float[]> images = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			images.add(java.util.Arrays.copyOfRange(pixels, i * 784, (i + 1) * 784));
		}
		List<DigitClassifier.Classification> all = classifier.classify(images);
		assertThat(all).hasSize(10);
		for (int i = 0; i < 10; i++) {
			assertThat(all.get(i).probabilities())
				.containsExactly(classifier.classify(List.of(images.get(i))).get(0).probabilities(), within(1e-5f));
		}
	}

	@Test
	void refusesAtOnceWhenTheQueueIsFull() {
		Bound classifier = classifier(InferenceProperties.Engine.NHWC, 1, 1, Duration.ZERO, 4, 0);
		List<float[]> five = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			five.add(new float[784]);
		}
		assertThatExceptionOfType(OverloadedException.class).isThrownBy(() -> classifier.classify(five))
			.withMessageContaining("queue full (4 images waiting)");
		// nothing was taken from the queue's capacity by the refused request
		assertThat(classifier.classify(five.subList(0, 4))).hasSize(4);
	}

	@Test
	void refusesAfterShutdown() {
		Bound classifier = classifier(InferenceProperties.Engine.NHWC, 1, 8, Duration.ZERO, 8, 0);
		classifier.close();
		assertThat(classifier.isRunning()).isFalse();
		assertThatExceptionOfType(NotReadyException.class)
			.isThrownBy(() -> classifier.classify(List.of(new float[784])));
	}

	@Test
	void refusesImagesOfTheWrongSize() {
		Bound classifier = classifier(InferenceProperties.Engine.NHWC, 1, 8, Duration.ZERO, 8, 0);
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> classifier.classify(List.of(new float[783])));
	}

	@Test
	void cacheAnswersRepeatedInputsWithTheSameProbabilities() {
		Bound classifier = classifier(InferenceProperties.Engine.NHWC, 1, 8, Duration.ZERO, 8, 100);
		float[] image = NhwcForwardPassTests.randomImages(new Random(9), 1);
		DigitClassifier.Classification first = classifier.classify(List.of(image)).get(0);
		DigitClassifier.Classification second = classifier.classify(List.of(image.clone())).get(0);
		assertThat(first.cached()).isFalse();
		assertThat(second.cached()).isTrue();
		assertThat(second.probabilities()).containsExactly(first.probabilities());
		assertThat(registry.get("cache.gets").tag("result", "hit").functionCounter().count()).isEqualTo(1);
	}

	/**
	 * Two versions share the workers and the queue; each request gets its own version's
	 * answer.
	 */
	@Test
	void versionsShareTheWorkersAndKeepTheirOwnAnswers() throws Exception {
		Bound first = classifier(InferenceProperties.Engine.NHWC, 2, 16, Duration.ofMillis(1), 4096, 0);
		MultiLayerNetwork otherNetwork = DigitNetwork.create(12, 0.001);
		EngineModel other = first.classifier().register("2", otherNetwork);
		float[] image = NhwcForwardPassTests.randomImages(new Random(4), 1);
		float[] expectedFirst = first.classify(List.of(image)).get(0).probabilities();
		float[] expectedOther = first.classifier().classify(other, List.of(image)).get(0).probabilities();
		// the versions' answers differ by far more than a batch's rounding does
		assertThat(largestDifference(expectedOther, expectedFirst)).isGreaterThan(1e-3);
		ExecutorService callers = Executors.newFixedThreadPool(16);
		try {
			List<Future<Boolean>> answers = new ArrayList<>();
			for (int i = 0; i < 400; i++) {
				boolean useOther = i % 3 == 0;
				answers.add(callers.submit(() -> {
					float[] p = (useOther ? first.classifier().classify(other, List.of(image))
							: first.classify(List.of(image)))
						.get(0)
						.probabilities();
					// batched with others, an image's answer may differ from its pass
					// alone in the last bits (the AVX2 build's matrix kernels block a
					// batch differently), never by a version's difference
					return largestDifference(p, useOther ? expectedOther : expectedFirst) < 1e-5;
				}));
			}
			for (Future<Boolean> answer : answers) {
				assertThat(answer.get()).isTrue();
			}
		}
		finally {
			callers.shutdownNow();
		}
		first.classifier().retire(other);
		assertThatExceptionOfType(NotReadyException.class)
			.isThrownBy(() -> first.classifier().classify(other, List.of(image)));
		assertThat(first.classify(List.of(image)).get(0).probabilities()).isEqualTo(expectedFirst);
	}

	/**
	 * A request that times out is withdrawn: its permits return at once and it is never
	 * computed.
	 */
	@Test
	void aTimedOutRequestStopsTakingComputeAndReleasesItsPermits() throws Exception {
		java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
		java.util.concurrent.atomic.AtomicInteger passes = new java.util.concurrent.atomic.AtomicInteger();
		InferenceEngine blocking = new InferenceEngine() {

			@Override
			public String name() {
				return "blocking";
			}

			@Override
			public java.util.function.IntFunction<ForwardPass> prepare(MultiLayerNetwork network) {
				return capacity -> new ForwardPass() {

					@Override
					public void forward(float[] input, int n, float[] output) {
						if (passes.incrementAndGet() > 4) { // after the warm-up: hold the
															// worker
							try {
								release.await();
							}
							catch (InterruptedException ex) {
								Thread.currentThread().interrupt();
							}
						}
						java.util.Arrays.fill(output, 0, n * 10, 0.1f);
					}

					@Override
					public int capacity() {
						return capacity;
					}

				};
			}

		};
		DigitClassifier classifier = new DigitClassifier(blocking,
				new InferenceProperties(InferenceProperties.Engine.NHWC, 1, 1, 1, Duration.ZERO, 8,
						Duration.ofMillis(300), 0, false),
				registry);
		started.add(classifier);
		EngineModel model = classifier.register("1", NETWORK);
		ExecutorService caller = Executors.newSingleThreadExecutor();
		try {
			Future<?> holding = caller.submit(() -> classifier.classify(model, List.of(new float[784])));
			while (passes.get() < 5) {
				Thread.sleep(5);
			}
			assertThatExceptionOfType(OverloadedException.class)
				.isThrownBy(() -> classifier.classify(model, List.of(new float[784], new float[784])))
				.withMessageContaining("no inference result within 300 ms");
			assertThat(registry.get("digits.queue.depth").gauge().value()).isZero();
			release.countDown();
			try {
				holding.get(10, java.util.concurrent.TimeUnit.SECONDS);
			}
			catch (java.util.concurrent.ExecutionException ex) {
				// the held request timed out too; it had already been computed
			}
			Thread.sleep(200);
			assertThat(passes.get()).as("the withdrawn request was never computed").isEqualTo(5);
		}
		finally {
			release.countDown();
			caller.shutdownNow();
		}
	}

	/**
	 * The look the HTTP layer sheds with before reading a body: full exactly when one
	 * more image would be refused.
	 */
	@Test
	void queueFullIsTrueExactlyWhenAnImageWouldBeRefused() throws Exception {
		java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
		java.util.concurrent.atomic.AtomicInteger passes = new java.util.concurrent.atomic.AtomicInteger();
		DigitClassifier classifier = new DigitClassifier(holding(passes, release),
				new InferenceProperties(InferenceProperties.Engine.NHWC, 1, 1, 1, Duration.ZERO, 4,
						Duration.ofSeconds(30), 0, false),
				registry);
		started.add(classifier);
		EngineModel model = classifier.register("1", NETWORK);
		try {
			classifier.classifyAsync(model, List.of(new float[784])); // the worker takes
																		// it and holds
			while (passes.get() < 5) {
				Thread.sleep(5);
			}
			for (int queued = 0; queued < 4; queued++) {
				assertThat(classifier.queueFull()).as("%d of 4 images queued", queued).isFalse();
				classifier.classifyAsync(model, List.of(new float[784]));
			}
			assertThat(classifier.queueFull()).isTrue();
			assertThatExceptionOfType(OverloadedException.class)
				.isThrownBy(() -> classifier.classify(model, List.of(new float[784])));
			release.countDown();
			long deadline = System.nanoTime() + 10_000_000_000L;
			while (classifier.queueFull() && System.nanoTime() < deadline) {
				Thread.sleep(5);
			}
			assertThat(classifier.queueFull()).isFalse();
		}
		finally {
			release.countDown();
		}
	}

	/**
	 * A version loaded while requests fill the queue: its warm-up and checks go ahead of
	 * them, never refused.
	 */
	@Test
	void aLoadIsNotRefusedByAFullQueue() throws Exception {
		java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
		java.util.concurrent.atomic.AtomicInteger passes = new java.util.concurrent.atomic.AtomicInteger();
		DigitClassifier classifier = new DigitClassifier(holding(passes, release),
				new InferenceProperties(InferenceProperties.Engine.NHWC, 1, 1, 1, Duration.ZERO, 4,
						Duration.ofSeconds(30), 0, false),
				registry);
		started.add(classifier);
		EngineModel model = classifier.register("1", NETWORK);
		ExecutorService loader = Executors.newSingleThreadExecutor();
		try {
			classifier.classifyAsync(model, List.of(new float[784])); // the worker takes
																		// it and holds
			while (passes.get() < 5) {
				Thread.sleep(5);
			}
			for (int queued = 0; queued < 4; queued++) {
				classifier.classifyAsync(model, List.of(new float[784]));
			}
			assertThat(classifier.queueFull()).isTrue();
			Future<EngineModel> second = loader.submit(() -> {
				EngineModel loaded = classifier.register("2", NETWORK);
				classifier.check(loaded, new float[][] { new float[784] });
				return loaded;
			});
			Thread.sleep(200);
			assertThat(second).as("waits for the worker, is not refused").isNotDone();
			release.countDown();
			EngineModel loaded = second.get(10, java.util.concurrent.TimeUnit.SECONDS);
			assertThat(classifier.liveEngines()).isEqualTo(2);
			long deadline = System.nanoTime() + 10_000_000_000L;
			while (registry.get("digits.queue.depth").gauge().value() > 0 && System.nanoTime() < deadline) {
				Thread.sleep(5);
			}
			assertThat(registry.get("digits.queue.depth").gauge().value()).as("no permit taken by the load").isZero();
			classifier.retire(loaded);
			classifier.retire(loaded);
			assertThat(classifier.liveEngines()).as("retired once").isEqualTo(1);
		}
		finally {
			release.countDown();
			loader.shutdownNow();
		}
	}

	@Test
	void queueFullIsNeverTrueWithTheCacheOn() {
		Bound classifier = classifier(InferenceProperties.Engine.NHWC, 1, 1, Duration.ZERO, 8, 16);
		assertThat(classifier.classifier().queueFull()).isFalse();
	}

	/**
	 * The real engine, recording the thread each pass after the warm-up runs on; a pass
	 * on a thread named {@code held} waits for {@code release}.
	 */
	private static InferenceEngine recordingThreads(List<String> threads, CountDownLatch release) {
		InferenceEngine real = InferenceEngine.nhwc();
		return new InferenceEngine() {

			@Override
			public String name() {
				return "recording";
			}

			@Override
			public java.util.function.IntFunction<ForwardPass> prepare(MultiLayerNetwork network) {
				java.util.function.IntFunction<ForwardPass> passes = real.prepare(network);
				return capacity -> {
					ForwardPass pass = passes.apply(capacity);
					return new ForwardPass() {

						@Override
						public void forward(float[] input, int n, float[] output) {
							String thread = Thread.currentThread().getName();
							threads.add(thread);
							if (thread.equals("held")) {
								try {
									release.await();
								}
								catch (InterruptedException ex) {
									Thread.currentThread().interrupt();
								}
							}
							pass.forward(input, n, output);
						}

						@Override
						public int capacity() {
							return pass.capacity();
						}

						@Override
						public long bufferBytes() {
							return pass.bufferBytes();
						}

						@Override
						public void close() {
							pass.close();
						}

					};
				};
			}

		};
	}

	private DigitClassifier recording(List<String> threads, CountDownLatch release, int workers, boolean inline) {
		DigitClassifier classifier = new DigitClassifier(recordingThreads(threads, release),
				new InferenceProperties(InferenceProperties.Engine.NHWC, workers, 1, 32, Duration.ZERO, 64,
						Duration.ofSeconds(30), 0, inline),
				registry);
		started.add(classifier);
		return classifier;
	}

	private static float[] digit(int seed) {
		float[] image = new float[DigitNetwork.PIXELS];
		Random random = new Random(seed);
		for (int i = 0; i < image.length; i++) {
			image[i] = random.nextFloat();
		}
		return image;
	}

	@Test
	void aRequestAloneIsComputedOnItsOwnThreadWithTheWorkersAnswer() {
		List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());
		DigitClassifier inline = recording(threads, new CountDownLatch(0), 2, true);
		EngineModel model = inline.register("1", NETWORK);
		threads.clear();
		List<DigitClassifier.Classification> answer = inline.classify(model, List.of(digit(1), digit(2)));
		assertThat(threads).containsExactly(Thread.currentThread().getName());

		List<String> workerThreads = java.util.Collections.synchronizedList(new ArrayList<>());
		DigitClassifier handedOver = recording(workerThreads, new CountDownLatch(0), 2, false);
		EngineModel same = handedOver.register("1", NETWORK);
		workerThreads.clear();
		List<DigitClassifier.Classification> byAWorker = handedOver.classify(same, List.of(digit(1), digit(2)));
		assertThat(workerThreads).singleElement().asString().startsWith("inference-");
		for (int i = 0; i < 2; i++) {
			assertThat(answer.get(i).probabilities()).containsExactly(byAWorker.get(i).probabilities());
		}
	}

	@Test
	void aRequestThatFindsAnotherInFlightOrInTheServiceOrHasManyImagesIsHandedToAWorker() throws Exception {
		List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());
		CountDownLatch release = new CountDownLatch(1);
		DigitClassifier classifier = recording(threads, release, 1, true);
		EngineModel model = classifier.register("1", NETWORK);
		threads.clear();
		ExecutorService caller = Executors.newSingleThreadExecutor((task) -> new Thread(task, "held"));
		try {
			// alone: computed on its own thread, which holds it there
			Future<List<DigitClassifier.Classification>> first = caller
				.submit(() -> classifier.classify(model, List.of(digit(3))));
			long deadline = System.nanoTime() + 10_000_000_000L;
			while (threads.isEmpty() && System.nanoTime() < deadline) {
				Thread.sleep(5);
			}
			assertThat(threads).containsExactly("held");
			// another request in flight: this one goes to the worker and is answered
			// while the first is still held
			assertThat(classifier.classify(model, List.of(digit(4)))).hasSize(1);
			assertThat(threads).hasSize(2).last().asString().startsWith("inference-");
			assertThat(first).isNotDone();
			release.countDown();
			assertThat(first.get(10, java.util.concurrent.TimeUnit.SECONDS)).hasSize(1);
			// alone again, but more images than a request may compute itself
			classifier.classify(model,
					java.util.stream.IntStream.range(0, WorkerPool.INLINE_IMAGES + 1)
						.mapToObj(DigitClassifierTests::digit)
						.toList());
			assertThat(threads).hasSize(3).last().asString().startsWith("inference-");
			// and a lone small one runs on its caller's thread again, even straight after
			// one a worker answered (its request has left the count before it wakes up)
			classifier.classify(model, List.of(digit(5)));
			assertThat(threads).hasSize(4).last().isEqualTo(Thread.currentThread().getName());
			double byCallers = registry.get("digits.inference.requests").tag("thread", "caller").counter().count();
			double byWorkers = registry.get("digits.inference.requests").tag("thread", "worker").counter().count();
			for (int round = 0; round < 200; round++) {
				threads.clear();
				classifier.classify(model,
						java.util.stream.IntStream.range(0, WorkerPool.INLINE_IMAGES + 1)
							.mapToObj(DigitClassifierTests::digit)
							.toList());
				classifier.classify(model, List.of(digit(5)));
				assertThat(threads).as("round %d", round)
					.containsExactly("inference-0", Thread.currentThread().getName());
			}
			// the metric counts each request once, by the thread that computed it
			assertThat(registry.get("digits.inference.requests").tag("thread", "caller").counter().count())
				.isEqualTo(byCallers + 200);
			assertThat(registry.get("digits.inference.requests").tag("thread", "worker").counter().count())
				.isEqualTo(byWorkers + 200);
			threads.clear();
			// unless the service counts other requests in, which will soon queue
			classifier.enterService();
			classifier.enterService();
			classifier.classify(model, List.of(digit(6)));
			assertThat(threads).singleElement().asString().startsWith("inference-");
			classifier.leaveService();
			classifier.classify(model, List.of(digit(7)));
			assertThat(threads).hasSize(2).last().isEqualTo(Thread.currentThread().getName());
			classifier.leaveService();
		}
		finally {
			release.countDown();
			caller.shutdownNow();
		}
	}

	@Test
	void lonelyRequestsRacingARetirementAreAnsweredOrRefusedAndTheInlinePassIsFreed() throws Exception {
		List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());
		DigitClassifier classifier = recording(threads, new CountDownLatch(0), 1, true);
		for (int round = 0; round < 20; round++) {
			EngineModel model = classifier.register("r" + round, NETWORK);
			ExecutorService callers = Executors.newFixedThreadPool(2);
			try {
				List<Future<Boolean>> calls = new ArrayList<>();
				for (int i = 0; i < 20; i++) {
					int seed = i;
					calls.add(callers.submit(() -> {
						try {
							return classifier.classify(model, List.of(digit(seed))).size() == 1;
						}
						catch (NotReadyException refused) {
							return true;
						}
					}));
					if (i == 10) {
						classifier.retire(model);
					}
				}
				for (Future<Boolean> call : calls) {
					assertThat(call.get(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
				}
			}
			finally {
				callers.shutdownNow();
			}
			// the workers free the retired model's passes, the inline one included,
			// when they next find the queue empty
			long deadline = System.nanoTime() + 10_000_000_000L;
			while (model.passBytes.sum() != 0 && System.nanoTime() < deadline) {
				Thread.sleep(20);
			}
			assertThat(model.passBytes.sum()).as("round %d: buffers still held", round).isZero();
		}
	}

	/** An engine whose passes after the four warm-up ones wait for {@code release}. */
	private static InferenceEngine holding(java.util.concurrent.atomic.AtomicInteger passes,
			java.util.concurrent.CountDownLatch release) {
		return new InferenceEngine() {

			@Override
			public String name() {
				return "holding";
			}

			@Override
			public java.util.function.IntFunction<ForwardPass> prepare(MultiLayerNetwork network) {
				return capacity -> new ForwardPass() {

					@Override
					public void forward(float[] input, int n, float[] output) {
						if (passes.incrementAndGet() > 4) {
							try {
								release.await();
							}
							catch (InterruptedException ex) {
								Thread.currentThread().interrupt();
							}
						}
						java.util.Arrays.fill(output, 0, n * 10, 0.1f);
					}

					@Override
					public int capacity() {
						return capacity;
					}

				};
			}

		};
	}

	@Test
	void queueDelayGathersConcurrentRequestsIntoOneBatch() throws Exception {
		Bound classifier = classifier(InferenceProperties.Engine.NHWC, 1, 8, Duration.ofMillis(200), 64, 0);
		double passesBefore = registry.get("digits.batch.size").summary().count();
		ExecutorService callers = Executors.newFixedThreadPool(8);
		try {
			List<Future<?>> all = new ArrayList<>();
			for (int i = 0; i < 8; i++) {
				all.add(callers.submit(() -> classifier.classify(List.of(new float[784]))));
			}
			for (Future<?> f : all) {
				f.get();
			}
		}
		finally {
			callers.shutdownNow();
		}
		// eight requests arriving within the 200 ms window share far fewer than eight
		// passes
		assertThat(registry.get("digits.batch.size").summary().count() - passesBefore).isLessThanOrEqualTo(3);
	}

	private static double largestDifference(float[] a, float[] b) {
		double largest = 0;
		for (int i = 0; i < a.length; i++) {
			largest = Math.max(largest, Math.abs(a[i] - b[i]));
		}
		return largest;
	}

}
