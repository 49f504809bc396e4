package dev.digits.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.digits.inference.DigitClassifier.Classification;
import dev.digits.preprocessing.Preprocessed;
import dev.digits.preprocessing.Upload;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
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
		return single(request, "image", new Upload.Image(bytes(file, null)));
	}

	@PostMapping(path = "/predictions", consumes = { "image/*", MediaType.APPLICATION_OCTET_STREAM_VALUE })
	Responses.PredictionResponse predictBody(HttpServletRequest request) throws IOException {
		return single(request, "image", new Upload.Image(body(request)));
	}

	@PostMapping(path = "/predictions", consumes = MediaType.APPLICATION_JSON_VALUE)
	Responses.PredictionResponse predictPixels(HttpServletRequest request) throws IOException {
		return single(request, "pixels", PredictionBodies.single(request.getInputStream()));
	}

	@PostMapping(path = "/predictions/batch", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	Responses.BatchResponse predictUploads(@RequestPart("files") List<MultipartFile> files,
			HttpServletRequest request) {
		checkBatchSize(files.size());
		List<Upload> uploads = new ArrayList<>(files.size());
		for (int i = 0; i < files.size(); i++) {
			uploads.add(new Upload.Image(bytes(files.get(i), i)));
		}
		return batch(request, uploads);
	}

	@PostMapping(path = "/predictions/batch", consumes = MediaType.APPLICATION_JSON_VALUE)
	Responses.BatchResponse predictPixelBatch(HttpServletRequest request) throws IOException {
		List<Upload> uploads = PredictionBodies.batch(request.getInputStream(), properties.maxBatchImages());
		checkBatchSize(uploads.size());
		return batch(request, uploads);
	}

	@GetMapping("/model")
	Map<String, Object> model() {
		var model = recognition.model();
		return Map.of("name", model.name(), "version", model.version(), "labels", model.labels(), "metadata",
				model.metadata());
	}

	private Responses.PredictionResponse single(HttpServletRequest request, String endpoint, Upload upload) {
		request.setAttribute(ENDPOINT_ATTRIBUTE, endpoint);
		long start = System.nanoTime();
		RecognitionService.Result result = recognition.recognize(upload);
		RecognitionService.Recognized only = result.images().get(0);
		Classification c = only.classification();
		return new Responses.PredictionResponse(RequestIdFilter.of(request), c.digit(), c.probability(),
				c.probabilities(), input(only.input()), c.cached(), modelRef(),
				timings(result, c.queueNanos(), c.computeNanos(), start));
	}

	private Responses.BatchResponse batch(HttpServletRequest request, List<Upload> uploads) {
		request.setAttribute(ENDPOINT_ATTRIBUTE, "batch");
		long start = System.nanoTime();
		RecognitionService.Result result = recognition.recognizeBatch(uploads);
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
			throw new java.io.UncheckedIOException(where + "the upload could not be read", ex);
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
