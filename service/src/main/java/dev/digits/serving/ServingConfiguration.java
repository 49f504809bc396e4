package dev.digits.serving;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.digits.inference.DigitClassifier;
import dev.digits.inference.PipelineTracer;
import dev.digits.model.ModelRepository;
import dev.digits.preprocessing.ImagePreprocessor;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The serving plane: the registry of model versions (every version found in the
 * repository is loaded before the server takes traffic), the traffic policy, feedback
 * tokens, the repository watcher, and readiness (the versions that take traffic must be
 * READY).
 */
@Configuration(proxyBeanMethods = false)
class ServingConfiguration {

	private static final Logger logger = LoggerFactory.getLogger(ServingConfiguration.class);

	@Bean
	ModelRepository modelRepository(ModelProperties properties) {
		return new ModelRepository(properties.dir(), properties.name());
	}

	@Bean
	Traffic traffic(ModelProperties properties) {
		return new Traffic(properties.experiment(),
				new TrafficPolicy(properties.defaultVersion(), properties.weights(), properties.shadow()));
	}

	@Bean(destroyMethod = "close")
	ModelManager modelManager(DigitClassifier classifier, Traffic traffic, MeterRegistry meters) {
		ModelManager manager = new ModelManager(classifier, meters, traffic, Duration.ofSeconds(30));
		manager.onReady(version -> registerPolicyGauges(version, traffic, meters));
		return manager;
	}

	@Bean(destroyMethod = "close")
	RepositoryWatcher repositoryWatcher(ModelRepository repository, ModelManager manager, ModelProperties properties,
			MeterRegistry meters) {
		RepositoryWatcher watcher = new RepositoryWatcher(repository, manager, properties.pollInterval());
		watcher.scan(Duration.ZERO);
		for (String version : manager.policy().versions()) {
			ServedModel model = manager.get(version).orElse(null);
			if (model == null || model.state() != ServedModel.State.READY) {
				logger.error("version {} of the traffic policy is {}: the service is not ready until it is loaded",
						version, model == null ? "not in the repository " + repository.root().toAbsolutePath() : model);
			}
		}
		Gauge.builder("digits.model.ready", manager, m -> m.ready() ? 1 : 0)
			.description("1 while every version that takes traffic is READY")
			.register(meters);
		return watcher;
	}

	/**
	 * The policy's view of one version: its traffic share, and whether it is the default
	 * or the shadow.
	 */
	static void registerPolicyGauges(String version, Traffic traffic, MeterRegistry meters) {
		Gauge.builder("digits.model.traffic.share", traffic, t -> t.policy().share(version))
			.description("Share of traffic the policy sends to each version (0 to 1)")
			.tag("model_version", version)
			.register(meters);
		Gauge.builder("digits.model.role", traffic, t -> version.equals(t.policy().defaultVersion()) ? 1 : 0)
			.description("1 for the version in this role: default (answers unless weights say otherwise) or shadow")
			.tag("model_version", version)
			.tag("role", "default")
			.register(meters);
		Gauge.builder("digits.model.role", traffic, t -> version.equals(t.policy().shadow()) ? 1 : 0)
			.description("1 for the version in this role: default (answers unless weights say otherwise) or shadow")
			.tag("model_version", version)
			.tag("role", "shadow")
			.register(meters);
	}

	/**
	 * The votes a replica remembers: as configured, but never more than an eighth of the
	 * heap holds ({@link FeedbackTokens#BYTES_PER_VOTE} each, measured): 1,000,000 would
	 * be 350 MB of the container's 384 MB heap, an eighth of it is about 140,000 votes a
	 * day per replica. Past it the least used are forgotten (and could be replayed until
	 * they expire).
	 */
	static int remembered(int configured, long maxHeapBytes) {
		long byHeap = maxHeapBytes / 8 / FeedbackTokens.BYTES_PER_VOTE;
		int remembered = (int) Math.max(1_000, Math.min(configured, byHeap));
		if (remembered < configured) {
			logger.info("remembering {} feedback votes (an eighth of the {} MB heap), not the {} configured",
					remembered, maxHeapBytes >> 20, configured);
		}
		return remembered;
	}

	@Bean
	FeedbackTokens feedbackTokens(FeedbackProperties properties) throws IOException {
		byte[] key;
		if (properties.key() != null && !properties.key().isBlank()) {
			key = properties.key().getBytes(StandardCharsets.UTF_8);
		}
		else if (properties.keyFile() != null) {
			key = Files.readString(properties.keyFile()).strip().getBytes(StandardCharsets.UTF_8);
		}
		else {
			logger.warn("no digits.feedback.key (DIGITS_FEEDBACK_KEY) set: feedback tokens use a random key and are "
					+ "accepted only by this replica until it restarts");
			key = FeedbackTokens.randomKey();
		}
		return new FeedbackTokens(key, properties.tokenTtl(), Clock.systemUTC(),
				remembered(properties.remembered(), Runtime.getRuntime().maxMemory()),
				Math.max(1, properties.votesPerRequest()));
	}

	@Bean
	Outcomes outcomes(MeterRegistry meters) {
		return new Outcomes(meters);
	}

	@Bean
	RecognitionService recognitionService(ImagePreprocessor preprocessor, ModelManager manager, FeedbackTokens tokens,
			FeedbackProperties feedback, Outcomes outcomes, ModelProperties properties, MeterRegistry meters,
			ObjectProvider<PipelineTracer> tracer, DriftMonitor drift, CaptureStore captures) {
		return new RecognitionService(preprocessor, manager, tokens,
				new FeedbackLimiter(feedback.votesPerClient(), feedback.clientWindow()), outcomes, properties.name(),
				meters, tracer.getIfAvailable(() -> PipelineTracer.OFF), properties.uncertainBelow(), drift, captures);
	}

	@Bean(destroyMethod = "close")
	CaptureStore captureStore(CaptureProperties properties, FeedbackTokens tokens, MeterRegistry meters)
			throws IOException {
		return new CaptureStore(properties, tokens, Clock.systemUTC(), meters);
	}

	@Bean(destroyMethod = "close")
	DriftMonitor driftMonitor(ModelManager manager, DriftProperties properties, MeterRegistry meters) {
		return new DriftMonitor(manager, properties, meters);
	}

	@Bean
	Explainer explainer(ModelManager manager, ExplanationProperties properties, MeterRegistry meters) {
		return new Explainer(manager, manager.classifier(), properties.maxConcurrent(), meters);
	}

	@Bean
	DataPlane dataPlane(RecognitionService recognition, ModelManager manager, ModelProperties properties,
			ObjectProvider<BuildProperties> build) {
		BuildProperties info = build.getIfAvailable();
		return new DataPlane(recognition, manager, properties.name(), info != null ? info.getVersion() : "dev",
				List.of("model_repository"));
	}

	@Bean
	ModelRepositoryExtension modelRepositoryExtension(ModelManager manager, ModelRepository repository,
			ModelProperties properties) {
		return new ModelRepositoryExtension(manager, repository, properties.name());
	}

	/** Readiness: the versions that take traffic are READY. */
	@Bean
	HealthIndicator modelHealthIndicator(ModelManager manager) {
		return () -> {
			Map<String, Object> versions = new LinkedHashMap<>();
			manager.all().forEach(m -> versions.put(m.version(), m.state().name()));
			return (manager.ready() ? Health.up() : Health.outOfService())
				.withDetail("default", manager.policy().defaultVersion())
				.withDetail("versions", versions)
				.withDetail("engine", manager.classifier().engineName())
				.build();
		};
	}

	/** {@code /actuator/info}: the default version and every version's state. */
	@Bean
	InfoContributor modelInfoContributor(ModelManager manager, ModelProperties properties) {
		return builder -> {
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("name", properties.name());
			details.put("version", manager.policy().defaultVersion());
			manager.get(manager.policy().defaultVersion()).map(ServedModel::model).ifPresent(model -> {
				details.put("artifact", model.version());
				if (model.network() != null) {
					details.put("parameters", model.network().numParams());
				}
				if (model.metadata().get("metrics") instanceof Map<?, ?> metrics
						&& metrics.get("test") instanceof Map<?, ?> test) {
					details.put("testAccuracy", test.get("accuracy"));
				}
			});
			Map<String, Object> versions = new LinkedHashMap<>();
			manager.all().forEach(m -> versions.put(m.version(), m.state().name()));
			details.put("versions", versions);
			builder.withDetail("model", details);
		};
	}

}
