package dev.digits;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The package rules of docs/architecture.md, kept true as the code grows: preprocessing
 * is pure (no Spring, no HTTP, no ND4J), inference and the serving plane know no HTTP,
 * the model's artifacts know neither serving nor transport, and nothing below the
 * transport depends on it.
 */
class ArchitectureTests {

	private static final JavaClasses CLASSES = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.digits");

	@Test
	void preprocessingIsPureFunctionsOfBytes() {
		noClasses().that()
			.resideInAPackage("..preprocessing..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "jakarta.servlet..", "org.nd4j..", "org.deeplearning4j..",
					"dev.digits.api..", "dev.digits.serving..", "dev.digits.inference..", "dev.digits.training..")
			.check(CLASSES);
	}

	@Test
	void inferenceAndServingKnowNoHttp() {
		noClasses().that()
			.resideInAnyPackage("..inference..", "..serving..", "..model..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("jakarta.servlet..", "org.springframework.web..", "org.springframework.http..",
					"dev.digits.api..")
			.check(CLASSES);
	}

	@Test
	void theModelKnowsNeitherServingNorInference() {
		noClasses().that()
			.resideInAPackage("..model..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.digits.serving..", "dev.digits.inference..", "dev.digits.training..")
			.check(CLASSES);
	}

	@Test
	void trainingDoesNotReachIntoServing() {
		noClasses().that()
			.resideInAPackage("..training..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.digits.serving..", "dev.digits.api..", "dev.digits.inference..")
			.check(CLASSES);
	}

}
