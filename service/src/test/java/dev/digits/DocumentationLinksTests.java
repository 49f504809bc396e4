package dev.digits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every relative link and anchor in the repository's Markdown resolves: the README, the
 * model card, the contributing guide, and everything under {@code docs/}. Anchors follow
 * GitHub's rules (lower case, punctuation dropped, spaces as hyphens).
 */
class DocumentationLinksTests {

	private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

	@Test
	void everyRelativeLinkAndAnchorResolves() throws IOException {
		List<String> broken = new ArrayList<>();
		int checked = 0;
		for (Path doc : documents()) {
			String text = withoutCode(Files.readString(doc));
			Matcher m = LINK.matcher(text);
			while (m.find()) {
				String target = m.group(1);
				if (target.matches("^[a-z]+:.*") || target.startsWith("//")) {
					continue; // http(s), mailto: not checked here
				}
				checked++;
				String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
				String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
				Path resolved = file.isEmpty() ? doc
						: doc.getParent() == null ? Path.of(file) : doc.getParent().resolve(file);
				if (!Files.exists(resolved.normalize())) {
					broken.add(doc + ": " + target + " (no such file)");
					continue;
				}
				if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(anchor)) {
					broken.add(doc + ": " + target + " (no such heading)");
				}
			}
		}
		assertThat(broken).isEmpty();
		assertThat(checked).isGreaterThan(30);
	}

	static List<Path> documents() throws IOException {
		List<Path> docs = new ArrayList<>();
		for (String top : new String[] { "README.md", "MODEL_CARD.md", "CONTRIBUTING.md", "CHANGELOG.md" }) {
			if (Files.exists(Path.of(top))) {
				docs.add(Path.of(top));
			}
		}
		try (Stream<Path> files = Files.walk(Path.of("docs"))) {
			// installed packages (docs/clients/node/node_modules after npm ci) are not
			// ours
			files.filter(p -> p.toString().endsWith(".md") && !p.toString().contains("node_modules"))
				.sorted()
				.forEach(docs::add);
		}
		return docs;
	}

	/** GitHub's heading anchors of a Markdown file. */
	static Set<String> anchors(Path file) throws IOException {
		Set<String> anchors = new HashSet<>();
		for (String line : withoutCode(Files.readString(file)).split("\n")) {
			if (line.matches("^#{1,6} .*")) {
				String slug = line.replaceFirst("^#+ ", "")
					.strip()
					.toLowerCase(Locale.ROOT)
					.replaceAll("[^\\p{L}\\p{N} _-]", "")
					.replace(' ', '-');
				String unique = slug;
				for (int n = 1; anchors.contains(unique); n++) {
					unique = slug + "-" + n;
				}
				anchors.add(unique);
			}
		}
		return anchors;
	}

	/** The text without fenced code blocks or inline code. */
	private static String withoutCode(String text) {
		return text.replaceAll("(?s)```.*?```", "").replaceAll("`[^`\n]*`", "");
	}

}
