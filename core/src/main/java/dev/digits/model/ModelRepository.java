package dev.digits.model;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The model versions on disk, in a layout like Triton's or TF Serving's:
 * {@code DIR/NAME/VERSION/} holds one version's artifacts, the first version's too. A
 * version folder counts once it has its metadata and a servable artifact and nothing in
 * it changed for {@code settle} (a copy in progress is not loaded half-written).
 */
public final class ModelRepository {

	/** What a version may be called (a folder name, a path segment, a header value). */
	public static final String VERSION = "[A-Za-z0-9][A-Za-z0-9._-]{0,63}";

	/**
	 * One version's folder, when its newest file changed, and a fingerprint of its files
	 * (names, sizes, modification times): a copy that preserves file times
	 * ({@code cp -p}, {@code rsync -a}) still changes the fingerprint as files arrive and
	 * grow.
	 */
	public record Source(String version, Path dir, FileTime changed, String fingerprint) {
	}

	private final Path root;

	private final String name;

	public ModelRepository(Path root, String name) {
		this.root = root;
		this.name = name;
	}

	public Path root() {
		return root;
	}

	/**
	 * Where version folders go: {@code DIR/NAME/}.
	 */
	public Path versionsDir() {
		return root.resolve(name);
	}

	/** Every complete version, in folder-name order. */
	public List<Source> scan(java.time.Duration settle) {
		List<Source> sources = new ArrayList<>();
		Path versions = versionsDir();
		if (Files.isDirectory(versions)) {
			try (Stream<Path> dirs = Files.list(versions)) {
				dirs.filter(Files::isDirectory)
					.filter(dir -> dir.getFileName().toString().matches(ModelRepository.VERSION))
					.sorted()
					.forEach(dir -> {
						FileTime changed = changed(dir);
						boolean settled = changed.toMillis() < System.currentTimeMillis() - settle.toMillis();
						if (complete(dir) && settled) {
							sources.add(new Source(dir.getFileName().toString(), dir, changed, fingerprint(dir)));
						}
					});
			}
			catch (IOException ex) {
				throw new UncheckedIOException("cannot list " + versions, ex);
			}
		}
		return sources;
	}

	/** The version's folder, if it exists now. */
	public Optional<Source> find(String version) {
		return scan(java.time.Duration.ZERO).stream().filter(s -> s.version().equals(version)).findFirst();
	}

	private static boolean complete(Path dir) {
		ModelFiles files = new ModelFiles(dir);
		return Files.isRegularFile(files.metadata())
				&& (Files.isRegularFile(files.served()) || Files.isRegularFile(files.ensemble()));
	}

	/** The newest modification time of the folder's files. */
	private static FileTime changed(Path dir) {
		try (Stream<Path> files = Files.list(dir)) {
			return files.filter(Files::isRegularFile)
				.map(ModelRepository::modified)
				.max(FileTime::compareTo)
				.orElse(FileTime.fromMillis(0));
		}
		catch (IOException ex) {
			return FileTime.fromMillis(0);
		}
	}

	/**
	 * SHA-256 over each regular file's name, size and modification time, in name order.
	 */
	static String fingerprint(Path dir) {
		try (Stream<Path> files = Files.list(dir)) {
			java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
			files.filter(Files::isRegularFile).sorted().forEach(file -> {
				long size;
				try {
					size = Files.size(file);
				}
				catch (IOException ex) {
					size = -1;
				}
				String entry = file.getFileName() + "\u0000" + size + "\u0000" + modified(file).toMillis() + "\n";
				sha.update(entry.getBytes(java.nio.charset.StandardCharsets.UTF_8));
			});
			return java.util.HexFormat.of().formatHex(sha.digest(), 0, 12);
		}
		catch (IOException ex) {
			return "unreadable";
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static FileTime modified(Path file) {
		try {
			return Files.getLastModifiedTime(file);
		}
		catch (IOException ex) {
			return FileTime.fromMillis(0);
		}
	}

}
