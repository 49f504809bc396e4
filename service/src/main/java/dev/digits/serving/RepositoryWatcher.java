package dev.digits.serving;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.digits.model.ModelRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the served versions in step with the repository on disk, as TF Serving polls its
 * file system: a version folder that appears is loaded once its files have not changed
 * between two polls (READY, but it takes traffic only when the policy says so); one that
 * disappears is unloaded unless the policy still uses it; a FAILED version is retried
 * when its files change. What it may do is the {@link ModelManager}'s decision: it never
 * reloads a version an admin unloaded. Polling rather than file-system events: Kubernetes
 * volumes and network file systems do not all deliver events.
 */
public final class RepositoryWatcher implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RepositoryWatcher.class);

	private final ModelRepository repository;

	private final ModelManager manager;

	private final Duration settle;

	/** Each version's fingerprint at the last poll. */
	private final Map<String, String> seen = new HashMap<>();

	private final ScheduledExecutorService timer = Timers.daemon("model-repository-watcher");

	public RepositoryWatcher(ModelRepository repository, ModelManager manager, Duration interval) {
		this.repository = repository;
		this.manager = manager;
		this.settle = interval;
		if (!interval.isZero()) {
			timer.scheduleWithFixedDelay(this::poll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
		}
	}

	/** One scan; also called once at start, synchronously, with no settling time. */
	synchronized void poll() {
		try {
			scan(settle);
		}
		catch (RuntimeException ex) {
			logger.warn("scanning the model repository {} failed: {}", repository.root().toAbsolutePath(),
					ex.getMessage());
		}
	}

	/**
	 * Offers what is new or changed to the manager and waits for its loads; returns the
	 * versions found. With a settling time, a folder is offered only once its fingerprint
	 * is the one the previous poll saw (a copy in progress is not loaded half-written,
	 * whatever its file times).
	 */
	synchronized Set<String> scan(Duration settleTime) {
		List<ModelRepository.Source> sources = repository.scan(settleTime);
		Map<String, String> previous = new HashMap<>(seen);
		seen.clear();
		for (ModelRepository.Source source : sources) {
			seen.put(source.version(), source.fingerprint());
			boolean steady = settleTime.isZero() || source.fingerprint().equals(previous.get(source.version()));
			if (steady) {
				manager.load(source, ModelManager.Origin.WATCHER).join();
			}
		}
		Set<String> present = sources.stream().map(ModelRepository.Source::version).collect(Collectors.toSet());
		for (ServedModel model : manager.all()) {
			if (!present.contains(model.version())) {
				try {
					manager.removedFromRepository(model.version(), model.dir());
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return present;
				}
			}
		}
		return present;
	}

	@Override
	public void close() {
		timer.shutdownNow();
	}

}
