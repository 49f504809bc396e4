package dev.digits;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The core module's rules (docs/architecture.md): preprocessing is pure functions of
 * bytes (no ND4J or DL4J, only the model's constants and normalisation), and the core
 * depends on neither the service nor the tools (nor Spring, which is not on its class
 * path at all).
 */
class CoreArchitectureTests {

	private static final JavaClasses CORE = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.digits.model", "dev.digits.preprocessing");

	@Test
	void preprocessingIsPureFunctionsOfBytes() {
		noClasses().that()
			.resideInAPackage("dev.digits.preprocessing..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.nd4j..", "org.deeplearning4j..")
			.check(CORE);
	}

}
