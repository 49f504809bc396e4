package dev.digits.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import dev.digits.model.DigitNetwork;
import dev.digits.preprocessing.ImagePreprocessor;
import dev.digits.preprocessing.PreprocessingException;
import dev.digits.preprocessing.PreprocessingLimits;

/**
 * A user's own labelled digits for {@code finetune}, read from a folder with one
 * sub-folder per digit ({@code 0/ .. 9/}) or from a CSV of {@code file,label} rows (paths
 * relative to the CSV's folder, an optional {@code file,label} header). Every image goes
 * through the service's own {@link ImagePreprocessor} with its default limits, so
 * fine-tuning sees what serving sees.
 *
 * <p>
 * The data is treated like an upload: a file that is not a regular file inside the data
 * folder (symbolic links and {@code ../} escapes included), larger than the
 * preprocessor's upload limit, or unreadable as an image is an error naming the file and
 * why; so are missing or unknown labels, more than {@value #MAX_IMAGES} images, and fewer
 * than {@value #MIN_IMAGES}.
 *
 * @param pixels {@code n x 784} network input, row-major, exactly as serving would feed
 * it
 * @param labels the digit of each image
 * @param files each image's path relative to the data folder, in reading order
 * @param sha256 a digest of every file's name, label and bytes, to record what a version
 * was tuned on
 */
public record UserDigits(float[] pixels, byte[] labels, List<String> files, String sha256) {

	/** Fewer examples than this cannot give a held-out part worth reporting. */
	public static final int MIN_IMAGES = 20;

	/**
	 * The largest image file read: the service's default
	 * {@code digits.api.max-image-size}.
	 */
	public static final long MAX_FILE_BYTES = 5L * 1024 * 1024;

	/** A bound on what one run reads (and holds in memory: 784 floats per image). */
	public static final int MAX_IMAGES = 200_000;

	/**
	 * Thrown for data that cannot be fine-tuned on; the message names the file and the
	 * problem.
	 */
	public static final class DataException extends IllegalArgumentException {

		private static final long serialVersionUID = 1L;

		public DataException(String message) {
			super(message);
		}

	}

	public int size() {
		return labels.length;
	}

	/** Images {@code indices} as a new set. */
	public UserDigits subset(int[] indices) {
		float[] p = new float[indices.length * DigitNetwork.PIXELS];
		byte[] l = new byte[indices.length];
		List<String> f = new ArrayList<>();
		for (int i = 0; i < indices.length; i++) {
			System.arraycopy(pixels, indices[i] * DigitNetwork.PIXELS, p, i * DigitNetwork.PIXELS, DigitNetwork.PIXELS);
			l[i] = labels[indices[i]];
			f.add(files.get(indices[i]));
		}
		return new UserDigits(p, l, f, sha256);
	}

	/** How many images of each digit. */
	public int[] counts() {
		int[] counts = new int[DigitNetwork.CLASSES];
		for (byte label : labels) {
			counts[label]++;
		}
		return counts;
	}

	/**
	 * A file of this name in a folder of digit folders says its images are model inputs
	 * already (the service's captures: 28x28 8-bit grey PNGs of what the network saw),
	 * read as they are: preprocessing them again would change them (a tensor client's
	 * inverted digit would be inverted back).
	 */
	public static final String MODEL_INPUTS = ".model-inputs";

	/** Reads {@code data}: a folder of digit folders, or a CSV file. */
	public static UserDigits read(Path data) throws IOException {
		if (!Files.exists(data)) {
			throw new DataException(data + " does not exist: give a folder with one sub-folder per digit (0 .. 9) "
					+ "or a CSV file of file,label rows");
		}
		List<Entry> entries = Files.isDirectory(data) ? folders(data) : csv(data);
		if (entries.size() < MIN_IMAGES) {
			throw new DataException("too few examples in " + data + ": " + entries.size() + " images, at least "
					+ MIN_IMAGES + " are needed (a fifth of them is held out to report on)");
		}
		if (entries.size() > MAX_IMAGES) {
			throw new DataException(data + " holds " + entries.size() + " images, more than " + MAX_IMAGES);
		}
		ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessingLimits.defaults());
		boolean modelInputs = Files.isDirectory(data) && Files.isRegularFile(data.resolve(MODEL_INPUTS));
		long maxBytes = MAX_FILE_BYTES;
		float[] pixels = new float[entries.size() * DigitNetwork.PIXELS];
		byte[] labels = new byte[entries.size()];
		List<String> names = new ArrayList<>();
		MessageDigest digest = newDigest();
		for (int i = 0; i < entries.size(); i++) {
			Entry entry = entries.get(i);
			long size = Files.size(entry.file());
			if (size > maxBytes) {
				throw new DataException(
						entry.name() + ": " + size + " bytes, more than the " + maxBytes + " an upload may have");
			}
			byte[] bytes = Files.readAllBytes(entry.file());
			float[] image;
			try {
				image = modelInputs ? modelInput(entry.name(), bytes) : preprocessor.fromImage(bytes).pixels();
			}
			catch (PreprocessingException ex) {
				throw new DataException(
						entry.name() + " cannot be read as a digit image (" + ex.reason() + "): " + ex.getMessage());
			}
			System.arraycopy(image, 0, pixels, i * DigitNetwork.PIXELS, DigitNetwork.PIXELS);
			labels[i] = (byte) entry.label();
			names.add(entry.name());
			digest.update((entry.name() + "," + entry.label() + "\n").getBytes(StandardCharsets.UTF_8));
			digest.update(bytes);
		}
		return new UserDigits(pixels, labels, List.copyOf(names), HexFormat.of().formatHex(digest.digest()));
	}

	/**
	 * A 28x28 8-bit grey PNG as the network input it is (grey / 255); its header is
	 * checked before it is decoded, so a file that claims other dimensions is never
	 * decoded.
	 */
	static float[] modelInput(String name, byte[] png) throws IOException {
		int side = DigitNetwork.WIDTH;
		boolean header = png.length > 33 && (png[0] & 0xFF) == 0x89 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G'
				&& png[12] == 'I' && png[13] == 'H' && png[14] == 'D' && png[15] == 'R' && intAt(png, 16) == side
				&& intAt(png, 20) == side && png[24] == 8 && png[25] == 0;
		if (!header) {
			throw new DataException(name + " is not a 28x28 8-bit grey PNG, as a folder marked " + MODEL_INPUTS
					+ " must hold (the service's captures)");
		}
		java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(png));
		if (image == null || image.getRaster().getNumBands() != 1) {
			throw new DataException(name + " could not be decoded as a grey PNG");
		}
		int[] grey = image.getRaster().getSamples(0, 0, side, side, 0, (int[]) null);
		float[] pixels = new float[grey.length];
		for (int i = 0; i < grey.length; i++) {
			pixels[i] = grey[i] / 255f;
		}
		return pixels;
	}

	private static int intAt(byte[] b, int at) {
		return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
	}

	private record Entry(Path file, String name, int label) {
	}

	private static List<Entry> folders(Path root) throws IOException {
		List<Entry> entries = new ArrayList<>();
		List<String> stray = new ArrayList<>();
		try (Stream<Path> children = Files.list(root)) {
			for (Path child : children.sorted().toList()) {
				String name = child.getFileName().toString();
				if (name.startsWith(".")) {
					continue;
				}
				if (!Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS) || !name.matches("[0-9]")) {
					stray.add(name);
					continue;
				}
				try (Stream<Path> files = Files.list(child)) {
					for (Path file : files.sorted().toList()) {
						String fileName = file.getFileName().toString();
						if (fileName.startsWith(".")) {
							continue;
						}
						String relative = name + "/" + fileName;
						if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
							throw new DataException(relative + " in " + root
									+ " is not a regular file (sub-folders and links are not read)");
						}
						entries.add(new Entry(file, relative, Integer.parseInt(name)));
						if (entries.size() > MAX_IMAGES) {
							throw new DataException(root + " holds more than " + MAX_IMAGES + " images");
						}
					}
				}
			}
		}
		if (!stray.isEmpty()) {
			throw new DataException(root + " has entries that are not digit folders " + stray
					+ ": every image belongs in a folder named by its label, 0 .. 9 (or give a CSV of file,label)");
		}
		if (entries.isEmpty()) {
			throw new DataException("too few examples in " + root + ": no images in digit folders 0 .. 9");
		}
		return entries;
	}

	private static List<Entry> csv(Path file) throws IOException {
		Path base = file.toAbsolutePath().normalize().getParent();
		long size = Files.size(file);
		if (size > 64L * 1024 * 1024) {
			throw new DataException(file + " is " + size + " bytes; a label file over 64 MB is refused");
		}
		List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
		List<Entry> entries = new ArrayList<>();
		for (int n = 0; n < lines.size(); n++) {
			String line = lines.get(n).strip();
			String where = file.getFileName() + " line " + (n + 1);
			if (line.isEmpty() || line.startsWith("#")) {
				continue;
			}
			if (n == 0 && line.toLowerCase(Locale.ROOT).replace(" ", "").equals("file,label")) {
				continue;
			}
			int comma = line.lastIndexOf(',');
			if (comma < 0) {
				throw new DataException(where + ": expected file,label, got '" + abbreviate(line) + "'");
			}
			String name = unquote(line.substring(0, comma).strip());
			String label = unquote(line.substring(comma + 1).strip());
			if (name.isEmpty()) {
				throw new DataException(where + ": the file name is missing");
			}
			if (label.isEmpty()) {
				throw new DataException(where + ": " + name + " has no label");
			}
			if (!label.matches("[0-9]")) {
				throw new DataException(
						where + ": label '" + abbreviate(label) + "' of " + name + " is not a digit 0 .. 9");
			}
			Path image = base.resolve(name).normalize();
			if (!image.startsWith(base)) {
				throw new DataException(where + ": " + name + " is outside " + base);
			}
			if (!Files.isRegularFile(image, LinkOption.NOFOLLOW_LINKS)) {
				throw new DataException(
						where + ": " + name + (Files.exists(image) ? " is not a regular file" : " does not exist")
								+ " (paths are relative to " + base + ")");
			}
			entries
				.add(new Entry(image, base.relativize(image).toString().replace('\\', '/'), Integer.parseInt(label)));
			if (entries.size() > MAX_IMAGES) {
				throw new DataException(file + " lists more than " + MAX_IMAGES + " images");
			}
		}
		return entries;
	}

	private static String unquote(String value) {
		return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
				? value.substring(1, value.length() - 1) : value;
	}

	private static String abbreviate(String value) {
		return value.length() > 60 ? value.substring(0, 60) + "..." : value;
	}

	private static MessageDigest newDigest() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof UserDigits that && Arrays.equals(pixels, that.pixels)
				&& Arrays.equals(labels, that.labels) && files.equals(that.files) && sha256.equals(that.sha256);
	}

	@Override
	public int hashCode() {
		return 31 * Arrays.hashCode(labels) + sha256.hashCode();
	}

	@Override
	public String toString() {
		return "UserDigits[" + size() + " images, counts " + Arrays.toString(counts()) + "]";
	}

}
