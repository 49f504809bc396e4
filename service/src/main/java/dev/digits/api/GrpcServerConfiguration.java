package dev.digits.api;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.digits.grpc.inference.GRPCInferenceServiceGrpc;
import dev.digits.serving.DataPlane;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.grpc.server.autoconfigure.GrpcServerExecutorProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.ServerBuilderCustomizer;

/**
 * The gRPC server's own limits (Spring gRPC starts it, on its own port, with the
 * {@code spring.grpc.server.*} settings) and its standard health service, which answers
 * SERVING exactly while the data plane is ready.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(GrpcProperties.class)
class GrpcServerConfiguration {

	@Bean
	ServerBuilderCustomizer<NettyServerBuilder> grpcLimits(GrpcProperties properties) {
		return builder -> builder.maxConcurrentCallsPerConnection(properties.maxConcurrentCallsPerConnection())
			.handshakeTimeout(properties.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS)
			.maxRstFramesPerWindow(properties.maxResetsPerWindow(), (int) properties.resetWindow().toSeconds());
	}

	@Bean
	GrpcExecutor grpcExecutor(GrpcProperties properties) {
		return new GrpcExecutor(properties.threads());
	}

	/**
	 * A fixed pool of {@code digits.grpc.threads} threads runs the calls (grpc-java's own
	 * default grows without bound); shut down with the context, after the server.
	 */
	static final class GrpcExecutor implements GrpcServerExecutorProvider, DisposableBean {

		private final ExecutorService pool;

		GrpcExecutor(int threads) {
			AtomicInteger count = new AtomicInteger();
			this.pool = Executors.newFixedThreadPool(threads, runnable -> {
				Thread thread = new Thread(runnable, "grpc-call-" + count.incrementAndGet());
				thread.setDaemon(true);
				return thread;
			});
		}

		@Override
		public ExecutorService getExecutor() {
			return this.pool;
		}

		@Override
		public void destroy() {
			this.pool.shutdownNow();
		}

	}

	@Bean
	GrpcHealth grpcHealth(HealthStatusManager health, DataPlane plane, GrpcProperties properties) {
		return new GrpcHealth(health, plane, properties);
	}

	/**
	 * Keeps the health service's status (the server's, {@code ""}, and the inference
	 * service's) SERVING while the data plane is ready and NOT_SERVING otherwise, checked
	 * every {@code digits.grpc.health-interval}; at shutdown NOT_SERVING for good.
	 */
	static final class GrpcHealth implements SmartLifecycle {

		static final String SERVICE = GRPCInferenceServiceGrpc.SERVICE_NAME;

		private final HealthStatusManager health;

		private final DataPlane plane;

		private final GrpcProperties properties;

		private ScheduledExecutorService timer;

		GrpcHealth(HealthStatusManager health, DataPlane plane, GrpcProperties properties) {
			this.health = health;
			this.plane = plane;
			this.properties = properties;
			update();
		}

		void update() {
			ServingStatus status;
			try {
				status = plane.ready() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
			}
			catch (RuntimeException ex) {
				status = ServingStatus.NOT_SERVING;
			}
			health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
			health.setStatus(SERVICE, status);
		}

		@Override
		public synchronized void start() {
			timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
				Thread thread = new Thread(runnable, "grpc-health");
				thread.setDaemon(true);
				return thread;
			});
			long every = properties.healthInterval().toMillis();
			timer.scheduleWithFixedDelay(this::update, 0, every, TimeUnit.MILLISECONDS);
		}

		@Override
		public synchronized void stop() {
			if (timer != null) {
				timer.shutdownNow();
				timer = null;
			}
			health.enterTerminalState();
		}

		@Override
		public synchronized boolean isRunning() {
			return timer != null;
		}

	}

}
