package dev.digits.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.digits.model.LoadedModel;
import dev.digits.serving.DriftMonitor;
import dev.digits.serving.ModelProperties;
import dev.digits.serving.ModelManager;
import dev.digits.serving.Outcomes;
import dev.digits.serving.ServedModel;
import dev.digits.serving.TrafficPolicy;
import dev.digits.serving.UnknownVersionException;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The model versions, public: each with its state, traffic share, accuracy so far from
 * feedback (with a 95% Wilson interval), shadow agreement, drift of its traffic from its
 * validation images, and a summary of its metadata. Feedback counts are this replica's
 * since it started; Prometheus has them summed over replicas.
 */
@RestController
@RequestMapping(path = "/api/v1", produces = MediaType.APPLICATION_JSON_VALUE)
@Tag(name = "models", description = "The model versions: state, traffic share, A/B figures, metadata")
@Endpoint(Endpoint.Role.READ)
class ModelsController {

	private final ModelManager manager;

	private final Outcomes outcomes;

	private final ModelProperties properties;

	private final DriftMonitor drift;

	ModelsController(ModelManager manager, Outcomes outcomes, ModelProperties properties, DriftMonitor drift) {
		this.drift = drift;
		this.manager = manager;
		this.outcomes = outcomes;
		this.properties = properties;
	}

	@GetMapping("/models")
	Map<String, Object> models() {
		return listing(false);
	}

	/**
	 * The default version, as before versions existed: name, version, labels, the
	 * metadata.
	 */
	@GetMapping("/model")
	Map<String, Object> model() {
		return model(manager.policy().defaultVersion());
	}

	@GetMapping("/models/{version}")
	Map<String, Object> model(@PathVariable String version) {
		ServedModel served = manager.get(version).orElseThrow(() -> new UnknownVersionException(version));
		Map<String, Object> json = describe(served, manager.policy(), false);
		LoadedModel model = served.model();
		if (model != null) {
			json.put("labels", model.labels());
			Map<String, Object> metadata = new LinkedHashMap<>(model.metadata());
			metadata.remove(dev.digits.model.GoldenSet.KEY);
			json.put("metadata", metadata);
		}
		return json;
	}

	Map<String, Object> listing(boolean withPaths) {
		TrafficPolicy policy = manager.policy();
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("name", properties.name());
		json.put("default", policy.defaultVersion());
		json.put("weights", policy.weights());
		json.put("shadow", policy.shadow());
		List<Map<String, Object>> versions = manager.all().stream().map(m -> describe(m, policy, withPaths)).toList();
		json.put("versions", versions);
		return json;
	}

	private Map<String, Object> describe(ServedModel served, TrafficPolicy policy, boolean withPaths) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("name", properties.name());
		json.put("version", served.version());
		json.put("state", served.state().name());
		if (served.failure() != null) {
			json.put("failure", withPaths ? served.failure() : "the version failed its load checks (see the logs)");
		}
		json.put("since", served.since().toString());
		json.put("trafficShare", policy.share(served.version()));
		json.put("default", served.version().equals(policy.defaultVersion()));
		json.put("shadow", served.version().equals(policy.shadow()));
		json.put("feedback", accuracy(outcomes.accuracy(served.version())));
		if (served.version().equals(policy.shadow()) || outcomes.agreement(served.version()).total() > 0) {
			json.put("shadowAgreement", accuracy(outcomes.agreement(served.version())));
		}
		drift.status(served.version()).ifPresent(status -> json.put("drift", status.toJson()));
		LoadedModel model = served.model();
		if (model != null) {
			json.put("artifact", model.version());
			json.put("summary", summary(model.metadata()));
			json.put("loadMillis", served.loadMillis());
			json.put("memoryBytes", served.memoryBytes());
		}
		if (withPaths) {
			json.put("dir", served.dir().toAbsolutePath().toString());
			json.put("inFlight", served.inFlight());
		}
		return json;
	}

	private static Map<String, Object> accuracy(Outcomes.Accuracy accuracy) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("right", accuracy.correct());
		json.put("total", accuracy.total());
		json.put("rate", accuracy.estimate());
		json.put("wilson95", accuracy.wilson());
		if (accuracy.clients() >= 0) {
			json.put("clients", accuracy.clients());
		}
		return json;
	}

	private static Map<String, Object> summary(Map<String, Object> metadata) {
		Map<String, Object> summary = new LinkedHashMap<>();
		for (String key : List.of("createdAt", "description", "derivedFrom")) {
			if (metadata.get(key) != null) {
				summary.put(key, metadata.get(key));
			}
		}
		if (metadata.get("metrics") instanceof Map<?, ?> metrics && metrics.get("test") instanceof Map<?, ?> test) {
			summary.put("testAccuracy", test.get("accuracy"));
		}
		if (metadata.get("training") instanceof Map<?, ?> training) {
			summary.put("epochs", training.get("epochsRun"));
			if (training.get("augmentation") != null) {
				summary.put("augmented", true);
			}
		}
		return summary;
	}

}
