package dev.digits.model;

import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Caps the native threads ND4J uses per call. With several inference workers on few
 * cores, OpenMP and OpenBLAS threads inside each call only fight over the same cores (see
 * docs/BENCHMARKS.md).
 */
public final class NativeThreads {

	private NativeThreads() {
	}

	public static void configure(int threads) {
		Nd4j.getEnvironment().setMaxThreads(threads);
		Nd4j.getEnvironment().setMaxMasterThreads(threads);
		NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
		Nd4j.factory().blas().setMaxThreads(threads);
	}

}
