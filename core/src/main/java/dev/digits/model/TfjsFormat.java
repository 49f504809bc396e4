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
 * The network in TensorFlow.js layers format: a {@code model.json}-style topology whose
 * {@code weightsManifest} points at one little-endian binary file, optionally with 8-bit
 * weights (TF.js' affine {@code uint8} quantization, one scale and minimum per tensor;
 * biases stay float32).
 *
 * <p>
 * Layouts differ from DL4J: conv kernels are {@code [kh,kw,in,out]} (DL4J
 * {@code [out,in,kh,kw]}) and TF.js flattens channels-last (h, w, c) where DL4J flattens
 * channels-first (c, h, w), so the rows of a dense kernel after a flatten are reordered
 * ({@link ChannelsLastWeights}). The topology, the tensors' names and shapes follow from
 * the {@link NetworkSpec}.
 */
public final class TfjsFormat {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private TfjsFormat() {
	}

	/**
	 * Writes the card's {@code network} to {@code json} and, beside it,
	 * {@code weightsFile}.
	 * @param quantize store kernels as 8-bit affine-quantized values
	 * @return the size in bytes of the weights file
	 */
	public static long write(MultiLayerNetwork network, Path json, String weightsFile, boolean quantize)
			throws IOException {
		return write(NetworkSpec.MNIST_CNN, network, json, weightsFile, quantize);
	}

	/**
	 * Writes {@code network}, of {@code architecture}, to {@code json} and, beside it,
	 * {@code weightsFile}.
	 * @param quantize store kernels as 8-bit affine-quantized values
	 * @return the size in bytes of the weights file
	 */
	public static long write(NetworkSpec architecture, MultiLayerNetwork network, Path json, String weightsFile,
			boolean quantize) throws IOException {
		List<Tensor> tensors = ChannelsLastWeights.tensors(architecture);
		ByteBuffer buffer = ByteBuffer.allocate(tensors.stream().mapToInt(t -> t.size() * 4).sum())
			.order(ByteOrder.LITTLE_ENDIAN);
		ArrayNode weights = JSON.createArrayNode();
		for (Tensor tensor : tensors) {
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
		root.set("modelTopology", topology(architecture));
		ObjectNode group = root.putArray("weightsManifest").addObject();
		group.putArray("paths").add(weightsFile);
		group.set("weights", weights);
		Files.writeString(json, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root));
		return bytes.length;
	}

	/**
	 * Reads a file of the card's network written by {@link #write} (float or quantized)
	 * into a DL4J network.
	 */
	public static MultiLayerNetwork read(Path json) throws IOException {
		return read(json, NetworkSpec.MNIST_CNN);
	}

	/**
	 * Reads a file written by {@link #write} (float or quantized) into a DL4J network of
	 * {@code architecture}.
	 * @throws IOException when its layers are not those of {@code architecture}, or its
	 * weights not of their shapes
	 */
	public static MultiLayerNetwork read(Path json, NetworkSpec architecture) throws IOException {
		JsonNode root = JSON.readTree(json.toFile());
		JsonNode layers = root.path("modelTopology").path("config").path("layers");
		JsonNode expected = topology(architecture).path("config").path("layers");
		if (layers.size() != expected.size()) {
			throw new IOException(json + ": " + layers.size() + " layers, expected " + expected.size());
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
		MultiLayerNetwork network = DigitNetwork.create(architecture, 0, 0.001);
		for (Tensor tensor : ChannelsLastWeights.tensors(architecture)) {
			float[] keras = values.get(tensor.name());
			if (keras == null || keras.length != tensor.size()) {
				throw new IOException(json + ": weight " + tensor.name() + " missing or of the wrong size");
			}
			ChannelsLastWeights.write(network, tensor, keras);
		}
		return network;
	}

	/** The Keras/TF.js Sequential topology of {@code spec}. */
	private static ObjectNode topology(NetworkSpec spec) {
		ObjectNode topology = JSON.createObjectNode();
		topology.put("class_name", "Sequential");
		ObjectNode config = topology.putObject("config");
		config.put("name", spec.name());
		ArrayNode layers = config.putArray("layers");
		List<String> names = ChannelsLastWeights.kerasNames(spec);
		for (int i = 0; i < spec.layers().size(); i++) {
			ObjectNode layer = layer(layers, spec.layers().get(i), names.get(i));
			if (i == 0) {
				layer.putArray("batch_input_shape").addNull().add(spec.height()).add(spec.width()).add(spec.channels());
				layer.put("dtype", "float32");
			}
		}
		topology.put("keras_version", "tfjs-layers 4.22.0");
		topology.put("backend", "tensor_flow.js");
		return topology;
	}

	private static ObjectNode layer(ArrayNode layers, NetworkSpec.Layer layer, String name) {
		if (layer instanceof NetworkSpec.Conv c) {
			ObjectNode config = layer(layers, "Conv2D", name);
			config.put("filters", c.filters());
			config.putArray("kernel_size").add(c.kernel()).add(c.kernel());
			config.putArray("strides").add(1).add(1);
			config.put("padding", "valid");
			config.put("data_format", "channels_last");
			config.putArray("dilation_rate").add(1).add(1);
			config.put("activation", c.activation().keras());
			config.put("use_bias", true);
			return config;
		}
		if (layer instanceof NetworkSpec.MaxPool p) {
			ObjectNode config = layer(layers, "MaxPooling2D", name);
			config.putArray("pool_size").add(p.size()).add(p.size());
			config.putArray("strides").add(p.size()).add(p.size());
			config.put("padding", "valid");
			config.put("data_format", "channels_last");
			return config;
		}
		if (layer instanceof NetworkSpec.Dropout d) {
			ObjectNode config = layer(layers, "Dropout", name);
			config.put("rate", d.rate());
			return config;
		}
		if (layer instanceof NetworkSpec.Flatten) {
			ObjectNode config = layer(layers, "Flatten", name);
			config.put("data_format", "channels_last");
			return config;
		}
		NetworkSpec.Dense d = (NetworkSpec.Dense) layer;
		ObjectNode config = layer(layers, "Dense", name);
		config.put("units", d.units());
		config.put("activation", d.activation().keras());
		config.put("use_bias", true);
		return config;
	}

	private static ObjectNode layer(ArrayNode layers, String className, String name) {
		ObjectNode layer = layers.addObject();
		layer.put("class_name", className);
		ObjectNode config = layer.putObject("config");
		config.put("name", name);
		config.put("trainable", true);
		return config;
	}

}
