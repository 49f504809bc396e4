package dev.digits.api;

import java.util.List;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The JSON request bodies as the OpenAPI document shows them. The service reads them as
 * streams ({@link PredictionBodies}, {@link OipBodies}); these records only describe
 * them.
 */
final class ApiSchemas {

	private ApiSchemas() {
	}

	@Schema(description = "784 numbers, row-major 28x28; ink dark or light, either is recognised")
	record PixelsBody(
			@Schema(description = "784 values", minLength = 784, maxLength = 784,
					example = "[0, 0, 0, 255]") double[] pixels,
			@Schema(description = "0-255: whole grey levels (default); 0-1: unit floats", allowableValues = {
					"0-255", "0-1" }) String range){
	}

	@Schema(description = "An encoded image (PNG, JPEG, GIF, BMP, WebP) in base64, or a data URL as canvas.toDataURL() gives")
	record ImageBody(@Schema(description = "base64, or data:image/png;base64,...",
			example = "data:image/png;base64,iVBORw0KGgo...") String image) {
	}

	@Schema(description = "Up to 64 images, each as pixels or as an encoded image; answered in order")
	record BatchBody(@Schema(description = "each {\"pixels\": [...]} or {\"image\": \"...\"}") List<Object> images) {
	}

	@Schema(description = "The true digit of an earlier prediction")
	record FeedbackBody(@Schema(description = "the prediction's feedbackToken") String token,
			@Schema(description = "the true digit", minimum = "0", maximum = "9") int digit) {
	}

	@Schema(description = "A multipart upload")
	record FileUpload(@Schema(description = "the image", format = "binary") String file) {
	}

	@Schema(description = "A multipart batch: repeated files parts")
	record FilesUpload(@ArraySchema(schema = @Schema(type = "string", format = "binary"), maxItems = 64,
			arraySchema = @Schema(description = "the images, up to 64")) List<String> files) {
	}

}
