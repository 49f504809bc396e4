package dev.digits.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.digits.inference.DigitClassifier.Classification;
import dev.digits.model.DigitNetwork;
import dev.digits.preprocessing.Preprocessed;
import dev.digits.preprocessing.PreprocessingException;
import dev.digits.preprocessing.Reason;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * The prediction API, version 1. Single images come as a multipart {@code file}, as the raw body
 * with an {@code image/*} content type, or as 784 numbers in JSON; the batch endpoint takes several
 * of either and answers in order.
 */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
class PredictionController {

	static final String ENDPOINT_ATTRIBUTE = PredictionController.class.getName() + ".endpoint";

	private final RecognitionService recognition;

	private final ApiProperties properties;

	PredictionController(RecognitionService recognition, ApiProperties properties) {
		this.recognition = recognition;
		this.properties = properties;
	}

	@PostMapping(path = "/predictions", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	Responses.PredictionResponse predictUpload(@RequestPart("file") MultipartFile file, HttpServletRequest request) {
		return single(request, "image", () -> recognition.preprocessor().fromImage(bytes(file, null)));
	}

	@PostMapping(path = "/predictions", consumes = { "image/*", MediaType.APPLICATION_OCTET_STREAM_VALUE })
	Responses.PredictionResponse predictBody(HttpServletRequest request) throws IOException {
		byte[] body = body(request);
		return single(request, "image", () -> recognition.preprocessor().fromImage(body));
	}

	@PostMapping(path = "/predictions", consumes = MediaType.APPLICATION_JSON_VALUE)
	Responses.PredictionResponse predictPixels(@Valid @RequestBody PixelsRequest pixels, HttpServletRequest request) {
		return single(request, "pixels", () -> fromPixels(pixels, null));
	}

	@PostMapping(path = "/predictions/batch", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	Responses.BatchResponse predictUploads(@RequestPart("files") List<MultipartFile> files,
			HttpServletRequest request) {
		checkBatchSize(files.size());
		List<Supplier<Preprocessed>> inputs = new ArrayList<>();
		for (int i = 0; i < files.size(); i++) {
			MultipartFile file = files.get(i);
			int index = i;
			inputs.add(() -> recognition.preprocessor().fromImage(bytes(file, index)));
		}
		return batch(request, inputs);
	}

	@PostMapping(path = "/predictions/batch", consumes = MediaType.APPLICATION_JSON_VALUE)
	Responses.BatchResponse predictPixelBatch(@Valid @RequestBody PixelsRequest.Batch body,
			HttpServletRequest request) {
		checkBatchSize(body.images().size());
		List<Supplier<Preprocessed>> inputs = new ArrayList<>();
		for (int i = 0; i < body.images().size(); i++) {
			PixelsRequest image = body.images().get(i);
			int index = i;
			inputs.add(() -> fromPixels(image, index));
		}
		return batch(request, inputs);
	}

	@GetMapping("/model")
	Map<String, Object> model() {
		var model = recognition.model();
		return Map.of("name", model.name(), "version", model.version(), "labels", model.labels(), "metadata",
				model.metadata());
	}

	private Responses.PredictionResponse single(HttpServletRequest request, String endpoint,
			Supplier<Preprocessed> input) {
		request.setAttribute(ENDPOINT_ATTRIBUTE, endpoint);
		long start = System.nanoTime();
		RecognitionService.Result result = recognition.recognize(List.of(input));
		RecognitionService.Recognized only = result.images().get(0);
		Classification c = only.classification();
		return new Responses.PredictionResponse(RequestIdFilter.of(request), c.digit(), c.probability(),
				c.probabilities(), input(only.input()), c.cached(), modelRef(),
				timings(result, c.queueNanos(), c.computeNanos(), start));
	}

	private Responses.BatchResponse batch(HttpServletRequest request, List<Supplier<Preprocessed>> inputs) {
		request.setAttribute(ENDPOINT_ATTRIBUTE, "batch");
		long start = System.nanoTime();
		RecognitionService.Result result = recognition.recognize(inputs);
		List<Responses.Prediction> predictions = new ArrayList<>();
		long queue = 0;
		long compute = 0;
		for (RecognitionService.Recognized r : result.images()) {
			Classification c = r.classification();
			predictions.add(new Responses.Prediction(c.digit(), c.probability(), c.probabilities(), input(r.input()),
					c.cached()));
			queue = Math.max(queue, c.queueNanos());
			compute = Math.max(compute, c.computeNanos());
		}
		return new Responses.BatchResponse(RequestIdFilter.of(request), predictions.size(), predictions, modelRef(),
				timings(result, queue, compute, start));
	}

	private Preprocessed fromPixels(PixelsRequest request, Integer index) {
		List<Double> values = request.pixels();
		String where = index == null ? "" : "image " + index + ": ";
		if (values.size() != DigitNetwork.PIXELS) {
			throw new PreprocessingException(Reason.INVALID_PIXELS,
					where + "expected " + DigitNetwork.PIXELS + " pixel values (28x28, row-major), got " + values.size());
		}
		String range = request.range() == null ? "0-255" : request.range();
		switch (range) {
			case "0-255" -> {
				int[] grey = new int[values.size()];
				for (int i = 0; i < grey.length; i++) {
					Double v = values.get(i);
					if (v == null || v != Math.rint(v) || v < 0 || v > 255) {
						throw new PreprocessingException(Reason.INVALID_PIXELS, where + "pixel " + i + " is " + v
								+ ": with range \"0-255\" every value must be an integer from 0 to 255");
					}
					grey[i] = v.intValue();
				}
				return recognition.preprocessor().fromGreyLevels(grey);
			}
			case "0-1" -> {
				float[] unit = new float[values.size()];
				for (int i = 0; i < unit.length; i++) {
					Double v = values.get(i);
					if (v == null) {
						throw new PreprocessingException(Reason.INVALID_PIXELS, where + "pixel " + i + " is null");
					}
					unit[i] = v.floatValue();
				}
				return recognition.preprocessor().fromUnitFloats(unit);
			}
			default -> throw new PreprocessingException(Reason.INVALID_PIXELS,
					where + "range must be \"0-255\" or \"0-1\", got \"" + range + "\"");
		}
	}

	private void checkBatchSize(int size) {
		if (size == 0) {
			throw new InvalidRequestException("the batch holds no images");
		}
		if (size > properties.maxBatchImages()) {
			throw new TooLargeException("the batch holds " + size + " images; at most " + properties.maxBatchImages()
					+ " are accepted in one request");
		}
	}

	private byte[] bytes(MultipartFile file, Integer index) {
		String where = index == null ? "" : "file " + index + ": ";
		if (file.getSize() > properties.maxImageSize().toBytes()) {
			throw new TooLargeException(where + "the image is " + file.getSize() + " bytes; the limit is "
					+ properties.maxImageSize().toBytes());
		}
		try {
			return file.getBytes();
		}
		catch (IOException ex) {
			throw new PreprocessingException(Reason.UNDECODABLE, where + "the upload could not be read");
		}
	}

	/** The raw request body, refused past the size limit without reading it all. */
	private byte[] body(HttpServletRequest request) throws IOException {
		long limit = properties.maxImageSize().toBytes();
		if (request.getContentLengthLong() > limit) {
			throw new TooLargeException("the image is " + request.getContentLengthLong() + " bytes; the limit is " + limit);
		}
		try (InputStream in = request.getInputStream()) {
			byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
			if (body.length > limit) {
				throw new TooLargeException("the image is larger than the limit of " + limit + " bytes");
			}
			return body;
		}
	}

	private static Responses.Input input(Preprocessed p) {
		return new Responses.Input(p.format(), p.width(), p.height(), p.inverted(), p.reframed());
	}

	private Responses.ModelRef modelRef() {
		return new Responses.ModelRef(recognition.model().name(), recognition.model().version());
	}

	private static Responses.Timings timings(RecognitionService.Result result, long queueNanos, long computeNanos,
			long start) {
		return new Responses.Timings(millis(result.preprocessNanos()), millis(queueNanos), millis(computeNanos),
				millis(System.nanoTime() - start));
	}

	private static double millis(long nanos) {
		return Math.round(nanos / 1_000.0) / 1_000.0;
	}

}
