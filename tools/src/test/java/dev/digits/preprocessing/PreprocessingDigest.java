package dev.digits.preprocessing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import dev.digits.training.Mnist;
import dev.digits.training.PhotoFailures;
import dev.digits.training.PhotoSynth;
import dev.digits.training.RealisticUploads;

/**
 * One SHA-256 of everything the serving preprocessing makes of a fixed set of uploads:
 * the photos {@code PhotoFailures} reads (validation digits, 240-480 px), realistic
 * uploads of 200 MNIST test digits (canvases, scans, JPEGs on paper), and 40 phone photos
 * at about 1 and 3 megapixels (the digit finding's downscaling). For each, the 784
 * inputs' bits and flags, or the refusal's reason. A change meant only to make the
 * preprocessing faster must leave it unchanged; run by hand, not a test:
 * {@code java -cp tools/target/test-classes:tools/target/classes:core/target/classes:<deps> dev.digits.preprocessing.PreprocessingDigest 300 ../shared/mnist}.
 */
public final class PreprocessingDigest {

	private PreprocessingDigest() {
	}

	public static void main(String[] args) throws IOException, NoSuchAlgorithmException {
		int per = Integer.parseInt(args[0]);
		Path mnistDir = Path.of(args[1]);
		ImagePreprocessor preprocessor = new ImagePreprocessor(PreprocessingLimits.defaults());
		MessageDigest all = MessageDigest.getInstance("SHA-256");
		MessageDigest[] parts = { MessageDigest.getInstance("SHA-256"), MessageDigest.getInstance("SHA-256"),
				MessageDigest.getInstance("SHA-256") };
		long[] counts = new long[3];
		long started = System.nanoTime();
		PhotoFailures.photos(mnistDir, per, (labelled) -> {
			add(preprocessor, labelled.photo().bytes(), all, parts[0]);
			counts[0]++;
		});
		Mnist.Split test = Mnist.loadTest(mnistDir);
		List<byte[]> digits = new java.util.ArrayList<>();
		byte[] labels = new byte[200];
		for (int i = 0; i < 200; i++) {
			digits.add(test.image(i));
			labels[i] = test.labels()[i];
		}
		for (RealisticUploads.Upload upload : RealisticUploads.make(digits, labels, 11)) {
			add(preprocessor, upload.bytes(), all, parts[1]);
			counts[1]++;
		}
		Random random = new Random(5);
		for (int i = 0; i < 40; i++) {
			float[] digit = new float[784];
			for (int p = 0; p < digit.length; p++) {
				digit[p] = (test.image(300 + i)[p] & 0xFF) / 255f;
			}
			int side = (i % 2 == 0) ? 866 : 1700;
			PhotoSynth.Condition condition = PhotoSynth.Condition.values()[i % PhotoSynth.Condition.values().length];
			PhotoSynth.Pen pen = PhotoSynth.Pen.values()[i % PhotoSynth.Pen.values().length];
			PhotoSynth.Ink ink = PhotoSynth.handwritten(digit, side * (0.3 + 0.3 * random.nextDouble()), pen, random);
			PhotoSynth.Photo photo = PhotoSynth.photo(ink, condition, pen, side, side, new double[] { 0.3, 0.6 },
					random);
			add(preprocessor, photo.bytes(), all, parts[2]);
			counts[2]++;
		}
		HexFormat hex = HexFormat.of();
		System.out.printf("photos %d %s%nuploads %d %s%nlarge %d %s%nall %s (%.1f s)%n", counts[0],
				hex.formatHex(parts[0].digest()), counts[1], hex.formatHex(parts[1].digest()), counts[2],
				hex.formatHex(parts[2].digest()), hex.formatHex(all.digest()), (System.nanoTime() - started) / 1e9);
	}

	private static void add(ImagePreprocessor preprocessor, byte[] bytes, MessageDigest... digests) {
		ByteBuffer record;
		try {
			Preprocessed done = preprocessor.fromImage(bytes);
			float[] pixels = done.pixels();
			record = ByteBuffer.allocate(pixels.length * 4 + 8);
			for (float p : pixels) {
				record.putInt(Float.floatToRawIntBits(p));
			}
			record.put((byte) (done.inverted() ? 1 : 0))
				.put((byte) (done.reframed() ? 1 : 0))
				.put((byte) (done.severalDigits() ? 1 : 0))
				.flip();
		}
		catch (PreprocessingException refused) {
			record = ByteBuffer.wrap(refused.reason().name().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
		}
		for (MessageDigest digest : digests) {
			digest.update(record.array(), 0, record.limit());
		}
	}

}
