package dev.digits.system;

import dev.digits.api.AccessLogValve;
import dev.digits.api.MalformedBodyValve;
import dev.digits.api.ProblemErrorReportValve;
import org.apache.catalina.core.StandardHost;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tomcat's own error reports (for requests no servlet saw) as problem+json, and the
 * access log (one line per request, including those).
 */
@Configuration(proxyBeanMethods = false)
class TomcatConfiguration {

	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReports() {
		return factory -> factory.addContextCustomizers(context -> {
			if (context.getParent() instanceof StandardHost host) {
				host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
			}
		});
	}

	/**
	 * On the engine, so that Tomcat also logs requests it refused before any context saw
	 * them.
	 */
	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> accessLog() {
		return factory -> factory.addEngineValves(new AccessLogValve());
	}

	/**
	 * A body Tomcat could not decode is not drained after its 400 (which would log a
	 * Tomcat ERROR).
	 */
	@Bean
	WebServerFactoryCustomizer<TomcatServletWebServerFactory> malformedBodies() {
		return factory -> factory.addEngineValves(new MalformedBodyValve());
	}

}
