package dev.digits.model;

/** Wilson's score interval of a proportion, at 95%. */
public final class Wilson {

	private static final double Z = 1.959964;

	private Wilson() {
	}

	/** The interval of {@code hits} in {@code total}, or null for none. */
	public static double[] interval(long hits, long total) {
		if (total <= 0) {
			return null;
		}
		double n = total;
		double p = hits / n;
		double z2 = Z * Z;
		double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
		double half = Z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n);
		return new double[] { Math.max(0, centre - half), Math.min(1, centre + half) };
	}

}
