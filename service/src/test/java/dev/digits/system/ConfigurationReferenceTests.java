package dev.digits.system;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docs/configuration.md} is generated from the {@code @ConfigurationProperties}
 * metadata the build writes (descriptions from the records' javadoc) and the defaults in
 * {@code application.yml}, so it cannot drift from the code. Regenerate it with
 * {@code ./mvnw -o test -Dtest=ConfigurationReferenceTests -Dconfig.write=true}.
 */
class ConfigurationReferenceTests {

	static final Path DOC = Path.of("docs/configuration.md");

	@Test
	void theReferenceIsGeneratedFromTheCode() throws IOException {
		String generated = generate();
		if (Boolean.getBoolean("config.write")) {
			Files.writeString(DOC, generated, StandardCharsets.UTF_8);
		}
		Files.createDirectories(Path.of("target"));
		Files.writeString(Path.of("target/configuration.md"), generated, StandardCharsets.UTF_8);
		assertThat(Files.readString(DOC))
			.as("docs/configuration.md differs from target/configuration.md; regenerate: "
					+ "./mvnw -o test -Dtest=ConfigurationReferenceTests -Dconfig.write=true")
			.isEqualTo(generated);
	}

	@Test
	void everyDigitsPropertyHasADescriptionAndADefault() throws IOException {
		Map<String, String> defaults = defaults();
		for (JsonNode property : metadata()) {
			String name = property.get("name").asString();
			assertThat(property.path("description").asString("")).as(name + " has javadoc").isNotBlank();
			if (!"java.nio.file.Path".equals(property.path("type").asString())) { // optional
																					// files
																					// have
																					// none
				assertThat(defaults).as(name + " has a default in application.yml").containsKey(name);
			}
		}
	}

	static String generate() throws IOException {
		Map<String, String> defaults = defaults();
		Map<String, StringBuilder> sections = new TreeMap<>();
		for (JsonNode property : metadata()) {
			String name = property.get("name").asString();
			String section = name.substring(0, name.indexOf('.', "digits.".length()));
			String description = property.path("description")
				.asString("")
				.replaceAll("\\{@code ([^}]*)}", "`$1`")
				.replaceAll("\\{@link [^}]*#?([^}#]*)}", "$1")
				.replace("|", "\\|")
				.replaceAll("\\s+", " ");
			String value = defaults.getOrDefault(name, "");
			String env = name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
			sections
				.computeIfAbsent(section,
						s -> new StringBuilder(
								"| property (environment variable) | default | meaning |\n|---|---|---|\n"))
				.append("| `")
				.append(name)
				.append("` (`")
				.append(env)
				.append("`) | ")
				.append(value.isEmpty() ? "" : "`" + value.replace("|", "\\|") + "`")
				.append(" | ")
				.append(description)
				.append(" |\n");
		}
		StringBuilder md = new StringBuilder("""
				# Configuration reference

				Every setting of the service, generated from the `@ConfigurationProperties` records (their
				javadoc) and the defaults in `service/src/main/resources/application.yml` by
				`ConfigurationReferenceTests`; do not edit by hand. Regenerate with
				`./mvnw -o test -Dtest=ConfigurationReferenceTests -Dconfig.write=true`. Set any of them as a
				property (`--digits.api.max-image-size=2MB`), in a file, or as the environment variable
				shown. Sizes take units (`5MB`), durations too (`500ms`, `5s`).
				""");
		sections.forEach((section, table) -> md.append("\n## `").append(section).append("`\n\n").append(table));
		return md.toString();
	}

	private static List<JsonNode> metadata() throws IOException {
		JsonNode json = JsonMapper.builder()
			.build()
			.readTree(Path.of("service/target/classes/META-INF/spring-configuration-metadata.json").toFile());
		List<JsonNode> properties = new java.util.ArrayList<>();
		json.get("properties").forEach(p -> {
			if (p.get("name").asString().startsWith("digits.")) {
				properties.add(p);
			}
		});
		properties.sort(java.util.Comparator.comparing(p -> p.get("name").asString()));
		return properties;
	}

	/** application.yml flattened to dotted keys (lists and maps as written). */
	static Map<String, String> defaults() throws IOException {
		Map<String, Object> yaml = new Yaml()
			.load(Files.readString(Path.of("service/src/main/resources/application.yml")));
		Map<String, String> flat = new LinkedHashMap<>();
		flatten("", yaml, flat);
		return flat;
	}

	@SuppressWarnings("unchecked")
	private static void flatten(String prefix, Object value, Map<String, String> out) {
		if (value instanceof Map<?, ?> map && !(prefix.endsWith(".weights"))) {
			if (map.isEmpty()) {
				out.put(prefix, "{}");
			}
			((Map<String, Object>) map).forEach((k, v) -> flatten(prefix.isEmpty() ? k : prefix + "." + k, v, out));
		}
		else {
			out.put(prefix, value instanceof Map<?, ?> m && m.isEmpty() ? "{}" : String.valueOf(value));
		}
	}

}
