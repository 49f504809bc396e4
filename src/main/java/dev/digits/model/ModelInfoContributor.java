package dev.digits.model;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.stereotype.Component;

/** Adds the served model's name, version and test accuracy to {@code /actuator/info}. */
@Component
class ModelInfoContributor implements InfoContributor {

	private final LoadedModel model;

	ModelInfoContributor(LoadedModel model) {
		this.model = model;
	}

	@Override
	public void contribute(Info.Builder builder) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("name", model.name());
		details.put("version", model.version());
		details.put("parameters", model.network().numParams());
		if (model.metadata().get("metrics") instanceof Map<?, ?> metrics
				&& metrics.get("test") instanceof Map<?, ?> test) {
			details.put("testAccuracy", test.get("accuracy"));
		}
		builder.withDetail("model", details);
	}

}
