package dev.digits.system;

import java.time.Duration;

import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * How long browsers keep the page's files. TensorFlow.js lives under a path that names
 * its version ({@code /app/vendor/tfjs-4.22.0/}): a new version gets a new path, so its
 * 715 KB are kept a year and never revalidated. Every other file of the page is
 * revalidated on each visit ({@code spring.web.resources.cache.cachecontrol.no-cache});
 * the API's answers stay {@code no-store} (Spring Security's default, which a handler's
 * own Cache-Control overrides).
 */
@Configuration(proxyBeanMethods = false)
class PageCaching implements WebMvcConfigurer {

	static final String VENDOR = "/app/vendor/**";

	@Override
	public void addResourceHandlers(ResourceHandlerRegistry registry) {
		registry.addResourceHandler(VENDOR)
			.addResourceLocations("classpath:/static/app/vendor/")
			.setCacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable());
	}

}
