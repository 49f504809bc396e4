package dev.digits.system;

import dev.digits.model.NativeBuild;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.bytedeco.javacpp.Pointer;
import org.springframework.stereotype.Component;

/**
 * Off-heap memory as JavaCPP (ND4J's allocator) sees it: what it has allocated, the
 * process' resident size, and the limits past which it calls {@code System.gc()} and then
 * fails.
 */
@Component
class NativeMemoryMetrics implements MeterBinder {

	@Override
	public void bindTo(MeterRegistry registry) {
		Gauge.builder("digits.native.build", () -> 1)
			.description("The ND4J native build in use (chosen at start by the CPU, see NativeBuild)")
			.tag("build", NativeBuild.chosen())
			.register(registry);
		Gauge.builder("digits.offheap", Pointer::totalBytes)
			.description("Native memory allocated through JavaCPP (ND4J arrays)")
			.baseUnit("bytes")
			.register(registry);
		Gauge.builder("digits.offheap.physical", Pointer::physicalBytes)
			.description("Resident memory of the process, as JavaCPP measures it")
			.baseUnit("bytes")
			.register(registry);
		Gauge.builder("digits.offheap.max", Pointer::maxBytes)
			.description("JavaCPP limit on native allocations (org.bytedeco.javacpp.maxbytes)")
			.baseUnit("bytes")
			.register(registry);
		Gauge.builder("digits.offheap.physical.max", Pointer::maxPhysicalBytes)
			.description("JavaCPP limit on resident memory (org.bytedeco.javacpp.maxphysicalbytes)")
			.baseUnit("bytes")
			.register(registry);
	}

}
