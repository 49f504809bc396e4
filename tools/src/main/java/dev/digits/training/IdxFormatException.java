package dev.digits.training;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An IDX file that is not what its name promises: wrong magic, truncated, or
 * inconsistent.
 */
public class IdxFormatException extends IOException {

	public IdxFormatException(Path file, String problem) {
		super(file + ": " + problem);
	}

}
