package dev.digits.api;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Reads an Open Inference Protocol v2 inference request as a stream, bounded like the v1
 * bodies: tensor data stops at the most values a valid request can hold (the batch limit
 * times 784, or the batch limit of encoded images), parameters are flat scalars, nesting
 * is bounded.
 */
final class OipBodies {

	private static final JsonFactory FACTORY = new JsonFactory();

	private OipBodies() {
	}

	/** One input tensor: numbers (FP32, UINT8...) or byte strings (BYTES), as sent. */
	record Tensor(String name, long[] shape, String datatype, double[] numbers, List<byte[]> bytes,
			Map<String, Object> parameters) {
	}

	/**
	 * The request: its id, parameters, inputs, and the names of the outputs asked for
	 * (null: all).
	 */
	record InferRequest(String id, Map<String, Object> parameters, List<Tensor> inputs, List<String> outputs) {
	}

	static InferRequest infer(InputStream body, int maxImages, long maxImageBytes) {
		try (JsonParser parser = FACTORY.createParser(ObjectReadContext.empty(), body)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw new InvalidRequestException("the inference request must be a JSON object with \"inputs\"");
			}
			String id = null;
			Map<String, Object> parameters = Map.of();
			List<Tensor> inputs = null;
			List<String> outputs = null;
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String field = parser.currentName();
				JsonToken value = parser.nextToken();
				switch (field) {
					case "id" -> id = string(parser, value, "id");
					case "parameters" -> parameters = parameters(parser, value, "parameters");
					case "inputs" -> {
						expect(value, JsonToken.START_ARRAY, "\"inputs\" must be an array");
						inputs = new ArrayList<>();
						while (parser.nextToken() != JsonToken.END_ARRAY) {
							if (inputs.size() == 4) {
								throw new InvalidRequestException("the model takes one input tensor");
							}
							inputs.add(tensor(parser, maxImages, maxImageBytes));
						}
					}
					case "outputs" -> {
						expect(value, JsonToken.START_ARRAY, "\"outputs\" must be an array");
						outputs = new ArrayList<>();
						while (parser.nextToken() != JsonToken.END_ARRAY) {
							if (outputs.size() == 16) {
								throw new InvalidRequestException("too many requested outputs");
							}
							outputs.add(requestedOutput(parser));
						}
					}
					default -> parser.skipChildren();
				}
			}
			if (inputs == null) {
				throw new InvalidRequestException("the inference request has no \"inputs\"");
			}
			return new InferRequest(id, parameters, inputs, outputs);
		}
	}

	private static Tensor tensor(JsonParser parser, int maxImages, long maxImageBytes) {
		if (parser.currentToken() != JsonToken.START_OBJECT) {
			throw new InvalidRequestException("each input must be an object with name, shape, datatype and data");
		}
		String name = null;
		long[] shape = null;
		String datatype = null;
		Map<String, Object> parameters = Map.of();
		double[] numbers = null;
		List<byte[]> bytes = null;
		int maxValues = maxImages * 784;
		while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
			String field = parser.currentName();
			JsonToken value = parser.nextToken();
			switch (field) {
				case "name" -> name = string(parser, value, "input name");
				case "datatype" -> datatype = string(parser, value, "datatype");
				case "parameters" -> parameters = parameters(parser, value, "input parameters");
				case "shape" -> {
					expect(value, JsonToken.START_ARRAY, "\"shape\" must be an array of integers");
					List<Long> dims = new ArrayList<>();
					while (parser.nextToken() != JsonToken.END_ARRAY) {
						if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT || dims.size() == 8) {
							throw new InvalidRequestException("\"shape\" must be an array of at most 8 integers");
						}
						dims.add(parser.getLongValue());
					}
					shape = dims.stream().mapToLong(Long::longValue).toArray();
				}
				case "data" -> {
					expect(value, JsonToken.START_ARRAY, "\"data\" must be an array");
					Values values = new Values(maxImages * 784, maxImages, maxImageBytes);
					values.read(parser, 1);
					if (!values.strings.isEmpty() && values.count > 0) {
						throw new InvalidRequestException("\"data\" mixes numbers and strings");
					}
					numbers = values.strings.isEmpty() ? values.numbers() : null;
					bytes = values.strings.isEmpty() ? null : values.strings;
				}
				default -> parser.skipChildren();
			}
		}
		if (name == null || shape == null || datatype == null || (numbers == null && bytes == null)) {
			throw new InvalidRequestException("each input needs \"name\", \"shape\", \"datatype\" and \"data\"");
		}
		return new Tensor(name, shape, datatype, numbers, bytes, parameters);
	}

	/**
	 * The values of one tensor's {@code data}, flattened, up to the most a valid request
	 * holds.
	 */
	private static final class Values {

		private final int maxValues;

		private final int maxImages;

		private final long maxImageBytes;

		private double[] buffer = new double[1024];

		private int count;

		private final List<byte[]> strings = new ArrayList<>();

		Values(int maxValues, int maxImages, long maxImageBytes) {
			this.maxValues = maxValues;
			this.maxImages = maxImages;
			this.maxImageBytes = maxImageBytes;
		}

		double[] numbers() {
			return Arrays.copyOf(buffer, count);
		}

		void read(JsonParser parser, int depth) {
			if (depth > 5) {
				throw new InvalidRequestException("\"data\" is nested too deeply");
			}
			JsonToken token;
			while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
				switch (token) {
					case START_ARRAY -> read(parser, depth + 1);
					case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
						if (count == maxValues) {
							throw new TooLargeException("the tensor holds more than " + maxValues + " values ("
									+ maxImages + " images of 28 x 28)");
						}
						if (count == buffer.length) {
							buffer = Arrays.copyOf(buffer, Math.min(maxValues, buffer.length * 2));
						}
						buffer[count++] = parser.getDoubleValue();
					}
					case VALUE_STRING -> {
						if (strings.size() == maxImages) {
							throw new TooLargeException("the tensor holds more than " + maxImages + " images");
						}
						strings.add(Base64Images.decode(parser.getString(), maxImageBytes,
								"image " + strings.size() + ": "));
					}
					default ->
						throw new InvalidRequestException("\"data\" may hold numbers or strings only, not " + token);
				}
			}
		}

	}

	private static String requestedOutput(JsonParser parser) {
		if (parser.currentToken() != JsonToken.START_OBJECT) {
			throw new InvalidRequestException("each requested output must be an object with a name");
		}
		String name = null;
		while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
			String field = parser.currentName();
			JsonToken value = parser.nextToken();
			if ("name".equals(field)) {
				name = string(parser, value, "output name");
			}
			else {
				parser.skipChildren();
			}
		}
		if (name == null) {
			throw new InvalidRequestException("each requested output needs a \"name\"");
		}
		return name;
	}

	/**
	 * A flat object of string, number or boolean values, as the protocol defines
	 * parameters.
	 */
	private static Map<String, Object> parameters(JsonParser parser, JsonToken value, String what) {
		expect(value, JsonToken.START_OBJECT, "\"" + what + "\" must be an object");
		Map<String, Object> parameters = new LinkedHashMap<>();
		while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
			String name = parser.currentName();
			JsonToken token = parser.nextToken();
			if (parameters.size() == 32) {
				throw new InvalidRequestException("too many " + what);
			}
			switch (token) {
				case VALUE_STRING -> parameters.put(name, parser.getString());
				case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parameters.put(name, parser.getNumberValue());
				case VALUE_TRUE, VALUE_FALSE -> parameters.put(name, token == JsonToken.VALUE_TRUE);
				default -> throw new InvalidRequestException(what + " values must be strings, numbers or booleans");
			}
		}
		return parameters;
	}

	private static String string(JsonParser parser, JsonToken token, String what) {
		if (token != JsonToken.VALUE_STRING) {
			throw new InvalidRequestException("\"" + what + "\" must be a string");
		}
		String text = parser.getString();
		if (text.length() > 256) {
			throw new InvalidRequestException("\"" + what + "\" is longer than 256 characters");
		}
		return text;
	}

	private static void expect(JsonToken actual, JsonToken expected, String message) {
		if (actual != expected) {
			throw new InvalidRequestException(message);
		}
	}

}
