package dev.digits.serving;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The background timers of the serving layer: one daemon thread each, named. */
final class Timers {

	private Timers() {
	}

	/** A single-threaded scheduler on a daemon thread called {@code name}. */
	static ScheduledExecutorService daemon(String name) {
		return Executors.newSingleThreadScheduledExecutor(runnable -> {
			Thread thread = new Thread(runnable, name);
			thread.setDaemon(true);
			return thread;
		});
	}

}
