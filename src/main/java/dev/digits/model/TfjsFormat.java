package dev.digits.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.digits.model.ChannelsLastWeights.Tensor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The card's network in TensorFlow.js layers format: a {@code model.json}-style topology
 * whose {@code weightsManifest} points at one little-endian binary file, optionally with
 * 8-bit weights (TF.js' affine {@code uint8} quantization, one scale and minimum per
 * tensor; biases stay float32).
 *
 * <p>
 * Layouts differ from DL4J: conv kernels are {@code [kh,kw,in,out]} (DL4J
 * {@code [out,in,kh,kw]}) and TF.js flattens channels-last (h, w, c) where DL4J flattens
 * channels-first (c, h, w), so the first dense kernel's rows are reordered.
 */
public final class TfjsFormat {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private TfjsFormat() {
	}

	/**
	 * Writes {@code json} and, beside it, {@code weightsFile}.
	 * @param quantize store kernels as 8-bit affine-quantized values
	 * @return the size in bytes of the weights file
	 */
	public static long write(MultiLayerNetwork network, Path json, String weightsFile, boolean quantize)
			throws IOException {
		ByteBuffer buffer = ByteBuffer.allocate(ChannelsLastWeights.TENSORS.stream().mapToInt(t -> t.size() * 4).sum())
			.order(ByteOrder.LITTLE_ENDIAN);
		ArrayNode weights = JSON.createArrayNode();
		for (Tensor tensor : ChannelsLastWeights.TENSORS) {
			float[] values = ChannelsLastWeights.read(network, tensor);
			ObjectNode spec = weights.addObject();
			spec.put("name", tensor.name());
			ArrayNode shape = spec.putArray("shape");
			for (int d : tensor.shape()) {
				shape.add(d);
			}
			spec.put("dtype", "float32");
			if (quantize && !tensor.isBias()) {
				float min = Float.MAX_VALUE;
				float max = -Float.MAX_VALUE;
				for (float v : values) {
					min = Math.min(min, v);
					max = Math.max(max, v);
				}
				float scale = max > min ? (max - min) / 255f : 1f;
				ObjectNode q = spec.putObject("quantization");
				q.put("dtype", "uint8");
				q.put("scale", scale);
				q.put("min", min);
				for (float v : values) {
					buffer.put((byte) Math.round((v - min) / scale));
				}
			}
			else {
				for (float v : values) {
					buffer.putFloat(v);
				}
			}
		}
		Path dir = json.toAbsolutePath().getParent();
		Files.createDirectories(dir);
		byte[] bytes = java.util.Arrays.copyOf(buffer.array(), buffer.position());
		Files.write(dir.resolve(weightsFile), bytes);

		ObjectNode root = JSON.createObjectNode();
		root.put("format", "layers-model");
		root.put("generatedBy", "digit-service " + TfjsFormat.class.getPackage().getName());
		root.putNull("convertedBy");
		root.set("modelTopology", topology());
		ObjectNode group = root.putArray("weightsManifest").addObject();
		group.putArray("paths").add(weightsFile);
		group.set("weights", weights);
		Files.writeString(json, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
		return bytes.length;
	}

	/**
	 * Reads a file written by {@link #write} (float or quantized) into a DL4J network.
	 */
	public static MultiLayerNetwork read(Path json) throws IOException {
		JsonNode root = JSON.readTree(json.toFile());
		JsonNode layers = root.path("modelTopology").path("config").path("layers");
		JsonNode expected = topology().path("config").path("layers");
		if (layers.size() != expected.size()) {
			throw new IOException(json + ": " + layers.size() + " layers, expected the card's " + expected.size());
		}
		for (int i = 0; i < expected.size(); i++) {
			if (!layers.get(i).path("class_name").equals(expected.get(i).path("class_name"))) {
				throw new IOException(json + ": layer " + i + " is " + layers.get(i).path("class_name").asString()
						+ ", expected " + expected.get(i).path("class_name").asString());
			}
		}
		JsonNode group = root.path("weightsManifest").get(0);
		Path bin = json.toAbsolutePath().getParent().resolve(group.path("paths").get(0).asString());
		ByteBuffer buffer = ByteBuffer.wrap(Files.readAllBytes(bin)).order(ByteOrder.LITTLE_ENDIAN);
		Map<String, JsonNode> specs = new LinkedHashMap<>();
		List<JsonNode> order = new ArrayList<>();
		for (JsonNode spec : group.path("weights")) {
			specs.put(spec.path("name").asString(), spec);
			order.add(spec);
		}
		Map<String, float[]> values = new LinkedHashMap<>();
		for (JsonNode spec : order) {
			int size = 1;
			for (JsonNode d : spec.path("shape")) {
				size *= d.asInt();
			}
			float[] data = new float[size];
			JsonNode q = spec.path("quantization");
			if (q.isMissingNode() || q.isNull()) {
				for (int i = 0; i < size; i++) {
					data[i] = buffer.getFloat();
				}
			}
			else {
				if (!"uint8".equals(q.path("dtype").asString())) {
					throw new IOException(json + ": unsupported quantization " + q.path("dtype").asString());
				}
				float scale = (float) q.path("scale").asDouble();
				float min = (float) q.path("min").asDouble();
				for (int i = 0; i < size; i++) {
					data[i] = (buffer.get() & 0xFF) * scale + min;
				}
			}
			values.put(spec.path("name").asString(), data);
		}
		if (buffer.hasRemaining()) {
			throw new IOException(bin + ": " + buffer.remaining() + " bytes left over after the manifest's weights");
		}
		MultiLayerNetwork network = DigitNetwork.create(0, 0.001);
		for (Tensor tensor : ChannelsLastWeights.TENSORS) {
			float[] keras = values.get(tensor.name());
			if (keras == null || keras.length != tensor.size()) {
				throw new IOException(json + ": weight " + tensor.name() + " missing or of the wrong size");
			}
			ChannelsLastWeights.write(network, tensor, keras);
		}
		return network;
	}

	/** The Keras/TF.js Sequential topology of the card's network. */
	private static ObjectNode topology() {
		ObjectNode topology = JSON.createObjectNode();
		topology.put("class_name", "Sequential");
		ObjectNode config = topology.putObject("config");
		config.put("name", "mnist_cnn");
		ArrayNode layers = config.putArray("layers");
		ObjectNode conv1 = conv(layers, "conv2d", 32);
		ArrayNode input = conv1.putArray("batch_input_shape");
		input.addNull().add(28).add(28).add(1);
		conv1.put("dtype", "float32");
		pool(layers, "max_pooling2d");
		conv(layers, "conv2d_1", 64);
		pool(layers, "max_pooling2d_1");
		layer(layers, "Dropout", "dropout").put("rate", 0.25);
		layer(layers, "Flatten", "flatten").put("data_format", "channels_last");
		dense(layers, "dense", 128, "relu");
		layer(layers, "Dropout", "dropout_1").put("rate", 0.5);
		dense(layers, "dense_1", 10, "softmax");
		topology.put("keras_version", "tfjs-layers 4.22.0");
		topology.put("backend", "tensor_flow.js");
		return topology;
	}

	private static ObjectNode layer(ArrayNode layers, String className, String name) {
		ObjectNode layer = layers.addObject();
		layer.put("class_name", className);
		ObjectNode config = layer.putObject("config");
		config.put("name", name);
		config.put("trainable", true);
		return config;
	}

	private static ObjectNode conv(ArrayNode layers, String name, int filters) {
		ObjectNode c = layer(layers, "Conv2D", name);
		c.put("filters", filters);
		c.putArray("kernel_size").add(3).add(3);
		c.putArray("strides").add(1).add(1);
		c.put("padding", "valid");
		c.put("data_format", "channels_last");
		c.putArray("dilation_rate").add(1).add(1);
		c.put("activation", "relu");
		c.put("use_bias", true);
		return c;
	}

	private static void pool(ArrayNode layers, String name) {
		ObjectNode p = layer(layers, "MaxPooling2D", name);
		p.putArray("pool_size").add(2).add(2);
		p.putArray("strides").add(2).add(2);
		p.put("padding", "valid");
		p.put("data_format", "channels_last");
	}

	private static void dense(ArrayNode layers, String name, int units, String activation) {
		ObjectNode d = layer(layers, "Dense", name);
		d.put("units", units);
		d.put("activation", activation);
		d.put("use_bias", true);
	}

}
