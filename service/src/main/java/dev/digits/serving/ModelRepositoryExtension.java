package dev.digits.serving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.digits.model.ModelRepository;

/**
 * The model repository as the protocols' repository extension sees it: its index (every
 * version in the repository or loaded, with its state), and load and unload of one
 * version by an operator. The admin API and the Open Inference Protocol's
 * {@code /v2/repository} endpoints both adapt over it.
 */
public final class ModelRepositoryExtension {

	/**
	 * A version of the index: its state ({@code READY}, {@code LOADING},
	 * {@code DRAINING}, {@code UNLOADED}, {@code FAILED}, or {@code UNAVAILABLE} for a
	 * folder never loaded) and why it failed, if it did.
	 */
	public record IndexEntry(String name, String version, String state, String reason) {
	}

	/** A version that failed its load checks: it stays FAILED and takes no traffic. */
	public static final class LoadFailedException extends RuntimeException {

		public LoadFailedException(String message) {
			super(message);
		}

	}

	private final ModelManager manager;

	private final ModelRepository repository;

	private final String modelName;

	public ModelRepositoryExtension(ModelManager manager, ModelRepository repository, String modelName) {
		this.manager = manager;
		this.repository = repository;
		this.modelName = modelName;
	}

	/**
	 * Every version in the repository (the root one first, then by folder name), then any
	 * loaded version whose folder is gone.
	 */
	public List<IndexEntry> index() {
		Map<String, IndexEntry> entries = new LinkedHashMap<>();
		for (ModelRepository.Source source : this.repository.scan(java.time.Duration.ZERO)) {
			entries.put(source.version(), new IndexEntry(this.modelName, source.version(), "UNAVAILABLE", null));
		}
		for (ServedModel served : this.manager.all()) {
			entries.put(served.version(),
					new IndexEntry(this.modelName, served.version(), served.state().name(), served.failure()));
		}
		return new ArrayList<>(entries.values());
	}

	/**
	 * Loads {@code version} from the repository and waits until it is READY.
	 * @throws UnknownVersionException no such folder in the repository
	 * @throws LoadFailedException it failed its load checks
	 * @throws PolicyConflictException an unload came first, or it is still draining
	 */
	public ServedModel load(String version) {
		ModelRepository.Source source = this.repository.find(version)
			.orElseThrow(() -> new UnknownVersionException(version));
		ServedModel served = this.manager.load(source, ModelManager.Origin.ADMIN).join();
		if (served.state() == ServedModel.State.FAILED) {
			throw new LoadFailedException("version " + version + " FAILED: " + served.failure());
		}
		if (served.state() != ServedModel.State.READY) {
			throw new PolicyConflictException("version " + version + " was unloaded while it loaded");
		}
		return served;
	}

	/**
	 * Drains and unloads a version no policy uses and no loaded ensemble needs; the
	 * repository watcher then leaves it unloaded until it is loaded again.
	 * @throws PolicyConflictException the policy or a loaded ensemble uses it
	 */
	public ServedModel unload(String version) throws InterruptedException {
		return this.manager.unload(version, ModelManager.Origin.ADMIN);
	}

	/** Whether {@code name} is the model this service serves. */
	public boolean serves(String name) {
		return this.modelName.equals(name);
	}

}
