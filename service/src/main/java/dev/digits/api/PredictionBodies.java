package dev.digits.api;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.digits.preprocessing.PixelScale;
import dev.digits.preprocessing.PreprocessingException;
import dev.digits.preprocessing.Reason;
import dev.digits.preprocessing.Upload;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads the JSON bodies of the prediction API as a stream, never building a tree: a
 * single image {@code {"pixels": [784 numbers], "range": "0-255"}} or {@code {"image":
 * "<base64 or data URL>"}}, or a batch {@code {"images": [...]}} of either. Reading stops
 * at the first value past what a valid request can hold (the 785th pixel, the image past
 * the batch limit), so the cost of a body is bounded by what a valid one costs, whatever
 * its size. Unknown fields are skipped.
 */
final class PredictionBodies {

	static final String SHAPE = "{\"pixels\": [784 numbers], \"range\": \"0-255\" or \"0-1\"} or {\"image\": \"<base64 or data URL>\"}";

	private static final JsonFactory FACTORY = new JsonFactory();

	private PredictionBodies() {
	}

	static Upload single(InputStream body, long maxImageBytes) {
		try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(), body)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw new InvalidRequestException("The body must be a JSON object: " + SHAPE + ".");
			}
			return image(parser, "", maxImageBytes);
		}
	}

	static List<Upload> batch(InputStream body, int maxImages, long maxImageBytes) {
		return array(body, "images", maxImages, maxImageBytes);
	}

	/**
	 * The image objects of the array {@code field} of a JSON object ({@code images} here,
	 * {@code instances} in KServe's v1 protocol), at most {@code maxImages}.
	 */
	static List<Upload> array(InputStream body, String field, int maxImages, long maxImageBytes) {
		try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(), body)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw new InvalidRequestException(
						"The body must be a JSON object: {\"" + field + "\": [" + SHAPE + ", ...]}.");
			}
			List<Upload> images = null;
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String name = parser.currentName();
				JsonToken value = parser.nextToken();
				if (!field.equals(name)) {
					parser.skipChildren();
					continue;
				}
				if (value != JsonToken.START_ARRAY) {
					throw new InvalidRequestException("\"" + field + "\" must be an array of " + SHAPE + ".");
				}
				images = new ArrayList<>();
				JsonToken next;
				while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
					if (images.size() == maxImages) {
						throw new TooLargeException("the batch holds more than " + maxImages + " images; at most "
								+ maxImages + " are accepted in one request");
					}
					if (next != JsonToken.START_OBJECT) {
						throw new InvalidRequestException(
								field + "[" + images.size() + "] must be an object: " + SHAPE + ".");
					}
					images.add(image(parser, "image " + images.size() + ": ", maxImageBytes));
				}
			}
			if (images == null) {
				throw new InvalidRequestException("The body has no \"" + field + "\" array.");
			}
			return images;
		}
	}

	/** The fields of one image object; the parser is on its START_OBJECT. */
	private static Upload image(JsonParser parser, String where, long maxImageBytes) {
		double[] pixels = null;
		byte[] encoded = null;
		PixelScale scale = PixelScale.GREY_LEVELS;
		while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
			String name = parser.currentName();
			JsonToken value = parser.nextToken();
			switch (name) {
				case "pixels" -> pixels = pixels(parser, value, where);
				case "image" -> {
					if (value != JsonToken.VALUE_STRING) {
						throw new InvalidRequestException(where + "\"image\" must be a string: base64, or a data URL "
								+ "like data:image/png;base64,...");
					}
					encoded = Base64Images.decode(parser.getString(), maxImageBytes, where);
				}
				case "range" -> {
					String label = value == JsonToken.VALUE_STRING ? parser.getString() : parser.getText();
					scale = PixelScale.of(label)
						.orElseThrow(() -> new PreprocessingException(Reason.INVALID_PIXELS,
								where + "range must be \"0-255\" or \"0-1\", got " + abbreviate(label)));
				}
				default -> parser.skipChildren();
			}
		}
		if (pixels != null && encoded != null) {
			throw new InvalidRequestException(where + "send either \"pixels\" or \"image\", not both");
		}
		if (encoded != null) {
			return new Upload.Image(encoded);
		}
		if (pixels == null) {
			throw new InvalidRequestException(where + "\"pixels\" or \"image\" is missing: " + SHAPE + ".");
		}
		return new Upload.Pixels(pixels, scale);
	}

	private static double[] pixels(JsonParser parser, JsonToken token, String where) {
		if (token != JsonToken.START_ARRAY) {
			throw new InvalidRequestException(where + "\"pixels\" must be an array of numbers: " + SHAPE + ".");
		}
		double[] values = new double[Upload.Pixels.MAX_VALUES];
		int n = 0;
		JsonToken next;
		while ((next = parser.nextToken()) != JsonToken.END_ARRAY) {
			if (next != JsonToken.VALUE_NUMBER_INT && next != JsonToken.VALUE_NUMBER_FLOAT) {
				throw new PreprocessingException(Reason.INVALID_PIXELS,
						where + "pixel " + n + " is " + abbreviate(parser.getText()) + ", not a number");
			}
			values[n++] = parser.getDoubleValue();
			if (n == values.length) {
				break; // one past a valid grid: the length check refuses it without
						// reading on
			}
		}
		return Arrays.copyOf(values, n);
	}

	private static String abbreviate(String text) {
		if (text == null) {
			return "null";
		}
		return text.length() > 20 ? "\"" + text.substring(0, 20) + "...\"" : "\"" + text + "\"";
	}

}
