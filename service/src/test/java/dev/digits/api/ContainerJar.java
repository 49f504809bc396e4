package dev.digits.api;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The packaged jar started as the container starts it: the Dockerfile's own ENTRYPOINT
 * flags and ENV, with {@code -XX:MaxRAM} set to the Kubernetes memory limit to stand in
 * for the cgroup (the JVM sizes its heap, 25%, and JavaCPP its caps from it), so that
 * tests see the memory the container would have, not the development machine's.
 */
final class ContainerJar implements AutoCloseable {

	private static final Path ROOT = Path.of("").toAbsolutePath();

	final Process process;

	final int port;

	/** The probes' and metrics' port. */
	final int managementPort;

	/** The gRPC port. */
	final int grpcPort;

	final Path log;

	final long memoryLimitBytes;

	/** The feature release of the java that runs it (17, 25, ...). */
	final int javaVersion;

	private ContainerJar(Process process, int port, int managementPort, int grpcPort, Path log, long memoryLimitBytes,
			int javaVersion) {
		this.process = process;
		this.port = port;
		this.managementPort = managementPort;
		this.grpcPort = grpcPort;
		this.log = log;
		this.memoryLimitBytes = memoryLimitBytes;
		this.javaVersion = javaVersion;
	}

	/** Whether its request threads are virtual (Java 21 and later). */
	boolean virtualThreads() {
		return javaVersion >= 21;
	}

	/** Starts {@code jar} and waits until readiness is UP. */
	static ContainerJar start(Path jar, Path logDir, String... extraArgs) throws IOException, InterruptedException {
		String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
		String runtime = dockerfile.substring(dockerfile.lastIndexOf("\nFROM "));
		String joined = runtime.replace("\\\n", " ");
		List<String> entrypoint = new ArrayList<>(JsonMapper.builder()
			.build()
			.readValue(line(joined, "ENTRYPOINT").trim(), new TypeReference<List<String>>() {
			}));
		Map<String, String> env = new LinkedHashMap<>();
		Matcher kv = Pattern.compile("([A-Z_]+)=(\\S+)").matcher(line(joined, "ENV"));
		while (kv.find()) {
			env.put(kv.group(1), kv.group(2));
		}
		long limit = memoryLimit();
		int port = freePort();
		int managementPort = freePort();
		while (managementPort == port) {
			managementPort = freePort();
		}
		int grpcPort = freePort();
		while (grpcPort == port || grpcPort == managementPort) {
			grpcPort = freePort();
		}
		Files.createDirectories(logDir);
		Path log = logDir.resolve("service-" + port + ".log");
		List<String> command = new ArrayList<>();
		String javaCommand = java(entrypoint.get(0), runtime);
		command.add(javaCommand);
		command.add("-XX:MaxRAM=" + limit);
		command.add("-Djava.io.tmpdir=" + dev.digits.TemporaryFolders.create("container-tmp"));
		// the JVM options, up to "-jar application.jar"; not the AOT cache, which is made
		// for
		// the image's own jar
		for (String arg : entrypoint.subList(1, entrypoint.indexOf("-jar"))) {
			if (!arg.startsWith("-XX:AOTCache=")) {
				command.add(arg.replace("/tmp/javacpp-cache", System.getProperty("java.io.tmpdir") + "/javacpp-cache"));
			}
		}
		command.add("-jar");
		command.add(jar.toAbsolutePath().toString());
		command.add("--server.port=" + port);
		command.add("--management.server.port=" + managementPort);
		// a free gRPC port: several jars may run at once, and CI's Prometheus may hold
		// 9090
		command.add("--spring.grpc.server.port=" + grpcPort);
		command.addAll(List.of(extraArgs));
		ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
		builder.environment().putAll(env);
		builder.environment().put("DIGITS_MODEL_DIR", ROOT.resolve("models").toString());
		builder.environment().remove("SERVER_PORT");
		ContainerJar started = new ContainerJar(builder.start(), port, managementPort, grpcPort, log, limit,
				version(javaCommand));
		started.awaitReady(Duration.ofMinutes(4));
		return started;
	}

	/**
	 * The java of the container's runtime image ({@code FROM eclipse-temurin:25-jre}):
	 * the JDK of that release on this machine ({@code DIGITS_CONTAINER_JAVA_HOME}, else a
	 * folder under /usr/lib/jvm named for it), or {@code command} (the java on the PATH)
	 * when there is none, so that the tests run what the container runs wherever they
	 * can.
	 */
	static String java(String command, String runtimeStage) throws IOException {
		Matcher from = Pattern.compile("FROM\\s+\\S*temurin:(\\d+)").matcher(runtimeStage);
		if (!from.find()) {
			return command;
		}
		String release = from.group(1);
		String home = System.getenv("DIGITS_CONTAINER_JAVA_HOME");
		if (home != null && !home.isBlank()) {
			return Path.of(home, "bin", "java").toString();
		}
		Path jvms = Path.of("/usr/lib/jvm");
		if (Files.isDirectory(jvms)) {
			try (var dirs = Files.list(jvms)) {
				var found = dirs.filter(dir -> dir.getFileName().toString().matches(".*-" + release + "(-.*)?"))
					.map(dir -> dir.resolve("bin/java"))
					.filter(Files::isExecutable)
					.sorted()
					.findFirst();
				if (found.isPresent()) {
					return found.get().toString();
				}
			}
		}
		return command;
	}

	/** The feature release {@code java -version} reports. */
	static int version(String javaCommand) throws IOException, InterruptedException {
		Process p = new ProcessBuilder(javaCommand, "-version").redirectErrorStream(true).start();
		String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
		p.waitFor();
		Matcher m = Pattern.compile("version \"(\\d+)").matcher(out);
		if (!m.find()) {
			throw new IllegalStateException(javaCommand + " -version printed no version: " + out);
		}
		return Integer.parseInt(m.group(1));
	}

	/** The Deployment's memory limit, the one the Dockerfile's shares are sized for. */
	static long memoryLimit() throws IOException {
		Matcher m = Pattern.compile("limits:\\s*\\n(?:\\s+\\w+:.*\\n)*?\\s+memory:\\s*(\\d+)Mi")
			.matcher(Files.readString(ROOT.resolve("k8s/deployment.yaml")));
		if (!m.find()) {
			throw new IllegalStateException("no memory limit in k8s/deployment.yaml");
		}
		return Long.parseLong(m.group(1)) << 20;
	}

	private static String line(String text, String instruction) {
		Matcher m = Pattern.compile("(?m)^" + instruction + "\\s+(.*)$").matcher(text);
		String last = null;
		while (m.find()) {
			last = m.group(1);
		}
		if (last == null) {
			throw new IllegalStateException("no " + instruction + " in the Dockerfile's runtime stage");
		}
		return last;
	}

	private void awaitReady(Duration timeout) throws InterruptedException, IOException {
		HttpClient client = HttpClient.newHttpClient();
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException("the service exited with " + process.exitValue() + "; log: " + tail());
			}
			try {
				HttpResponse<String> ready = client.send(HttpRequest
					.newBuilder(URI.create("http://localhost:" + managementPort + "/actuator/health/readiness"))
					.build(), HttpResponse.BodyHandlers.ofString());
				if (ready.statusCode() == 200) {
					return;
				}
			}
			catch (IOException ex) {
				// not listening yet
			}
			Thread.sleep(500);
		}
		throw new IllegalStateException("not ready within " + timeout + "; log: " + tail());
	}

	/** Resident memory now and at its peak ({@code VmRSS}, {@code VmHWM}), bytes. */
	long[] residentBytes() throws IOException {
		long rss = 0;
		long peak = 0;
		for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
			if (line.startsWith("VmRSS:")) {
				rss = kilobytes(line) << 10;
			}
			else if (line.startsWith("VmHWM:")) {
				peak = kilobytes(line) << 10;
			}
		}
		return new long[] { rss, peak };
	}

	private static long kilobytes(String line) {
		return Long.parseLong(line.replaceAll("[^0-9]", ""));
	}

	String tail() throws IOException {
		List<String> lines = Files.readAllLines(log);
		return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

	@Override
	public void close() throws InterruptedException {
		process.destroy();
		if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
			process.destroyForcibly();
		}
	}

}
