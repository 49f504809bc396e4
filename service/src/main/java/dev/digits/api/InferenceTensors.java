package dev.digits.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.digits.model.DigitNetwork;
import dev.digits.preprocessing.PixelScale;
import dev.digits.preprocessing.Upload;
import dev.digits.serving.DataPlane;
import dev.digits.serving.RecognitionService;

/**
 * The Open Inference Protocol's tensors, whatever carries them (JSON over HTTP, protobuf
 * over gRPC): the one input tensor as the images it holds, checked against the shapes and
 * data types the model takes, and a result as the output tensors asked for. Each protocol
 * reads its own encoding into numbers or byte strings and writes the outputs in its own;
 * what is accepted, refused and answered is decided here once.
 */
final class InferenceTensors {

	/** The output names, in the order the default response lists them. */
	static final List<String> OUTPUTS = DataPlane.OUTPUTS.stream().map(DataPlane.TensorSpec::name).toList();

	private InferenceTensors() {
	}

	/** An output tensor: its name, data type, shape and values in row-major order. */
	record Output(String name, String datatype, long[] shape, List<?> data) {
	}

	/**
	 * The outputs a request asks for (null or empty: all of them), after checking that it
	 * sends exactly one input.
	 * @throws InvalidRequestException another number of inputs, or an unknown output
	 */
	static List<String> wanted(int inputs, List<String> requested) {
		if (inputs != 1) {
			throw new InvalidRequestException("the model takes exactly one input tensor, got " + inputs);
		}
		List<String> wanted = requested == null || requested.isEmpty() ? OUTPUTS : requested;
		for (String output : wanted) {
			if (!OUTPUTS.contains(output)) {
				throw new InvalidRequestException("unknown output \"" + output + "\"; the outputs are " + OUTPUTS);
			}
		}
		return wanted;
	}

	/**
	 * Checks a numeric input's data type and shape before its values are read: FP32 or
	 * UINT8, shaped {@code [N,28,28]}, {@code [N,28,28,1]} or {@code [N,784]}, N from 1
	 * to {@code maxImages}.
	 * @return N, the number of images
	 */
	static int checkPixels(String datatype, long[] shape, int maxImages) {
		int n = batch(shape, maxImages);
		if (!"FP32".equals(datatype) && !"UINT8".equals(datatype)) {
			throw new InvalidRequestException("datatype " + datatype
					+ " is not accepted: send FP32 (0..1), UINT8 (0..255) or BYTES (encoded images)");
		}
		boolean shaped = (shape.length == 3 && shape[1] == 28 && shape[2] == 28)
				|| (shape.length == 4 && shape[1] == 28 && shape[2] == 28 && shape[3] == 1)
				|| (shape.length == 2 && shape[1] == DigitNetwork.PIXELS);
		if (!shaped) {
			throw new InvalidRequestException("a " + datatype
					+ " input is shaped [N,28,28], [N,28,28,1] or [N,784], got " + Arrays.toString(shape));
		}
		return n;
	}

	/**
	 * Checks a BYTES input's shape before its elements are read: {@code [N]} or
	 * {@code [N,1]}, N from 1 to {@code maxImages}.
	 * @return N, the number of images
	 */
	static int checkImages(long[] shape, int maxImages) {
		int n = batch(shape, maxImages);
		if (!(shape.length == 1 || (shape.length == 2 && shape[1] == 1))) {
			throw new InvalidRequestException(
					"a BYTES input is shaped [N] or [N,1] with N encoded images, got shape " + Arrays.toString(shape));
		}
		return n;
	}

	/**
	 * The input tensor as uploads, one per image: {@code numbers} for FP32 (0..1) and
	 * UINT8 (0..255), {@code images} (encoded images, each at most {@code maxImageBytes})
	 * for BYTES; the other is null.
	 * @throws InvalidRequestException a data type, shape or element count the model does
	 * not take
	 * @throws TooLargeException an image over {@code maxImageBytes}
	 */
	static List<Upload> uploads(String datatype, long[] shape, double[] numbers, List<byte[]> images, int maxImages,
			long maxImageBytes) {
		List<Upload> uploads = new ArrayList<>();
		if ("BYTES".equals(datatype)) {
			int n = checkImages(shape, maxImages);
			if (images == null || images.size() != n) {
				throw new InvalidRequestException("the shape " + Arrays.toString(shape) + " needs " + n
						+ " encoded images, got " + (images == null ? 0 : images.size()));
			}
			for (int i = 0; i < n; i++) {
				byte[] bytes = images.get(i);
				if (bytes.length > maxImageBytes) {
					throw new TooLargeException(
							"image " + i + ": the image has " + bytes.length + " bytes; the limit is " + maxImageBytes);
				}
				uploads.add(new Upload.Image(bytes));
			}
			return uploads;
		}
		int n = checkPixels(datatype, shape, maxImages);
		if (numbers == null || numbers.length != (long) n * DigitNetwork.PIXELS) {
			throw new InvalidRequestException("the shape " + Arrays.toString(shape) + " needs "
					+ (long) n * DigitNetwork.PIXELS + " values, got " + (numbers == null ? 0 : numbers.length));
		}
		PixelScale scale = "FP32".equals(datatype) ? PixelScale.UNIT : PixelScale.GREY_LEVELS;
		for (int i = 0; i < n; i++) {
			uploads.add(new Upload.Pixels(
					Arrays.copyOfRange(numbers, i * DigitNetwork.PIXELS, (i + 1) * DigitNetwork.PIXELS), scale));
		}
		return uploads;
	}

	/** The outputs asked for, in the order asked, one row per image of the result. */
	static List<Output> outputs(RecognitionService.Result result, List<String> wanted) {
		List<RecognitionService.Recognized> images = result.images();
		int n = images.size();
		List<Output> outputs = new ArrayList<>(wanted.size());
		for (String output : wanted) {
			switch (output) {
				case "probabilities" -> {
					List<Float> data = new ArrayList<>(n * DigitNetwork.CLASSES);
					for (RecognitionService.Recognized r : images) {
						for (float p : r.answer().probabilities()) {
							data.add(p);
						}
					}
					outputs.add(new Output(output, "FP32", new long[] { n, DigitNetwork.CLASSES }, data));
				}
				case "digit" -> outputs.add(new Output(output, "INT64", new long[] { n },
						images.stream().map(r -> (long) r.answer().digit()).toList()));
				case "confidence" -> outputs.add(new Output(output, "FP32", new long[] { n },
						images.stream().map(r -> r.answer().confidence()).toList()));
				case "uncertain" -> outputs.add(new Output(output, "BOOL", new long[] { n },
						images.stream().map(r -> r.answer().uncertain()).toList()));
				case "out_of_distribution" -> outputs.add(new Output(output, "BOOL", new long[] { n },
						images.stream().map(r -> r.answer().outOfDistribution()).toList()));
				case "several_digits" -> outputs.add(new Output(output, "BOOL", new long[] { n },
						images.stream().map(r -> r.input().severalDigits()).toList()));
				default -> outputs.add(new Output(output, "BYTES", new long[] { n },
						images.stream().map(RecognitionService.Recognized::feedbackToken).toList()));
			}
		}
		return outputs;
	}

	/** The first dimension, the number of images: 1 to {@code maxImages}. */
	private static int batch(long[] shape, int maxImages) {
		long n = shape.length > 0 ? shape[0] : -1;
		if (n < 1 || n > maxImages) {
			throw new InvalidRequestException(
					"the first dimension (the batch) must be 1 to " + maxImages + ", got " + Arrays.toString(shape));
		}
		return (int) n;
	}

}
