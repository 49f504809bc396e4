package dev.digits.serving;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

import dev.digits.model.DigitNetwork;
import dev.digits.preprocessing.Upload;

/**
 * What every protocol offers, in one place: server liveness and readiness, model
 * readiness and metadata, and inference. REST v1 and the Open Inference Protocol (v2) are
 * adapters over it: they parse their own bodies and write their own errors, and leave
 * routing, the choice of version, the model's name and its tensors to this class. Load
 * and unload live in {@link ModelRepositoryExtension}.
 */
public final class DataPlane {

	/** The platform the protocol's model metadata names. */
	public static final String PLATFORM = "deeplearning4j_nd4j";

	/** A tensor the model takes or gives: its name, data type and shape (-1: any). */
	public record TensorSpec(String name, String datatype, long[] shape) {
	}

	/** The server: its name, version, and the protocol extensions it supports. */
	public record ServerMetadata(String name, String version, List<String> extensions) {
	}

	/**
	 * A model: its name, the versions READY to answer, its platform, and the tensors it
	 * takes and gives.
	 */
	public record ModelMetadata(String name, List<String> versions, String platform, List<TensorSpec> inputs,
			List<TensorSpec> outputs) {
	}

	/**
	 * An inference: the model asked for by name, the images in order (a batch answers
	 * each; a single image is named without an index in errors), and how to route it (the
	 * version it pins, if any, among them).
	 */
	public record InferenceRequest(String modelName, List<Upload> uploads, boolean batch,
			RecognitionService.Routing routing) {
	}

	/**
	 * The inputs the model takes: pixels as FP32 0..1 or UINT8 0..255, or encoded images.
	 */
	public static final List<TensorSpec> INPUTS = List.of(new TensorSpec("input", "FP32", new long[] { -1, 28, 28 }),
			new TensorSpec("input", "UINT8", new long[] { -1, 28, 28 }),
			new TensorSpec("image", "BYTES", new long[] { -1 }));

	/** The outputs it gives, one row per image. */
	public static final List<TensorSpec> OUTPUTS = List.of(
			new TensorSpec("probabilities", "FP32", new long[] { -1, DigitNetwork.CLASSES }),
			new TensorSpec("digit", "INT64", new long[] { -1 }),
			new TensorSpec("confidence", "FP32", new long[] { -1 }),
			new TensorSpec("uncertain", "BOOL", new long[] { -1 }),
			new TensorSpec("out_of_distribution", "BOOL", new long[] { -1 }),
			new TensorSpec("several_digits", "BOOL", new long[] { -1 }),
			new TensorSpec("feedback_token", "BYTES", new long[] { -1 }));

	/** The longest client id a request may carry. */
	public static final int MAX_CLIENT_ID = 256;

	private final RecognitionService recognition;

	private final ModelManager manager;

	private final String modelName;

	private final ServerMetadata server;

	public DataPlane(RecognitionService recognition, ModelManager manager, String modelName, String serverVersion,
			List<String> extensions) {
		this.recognition = recognition;
		this.manager = manager;
		this.modelName = modelName;
		this.server = new ServerMetadata("digit-service", serverVersion, List.copyOf(extensions));
	}

	public ServerMetadata server() {
		return this.server;
	}

	/** The name of the model served (its versions are chosen by routing). */
	public String modelName() {
		return this.modelName;
	}

	/** The process answers; nothing more is checked. */
	public boolean live() {
		return true;
	}

	/** Every version that takes traffic is READY. */
	public boolean ready() {
		return this.manager.ready();
	}

	/**
	 * Whether {@code version} of {@code name} (null: the default version) is READY.
	 * @throws UnknownModelException another model's name
	 * @throws UnknownVersionException a version this service does not know
	 */
	public boolean modelReady(String name, String version) {
		return model(name, version).state() == ServedModel.State.READY;
	}

	/**
	 * The model's metadata; {@code version} (null: the default) must be known.
	 * @throws UnknownModelException another model's name
	 * @throws UnknownVersionException a version this service does not know
	 */
	public ModelMetadata metadata(String name, String version) {
		model(name, version);
		List<String> ready = this.manager.all()
			.stream()
			.filter(m -> m.state() == ServedModel.State.READY)
			.map(ServedModel::version)
			.toList();
		return new ModelMetadata(this.modelName, ready, PLATFORM, INPUTS, OUTPUTS);
	}

	/**
	 * Checks that {@code name} is the model served and {@code version} (null: any) a
	 * version known, before a request's body is read.
	 * @throws UnknownModelException another model's name
	 * @throws UnknownVersionException a version this service does not know
	 */
	public void checkServed(String name, String version) {
		if (!this.modelName.equals(name)) {
			throw new UnknownModelException(name);
		}
		if (version != null) {
			model(name, version);
		}
	}

	/**
	 * Recognises the request's images with the version it pins or the one the policy
	 * routes it to.
	 * @throws UnknownModelException another model's name
	 * @throws UnknownVersionException a pinned version this service does not know
	 */
	public RecognitionService.Result infer(InferenceRequest request) {
		checkServed(request.modelName(), request.routing().pinnedVersion());
		return request.batch() ? this.recognition.recognizeBatch(request.uploads(), request.routing())
				: this.recognition.recognize(request.uploads().get(0), request.routing());
	}

	/**
	 * The routing a request asks for, checked: the version it pins (a path or header,
	 * null for none), its sticky client key (null for none), the digits it allows as
	 * {@code "1,2,3"} (null for all), and who to tell the assigned version.
	 * @throws InvalidInferenceException a malformed version, client id or digit list
	 */
	public static RecognitionService.Routing routing(String pinnedVersion, String clientId, String allowedDigits,
			Consumer<String> assigned) {
		String pinned = blankToNull(pinnedVersion);
		if (pinned != null && !pinned.matches(dev.digits.model.ModelRepository.VERSION)) {
			throw new InvalidInferenceException("\"" + abbreviate(pinned) + "\" is not a model version");
		}
		String client = blankToNull(clientId);
		if (client != null && client.length() > MAX_CLIENT_ID) {
			throw new InvalidInferenceException("the client id may have at most " + MAX_CLIENT_ID + " characters");
		}
		return new RecognitionService.Routing(client, pinned, allowedDigits(allowedDigits), assigned);
	}

	/** {@code "1,2,3"}: the only digits the answer may be; null when absent. */
	static Set<Integer> allowedDigits(String text) {
		if (text == null || text.isBlank()) {
			return null;
		}
		Set<Integer> digits = new TreeSet<>();
		for (String part : text.split(",")) {
			String digit = part.strip();
			if (!digit.matches("[0-9]")) {
				throw new InvalidInferenceException(
						"allowed must list digits 0 to 9 separated by commas, e.g. 1,2,3; got \"" + abbreviate(text)
								+ "\"");
			}
			digits.add(Integer.parseInt(digit));
		}
		return digits;
	}

	private ServedModel model(String name, String version) {
		if (!this.modelName.equals(name)) {
			throw new UnknownModelException(name);
		}
		String v = version != null ? version : this.manager.policy().defaultVersion();
		return this.manager.get(v).orElseThrow(() -> new UnknownVersionException(v));
	}

	private static String blankToNull(String text) {
		return text == null || text.isBlank() ? null : text.strip();
	}

	private static String abbreviate(String text) {
		return text.length() > 40 ? text.substring(0, 40) + "..." : text;
	}

	/** A model name this server does not serve. */
	public static final class UnknownModelException extends RuntimeException {

		public UnknownModelException(String name) {
			super("model " + abbreviate(String.valueOf(name)) + " is not served here");
		}

	}

	/**
	 * An inference request that is well formed in its protocol but asks for something the
	 * service does not do.
	 */
	public static class InvalidInferenceException extends RuntimeException {

		public InvalidInferenceException(String message) {
			super(message);
		}

	}

	/**
	 * Holds the inputs of a consented prediction until feedback labels them; false when
	 * this service captures nothing.
	 */
	public boolean capture(RecognitionService.Result result) {
		return recognition.capture(result);
	}

}
