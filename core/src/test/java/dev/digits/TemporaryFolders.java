package dev.digits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Temporary folders that outlive one test (a repository a Spring context serves for the
 * whole class) and are removed, with everything in them, when the test JVM exits: no test
 * leaves folders behind in the system's temporary directory.
 */
public final class TemporaryFolders {

	private static final List<Path> CREATED = new CopyOnWriteArrayList<>();

	static {
		Runtime.getRuntime()
			.addShutdownHook(
					new Thread(() -> CREATED.forEach(TemporaryFolders::deleteQuietly), "temporary-folders-cleanup"));
	}

	private TemporaryFolders() {
	}

	/**
	 * A new folder under the system's temporary directory, deleted when the JVM exits.
	 */
	public static Path create(String prefix) {
		try {
			Path dir = Files.createTempDirectory(prefix);
			CREATED.add(dir);
			return dir;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Deletes {@code dir} and everything in it now (what is already gone is fine). */
	public static void delete(Path dir) {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> files = Files.walk(dir)) {
			for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(file);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void deleteQuietly(Path dir) {
		try {
			delete(dir);
		}
		catch (UncheckedIOException ex) {
			// the JVM is exiting: nothing more can be done
		}
	}

}
