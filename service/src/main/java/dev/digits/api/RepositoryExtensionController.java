package dev.digits.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.digits.serving.DataPlane;
import dev.digits.serving.ModelRepositoryExtension;
import dev.digits.serving.ServedModel;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Open Inference Protocol's model repository extension (as KServe and Triton serve
 * it): the repository's index, and load and unload of a version, behind the admin
 * credential like the admin API. The protocol names models only; versions are named in
 * the path, as the protocol's own version paths do. Errors are {@code {"error": "..."}}.
 */
@RestController
@RequestMapping(path = "/v2/repository", produces = MediaType.APPLICATION_JSON_VALUE)
@SecurityRequirement(name = ApiDocumentation.ADMIN_SCHEME)
@Tag(name = "model-repository-extension",
		description = "Open Inference Protocol repository extension: index, load, unload (bearer token)")
@Endpoint(value = Endpoint.Role.ADMIN, dialect = Endpoint.Dialect.OIP)
class RepositoryExtensionController {

	private final ModelRepositoryExtension repository;

	RepositoryExtensionController(ModelRepositoryExtension repository) {
		this.repository = repository;
	}

	/** Every version in the repository or loaded, with its state. */
	@PostMapping("/index")
	List<Map<String, Object>> index() {
		return repository.index().stream().map(entry -> {
			Map<String, Object> json = new LinkedHashMap<>();
			json.put("name", entry.name());
			json.put("version", entry.version());
			json.put("state", entry.state());
			if (entry.reason() != null) {
				json.put("reason", entry.reason());
			}
			return json;
		}).toList();
	}

	/** Loads the version and answers when it is READY. */
	@PostMapping("/models/{name}/versions/{version}/load")
	Map<String, Object> load(@PathVariable String name, @PathVariable String version) {
		served(name);
		return answer(name, repository.load(version), "load");
	}

	/** Drains and unloads the version (409 while the policy or an ensemble uses it). */
	@PostMapping("/models/{name}/versions/{version}/unload")
	Map<String, Object> unload(@PathVariable String name, @PathVariable String version) throws InterruptedException {
		served(name);
		return answer(name, repository.unload(version), "unload");
	}

	/**
	 * A model has several versions here: the protocol's unversioned paths say which is
	 * meant.
	 */
	@PostMapping({ "/models/{name}/load", "/models/{name}/unload" })
	Map<String, Object> unversioned(@PathVariable String name) {
		served(name);
		throw new InvalidRequestException("model " + name + " has several versions: load or unload one with "
				+ "/v2/repository/models/" + name + "/versions/{version}/load or .../unload");
	}

	private void served(String name) {
		if (!repository.serves(name)) {
			throw new DataPlane.UnknownModelException(name);
		}
	}

	private static Map<String, Object> answer(String name, ServedModel served, String operation) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("name", name);
		json.put("version", served.version());
		json.put("state", served.state().name());
		json.put(operation, true);
		return json;
	}

}
