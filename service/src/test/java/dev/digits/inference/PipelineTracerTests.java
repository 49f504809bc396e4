package dev.digits.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import dev.digits.model.DigitNetwork;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.TraceContext;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the classifier tells its {@link PipelineTracer}, without OpenTelemetry: nothing
 * beyond {@code current()} for requests that are not traced, and for traced ones one
 * batch per forward pass naming exactly the traced requests it carried, and each
 * request's queue and compute times in order, linked to its passes.
 */
class PipelineTracerTests {

	private static final MultiLayerNetwork NETWORK = DigitNetwork.create(11, 0.001);

	private final List<DigitClassifier> started = new ArrayList<>();

	@AfterEach
	void close() {
		started.forEach(DigitClassifier::close);
	}

	record Context(String traceId, String spanId) implements TraceContext {

		@Override
		public String parentId() {
			return null;
		}

		@Override
		public Boolean sampled() {
			return true;
		}

	}

	record Batch(List<TraceContext> requests, long start, long end, int images, Context pass) {
	}

	record Request(TraceContext request, long queuedAt, long takenAt, long computeStart, long computeEnd, int images,
			List<TraceContext> batches) {
	}

	/** Records every call; the request thread's context is whatever {@link #as} set. */
	static final class Recording implements PipelineTracer {

		final ThreadLocal<TraceContext> current = new ThreadLocal<>();

		final List<Batch> batches = Collections.synchronizedList(new ArrayList<>());

		final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

		final AtomicInteger currentCalls = new AtomicInteger();

		@Override
		public TraceContext current() {
			currentCalls.incrementAndGet();
			return current.get();
		}

		@Override
		public TraceContext batch(List<TraceContext> traced, long start, long end, int images, String version) {
			Context pass = new Context("pass", "pass-" + batches.size());
			batches.add(new Batch(List.copyOf(traced), start, end, images, pass));
			return pass;
		}

		@Override
		public void queuedAndComputed(TraceContext request, long queuedAt, long takenAt, long computeStart,
				long computeEnd, int images, int batchSize, String version, List<TraceContext> passes) {
			requests
				.add(new Request(request, queuedAt, takenAt, computeStart, computeEnd, images, List.copyOf(passes)));
		}

	}

	private EngineModel start(Recording tracer, int maxBatch, Duration delay) {
		DigitClassifier classifier = new DigitClassifier(InferenceEngine.nhwc(),
				new InferenceProperties(InferenceProperties.Engine.NHWC, 1, 1, maxBatch, delay, 256,
						Duration.ofSeconds(30), 0, false),
				new SimpleMeterRegistry(), tracer);
		started.add(classifier);
		EngineModel model = classifier.register("1", NETWORK);
		this.classifier = classifier;
		return model;
	}

	private DigitClassifier classifier;

	@Test
	void untracedRequestsReachNothingButCurrent() {
		Recording tracer = new Recording();
		EngineModel model = start(tracer, 8, Duration.ZERO);
		for (int i = 0; i < 5; i++) {
			classifier.classify(model, List.of(new float[DigitNetwork.PIXELS], new float[DigitNetwork.PIXELS]));
		}
		assertThat(tracer.currentCalls).hasValue(5);
		assertThat(tracer.batches).isEmpty();
		assertThat(tracer.requests).isEmpty();
	}

	@Test
	void concurrentTracedRequestsShareAPassThatNamesEachOfThem() throws Exception {
		Recording tracer = new Recording();
		EngineModel model = start(tracer, 32, Duration.ofSeconds(1));
		int callers = 4;
		ExecutorService pool = Executors.newFixedThreadPool(callers + 1);
		CountDownLatch go = new CountDownLatch(1);
		List<Future<?>> futures = new ArrayList<>();
		List<Context> contexts = new ArrayList<>();
		try {
			for (int i = 0; i < callers; i++) {
				Context context = new Context("trace-" + i, "span-" + i);
				contexts.add(context);
				futures.add(pool.submit(() -> {
					tracer.current.set(context);
					go.await();
					return classifier.classify(model, List.of(new float[DigitNetwork.PIXELS]));
				}));
			}
			// and one caller that is not traced, in the same passes
			futures.add(pool.submit(() -> {
				go.await();
				return classifier.classify(model, List.of(new float[DigitNetwork.PIXELS]));
			}));
			go.countDown();
			for (Future<?> future : futures) {
				future.get();
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(tracer.requests).extracting(Request::request).containsExactlyInAnyOrderElementsOf(contexts);
		for (Request request : tracer.requests) {
			assertThat(request.queuedAt()).isLessThanOrEqualTo(request.takenAt());
			assertThat(request.takenAt()).isLessThanOrEqualTo(request.computeStart());
			assertThat(request.computeStart()).isLessThan(request.computeEnd());
			assertThat(request.batches()).hasSize(1);
			Batch batch = tracer.batches.stream()
				.filter(b -> b.pass().equals(request.batches().get(0)))
				.findFirst()
				.orElseThrow();
			assertThat(batch.requests()).contains(request.request());
			assertThat(batch.start()).isEqualTo(request.computeStart());
			assertThat(batch.end()).isEqualTo(request.computeEnd());
		}
		// every pass names only traced requests, each once; together they name them all
		List<TraceContext> named = tracer.batches.stream().flatMap(b -> b.requests().stream()).toList();
		assertThat(named).containsExactlyInAnyOrderElementsOf(contexts);
		assertThat(Set.copyOf(named)).hasSameSizeAs(named);
	}

	@Test
	void aRequestLargerThanOnePassIsLinkedToEachOfItsPasses() {
		Recording tracer = new Recording();
		EngineModel model = start(tracer, 4, Duration.ZERO);
		tracer.current.set(new Context("big", "big-span"));
		List<float[]> images = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			images.add(new float[DigitNetwork.PIXELS]);
		}
		classifier.classify(model, images);
		assertThat(tracer.batches).hasSize(3).extracting(Batch::images).containsExactly(4, 4, 2);
		assertThat(tracer.requests).singleElement().satisfies(r -> {
			assertThat(r.images()).isEqualTo(10);
			assertThat(r.batches()).containsExactlyElementsOf(tracer.batches.stream().map(Batch::pass).toList());
			assertThat(r.computeStart()).isEqualTo(tracer.batches.get(0).start());
			assertThat(r.computeEnd()).isEqualTo(tracer.batches.get(2).end());
		});
	}

}
