package dev.digits;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The service module's rules (docs/architecture.md): inference and the serving plane know
 * no HTTP and no gRPC, nothing below the transports depends on them, and the service does
 * not use the tools (training, evaluation), which are on its test classpath only. The
 * core's and the tools' own rules are in their modules.
 */
class ArchitectureTests {

	private static final JavaClasses SERVICE = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("dev.digits.api", "dev.digits.serving", "dev.digits.inference", "dev.digits.system");

	@Test
	void inferenceAndServingKnowNoHttp() {
		noClasses().that()
			.resideInAnyPackage("dev.digits.inference..", "dev.digits.serving..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("jakarta.servlet..", "org.springframework.web..", "org.springframework.http..",
					"dev.digits.api..")
			.check(SERVICE);
	}

	/**
	 * gRPC is a protocol adapter like HTTP: its code and generated classes stay in api.
	 */
	@Test
	void inferenceAndServingKnowNoGrpc() {
		noClasses().that()
			.resideInAnyPackage("dev.digits.inference..", "dev.digits.serving..", "dev.digits.system..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.grpc..", "dev.digits.grpc..", "org.springframework.grpc..")
			.check(SERVICE);
	}

	@Test
	void inferenceKnowsNothingOfServing() {
		noClasses().that()
			.resideInAPackage("dev.digits.inference..")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("dev.digits.serving..", "dev.digits.api..")
			.check(SERVICE);
	}

}
