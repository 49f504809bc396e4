package dev.digits.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Chooses ND4J's native build before ND4J loads. On Linux x86-64 the jar carries three
 * oneDNN builds (AVX-512, AVX2, any x86-64); JavaCPP loads the one named by
 * {@code org.bytedeco.javacpp.platform.extension}, which this sets from the CPU's flags
 * ({@code /proc/cpuinfo}), so one image runs on any x86-64 server at the best speed it
 * allows. {@code DIGITS_NATIVE_BUILD} (or {@code -Ddigits.native-build}) forces one:
 * {@code avx512}, {@code avx2}, {@code generic}, or {@code auto} (the default). Other
 * platforms (macOS, Linux arm64) have one build each and need no choice.
 */
public final class NativeBuild {

	static final String EXTENSION = "org.bytedeco.javacpp.platform.extension";

	private static volatile String chosen = "default";

	private static volatile String reason = "not chosen";

	private NativeBuild() {
	}

	/** The build in use, e.g. {@code linux-x86_64-onednn-avx512}. */
	public static String chosen() {
		return chosen;
	}

	/** Why: the CPU's flags, or the setting that forced it. */
	public static String reason() {
		return reason;
	}

	/** Sets the extension, once, before anything touches ND4J. */
	public static synchronized void select() {
		String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
		String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
		if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
			chosen = (os.contains("mac") ? "macosx-" : os.contains("linux") ? "linux-" : os + "-")
					+ (arch.equals("aarch64") ? "arm64" : arch);
			reason = "the only build for this platform";
			return;
		}
		String preset = System.getProperty(EXTENSION);
		if (preset != null) {
			chosen = "linux-x86_64" + preset;
			reason = "set by -D" + EXTENSION;
			return;
		}
		String wanted = System
			.getProperty("digits.native-build", System.getenv().getOrDefault("DIGITS_NATIVE_BUILD", "auto"))
			.toLowerCase(Locale.ROOT);
		Set<String> flags = cpuFlags();
		String extension = switch (wanted) {
			case "avx512" -> "-onednn-avx512";
			case "avx2" -> "-onednn-avx2";
			case "generic" -> "-onednn";
			default -> supports(flags, "avx512f", "avx512bw", "avx512vl", "avx512dq") ? "-onednn-avx512"
					: supports(flags, "avx2", "fma") ? "-onednn-avx2" : "-onednn";
		};
		System.setProperty(EXTENSION, extension);
		chosen = "linux-x86_64" + extension;
		reason = wanted.equals("auto") ? "CPU flags: " + describe(flags) : "forced by DIGITS_NATIVE_BUILD=" + wanted;
	}

	private static boolean supports(Set<String> flags, String... needed) {
		for (String flag : needed) {
			if (!flags.contains(flag)) {
				return false;
			}
		}
		return true;
	}

	private static String describe(Set<String> flags) {
		return supports(flags, "avx512f", "avx512bw", "avx512vl", "avx512dq") ? "AVX-512"
				: supports(flags, "avx2", "fma") ? "AVX2, no AVX-512" : "neither AVX2 nor AVX-512";
	}

	/**
	 * The first processor's flags in /proc/cpuinfo; empty when unreadable (the generic
	 * build).
	 */
	static Set<String> cpuFlags() {
		try {
			for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
				if (line.startsWith("flags")) {
					return Set.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
				}
			}
		}
		catch (IOException | RuntimeException ex) {
			// not readable: assume the least
		}
		return Set.of();
	}

}
