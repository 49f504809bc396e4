package dev.digits.inference;

import dev.digits.model.NativeThreads;
import java.util.concurrent.TimeUnit;

import dev.digits.model.NativeBuild;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ceiling the compute figures are compared with: a large single-precision matrix product
 * (1024 x 1024 x 1024, 2.1 GFLOP) through ND4J, on one native thread and on ND4J's default number.
 * GFLOP/s = 2 x 1024^3 / the time per product; at 5.26 MFLOP per image (the network's FLOPs) that
 * rate bounds images/s. Runs in the same JMH invocation as {@link ComputeBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(3)
@State(Scope.Benchmark)
public class SgemmCeilingBenchmark {

	static {
		// the native build the service would choose on this CPU (or DIGITS_NATIVE_BUILD), before ND4J loads
		NativeBuild.select();
	}


	static final int N = 1024;

	/** Native threads; 0 leaves ND4J's default (one per core). */
	@Param({ "1", "0" })
	public int nativeThreads;

	INDArray a;

	INDArray b;

	INDArray c;

	@Setup(Level.Trial)
	public void setUp() {
		if (nativeThreads > 0) {
			NativeThreads.configure(nativeThreads);
		}
		a = Nd4j.rand(DataType.FLOAT, N, N);
		b = Nd4j.rand(DataType.FLOAT, N, N);
		c = Nd4j.create(DataType.FLOAT, N, N);
	}

	@Benchmark
	public INDArray sgemm() {
		return Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
	}

}
