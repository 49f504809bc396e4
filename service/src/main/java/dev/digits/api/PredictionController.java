package dev.digits.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

import dev.digits.inference.DigitClassifier.Classification;
import dev.digits.preprocessing.Preprocessed;
import dev.digits.serving.DataPlane;
import dev.digits.serving.Explainer;
import dev.digits.serving.RecognitionService;
import dev.digits.preprocessing.Upload;
import io.swagger.v3.oas.annotations.Hidden;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * The prediction API, version 1. Single images come as a multipart {@code file}, as the
 * raw body with an {@code image/*} content type, or as 784 numbers in JSON; the batch
 * endpoint takes several of either and answers in order. The version that answers is
 * chosen by the traffic policy, unless the path or {@code X-Model-Version} pins one;
 * {@code X-Client-Id} keeps a client's variant. {@code ?include=input} adds the 28x28
 * input the network saw, as a PNG data URL.
 */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "predictions", description = "Recognise digits in images or pixel arrays")
@Endpoint(Endpoint.Role.PREDICTION)
class PredictionController {

	private final DataPlane plane;

	private final ApiProperties properties;

	private final org.springframework.beans.factory.ObjectProvider<Explainer> explainer;

	PredictionController(DataPlane plane, ApiProperties properties,
			org.springframework.beans.factory.ObjectProvider<Explainer> explainer) {
		this.plane = plane;
		this.properties = properties;
		this.explainer = explainer;
	}

	@Operation(summary = "Recognise one image",
			description = "One image as a multipart file part, the raw body, JSON pixels or a JSON base64 image. "
					+ "`?include=input` adds the 28x28 input the network saw. The `{version}` path pins a version.")
	@io.swagger.v3.oas.annotations.parameters.RequestBody(content = {
			@Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
					schema = @Schema(implementation = ApiSchemas.FileUpload.class)),
			@Content(mediaType = "image/*", schema = @Schema(type = "string", format = "binary")),
			@Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
					schema = @Schema(oneOf = { ApiSchemas.PixelsBody.class, ApiSchemas.ImageBody.class })) })
	@PostMapping(path = { "/predictions", "/models/{version}/predictions" },
			consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	Responses.PredictionResponse predictUpload(@RequestPart("file") MultipartFile file, HttpServletRequest request,
			@PathVariable(required = false) String version) {
		return single(request, version, "image", new Upload.Image(bytes(file, null)));
	}

	@Hidden
	@PostMapping(path = { "/predictions", "/models/{version}/predictions" },
			consumes = { "image/*", MediaType.APPLICATION_OCTET_STREAM_VALUE })
	Responses.PredictionResponse predictBody(HttpServletRequest request, @PathVariable(required = false) String version)
			throws IOException {
		return single(request, version, "image", new Upload.Image(body(request)));
	}

	@Hidden
	@PostMapping(path = { "/predictions", "/models/{version}/predictions" },
			consumes = MediaType.APPLICATION_JSON_VALUE)
	Responses.PredictionResponse predictPixels(HttpServletRequest request,
			@PathVariable(required = false) String version) throws IOException {
		Upload upload = PredictionBodies.single(request.getInputStream(), properties.maxImageSize().toBytes());
		return single(request, version, upload instanceof Upload.Pixels ? "pixels" : "image", upload);
	}

	@Operation(summary = "Recognise up to 64 images, answered in order",
			description = "Repeated multipart `files` parts, or JSON `{\"images\": [...]}` of pixels or base64 images.")
	@io.swagger.v3.oas.annotations.parameters.RequestBody(content = {
			@Content(mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
					schema = @Schema(implementation = ApiSchemas.FilesUpload.class)),
			@Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
					schema = @Schema(implementation = ApiSchemas.BatchBody.class)) })
	@Endpoint(value = Endpoint.Role.PREDICTION, metric = "batch")
	@PostMapping(path = { "/predictions/batch", "/models/{version}/predictions/batch" },
			consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
	Responses.BatchResponse predictUploads(@RequestPart("files") List<MultipartFile> files, HttpServletRequest request,
			@PathVariable(required = false) String version) {
		checkBatchSize(files.size());
		List<Upload> uploads = new ArrayList<>(files.size());
		for (int i = 0; i < files.size(); i++) {
			uploads.add(new Upload.Image(bytes(files.get(i), i)));
		}
		return batch(request, version, uploads);
	}

	@Hidden
	@Endpoint(value = Endpoint.Role.PREDICTION, metric = "batch")
	@PostMapping(path = { "/predictions/batch", "/models/{version}/predictions/batch" },
			consumes = MediaType.APPLICATION_JSON_VALUE)
	Responses.BatchResponse predictPixelBatch(HttpServletRequest request,
			@PathVariable(required = false) String version) throws IOException {
		List<Upload> uploads = PredictionBodies.batch(request.getInputStream(), properties.maxBatchImages(),
				properties.maxImageSize().toBytes());
		checkBatchSize(uploads.size());
		return batch(request, version, uploads);
	}

	private Responses.PredictionResponse single(HttpServletRequest request, String version, String endpoint,
			Upload upload) {
		request.setAttribute(InferenceRequests.ENDPOINT_ATTRIBUTE, endpoint);
		if (request.getParameter("explain") != null) {
			ExplanationImages.check(request.getParameter("explain"), request.getParameter("explain-digit"),
					"explain-digit");
		}
		boolean capture = consent(request);
		long start = System.nanoTime();
		RecognitionService.Result result = plane.infer(new DataPlane.InferenceRequest(plane.modelName(),
				List.of(upload), false, InferenceRequests.routing(request, version, null, null)));
		RecognitionService.Recognized only = result.images().get(0);
		Classification c = only.classification();
		RecognitionService.Answer a = only.answer();
		Responses.Explanation explanation = explanation(request, result.version(), only);
		return new Responses.PredictionResponse(RequestIdFilter.of(request), a.digit(), a.probabilities()[a.digit()],
				a.probabilities(), a.confidence(), a.uncertain(), a.outOfDistribution(), only.input().severalDigits(),
				input(only.input(), request), c.cached(), modelRef(result),
				timings(result, c.queueNanos(), c.computeNanos(), start), only.feedbackToken(), explanation,
				capture ? (plane.capture(result) ? "pending" : "off") : null);
	}

	/**
	 * {@code ?capture=consent}: the client agrees that the input the model saw is kept
	 * with the label its feedback gives. Any other value is refused.
	 */
	private static boolean consent(HttpServletRequest request) {
		String capture = request.getParameter("capture");
		if (capture == null) {
			return false;
		}
		if (!capture.equals("consent")) {
			throw new InvalidRequestException("capture takes one value, consent (the input is kept with the "
					+ "label feedback gives it), got " + capture);
		}
		return true;
	}

	/**
	 * {@code ?explain=occlusion|integrated-gradients} (and {@code explain-digit}, the
	 * answer by default): the explanation of the answer, or null when not asked for.
	 */
	private Responses.Explanation explanation(HttpServletRequest request, String version,
			RecognitionService.Recognized recognized) {
		String method = request.getParameter("explain");
		if (method == null) {
			return null;
		}
		return ExplanationImages.explain(explainer.getObject(), version, recognized, method,
				request.getParameter("explain-digit"), "explain-digit");
	}

	private Responses.BatchResponse batch(HttpServletRequest request, String version, List<Upload> uploads) {
		if (request.getParameter("explain") != null) {
			throw new InvalidRequestException(
					"explanations are for one image at a time: send it to /api/v1/predictions with ?explain=");
		}
		if (request.getParameter("capture") != null) {
			throw new InvalidRequestException("capture is for one image at a time (feedback labels one image of "
					+ "a request): send it to /api/v1/predictions with ?capture=consent");
		}
		request.setAttribute(InferenceRequests.ENDPOINT_ATTRIBUTE, "batch");
		long start = System.nanoTime();
		RecognitionService.Result result = plane.infer(new DataPlane.InferenceRequest(plane.modelName(), uploads, true,
				InferenceRequests.routing(request, version, null, null)));
		List<Responses.Prediction> predictions = new ArrayList<>();
		long queue = 0;
		long compute = 0;
		for (RecognitionService.Recognized r : result.images()) {
			Classification c = r.classification();
			RecognitionService.Answer a = r.answer();
			predictions.add(new Responses.Prediction(a.digit(), a.probabilities()[a.digit()], a.probabilities(),
					a.confidence(), a.uncertain(), a.outOfDistribution(), r.input().severalDigits(),
					input(r.input(), request), c.cached(), r.feedbackToken()));
			queue = Math.max(queue, c.queueNanos());
			compute = Math.max(compute, c.computeNanos());
		}
		return new Responses.BatchResponse(RequestIdFilter.of(request), predictions.size(), predictions,
				modelRef(result), timings(result, queue, compute, start));
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
			throw new TooLargeException(
					"the image is " + request.getContentLengthLong() + " bytes; the limit is " + limit);
		}
		try (InputStream in = request.getInputStream()) {
			// the first buffer at most what the body's reservation holds before its bytes
			// arrive: a client that declares a large body and sends it slowly holds no
			// more
			byte[] body = BodyBytes.read(in, request.getContentLengthLong(), limit, RequestBodyLimitFilter.STEP);
			if (body.length > limit) {
				throw new TooLargeException("the image is larger than the limit of " + limit + " bytes");
			}
			return body;
		}
	}

	private static Responses.Input input(Preprocessed p, HttpServletRequest request) {
		String include = request.getParameter("include");
		String image = include != null && java.util.Arrays.asList(include.split(",")).contains("input")
				? "data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(p.png()) : null;
		return new Responses.Input(p.format(), p.width(), p.height(), p.inverted(), p.reframed(), image);
	}

	private static Responses.ModelRef modelRef(RecognitionService.Result result) {
		return new Responses.ModelRef(result.modelName(), result.version(), result.assignment());
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
