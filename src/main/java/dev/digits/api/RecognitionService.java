package dev.digits.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import dev.digits.inference.DigitClassifier;
import dev.digits.inference.DigitClassifier.Classification;
import dev.digits.model.DigitNetwork;
import dev.digits.model.LoadedModel;
import dev.digits.preprocessing.ImagePreprocessor;
import dev.digits.preprocessing.Preprocessed;
import dev.digits.preprocessing.PreprocessingLimits;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Service;

/** Preprocesses uploads, classifies them, and counts what it did. */
@Service
class RecognitionService {

	/** One image: what preprocessing made of it, and the answer. */
	record Recognized(Preprocessed input, Classification classification) {
	}

	/** A request's images, in order, and the time spent before inference. */
	record Result(List<Recognized> images, long preprocessNanos) {
	}

	private final DigitClassifier classifier;

	private final ImagePreprocessor preprocessor;

	private final LoadedModel model;

	private final MeterRegistry registry;

	private final Counter[] predictions = new Counter[DigitNetwork.CLASSES];

	/** Preprocessing timers by image format, built once. */
	private final java.util.concurrent.ConcurrentMap<String, Timer> preprocessTimers = new java.util.concurrent.ConcurrentHashMap<>();

	RecognitionService(DigitClassifier classifier, LoadedModel model, ApiProperties properties, MeterRegistry registry) {
		this.classifier = classifier;
		this.model = model;
		this.registry = registry;
		this.preprocessor = new ImagePreprocessor(
				new PreprocessingLimits(properties.maxPixels(), properties.minInkPixels()));
		for (int digit = 0; digit < predictions.length; digit++) {
			predictions[digit] = Counter.builder("digits.predictions")
				.description("Predictions made, by predicted digit")
				.tag("digit", String.valueOf(digit))
				.register(registry);
		}
	}

	ImagePreprocessor preprocessor() {
		return preprocessor;
	}

	LoadedModel model() {
		return model;
	}

	/** Preprocesses every input (in order; the first failure stops the request) and classifies them together. */
	Result recognize(List<Supplier<Preprocessed>> inputs) {
		List<Preprocessed> prepared = new ArrayList<>(inputs.size());
		long preprocessNanos = 0;
		for (Supplier<Preprocessed> input : inputs) {
			long start = System.nanoTime();
			Preprocessed p = input.get();
			long nanos = System.nanoTime() - start;
			preprocessNanos += nanos;
			preprocessTimers.computeIfAbsent(p.format(), format -> Timer.builder("digits.preprocess")
				.description("Time to decode and normalise one image")
				.tag("format", format)
				.publishPercentileHistogram()
				.register(registry)).record(nanos, TimeUnit.NANOSECONDS);
			prepared.add(p);
		}
		List<Classification> answers = classifier.classify(prepared.stream().map(Preprocessed::pixels).toList());
		List<Recognized> recognized = new ArrayList<>(answers.size());
		for (int i = 0; i < answers.size(); i++) {
			predictions[answers.get(i).digit()].increment();
			recognized.add(new Recognized(prepared.get(i), answers.get(i)));
		}
		return new Result(recognized, preprocessNanos);
	}

}
