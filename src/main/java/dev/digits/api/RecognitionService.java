package dev.digits.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

import dev.digits.inference.DigitClassifier;
import dev.digits.inference.DigitClassifier.Classification;
import dev.digits.model.DigitNetwork;
import dev.digits.model.LoadedModel;
import dev.digits.preprocessing.ImagePreprocessor;
import dev.digits.preprocessing.Preprocessed;
import dev.digits.preprocessing.PreprocessingException;
import dev.digits.preprocessing.Upload;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.springframework.stereotype.Service;

/** Preprocesses what clients sent, classifies it, and counts what it did. */
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
	private final ConcurrentMap<String, Timer> preprocessTimers = new ConcurrentHashMap<>();

	RecognitionService(DigitClassifier classifier, LoadedModel model, ImagePreprocessor preprocessor,
			MeterRegistry registry) {
		this.classifier = classifier;
		this.model = model;
		this.registry = registry;
		this.preprocessor = preprocessor;
		for (int digit = 0; digit < predictions.length; digit++) {
			predictions[digit] = Counter.builder("digits.predictions")
				.description("Predictions made, by predicted digit")
				.tag("digit", String.valueOf(digit))
				.register(registry);
		}
	}

	LoadedModel model() {
		return model;
	}

	/** One upload. */
	Result recognize(Upload upload) {
		return recognize(List.of(upload), false);
	}

	/** A batch: preprocessed in order (the first failure, named by its index, stops the request). */
	Result recognizeBatch(List<Upload> uploads) {
		return recognize(uploads, true);
	}

	private Result recognize(List<Upload> uploads, boolean batch) {
		List<Preprocessed> prepared = new ArrayList<>(uploads.size());
		long preprocessNanos = 0;
		for (int i = 0; i < uploads.size(); i++) {
			long start = System.nanoTime();
			Preprocessed p;
			try {
				p = preprocessor.preprocess(uploads.get(i));
			}
			catch (PreprocessingException ex) {
				throw batch ? new PreprocessingException(ex.reason(), "image " + i + ": " + ex.getMessage()) : ex;
			}
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
