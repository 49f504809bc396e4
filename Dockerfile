# syntax=docker/dockerfile:1
#
# digit-service container image.
#
#   docker build -t digit-service:1.0.0 .
#   docker run --rm -p 8080:8080 -p 9090:9090 -p 127.0.0.1:8081:8081 --memory=1536m --cpus=2 digit-service:1.0.0
#   (8080: the API and the page; 9090: the Open Inference Protocol over gRPC; 8081: health and
#   metrics, /actuator/**, here on loopback only)
#   # another model: docker run ... -v "$PWD/models:/app/models:ro" digit-service:1.0.0
#
# Needs BuildKit (default since Docker 23; docker/build-push-action uses it) for the Maven cache
# mount. docker/tests/check-container-start.sh runs this file's extraction, ENV, ENTRYPOINT and
# HEALTHCHECK outside a container and so keeps them honest: change them together.

############################################################################ build
# Java 25 (the code is compiled for 17, which still builds and runs it): on 21 and later the
# request threads are virtual (application.yml, spring.threads.virtual), so clients that trickle
# their bodies park cheap threads instead of holding a fixed pool (docs/security.md).
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src

# Wrapper and build settings first.
# ND4J_BUILD: which of ND4J's x86-64 native builds the image carries. avx2 (the default): the AVX2
#   oneDNN build alone (94 MB; the jar people run carries three, 295 MB). It ran as fast as the
#   AVX-512 build on an AVX-512 server (docs/BENCHMARKS.md, "Native builds"), and x86-64 server CPUs
#   have had AVX2 since 2013; on one without it the service stops at start with a message saying
#   so (dev.digits.model.NativeBuild). all: the three builds (AVX-512, AVX2, any x86-64), picked at
#   start by the CPU. On an arm64 build stage this changes nothing (one build).
ARG ND4J_BUILD=avx2
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
RUN chmod +x mvnw
COPY core/ core/
COPY tools/ tools/
COPY service/ service/
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -DskipTests package -pl service -am -Dnd4j.build=${ND4J_BUILD} \
 && cp service/target/digit-service-*.jar /src/application.jar

# Split the fat jar into Spring Boot's layers (dependencies, spring-boot-loader,
# snapshot-dependencies, application), so the runtime stage can copy them as separate image
# layers: the ND4J/OpenBLAS native jars sit in "dependencies" (~210 MB) and are not re-shipped
# when only the code changes ("application" is about 1 MB). Without --launcher: the application
# is a plain jar whose manifest lists lib/*.jar, run with java -jar, so that its classes come from
# the JVM's own class loader, the only one whose classes the AOT cache below can hold.
RUN java -Djarmode=tools -jar application.jar extract --layers --destination /extracted

# The HEALTHCHECK program (see HEALTHCHECK below for why not curl or wget).
COPY docker/healthcheck/HealthCheck.java /healthcheck-src/
RUN javac --release 17 -d /healthcheck /healthcheck-src/HealthCheck.java

########################################################################## runtime
FROM eclipse-temurin:25-jre

# An unprivileged user with a fixed numeric id, so Kubernetes' runAsNonRoot can verify it.
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Layers from least to most often changed. Each COPY is one image layer.
COPY --from=build /extracted/dependencies/ ./
COPY --from=build /extracted/spring-boot-loader/ ./
COPY --from=build /extracted/snapshot-dependencies/ ./
COPY --from=build /healthcheck/ ./healthcheck/
# The model is baked in; mount another folder over /app/models (or point DIGITS_MODEL_DIR at a
# mounted folder) to serve a different one without rebuilding.
COPY models/ ./models/
COPY --from=build /extracted/application/ ./

# DIGITS_MODEL_DIR: absolute, so it does not depend on the working directory.
# OMP_NUM_THREADS=1: one OpenMP thread per inference worker. ND4J's default (one per core) makes
#   the workers and OpenMP fight over the cores: on 2 cores one conv GEMM went from 0.31 ms to
#   4.7 ms (measured on a 2-core box). Parallelism comes from the worker pool instead.
# The JavaCPP cache (where the native libraries are unpacked at start, ~450 MB) goes to /tmp,
#   the one writable place; on Kubernetes /tmp is an emptyDir and the root filesystem read-only.
# LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs: one JSON object per log line (Elastic Common Schema) with
#   the request id, trace id, model version and outcome as fields, for a log pipeline to parse;
#   `./mvnw spring-boot:run` stays human-readable. docs/operations.md "Logs and traces".
# SERVER_PORT=8080: the API, the page and /readyz, /livez. MANAGEMENT_SERVER_PORT=8081: the
#   probes and metrics (/actuator/health/**, /actuator/info, /actuator/prometheus) on a connector
#   with threads of their own, so clients holding every request thread cannot fail the liveness
#   probe or blind the scrape (application.yml says the same; the HEALTHCHECK program reads it).
# DIGITS_GRPC_PORT=9090: the Open Inference Protocol over gRPC (docs/api.md "gRPC"), with the
#   standard gRPC health service for gRPC probes.
ENV DIGITS_MODEL_DIR=/app/models \
    OMP_NUM_THREADS=1 \
    SERVER_PORT=8080 \
    MANAGEMENT_SERVER_PORT=8081 \
    DIGITS_GRPC_PORT=9090 \
    LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs

# The JVM's ahead-of-time cache (Java 25: JEP 483, 514, 515): the classes the service loads and
# links, and its methods' profiles, recorded here from one start of the service and its self
# warm-up (digits.warm-up.exit-when-done ends it), so that each container starts from them
# (docs/performance-gap.md, "Start to ready": Spring's start about halves). The flags are the
# ENTRYPOINT's with -XX:MaxRAM as the Kubernetes limit, and docker/tests/check-container-start.sh
# checks they stay so: the JVM uses the cache only with the same class path and compatible
# flags, and otherwise prints "[error][aot]" lines and starts without it. The unpacked native
# libraries (/tmp) are removed in the same step, so they are not in the image. About 30 s here;
# under QEMU (the workflow's arm64 build) expect minutes (the warm-up stops at its max-duration).
RUN java -XX:AOTCacheOutput=/app/app.aot -XX:MaxRAM=1536m \
        --enable-native-access=ALL-UNNAMED -XX:MaxRAMPercentage=25 -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
        -Dorg.bytedeco.javacpp.maxbytes=100% -Dorg.bytedeco.javacpp.maxphysicalbytes=340% \
        -Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp-cache \
        -jar application.jar --digits.warm-up.exit-when-done=true \
 && rm -rf /tmp/* /tmp/.[!.]*

USER 10001:10001
EXPOSE 8080 8081 9090

# Readiness on the management port (MANAGEMENT_SERVER_PORT, /actuator/health/readiness), probed
# with a small Java program compiled in the build stage. Why not curl or
# wget: the Temurin images do not promise them (curl was dropped from the JDK 22+ images, and
# Adoptium aims at minimal images without extra tools: adoptium/containers#814,
# adoptium-support#1413), and a JRE cannot run a .java file directly (no compiler module). The
# program needs only the java we already ship. Its cost is one short-lived JVM (~0.3 s of CPU,
# 16 MB heap) every 30 s.
# start-period covers the unpacking of the native libraries, model load and warm-up.
HEALTHCHECK --interval=30s --timeout=10s --start-period=120s --retries=3 \
    CMD ["java", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx16m", "-cp", "/app/healthcheck", "HealthCheck"]

# Exec form: java is PID 1 and receives SIGTERM itself; Spring then stops accepting requests,
# lets in-flight ones finish (server.shutdown=graceful, spring.lifecycle.timeout-per-shutdown-
# phase=20s) and exits. Give it at least 30 s (docker stop -t 30, compose stop_grace_period,
# Kubernetes terminationGracePeriodSeconds).
#
# Memory, all relative to the container's limit L (the JVM reads the cgroup limit), so one image
# fits every pod size and nothing must be recomputed when L changes:
# -XX:MaxRAMPercentage=25     heap = 0.25 L. The heap holds requests and Spring; the network's
#                             weights and activations live off-heap in ND4J buffers.
# -Dorg.bytedeco.javacpp.maxbytes=100%
#                             JavaCPP's cap on the off-heap memory it tracks (ND4J buffers and
#                             workspaces, Pointer.totalBytes, metric digits_offheap_bytes).
#                             "%" is relative to the max heap: 100% = 0.25 L. Left unset, it is
#                             the same value; set here so it is a decision, not an accident.
# -Dorg.bytedeco.javacpp.maxphysicalbytes=340%
#                             JavaCPP's cap on the whole process's resident memory (heap + off-
#                             heap + metaspace + code cache + thread stacks + native libraries;
#                             metric digits_offheap_physical_bytes). 340% of the heap = 0.85 L.
#                             Past it JavaCPP runs System.gc() and retries, then throws
#                             OutOfMemoryError for that allocation (the request fails, the pod
#                             lives). The default would be maxbytes + heap = 0.5 L, which starves
#                             a healthy process; anything at or above L lets the kernel's OOM
#                             killer strike first. 15% headroom covers what JavaCPP does not see
#                             between its checks.
# -XX:+UseG1GC               the collector, named: left to ergonomics, a JVM with less than 1792 MB
#                             of memory (the pod's 1536Mi limit) is not a "server-class machine"
#                             and gets the Serial collector, while the benchmarks (-XX:MaxRAM on a
#                             larger host) got G1. Measured with the Dockerfile's other flags
#                             (docs/performance-gap.md, "Collectors"): Serial made 3-4x as many
#                             pauses and the worst p99 at 1,000 req/s (18 ms, against 9-15 for G1);
#                             Parallel raised the no-op ceiling but not predictions, with full
#                             collections of 110-220 ms; G1's longest pause was 26-28 ms outside
#                             overload.
# -XX:+ExitOnOutOfMemoryError a heap OOM leaves the JVM in an unknown state: exit, let the
#                             orchestrator restart (the service is stateless).
# -Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp-cache   see ENV above.
# -XX:AOTCache=/app/app.aot   the cache recorded above; Java 25 (JEP 483, 514, 515).
# --enable-native-access=ALL-UNNAMED   JavaCPP loads ND4J's native libraries with System.load,
#                             which Java 24+ warns about (and a future release will refuse)
#                             unless native access is granted; Java 17 accepts the flag too.
# The native build is chosen at start from the CPU (AVX-512, else AVX2, else generic); set
# DIGITS_NATIVE_BUILD=avx512|avx2|generic to force one.
ENTRYPOINT ["java", \
    "--enable-native-access=ALL-UNNAMED", \
    "-XX:MaxRAMPercentage=25", \
    "-XX:+UseG1GC", \
    "-XX:+ExitOnOutOfMemoryError", \
    "-Dorg.bytedeco.javacpp.maxbytes=100%", \
    "-Dorg.bytedeco.javacpp.maxphysicalbytes=340%", \
    "-Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp-cache", \
    "-XX:AOTCache=/app/app.aot", \
    "-jar", "application.jar"]
