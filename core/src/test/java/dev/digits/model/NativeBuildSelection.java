package dev.digits.model;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Tests choose the native build as the application's main does, before any test touches
 * ND4J.
 */
public class NativeBuildSelection implements LauncherSessionListener {

	@Override
	public void launcherSessionOpened(LauncherSession session) {
		NativeBuild.select();
	}

}
