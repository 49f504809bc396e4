package dev.digits.inference;

import java.util.function.IntFunction;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;

/**
 * How a network is executed: the fast NHWC ops path or DL4J's own layers, chosen once in
 * configuration ({@code digits.inference.engine}).
 */
public interface InferenceEngine {

	String name();

	/**
	 * Prepares {@code network} (read-only weights shared by every worker) and returns the
	 * factory of per-worker forward passes of the given batch capacity, called on the
	 * worker's own thread.
	 */
	IntFunction<ForwardPass> prepare(MultiLayerNetwork network);

	/**
	 * Whether {@link #prepare} keeps a copy of the weights of its own, beside the
	 * network's.
	 */
	default boolean copiesWeights() {
		return false;
	}

	/**
	 * ND4J custom ops in channels-last layout on oneDNN (see {@link NhwcForwardPass}).
	 */
	static InferenceEngine nhwc() {
		return new InferenceEngine() {

			@Override
			public String name() {
				return "nhwc";
			}

			@Override
			public boolean copiesWeights() {
				return true;
			}

			@Override
			public IntFunction<ForwardPass> prepare(MultiLayerNetwork network) {
				NhwcWeights weights = NhwcWeights.of(network);
				return capacity -> new NhwcForwardPass(weights, capacity);
			}

		};
	}

	/** DL4J's {@code MultiLayerNetwork.output()} on a private copy per worker. */
	static InferenceEngine dl4j() {
		return new InferenceEngine() {

			@Override
			public String name() {
				return "dl4j";
			}

			@Override
			public IntFunction<ForwardPass> prepare(MultiLayerNetwork network) {
				return capacity -> new Dl4jForwardPass(network, capacity);
			}

		};
	}

}
