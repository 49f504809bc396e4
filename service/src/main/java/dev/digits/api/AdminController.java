package dev.digits.api;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.digits.serving.ModelRepositoryExtension;
import dev.digits.serving.ModelManager;
import dev.digits.serving.ServedModel;
import dev.digits.serving.TrafficPolicy;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin API (bearer token required, see {@code SecurityConfiguration}): load and
 * unload versions from the repository, set the traffic policy, promote, roll back,
 * without a restart. Policy changes live in memory: a restart comes back to the
 * {@code digits.model.*} properties.
 */
@RestController
@RequestMapping(path = "/admin", produces = MediaType.APPLICATION_JSON_VALUE)
@SecurityRequirement(name = ApiDocumentation.ADMIN_SCHEME)
@Tag(name = "admin", description = "Versions and traffic at run time (bearer token)")
@Endpoint(Endpoint.Role.ADMIN)
class AdminController {

	/** The body of {@code PUT /admin/traffic}. */
	record PolicyRequest(String defaultVersion, Map<String, Integer> weights, String shadow) {
	}

	private final ModelManager manager;

	private final ModelRepositoryExtension repository;

	private final ModelsController models;

	AdminController(ModelManager manager, ModelRepositoryExtension repository, ModelsController models) {
		this.manager = manager;
		this.repository = repository;
		this.models = models;
	}

	@GetMapping("/models")
	Map<String, Object> list() {
		return models.listing(true);
	}

	/**
	 * Loads a version folder of the repository and waits until it is READY (200), or
	 * answers 422 {@code model-load-failed} with the reason (the version stays FAILED and
	 * takes no traffic), or 409 if an unload came first (or the version is still
	 * draining).
	 */
	@PostMapping("/models/{version}/load")
	Map<String, Object> load(@PathVariable String version) {
		return state(repository.load(version));
	}

	/**
	 * Drains and unloads a version no policy uses and no loaded ensemble needs (409
	 * otherwise). The repository watcher then leaves it unloaded until it is loaded here
	 * again.
	 */
	@PostMapping("/models/{version}/unload")
	Map<String, Object> unload(@PathVariable String version) throws InterruptedException {
		return state(repository.unload(version));
	}

	@GetMapping("/traffic")
	TrafficPolicy policy() {
		return manager.policy();
	}

	/**
	 * Replaces the policy at once; every version it names must be READY (409 otherwise).
	 */
	@PutMapping(path = "/traffic", consumes = MediaType.APPLICATION_JSON_VALUE)
	TrafficPolicy setPolicy(@RequestBody PolicyRequest request) {
		TrafficPolicy next;
		try {
			next = new TrafficPolicy(request.defaultVersion(), request.weights(), request.shadow());
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidRequestException(ex.getMessage());
		}
		manager.setPolicy(next);
		return next;
	}

	/** All traffic to {@code version}, which becomes the default. */
	@PostMapping("/models/{version}/promote")
	TrafficPolicy promote(@PathVariable String version) {
		TrafficPolicy next = TrafficPolicy.only(version);
		manager.setPolicy(next);
		return next;
	}

	/** Back to the policy before the last change. */
	@PostMapping("/traffic/rollback")
	TrafficPolicy rollback() {
		return manager.rollback();
	}

	private static Map<String, Object> state(ServedModel served) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("version", served.version());
		json.put("state", served.state().name());
		if (served.failure() != null) {
			json.put("failure", served.failure());
		}
		json.put("loadMillis", served.loadMillis());
		json.put("memoryBytes", served.memoryBytes());
		return json;
	}

}
