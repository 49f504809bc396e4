package dev.digits.api;

import java.time.Duration;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The requests the service sends itself before it says it is ready, so that the JIT has
 * compiled the request path (Tomcat, Spring MVC, JSON, decoders, preprocessing,
 * inference) before the first client arrives rather than over the first minutes of
 * traffic.
 *
 * @param requests how many (0: none); each kind of body in turn: a multipart canvas PNG,
 * a raw PNG, JSON pixels, an Open Inference Protocol tensor, and every eighth a 640x480
 * JPEG photo of a page
 * @param maxDuration the most the warm-up may add to the start, whatever is left of the
 * requests
 * @param exitWhenDone end the process once warmed up instead of serving: the image's
 * build runs the service this way once to record the JVM's ahead-of-time cache (classes
 * loaded and linked, method profiles) from the start-up and the warm-up
 */
@Validated
@ConfigurationProperties("digits.warm-up")
public record WarmUpProperties(@Min(0) int requests, @NotNull Duration maxDuration, boolean exitWhenDone) {
}
