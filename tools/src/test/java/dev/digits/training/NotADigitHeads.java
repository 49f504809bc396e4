package dev.digits.training;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import dev.digits.model.DigitNetwork;
import dev.digits.model.LoadedModel;
import dev.digits.preprocessing.ImagePreprocessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Does a "not a digit" decision trained for it beat the network's own maximum softmax?
 * Makes {@code n} examples from the training split with the {@code mixed-ood} recipe's
 * generator (seed 777, half non-digits: letters, symbols, scribbles, shapes, textures,
 * two digits, empty paper; half digits: MNIST, photos, clean uploads, printed, 8x8), then
 * trains on them, against the version's frozen features, a head on the pooled convolution
 * features (1,600) and one on the dense features with the log-probabilities (138), and a
 * separate small CNN (conv 3x3 {@code width}, pool, conv 3x3 {@code 2 width}, pool, dense
 * 64, sigmoid) on the pixels; each is scored on the validation the mixed runs are chosen
 * on (seed 42 + 1: 10,000 MNIST, about 600 photos, 600 printed, 600 non-digits), as AUROC
 * and as non-digits caught when 1% and 2% of validation digits are flagged, beside the
 * maximum softmax. The examples are cached under {@code target/}. A measurement to run by
 * hand, not a test (about 18 minutes for 60,000 examples on 2 cores):
 * {@code java -cp tools/target/test-classes:tools/target/classes:<deps> dev.digits.training.NotADigitHeads models/mnist-cnn/6 ../shared/mnist 60000 0.445 64 15 16 8}
 * (model, MNIST, examples, the version's temperature, head hidden units and epochs, CNN
 * width and epochs).
 */
public final class NotADigitHeads {

	private NotADigitHeads() {
	}

	public static void main(String[] args) throws Exception {
		Path model = Path.of(args[0]);
		Path mnistDir = Path.of(args[1]);
		int n = Integer.parseInt(args[2]);
		double temperature = Double.parseDouble(args[3]);
		int hidden = Integer.parseInt(args[4]);
		int headEpochs = Integer.parseInt(args[5]);
		int cnnWidth = Integer.parseInt(args[6]);
		int cnnEpochs = Integer.parseInt(args[7]);
		Mnist mnist = Mnist.load(mnistDir);
		MultiLayerNetwork network = LoadedModel.load(model).network();
		ImagePreprocessor preprocessor = Preprocessors.unhurried();
		List<float[]> px = new ArrayList<>();
		List<Integer> y = new ArrayList<>();
		examples(mnist, preprocessor, n, Path.of("target/not-a-digit-examples-" + n + ".bin"), px, y);

		// the validation the mixed runs are chosen on (seed 42, images from seed 43)
		TrainingOptions options = new TrainingOptions(mnistDir, Path.of("target/unused"), 1, 128, 0.001, 42, 1, 10000,
				1, false, 1.0, "v1", "mixed-ood", null, Path.of("target/unused"));
		MixedTrainer trainer = new MixedTrainer(options, System.out);
		Method v = MixedTrainer.class.getDeclaredMethod("validation", Mnist.Split.class, ImagePreprocessor.class);
		v.setAccessible(true);
		int available = mnist.train().size();
		Object sets = v.invoke(trainer, mnist.train().slice(available - 10000, available), preprocessor);
		Mnist.Split validationMnist = (Mnist.Split) call(sets, "mnist");
		List<float[]> vpx = new ArrayList<>();
		List<String> vkind = new ArrayList<>();
		for (int i = 0; i < validationMnist.size(); i++) {
			float[] d = new float[DigitNetwork.PIXELS];
			dev.digits.model.Normalization.normalize(validationMnist.pixels(), i * DigitNetwork.PIXELS, d, 0,
					DigitNetwork.PIXELS);
			vpx.add(d);
			vkind.add("mnist");
		}
		add(examples(sets, "photos"), "photo", vpx, vkind);
		add(examples(sets, "printed"), "printed", vpx, vkind);
		List<SyntheticData.Example> nonDigits = examples(sets, "nonDigits");
		int refusedNonDigits = (int) nonDigits.stream().filter(e -> !e.accepted()).count();
		add(nonDigits, "non-digit", vpx, vkind);
		System.out.printf(Locale.ROOT, "validation %d images, %d non-digits refused by preprocessing%n", vpx.size(),
				refusedNonDigits);

		Feats train = features(network, px, temperature);
		Feats validation = features(network, vpx, temperature);
		float[] labels = new float[y.size()];
		for (int i = 0; i < labels.length; i++) {
			labels[i] = y.get(i);
		}
		report("max-softmax", validation.msp, vkind, refusedNonDigits, nonDigits.size());
		for (String which : List.of("pool2", "dense1+logp")) {
			double[] s = head(train.pick(which), labels, validation.pick(which), hidden, headEpochs);
			report("head(" + which + ", " + hidden + ")", s, vkind, refusedNonDigits, nonDigits.size());
		}
		double[] cnn = cnn(px, labels, vpx, cnnWidth, cnnEpochs);
		report("cnn(" + cnnWidth + ")", cnn, vkind, refusedNonDigits, nonDigits.size());
		report("max(msp, cnn) by digit rank", maxRank(validation.msp, cnn, vkind), vkind, refusedNonDigits,
				nonDigits.size());
	}

	@SuppressWarnings("unchecked")
	private static List<SyntheticData.Example> examples(Object sets, String name) throws Exception {
		return (List<SyntheticData.Example>) call(sets, name);
	}

	private static void add(List<SyntheticData.Example> examples, String kind, List<float[]> pixels,
			List<String> kinds) {
		for (SyntheticData.Example e : examples) {
			if (e.accepted()) {
				pixels.add(e.pixels());
				kinds.add(kind);
			}
		}
	}

	/**
	 * {@code n} training examples, half non-digits (label 1), made or read from
	 * {@code cache}.
	 */
	private static void examples(Mnist mnist, ImagePreprocessor preprocessor, int n, Path cache, List<float[]> px,
			List<Integer> y) throws Exception {
		if (java.nio.file.Files.exists(cache)) {
			try (var in = new java.io.DataInputStream(
					new java.io.BufferedInputStream(java.nio.file.Files.newInputStream(cache)))) {
				int rows = in.readInt();
				for (int r = 0; r < rows; r++) {
					y.add(in.readInt());
					float[] q = new float[DigitNetwork.PIXELS];
					for (int j = 0; j < q.length; j++) {
						q[j] = in.readFloat();
					}
					px.add(q);
				}
			}
			return;
		}
		long t0 = System.nanoTime();
		Mnist.Split train = mnist.train().slice(0, 50000);
		SyntheticData data = new SyntheticData(train,
				FontSets.require(FontSets.TRAINING, "0123456789" + SyntheticData.LETTERS, 12), preprocessor, 160, 360);
		MixedTrainer.Recipe recipe = MixedTrainer.Recipe.MIXED_OOD;
		Augmentation augmentation = new Augmentation(Augmentation.Settings.named("v1"), 777);
		int[] order = Batches.identity(train.size());
		Trainer.shuffle(order, new Random(777));
		java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
		List<java.util.concurrent.Future<Object[]>> futures = new ArrayList<>();
		for (int i = 0; i < n; i++) {
			int at = i;
			futures.add(pool.submit(() -> {
				Random random = new Random(Augmentation.mix(777L * 31 + at));
				int index = order[at % order.length];
				if (at % 2 == 0) {
					SyntheticData.Example e = data.nonDigit(recipe.nonDigitKind(random), index,
							order[(at + 1) % order.length], recipe.condition(random), random);
					return e.accepted() ? new Object[] { e.pixels(), 1 } : null;
				}
				SyntheticData.Example e;
				do {
					e = MixedTrainer.example(recipe, data, order, at % order.length, random);
				}
				while (e != null && e.label() == SyntheticData.NOT_A_DIGIT);
				if (e == null) {
					return new Object[] { augmentation.augment(data.mnist(index), 1, index), 0 };
				}
				return e.accepted() ? new Object[] { e.pixels(), 0 } : null;
			}));
		}
		for (var f : futures) {
			Object[] r = f.get();
			if (r != null) {
				px.add((float[]) r[0]);
				y.add((Integer) r[1]);
			}
		}
		pool.shutdown();
		java.nio.file.Files.createDirectories(cache.getParent());
		try (var o = new java.io.DataOutputStream(
				new java.io.BufferedOutputStream(java.nio.file.Files.newOutputStream(cache)))) {
			o.writeInt(px.size());
			for (int r = 0; r < px.size(); r++) {
				o.writeInt(y.get(r));
				for (float f : px.get(r)) {
					o.writeFloat(f);
				}
			}
		}
		System.out.printf(Locale.ROOT, "made %d examples (%d non-digits) in %.0f s%n", px.size(),
				y.stream().filter(v -> v == 1).count(), (System.nanoTime() - t0) / 1e9);
	}

	static double[] maxRank(double[] a, double[] b, List<String> kind) {
		double[] da = digitsOnly(a, kind);
		double[] db = digitsOnly(b, kind);
		java.util.Arrays.sort(da);
		java.util.Arrays.sort(db);
		double[] out = new double[a.length];
		for (int i = 0; i < a.length; i++) {
			double ra = rank(da, a[i]);
			double rb = rank(db, b[i]);
			out[i] = Math.max(ra, rb);
		}
		return out;
	}

	static double rank(double[] sorted, double v) {
		int i = java.util.Arrays.binarySearch(sorted, v);
		if (i < 0) {
			i = -i - 1;
		}
		return i / (double) sorted.length;
	}

	static double[] digitsOnly(double[] s, List<String> kind) {
		List<Double> d = new ArrayList<>();
		for (int i = 0; i < s.length; i++) {
			if (!kind.get(i).startsWith("non-digit")) {
				d.add(s[i]);
			}
		}
		return d.stream().mapToDouble(Double::doubleValue).toArray();
	}

	static double[] cnn(List<float[]> px, float[] y, List<float[]> vpx, int width, int epochs) {
		var layers = new NeuralNetConfiguration.Builder().seed(5)
			.updater(new Adam(1e-3))
			.l2(1e-4)
			.weightInit(WeightInit.RELU)
			.list();
		for (int filters : new int[] { width, 2 * width }) {
			layers
				.layer(new org.deeplearning4j.nn.conf.layers.ConvolutionLayer.Builder(3, 3).nOut(filters)
					.activation(Activation.RELU)
					.build())
				.layer(new org.deeplearning4j.nn.conf.layers.SubsamplingLayer.Builder(
						org.deeplearning4j.nn.conf.layers.SubsamplingLayer.PoolingType.MAX)
					.kernelSize(2, 2)
					.stride(2, 2)
					.build());
		}
		var conf = layers.layer(new DenseLayer.Builder().nOut(64).activation(Activation.RELU).dropOut(0.5).build())
			.layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nOut(1)
				.activation(Activation.SIGMOID)
				.build())
			.setInputType(org.deeplearning4j.nn.conf.inputs.InputType.convolutionalFlat(28, 28, 1))
			.build();
		MultiLayerNetwork net = new MultiLayerNetwork(conf);
		net.init();
		System.out.println("cnn parameters " + net.numParams());
		int rows = px.size();
		float[] flat = new float[rows * DigitNetwork.PIXELS];
		for (int i = 0; i < rows; i++) {
			System.arraycopy(px.get(i), 0, flat, i * DigitNetwork.PIXELS, DigitNetwork.PIXELS);
		}
		INDArray X = Nd4j.create(flat, new long[] { rows, DigitNetwork.PIXELS }, 'c');
		INDArray Y = Nd4j.create(y, new long[] { rows, 1 }, 'c');
		Random r = new Random(9);
		long t0 = System.nanoTime();
		for (int e = 0; e < epochs; e++) {
			int[] idx = Batches.identity(rows);
			Trainer.shuffle(idx, r);
			for (int from = 0; from < rows; from += 128) {
				int to = Math.min(rows, from + 128);
				int[] sel = java.util.Arrays.copyOfRange(idx, from, to);
				net.fit(new DataSet(X.getRows(sel), Y.getRows(sel)));
			}
			System.out.printf(Locale.ROOT, "cnn epoch %d done %.0f s%n", e + 1, (System.nanoTime() - t0) / 1e9);
		}
		float[] vflat = new float[vpx.size() * DigitNetwork.PIXELS];
		for (int i = 0; i < vpx.size(); i++) {
			System.arraycopy(vpx.get(i), 0, vflat, i * DigitNetwork.PIXELS, DigitNetwork.PIXELS);
		}
		float[] s = net.output(Nd4j.create(vflat, new long[] { vpx.size(), DigitNetwork.PIXELS }, 'c'), false)
			.data()
			.asFloat();
		double[] out = new double[s.length];
		for (int i = 0; i < s.length; i++) {
			out[i] = s[i];
		}
		return out;
	}

	static Object call(Object o, String name) throws Exception {
		Method m = o.getClass().getDeclaredMethod(name);
		m.setAccessible(true);
		return m.invoke(o);
	}

	record Feats(float[][] pool2, float[][] dense1, float[][] logp, double[] msp) {
		float[][] pick(String which) {
			List<float[][]> parts = new ArrayList<>();
			for (String p : which.split("\\+")) {
				parts.add(switch (p) {
					case "pool2" -> pool2;
					case "dense1" -> dense1;
					case "logp" -> logp;
					default -> throw new IllegalArgumentException(p);
				});
			}
			int rows = pool2.length;
			float[][] out = new float[rows][];
			for (int r = 0; r < rows; r++) {
				int len = 0;
				for (float[][] q : parts) {
					len += q[r].length;
				}
				float[] row = new float[len];
				int at = 0;
				for (float[][] q : parts) {
					System.arraycopy(q[r], 0, row, at, q[r].length);
					at += q[r].length;
				}
				out[r] = row;
			}
			return out;
		}
	}

	static Feats features(MultiLayerNetwork network, List<float[]> px, double temperature) {
		int rows = px.size();
		float[][] pool2 = new float[rows][];
		float[][] dense1 = new float[rows][];
		float[][] logp = new float[rows][];
		double[] msp = new double[rows];
		for (int from = 0; from < rows; from += 512) {
			int to = Math.min(rows, from + 512);
			float[] in = new float[(to - from) * DigitNetwork.PIXELS];
			for (int i = from; i < to; i++) {
				System.arraycopy(px.get(i), 0, in, (i - from) * DigitNetwork.PIXELS, DigitNetwork.PIXELS);
			}
			List<INDArray> acts = network
				.feedForward(Nd4j.create(in, new long[] { to - from, DigitNetwork.PIXELS }, 'c'), false);
			INDArray p2 = acts.get(4).reshape(to - from, -1);
			INDArray d1 = acts.get(DigitNetwork.DENSE1 + 1);
			INDArray out = acts.get(acts.size() - 1);
			for (int i = from; i < to; i++) {
				pool2[i] = p2.getRow(i - from).dup().data().asFloat();
				dense1[i] = d1.getRow(i - from).dup().data().asFloat();
				float[] p = out.getRow(i - from).dup().data().asFloat();
				float[] lp = new float[p.length];
				double max = Double.NEGATIVE_INFINITY;
				double sum = 0;
				for (int c = 0; c < p.length; c++) {
					lp[c] = (float) Math.log(Math.max(p[c], 1e-30));
					max = Math.max(max, lp[c] / temperature);
				}
				for (int c = 0; c < p.length; c++) {
					sum += Math.exp(lp[c] / temperature - max);
				}
				msp[i] = -1 / sum; // -max softmax(log p / T)
				logp[i] = lp;
			}
		}
		return new Feats(pool2, dense1, logp, msp);
	}

	static double[] head(float[][] x, float[] y, float[][] xv, int hidden, int epochs) {
		int d = x[0].length;
		// standardise by training mean/sd
		double[] mean = new double[d];
		double[] sd = new double[d];
		for (float[] r : x) {
			for (int j = 0; j < d; j++) {
				mean[j] += r[j];
			}
		}
		for (int j = 0; j < d; j++) {
			mean[j] /= x.length;
		}
		for (float[] r : x) {
			for (int j = 0; j < d; j++) {
				sd[j] += (r[j] - mean[j]) * (r[j] - mean[j]);
			}
		}
		for (int j = 0; j < d; j++) {
			sd[j] = Math.sqrt(sd[j] / x.length) + 1e-3;
		}
		INDArray X = matrix(x, mean, sd);
		INDArray XV = matrix(xv, mean, sd);
		INDArray Y = Nd4j.create(y, new long[] { y.length, 1 }, 'c');
		var b = new NeuralNetConfiguration.Builder().seed(5)
			.updater(new Adam(1e-3))
			.l2(1e-4)
			.weightInit(WeightInit.XAVIER)
			.list();
		if (hidden > 0) {
			b.layer(new DenseLayer.Builder().nIn(d).nOut(hidden).activation(Activation.RELU).build());
			b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(hidden)
				.nOut(1)
				.activation(Activation.SIGMOID)
				.build());
		}
		else {
			b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.XENT).nIn(d)
				.nOut(1)
				.activation(Activation.SIGMOID)
				.build());
		}
		MultiLayerNetwork head = new MultiLayerNetwork(b.build());
		head.init();
		Random r = new Random(9);
		int rows = x.length;
		for (int e = 0; e < epochs; e++) {
			int[] idx = Batches.identity(rows);
			Trainer.shuffle(idx, r);
			for (int from = 0; from < rows; from += 256) {
				int to = Math.min(rows, from + 256);
				int[] sel = java.util.Arrays.copyOfRange(idx, from, to);
				head.fit(new DataSet(X.getRows(sel), Y.getRows(sel)));
			}
		}
		float[] s = head.output(XV, false).data().asFloat();
		double[] out = new double[s.length];
		for (int i = 0; i < s.length; i++) {
			out[i] = s[i];
		}
		return out;
	}

	static INDArray matrix(float[][] x, double[] mean, double[] sd) {
		int d = x[0].length;
		float[] flat = new float[x.length * d];
		for (int i = 0; i < x.length; i++) {
			for (int j = 0; j < d; j++) {
				flat[i * d + j] = (float) ((x[i][j] - mean[j]) / sd[j]);
			}
		}
		return Nd4j.create(flat, new long[] { x.length, d }, 'c');
	}

	/** Higher score = more likely a non-digit. */
	static void report(String name, double[] s, List<String> kind, int refused, int nonDigitsTotal) {
		List<Double> digits = new ArrayList<>();
		List<Double> mnistOnly = new ArrayList<>();
		List<Double> non = new ArrayList<>();
		for (int i = 0; i < s.length; i++) {
			if (kind.get(i).startsWith("non-digit")) {
				non.add(s[i]);
			}
			else {
				digits.add(s[i]);
				if (kind.get(i).equals("mnist")) {
					mnistOnly.add(s[i]);
				}
			}
		}
		double[] dn = digits.stream().mapToDouble(Double::doubleValue).toArray();
		double[] nn = non.stream().mapToDouble(Double::doubleValue).toArray();
		double auroc = OodScores.auroc(nn, dn);
		StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-28s AUROC %.4f", name, auroc));
		for (double rate : new double[] { 0.01, 0.02 }) {
			double t = OodScores.threshold(dn, rate);
			int caught = refused;
			for (double v : nn) {
				caught += v > t ? 1 : 0;
			}
			int photoFlag = 0;
			int photos = 0;
			for (int i = 0; i < s.length; i++) {
				if (kind.get(i).equals("photo")) {
					photos++;
					photoFlag += s[i] > t ? 1 : 0;
				}
			}
			line.append(String.format(Locale.ROOT, " | at %.0f%% digits: caught %.2f%%, photos flagged %.2f%%",
					rate * 100, 100.0 * caught / nonDigitsTotal, 100.0 * photoFlag / photos));
		}
		System.out.println(line);
	}

}
