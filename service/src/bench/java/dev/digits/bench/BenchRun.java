package dev.digits.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.stream.Stream;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.PopulationBuilder;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

/**
 * What every simulation of the HTTP benchmarks shares: its settings (system properties, set by
 * scripts/bench/run-all.sh), the marks between its phases, and what it writes beside Gatling's own
 * results.
 * <p>
 * A simulation is a chain of phases run one after the other ({@link #sequence}). Between two
 * phases a mark records the wall clock, the CPU time of this Gatling JVM ({@code /proc/self/stat}),
 * of the service ({@code /proc/<bench.servicePid>/stat}, with every process it started: a server of
 * several processes, such as the peer's uvicorn with its workers, counts whole) and of the whole
 * machine ({@code /proc/stat}), and saves the service's {@code /actuator/prometheus} text (from the
 * management port, {@code bench.managementUrl}; {@code none} for a server without one, such as the
 * peer); so each phase has
 * its own CPU shares (the load generator's beside the service's) and server-side figures. Every
 * response is also counted per phase by status, with whether a 503 carried {@code Retry-After} and a
 * problem+json body, and its response time (ms, as Gatling measures it: from sending the request
 * to the end of the response) kept apart for 200s, 503s and the rest. All of it goes to {@code <bench.out>/bench.json}; Gatling's results
 * (simulation.log, js/stats.json) to {@code -Dgatling.resultsFolder}.
 * <p>
 * Settings: {@code bench.baseUrl} (http://127.0.0.1:8080), {@code bench.managementUrl}
 * (http://127.0.0.1:8081, where the service serves {@code /actuator/**}), {@code bench.servicePid},
 * {@code bench.out} (target/benchmarks/http/adhoc), {@code bench.warmup} seconds (10),
 * {@code bench.duration} seconds per phase (20), and each simulation's own.
 */
final class BenchRun {

	static final String BASE_URL = System.getProperty("bench.baseUrl", "http://127.0.0.1:8080");

	/**
	 * The service's management port: {@code /actuator/prometheus} is served there, not on BASE_URL;
	 * {@code none} (or blank) for a server that has no such metrics (the peer): the marks then save none.
	 */
	static final String MANAGEMENT_URL = System.getProperty("bench.managementUrl", "http://127.0.0.1:8081");

	private static final boolean METRICS = !MANAGEMENT_URL.isBlank() && !"none".equals(MANAGEMENT_URL);

	static final long SERVICE_PID = Long.getLong("bench.servicePid", -1L);

	static final Path OUT = Path.of(System.getProperty("bench.out", "target/benchmarks/http/adhoc"));

	static final Duration WARMUP = Duration.ofSeconds(Long.getLong("bench.warmup", 10L));

	static final Duration DURATION = Duration.ofSeconds(Long.getLong("bench.duration", 20L));

	private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private static final List<Map<String, Object>> MARKS = new ArrayList<>();

	private static final Map<String, Phase> PHASES = new ConcurrentHashMap<>();

	private static final Map<String, Object> PARAMETERS = new LinkedHashMap<>();

	private BenchRun() {
	}

	/** Responses of one phase by status, and the 503s' form. */
	static final class Phase {

		final Map<String, AtomicLong> statuses = new ConcurrentHashMap<>();

		final AtomicLong rejectedWithRetryAfter = new AtomicLong();

		final AtomicLong rejectedAsProblem = new AtomicLong();

		final LongAccumulator firstMillis = new LongAccumulator(Math::min, Long.MAX_VALUE);

		final LongAccumulator lastMillis = new LongAccumulator(Math::max, 0);

		/** Response times in ms (Gatling's resolution) of the 200s, the 503s and the rest. */
		final Latencies ok = new Latencies();

		final Latencies rejected = new Latencies();

		final Latencies other = new Latencies();

	}

	/** Every response time of one kind, for exact percentiles at the end (a few hundred thousand at most). */
	static final class Latencies {

		private int[] millis = new int[1 << 16];

		private int size;

		synchronized void add(int ms) {
			if (size == millis.length) {
				millis = java.util.Arrays.copyOf(millis, size * 2);
			}
			millis[size++] = ms;
		}

		/** count, mean, p50, p95, p99, p99.9 and max as JSON; nearest-rank percentiles. */
		synchronized String json() {
			if (size == 0) {
				return "{\"count\": 0}";
			}
			int[] sorted = java.util.Arrays.copyOf(millis, size);
			java.util.Arrays.sort(sorted);
			long sum = 0;
			for (int v : sorted) {
				sum += v;
			}
			return String.format(Locale.ROOT,
					"{\"count\": %d, \"meanMs\": %.3f, \"p50Ms\": %d, \"p95Ms\": %d, \"p99Ms\": %d, \"p999Ms\": %d, \"maxMs\": %d}",
					size, (double) sum / size, rank(sorted, 0.50), rank(sorted, 0.95), rank(sorted, 0.99), rank(sorted, 0.999),
					sorted[size - 1]);
		}

		private static int rank(int[] sorted, double q) {
			return sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)];
		}

	}

	/** Records a setting of this run in bench.json. */
	static void parameter(String name, Object value) {
		synchronized (PARAMETERS) {
			PARAMETERS.put(name, value);
		}
	}

	/**
	 * After a request: counts its status (saved by the request's checks as {@code status},
	 * {@code retryAfter}, {@code contentType}) under {@code phase}.
	 */
	static ChainBuilder count(String phase) {
		return count(session -> phase);
	}

	/** The same, under the phase the session names (decided when its request was sent). */
	static ChainBuilder count(java.util.function.Function<io.gatling.javaapi.core.Session, String> phaseOf) {
		return exec(session -> {
			Phase p = PHASES.computeIfAbsent(phaseOf.apply(session), k -> new Phase());
			String status = session.contains("status") ? String.valueOf(session.getInt("status")) : "no-response";
			p.statuses.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
			if (session.contains("responseMillis")) {
				int ms = session.getInt("responseMillis");
				("200".equals(status) ? p.ok : "503".equals(status) ? p.rejected : p.other).add(ms);
			}
			if ("503".equals(status)) {
				if (session.contains("retryAfter")) {
					p.rejectedWithRetryAfter.incrementAndGet();
				}
				if (session.contains("contentType")
						&& session.getString("contentType").startsWith("application/problem+json")) {
					p.rejectedAsProblem.incrementAndGet();
				}
			}
			long now = System.currentTimeMillis();
			p.firstMillis.accumulate(now);
			p.lastMillis.accumulate(now);
			return session.remove("status").remove("retryAfter").remove("contentType").remove("responseMillis");
		});
	}

	/** Runs the populations one after the other, with a mark before the first and after each. */
	static PopulationBuilder sequence(List<String> names, List<PopulationBuilder> phases) {
		PopulationBuilder chain = markPopulation("end:" + names.get(names.size() - 1));
		for (int i = phases.size() - 1; i >= 0; i--) {
			chain = phases.get(i).andThen(chain);
			chain = markPopulation((i == 0 ? "start:" : "between:") + names.get(i)).andThen(chain);
		}
		return chain;
	}

	private static PopulationBuilder markPopulation(String name) {
		return scenario("mark " + name).exec(session -> {
			mark(name);
			return session;
		}).injectOpen(atOnceUsers(1));
	}

	/** Takes a mark now: clocks, CPU counters, the service's metrics. */
	static synchronized void mark(String name) {
		Map<String, Object> mark = new LinkedHashMap<>();
		mark.put("name", name);
		mark.put("wallMillis", System.currentTimeMillis());
		mark.put("monotonicNanos", System.nanoTime());
		mark.put("gatlingTicks", processTicks("self"));
		mark.put("serviceTicks", SERVICE_PID > 0 ? processTreeTicks(SERVICE_PID) : null);
		long[] machine = machineTicks();
		mark.put("machineBusyTicks", machine[0]);
		mark.put("machineStealTicks", machine[1]);
		mark.put("machineTotalTicks", machine[2]);
		mark.put("listenOverflows", listenOverflows());
		String file = "prometheus-" + MARKS.size() + ".txt";
		if (!METRICS) {
			MARKS.add(mark);
			return;
		}
		try {
			Files.createDirectories(OUT);
			HttpResponse<String> metrics = HTTP.send(
					HttpRequest.newBuilder(URI.create(MANAGEMENT_URL + "/actuator/prometheus")).timeout(Duration.ofSeconds(10)).build(),
					HttpResponse.BodyHandlers.ofString());
			if (metrics.statusCode() == 200) {
				Files.writeString(OUT.resolve(file), metrics.body());
				mark.put("prometheus", file);
			}
			else { // e.g. 404: bench.managementUrl points at the request port
				mark.put("prometheusError", "HTTP " + metrics.statusCode() + " from " + MANAGEMENT_URL + "/actuator/prometheus");
			}
		}
		catch (IOException ex) {
			mark.put("prometheusError", ex.toString());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		MARKS.add(mark);
	}

	/** utime + stime of a process in clock ticks (all its threads), or -1 when it cannot be read. */
	static long processTicks(String pid) {
		long[] stat = parentAndTicks(pid);
		return stat == null ? -1 : stat[1];
	}

	/**
	 * A process's parent pid and utime + stime in clock ticks, from {@code /proc/<pid>/stat}; null
	 * when it cannot be read (gone, or not Linux).
	 */
	private static long[] parentAndTicks(String pid) {
		try {
			String stat = Files.readString(Path.of("/proc", pid, "stat"));
			String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
			return new long[] { Long.parseLong(rest[1]), Long.parseLong(rest[11]) + Long.parseLong(rest[12]) };
		}
		catch (IOException | RuntimeException ex) {
			return null;
		}
	}

	/**
	 * utime + stime in clock ticks of a process and of every process below it (its children, theirs,
	 * ...), as they are at this moment, or -1 when the process itself cannot be read. The service's
	 * JVM has no children, so this is its own time; uvicorn with {@code --workers 2} is a parent that
	 * serves nothing and two worker processes that serve everything, so this is all three. A child
	 * that exits during a phase takes its ticks with it (its parent's cutime is not counted).
	 */
	static long processTreeTicks(long pid) {
		long own = processTicks(Long.toString(pid));
		if (own < 0) {
			return -1;
		}
		Map<Long, List<long[]>> children = new HashMap<>(); // ppid -> [pid, ticks]
		List<Path> procs;
		try (Stream<Path> list = Files.list(Path.of("/proc"))) {
			procs = list.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList();
		}
		catch (IOException ex) {
			return own;
		}
		for (Path proc : procs) {
			String child = proc.getFileName().toString();
			long[] stat = parentAndTicks(child);
			if (stat != null) { // else gone since the listing
				children.computeIfAbsent(stat[0], k -> new ArrayList<>())
					.add(new long[] { Long.parseLong(child), stat[1] });
			}
		}
		long sum = own;
		ArrayDeque<Long> todo = new ArrayDeque<>(List.of(pid));
		while (!todo.isEmpty()) {
			for (long[] child : children.getOrDefault(todo.poll(), List.of())) {
				sum += child[1];
				todo.add(child[0]);
			}
		}
		return sum;
	}

	/**
	 * Connections the kernel dropped because a listen backlog was full, machine-wide since boot
	 * ({@code TcpExt ListenOverflows} in {@code /proc/net/netstat}), or -1 when it cannot be read.
	 * Each drop makes the client's TCP retry its SYN after 1 s, then 3 s: a tail of seconds that
	 * the service's own metrics never see.
	 */
	static long listenOverflows() {
		try {
			List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
			for (int i = 0; i + 1 < lines.size(); i += 2) {
				String[] names = lines.get(i).trim().split("\\s+");
				String[] values = lines.get(i + 1).trim().split("\\s+");
				if (names[0].equals("TcpExt:")) {
					for (int j = 1; j < Math.min(names.length, values.length); j++) {
						if (names[j].equals("ListenOverflows")) {
							return Long.parseLong(values[j]);
						}
					}
				}
			}
			return -1;
		}
		catch (IOException | RuntimeException ex) {
			return -1;
		}
	}

	/** The machine's busy, steal and total clock ticks over all CPUs ({@code /proc/stat}). */
	static long[] machineTicks() {
		try {
			String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
			long user = Long.parseLong(f[1]);
			long nice = Long.parseLong(f[2]);
			long system = Long.parseLong(f[3]);
			long idle = Long.parseLong(f[4]);
			long iowait = Long.parseLong(f[5]);
			long irq = Long.parseLong(f[6]);
			long softirq = Long.parseLong(f[7]);
			long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
			long busy = user + nice + system + irq + softirq;
			return new long[] { busy, steal, busy + idle + iowait + steal };
		}
		catch (IOException | RuntimeException ex) {
			return new long[] { -1, -1, -1 };
		}
	}

	/** Writes bench.json: the settings, the marks and the per-phase counts. */
	static synchronized void write(String simulation) {
		StringBuilder json = new StringBuilder("{\n  \"simulation\": ").append(quote(simulation));
		json.append(",\n  \"baseUrl\": ").append(quote(BASE_URL));
		json.append(",\n  \"managementUrl\": ").append(quote(MANAGEMENT_URL));
		json.append(",\n  \"servicePid\": ").append(SERVICE_PID);
		json.append(",\n  \"clockTicksPerSecond\": 100");
		json.append(",\n  \"cores\": ").append(Runtime.getRuntime().availableProcessors());
		json.append(",\n  \"parameters\": {");
		synchronized (PARAMETERS) {
			String sep = "";
			for (Map.Entry<String, Object> e : PARAMETERS.entrySet()) {
				json.append(sep).append(quote(e.getKey())).append(": ").append(value(e.getValue()));
				sep = ", ";
			}
		}
		json.append("},\n  \"marks\": [");
		String sep = "";
		for (Map<String, Object> mark : MARKS) {
			json.append(sep).append("\n    {");
			String inner = "";
			for (Map.Entry<String, Object> e : mark.entrySet()) {
				json.append(inner).append(quote(e.getKey())).append(": ").append(value(e.getValue()));
				inner = ", ";
			}
			json.append("}");
			sep = ",";
		}
		json.append("\n  ],\n  \"phases\": {");
		sep = "";
		for (Map.Entry<String, Phase> e : PHASES.entrySet()) {
			Phase p = e.getValue();
			json.append(sep).append("\n    ").append(quote(e.getKey())).append(": {\"statuses\": {");
			String inner = "";
			for (Map.Entry<String, AtomicLong> s : p.statuses.entrySet()) {
				json.append(inner).append(quote(s.getKey())).append(": ").append(s.getValue().get());
				inner = ", ";
			}
			json.append("}, \"rejectedWithRetryAfter\": ").append(p.rejectedWithRetryAfter.get());
			json.append(", \"rejectedAsProblem\": ").append(p.rejectedAsProblem.get());
			json.append(", \"firstMillis\": ").append(p.firstMillis.get());
			json.append(", \"lastMillis\": ").append(p.lastMillis.get());
			json.append(",\n      \"ok\": ").append(p.ok.json());
			json.append(",\n      \"rejected\": ").append(p.rejected.json());
			json.append(",\n      \"other\": ").append(p.other.json()).append("}");
			sep = ",";
		}
		json.append("\n  }\n}\n");
		try {
			Files.createDirectories(OUT);
			Files.writeString(OUT.resolve("bench.json"), json);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static String value(Object v) {
		if (v == null) {
			return "null";
		}
		if (v instanceof Number || v instanceof Boolean) {
			return String.valueOf(v);
		}
		return quote(String.valueOf(v));
	}

	static String quote(String s) {
		StringBuilder b = new StringBuilder("\"");
		for (char c : s.toCharArray()) {
			switch (c) {
				case '"' -> b.append("\\\"");
				case '\\' -> b.append("\\\\");
				case '\n' -> b.append("\\n");
				default -> {
					if (c < 0x20) {
						b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
					}
					else {
						b.append(c);
					}
				}
			}
		}
		return b.append('"').toString();
	}

}
