package dev.digits.api;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns an MNIST digit into pen strokes, so that a browser test can draw a real
 * handwritten digit with pointer actions: the ink is binarised, thinned to a one-pixel
 * skeleton (Zhang-Suen), and the skeleton walked into polylines, from its end points
 * first (a pen starts at an end), then around what is left (loops). Points are in the
 * digit's 28x28 pixel grid, at pixel centres.
 */
final class DigitTracer {

	/** A grey level at or above this is ink. */
	static final int INK = 100;

	private static final int SIZE = 28;

	/** Neighbours in order: the four sides first, so that walks prefer straight steps. */
	private static final int[][] NEIGHBOURS = { { 1, 0 }, { 0, 1 }, { -1, 0 }, { 0, -1 }, { 1, 1 }, { -1, 1 },
			{ -1, -1 }, { 1, -1 } };

	record Point(double x, double y) {
	}

	private DigitTracer() {
	}

	/** The strokes that draw {@code grey} (784 levels, ink high), smoothed a little. */
	static List<List<Point>> strokes(byte[] grey) {
		boolean[] skeleton = thin(binarise(grey));
		boolean[] visited = new boolean[SIZE * SIZE];
		List<List<int[]>> walks = new ArrayList<>();
		// end points first, then whatever is left (closed loops)
		for (int pass = 0; pass < 2; pass++) {
			for (int i = 0; i < skeleton.length; i++) {
				if (skeleton[i] && !visited[i] && (pass == 1 || degree(skeleton, i) <= 1)) {
					walks.add(walk(skeleton, visited, i));
				}
			}
		}
		List<List<Point>> strokes = new ArrayList<>();
		for (List<int[]> walk : walks) {
			strokes.add(smooth(walk));
		}
		return strokes;
	}

	private static boolean[] binarise(byte[] grey) {
		boolean[] ink = new boolean[SIZE * SIZE];
		for (int i = 0; i < ink.length; i++) {
			ink[i] = (grey[i] & 0xFF) >= INK;
		}
		return ink;
	}

	private static boolean at(boolean[] image, int x, int y) {
		return x >= 0 && y >= 0 && x < SIZE && y < SIZE && image[y * SIZE + x];
	}

	private static int degree(boolean[] image, int index) {
		int x = index % SIZE;
		int y = index / SIZE;
		int n = 0;
		for (int[] d : NEIGHBOURS) {
			if (at(image, x + d[0], y + d[1])) {
				n++;
			}
		}
		return n;
	}

	/** Zhang-Suen thinning. */
	static boolean[] thin(boolean[] source) {
		boolean[] image = source.clone();
		boolean changed = true;
		while (changed) {
			changed = false;
			for (int step = 0; step < 2; step++) {
				List<Integer> remove = new ArrayList<>();
				for (int y = 0; y < SIZE; y++) {
					for (int x = 0; x < SIZE; x++) {
						if (!image[y * SIZE + x]) {
							continue;
						}
						// p2..p9 clockwise from north
						boolean[] p = { at(image, x, y - 1), at(image, x + 1, y - 1), at(image, x + 1, y),
								at(image, x + 1, y + 1), at(image, x, y + 1), at(image, x - 1, y + 1),
								at(image, x - 1, y), at(image, x - 1, y - 1) };
						int b = 0;
						int a = 0;
						for (int k = 0; k < 8; k++) {
							b += p[k] ? 1 : 0;
							a += (!p[k] && p[(k + 1) % 8]) ? 1 : 0;
						}
						boolean first = step == 0 ? !(p[0] && p[2] && p[4]) && !(p[2] && p[4] && p[6])
								: !(p[0] && p[2] && p[6]) && !(p[0] && p[4] && p[6]);
						if (b >= 2 && b <= 6 && a == 1 && first) {
							remove.add(y * SIZE + x);
						}
					}
				}
				for (int i : remove) {
					image[i] = false;
				}
				changed |= !remove.isEmpty();
			}
		}
		return image;
	}

	/**
	 * Walks from {@code start} to unvisited neighbours until none is left; then takes one
	 * step onto an already visited neighbour, if any, so that a branch joins the stroke
	 * it grew from, and closes a loop.
	 */
	private static List<int[]> walk(boolean[] skeleton, boolean[] visited, int start) {
		List<int[]> points = new ArrayList<>();
		int x = start % SIZE;
		int y = start / SIZE;
		int previous = -1;
		while (true) {
			visited[y * SIZE + x] = true;
			points.add(new int[] { x, y });
			int next = -1;
			int joined = -1;
			for (int[] d : NEIGHBOURS) {
				int nx = x + d[0];
				int ny = y + d[1];
				if (at(skeleton, nx, ny)) {
					int index = ny * SIZE + nx;
					if (!visited[index]) {
						next = index;
						break;
					}
					if (joined < 0 && index != previous && points.size() > 1
							&& !contains(points, nx, ny, points.size() - 3)) {
						joined = index;
					}
				}
			}
			if (next < 0) {
				if (joined >= 0) {
					points.add(new int[] { joined % SIZE, joined / SIZE });
				}
				else if (points.size() == 1) {
					// a lone pixel, or the first step of a branch off a visited stroke
					for (int[] d : NEIGHBOURS) {
						if (at(skeleton, x + d[0], y + d[1])) {
							points.add(0, new int[] { x + d[0], y + d[1] });
							break;
						}
					}
				}
				return points;
			}
			previous = y * SIZE + x;
			x = next % SIZE;
			y = next / SIZE;
		}
	}

	/**
	 * Whether one of the first {@code upTo} points is (x, y): such a neighbour is the
	 * stroke's own past.
	 */
	private static boolean contains(List<int[]> points, int x, int y, int upTo) {
		for (int i = Math.max(0, upTo); i < points.size(); i++) {
			if (points.get(i)[0] == x && points.get(i)[1] == y) {
				return true;
			}
		}
		return false;
	}

	/** Pixel centres, averaged with their neighbours along the stroke (ends kept). */
	private static List<Point> smooth(List<int[]> walk) {
		List<Point> points = new ArrayList<>();
		for (int i = 0; i < walk.size(); i++) {
			if (i == 0 || i == walk.size() - 1) {
				points.add(new Point(walk.get(i)[0] + 0.5, walk.get(i)[1] + 0.5));
				continue;
			}
			double x = (walk.get(i - 1)[0] + 2 * walk.get(i)[0] + walk.get(i + 1)[0]) / 4.0;
			double y = (walk.get(i - 1)[1] + 2 * walk.get(i)[1] + walk.get(i + 1)[1]) / 4.0;
			points.add(new Point(x + 0.5, y + 0.5));
		}
		return points;
	}

}
