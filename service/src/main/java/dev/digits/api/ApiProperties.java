package dev.digits.api;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Limits on what clients may send, checked before a body is read.
 *
 * @param maxImageSize largest image in bytes (raw body, or one multipart file)
 * @param maxJsonSize largest JSON body in bytes (784 numbers take at most about 20 KB; a
 * batch of 64 about 1.3 MB)
 * @param maxMultipartSize largest multipart body in bytes (all files of a batch together)
 * @param maxBodiesInFlight bytes of request bodies all requests together may hold at once
 * (by their {@code Content-Length}, or their type's limit when it is absent); a request
 * that cannot be admitted within {@code admissionWait} is answered 503 without being read
 * @param admissionWait how long a request may wait for room under
 * {@code maxBodiesInFlight}
 * @param maxBatchImages most images in one batch request
 * @param shedWhenQueueFull answer a prediction request 503 (overloaded, Retry-After)
 * before reading its body when the inference queue is already full, instead of decoding
 * an image the queue would refuse anyway
 * @param minBodyRate the slowest a JSON or raw image body may arrive, on average, once
 * {@code bodyGrace} has passed: a slower one is answered 408 and its connection closed,
 * so a few clients trickling bytes cannot hold request threads and body budget for as
 * long as they like
 * @param bodyGrace how long a body may take before its rate is judged
 * @param maxInProgress prediction requests handled at once (reading, decoding, waiting
 * for and in inference); one more is answered 503 (overloaded, Retry-After) before its
 * body is read. Request threads are virtual on Java 21+ and bound nothing: without this,
 * an open load above capacity piles up requests until the heap is gone. 0: no limit
 */
@Validated
@ConfigurationProperties("digits.api")
public record ApiProperties(@NotNull DataSize maxImageSize, @NotNull DataSize maxJsonSize,
		@NotNull DataSize maxMultipartSize, @NotNull DataSize maxBodiesInFlight, @NotNull Duration admissionWait,
		@Min(1) @Max(1024) int maxBatchImages, boolean shedWhenQueueFull, @NotNull DataSize minBodyRate,
		@NotNull Duration bodyGrace, @Min(0) int maxInProgress) {
}
