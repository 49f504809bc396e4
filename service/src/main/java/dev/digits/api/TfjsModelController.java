package dev.digits.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import dev.digits.model.ModelFiles;
import dev.digits.serving.ModelProperties;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The TensorFlow.js export of the configured default version
 * ({@code digits.model.default-version}, the folder {@code DIR/NAME/VERSION/}) for the
 * digit-entry page's on-device mode, so that the page runs the model the server answers
 * with: {@code GET /models/tfjs/mnist-cnn.json} and the weights file it names. Exactly
 * these two fixed names are mapped (no path is ever built from the request). The answer
 * carries the version in {@code X-Model-Version} and an ETag, so a browser revalidates
 * the 0.9 MB of weights instead of downloading them again.
 */
@RestController
@Endpoint(Endpoint.Role.READ)
class TfjsModelController {

	static final String PATH = "/models/tfjs/";

	private static final MediaType JSON = MediaType.APPLICATION_JSON;

	private static final MediaType BINARY = MediaType.APPLICATION_OCTET_STREAM;

	private final ModelProperties properties;

	TfjsModelController(ModelProperties properties) {
		this.properties = properties;
	}

	@GetMapping(PATH + ModelFiles.TFJS)
	ResponseEntity<Resource> topology() throws IOException {
		return serve(new ModelFiles(folder()).tfjs(), JSON);
	}

	@GetMapping(PATH + ModelFiles.TFJS_WEIGHTS)
	ResponseEntity<Resource> weights() throws IOException {
		return serve(folder().resolve(ModelFiles.TFJS_WEIGHTS), BINARY);
	}

	/** The default version's folder (its label is validated as a plain folder name). */
	private Path folder() {
		String version = this.properties.defaultVersion();
		return this.properties.dir().resolve(this.properties.name()).resolve(version);
	}

	private ResponseEntity<Resource> serve(Path file, MediaType type) throws IOException {
		if (!Files.isRegularFile(file)) {
			throw new ResponseStatusException(HttpStatus.NOT_FOUND,
					"the model repository has no TensorFlow.js export (" + file.getFileName() + ")");
		}
		long size = Files.size(file);
		long modified = Files.getLastModifiedTime(file).toMillis();
		return ResponseEntity.ok()
			.contentType(type)
			.contentLength(size)
			.lastModified(modified)
			.eTag(Long.toHexString(size) + "-" + Long.toHexString(modified))
			.cacheControl(CacheControl.noCache())
			.header(InferenceRequests.MODEL_VERSION, this.properties.defaultVersion())
			.body(new FileSystemResource(file));
	}

}
