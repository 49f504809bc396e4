package dev.digits;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The tools module's rule (docs/architecture.md): training and evaluation build on the
 * core only (the network's specification, model files, the service's own preprocessing),
 * never on the service or Spring.
 */
class ToolsArchitectureTests {

	private static final JavaClasses TOOLS = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.digits.training");

	@Test
	void theToolsBuildOnTheCoreOnly() {
		noClasses().should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.digits.api..", "dev.digits.serving..", "dev.digits.inference..",
					"dev.digits.system..", "org.springframework..", "jakarta.servlet..")
			.check(TOOLS);
	}

}
