package dev.digits.serving;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.digits.model.ModelRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the registry in step with the repository on disk, as TF Serving polls its file system: a
 * version folder that appears is loaded (READY, but it takes traffic only when the policy says so);
 * one that disappears is unloaded unless the policy still uses it; a FAILED version is retried when
 * its files change. Polling rather than file-system events: Kubernetes volumes and network file
 * systems do not all deliver events.
 */
public final class RepositoryWatcher implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RepositoryWatcher.class);

	private final ModelRepository repository;

	private final ModelRegistry registry;

	private final Traffic traffic;

	private final Duration settle;

	private final Map<String, Long> seen = new HashMap<>();

	private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
		Thread thread = new Thread(runnable, "model-repository-watcher");
		thread.setDaemon(true);
		return thread;
	});

	public RepositoryWatcher(ModelRepository repository, ModelRegistry registry, Traffic traffic, Duration interval) {
		this.repository = repository;
		this.registry = registry;
		this.traffic = traffic;
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
			logger.warn("scanning the model repository {} failed: {}", repository.root().toAbsolutePath(), ex.getMessage());
		}
	}

	/** Loads what is new or changed and waits for it; returns the versions found. */
	synchronized Set<String> scan(Duration settleTime) {
		List<ModelRepository.Source> sources = repository.scan(settleTime);
		for (ModelRepository.Source source : sources) {
			long changed = source.changed().toMillis();
			Long before = seen.put(source.version(), changed);
			ServedModel known = registry.get(source.version()).orElse(null);
			boolean retry = known != null && known.state() == ServedModel.State.FAILED && before != null && before != changed;
			boolean fresh = known == null || known.state() == ServedModel.State.UNLOADED;
			if (fresh || retry) {
				logger.info("model repository: loading version {} from {}", source.version(), source.dir().toAbsolutePath());
				registry.loadAsync(source.version(), source.dir()).join();
			}
		}
		Set<String> present = sources.stream().map(ModelRepository.Source::version).collect(Collectors.toSet());
		for (ServedModel model : registry.all()) {
			if (!present.contains(model.version()) && model.state() == ServedModel.State.READY
					&& !traffic.uses(model.version()) && !model.dir().toFile().isDirectory()) {
				try {
					logger.info("model repository: version {} was removed from disk; unloading it", model.version());
					registry.unload(model.version());
					seen.remove(model.version());
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
