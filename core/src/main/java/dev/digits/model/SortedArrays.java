package dev.digits.model;

/** Binary searches of sorted arrays that count, for ranks and empirical distributions. */
public final class SortedArrays {

	private SortedArrays() {
	}

	/** How many of {@code sorted} are less than {@code value}. */
	public static int lowerBound(double[] sorted, double value) {
		return search(sorted, value, false);
	}

	/** How many of {@code sorted} are at most {@code value}. */
	public static int upperBound(double[] sorted, double value) {
		return search(sorted, value, true);
	}

	private static int search(double[] sorted, double value, boolean orEqual) {
		int lo = 0;
		int hi = sorted.length;
		while (lo < hi) {
			int mid = (lo + hi) >>> 1;
			if (sorted[mid] < value || (orEqual && sorted[mid] == value)) {
				lo = mid + 1;
			}
			else {
				hi = mid;
			}
		}
		return lo;
	}

}
