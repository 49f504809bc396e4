package dev.digits.system;

import dev.digits.model.NativeBuild;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.stereotype.Component;

/** The native build in {@code /actuator/info}, and once in the log at start. */
@Component
class NativeBuildInfo implements InfoContributor {

	private static final Logger logger = LoggerFactory.getLogger(NativeBuildInfo.class);

	NativeBuildInfo() {
		logger.info("ND4J native build {} ({})", NativeBuild.chosen(), NativeBuild.reason());
	}

	@Override
	public void contribute(Info.Builder builder) {
		builder.withDetail("native", Map.of("build", NativeBuild.chosen(), "reason", NativeBuild.reason()));
	}

}
