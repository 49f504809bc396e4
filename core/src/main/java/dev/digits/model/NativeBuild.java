package dev.digits.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Chooses ND4J's native build before ND4J loads. On Linux x86-64 the jar carries three
 * oneDNN builds (AVX-512, AVX2, any x86-64), the container image's the AVX2 build alone;
 * JavaCPP loads the one named by {@code org.bytedeco.javacpp.platform.extension}, which
 * this sets from the CPU's flags ({@code /proc/cpuinfo}) to the fastest build carried
 * that the CPU can run. {@code DIGITS_NATIVE_BUILD} (or {@code -Ddigits.native-build})
 * forces one: {@code avx512}, {@code avx2}, {@code generic}, or {@code auto} (the
 * default). Other platforms (macOS, Linux arm64) have one build each and need no choice.
 */
public final class NativeBuild {

	static final String EXTENSION = "org.bytedeco.javacpp.platform.extension";

	/** The x86-64 builds, fastest first. */
	private static final List<String> BUILDS = List.of("-onednn-avx512", "-onednn-avx2", "-onednn");

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
		String extension = choose(wanted, cpuFlags(), NativeBuild::present);
		System.setProperty(EXTENSION, extension);
		chosen = "linux-x86_64" + extension;
		reason = wanted.equals("auto") ? "CPU flags: " + describe(cpuFlags())
				: "forced by DIGITS_NATIVE_BUILD=" + wanted;
	}

	/**
	 * The extension to load: the one {@code wanted} names, or for {@code auto} the
	 * fastest the CPU supports among the builds present. A jar may carry fewer than three
	 * (the container image carries the AVX2 build alone); when the CPU cannot run any
	 * build present, or a forced one is absent, this refuses to start with a message,
	 * since loading it would end the JVM with an illegal instruction or a missing
	 * library. With none of the three present (ND4J not on this class path) it chooses by
	 * the CPU alone.
	 */
	static String choose(String wanted, Set<String> flags, Predicate<String> present) {
		List<String> carried = BUILDS.stream().filter(present).toList();
		String forced = switch (wanted) {
			case "avx512" -> "-onednn-avx512";
			case "avx2" -> "-onednn-avx2";
			case "generic" -> "-onednn";
			default -> null;
		};
		if (forced != null) {
			if (!carried.isEmpty() && !carried.contains(forced)) {
				throw new IllegalStateException("DIGITS_NATIVE_BUILD=" + wanted + " names ND4J's build linux-x86_64"
						+ forced + ", which this jar does not carry (it carries " + names(carried) + ")");
			}
			return forced;
		}
		List<String> runnable = BUILDS.stream().filter(build -> runs(build, flags)).toList();
		if (carried.isEmpty()) {
			return runnable.get(0);
		}
		return runnable.stream()
			.filter(carried::contains)
			.findFirst()
			.orElseThrow(() -> new IllegalStateException("this CPU (" + describe(flags)
					+ ") cannot run ND4J's native build(s) in this jar: " + names(carried)
					+ ". Use a jar built without -Dnd4j.build (it carries the AVX-512, AVX2 and generic builds),"
					+ " or a container image built with --build-arg ND4J_BUILD=all"));
	}

	/** Whether a CPU with these flags can run the build. */
	private static boolean runs(String build, Set<String> flags) {
		return switch (build) {
			case "-onednn-avx512" -> supports(flags, "avx512f", "avx512bw", "avx512vl", "avx512dq");
			case "-onednn-avx2" -> supports(flags, "avx2", "fma");
			default -> true;
		};
	}

	/** Whether the class path carries the build's native library. */
	private static boolean present(String extension) {
		ClassLoader loader = NativeBuild.class.getClassLoader();
		return loader != null && loader.getResource(
				"org/nd4j/linalg/cpu/nativecpu/bindings/linux-x86_64" + extension + "/libjnind4jcpu.so") != null;
	}

	private static String names(List<String> extensions) {
		return String.join(", ", extensions.stream().map(extension -> "linux-x86_64" + extension).toList());
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
		return runs("-onednn-avx512", flags) ? "AVX-512"
				: runs("-onednn-avx2", flags) ? "AVX2, no AVX-512" : "neither AVX2 nor AVX-512";
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
