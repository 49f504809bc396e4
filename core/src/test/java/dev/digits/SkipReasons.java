package dev.digits;

import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints on the console why a test or a suite did not run (a missing tool, a missing data
 * set), so a skip is seen where the build is read, not only in the surefire XML.
 * Registered through {@code META-INF/services}.
 */
public final class SkipReasons implements TestExecutionListener {

	@Override
	public void executionSkipped(TestIdentifier test, String reason) {
		System.out.println("[SKIPPED] " + test.getDisplayName() + ": " + reason);
	}

	@Override
	public void executionFinished(TestIdentifier test, TestExecutionResult result) {
		if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
			String reason = result.getThrowable().map(Throwable::getMessage).orElse("no reason given");
			System.out.println("[SKIPPED] " + test.getDisplayName() + ": " + reason);
		}
	}

}
