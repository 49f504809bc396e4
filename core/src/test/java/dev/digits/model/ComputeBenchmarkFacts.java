package dev.digits.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The machine line benchmarks print (the training benchmark; the JMH ones record theirs
 * in run-all.sh).
 */
public final class ComputeBenchmarkFacts {

	private ComputeBenchmarkFacts() {
	}

	public static String machine() {
		String cpu = "unknown CPU";
		try {
			cpu = Files.readAllLines(Path.of("/proc/cpuinfo"))
				.stream()
				.filter(l -> l.startsWith("model name"))
				.findFirst()
				.map(l -> l.substring(l.indexOf(':') + 1).trim())
				.orElse(cpu);
		}
		catch (IOException ex) {
			// not Linux: leave it unknown
		}
		return String.format(Locale.ROOT, "Machine: %s, %d cores, Java %s, %s", cpu,
				Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
				java.time.LocalDate.now());
	}

}
