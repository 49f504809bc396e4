package dev.digits.preprocessing;

import java.util.ArrayList;
import java.util.List;

/**
 * Long, thin, nearly horizontal or vertical structures of an ink mask: the lines of ruled
 * and squared paper, the sides of a printed box, the edge of the sheet.
 * <p>
 * A path opening on a mask compressed {@link #COMPRESSION} times along the line's
 * direction: a path moves one compressed cell along and at most one pixel across per
 * step, so it follows lines slanted by up to 1/8 (7 degrees, a phone held at an angle).
 * Cells on paths at least {@code minLength} long are candidates, labelled by
 * connectivity; their ink pixels are removed where the ink is thin across the line (at
 * most {@code thickness} pixels), so a stroke that crosses a line thickly keeps its
 * pixels, and pixels where a thin stroke crosses (ink on both sides of the line) are put
 * back. Pixels where a horizontal and a vertical candidate cross are removed too (the
 * crossings of squared paper), unless the ink there is thick every way, diagonals
 * included ({@link #crossingOfLines}): a marker's stroke that the lines run into.
 * <p>
 * A candidate is a <em>line</em> when it reaches the frame, spans half the image, is a
 * side of a closed box (a perpendicular candidate at each end), or has two or more
 * parallel candidates of similar length (within 0.6 to 1/0.6 of its own) beside it (ruled
 * paper). Other candidates (shorter, alone: the bar of a 7 in a close-up) stay ink.
 * {@link InkGroups} may still put a line back when it turns out to be part of the digit
 * (it ends within the digit's box).
 */
final class Lines {

	/** Compression along the line's direction: slant tolerance 1/8. */
	static final int COMPRESSION = 8;

	/** A candidate's box, {@code [x0, x1) x [y0, y1)}, and what it was judged to be. */
	record Candidate(boolean horizontal, int x0, int y0, int x1, int y1, boolean line, boolean boxSide) {

		int length() {
			return horizontal ? x1 - x0 : y1 - y0;
		}

		int start() {
			return horizontal ? x0 : y0;
		}

		int end() {
			return horizontal ? x1 : y1;
		}

	}

	final int width;

	final int height;

	/**
	 * Per pixel, {@code (h << 16) | v}: the 1-based horizontal and vertical candidates
	 * removing it, or 0.
	 */
	final int[] owner;

	/** Per pixel, 1 where a line removes ink (after putting back crossings), else 0. */
	final byte[] removed;

	final List<Candidate> horizontal;

	final List<Candidate> vertical;

	private Lines(int width, int height, int[] owner, byte[] removed, List<Candidate> horizontal,
			List<Candidate> vertical) {
		this.width = width;
		this.height = height;
		this.owner = owner;
		this.removed = removed;
		this.horizontal = horizontal;
		this.vertical = vertical;
	}

	/**
	 * No lines: for images too small to hold lines apart from the digit's own strokes.
	 */
	static Lines none(int width, int height) {
		return new Lines(width, height, new int[width * height], new byte[width * height], List.of(), List.of());
	}

	static int thickness(int width, int height) {
		return Math.max(3, Math.round(0.015f * Math.max(width, height)));
	}

	static Lines find(byte[] mask, int width, int height) {
		int thickness = thickness(width, height);
		Pass across = pass(mask, width, height, thickness, Math.max(20, width / 5));
		byte[] transposed = transpose(mask, width, height);
		Pass down = pass(transposed, height, width, thickness, Math.max(20, height / 5));
		transposed = null;
		int[] owner = new int[width * height];
		for (int i = InkGroups.nextMarked(mask, 0, mask.length); i < mask.length; i = InkGroups.nextMarked(mask, i + 1,
				mask.length)) {
			int x = i % width;
			int y = i / width;
			int h = across.pixelOwner(x, y);
			int v = down.pixelOwner(y, x);
			boolean crossing = across.inLongCell(x, y) && down.inLongCell(y, x);
			int hOwner = (across.thin[i] != 0 || crossing) ? h : 0;
			int vOwner = (down.thin[x * height + y] != 0 || crossing) ? v : 0;
			owner[i] = (hOwner << 16) | vOwner;
		}
		List<Candidate> horizontal = judge(across.boxes, down.boxes, true, width, height);
		List<Candidate> vertical = judge(down.boxes, across.boxes, false, width, height);
		byte[] removed = new byte[width * height];
		// only ink has owners
		for (int i = InkGroups.nextMarked(mask, 0, mask.length); i < mask.length; i = InkGroups.nextMarked(mask, i + 1,
				mask.length)) {
			if (owner[i] == 0) {
				continue;
			}
			int h = owner[i] >>> 16;
			int v = owner[i] & 0xFFFF;
			boolean hLine = h > 0 && horizontal.get(h - 1).line();
			boolean vLine = v > 0 && vertical.get(v - 1).line();
			boolean thick = (h > 0 && v > 0)
					&& !(across.thin[i] != 0 || down.thin[(i % width) * height + i / width] != 0);
			// a thick pixel where two candidates cross is removed only where both are
			// lines (squared
			// paper), not where a long stroke of the digit meets a short one
			if (thick ? (hLine && vLine && crossingOfLines(mask, i % width, i / width, width, height, thickness))
					: (hLine || vLine)) {
				removed[i] = 1;
			}
		}
		putBackCrossings(mask, owner, removed, width, height);
		return new Lines(width, height, owner, removed, horizontal, vertical);
	}

	/**
	 * Whether thick ink at {@code (x, y)}, owned by a line across and a line down, is
	 * where two thin lines cross and not a bold stroke that lines run into: along both
	 * diagonals the ink ends within two line widths (lines of a page run square to each
	 * other, so a diagonal crosses their crossing quickly, while a marker's stroke or
	 * blot is as wide diagonally as it is across). Ink that runs diagonally into the
	 * frame (the table round a sheet, where the sheet's edges cross) is taken as lines
	 * too.
	 */
	static boolean crossingOfLines(byte[] mask, int x, int y, int width, int height, int thickness) {
		int limit = 2 * thickness + 1;
		int rising = diagonalRun(mask, x, y, width, height, -1, limit);
		int falling = diagonalRun(mask, x, y, width, height, 1, limit);
		return rising < 0 || falling < 0 || (rising <= limit && falling <= limit);
	}

	/**
	 * The ink run through {@code (x, y)} along the diagonal of slope {@code dy} (1 or
	 * -1), counted up to {@code limit + 1}; -1 when it reaches the picture's edge first.
	 */
	private static int diagonalRun(byte[] mask, int x, int y, int width, int height, int dy, int limit) {
		int run = 1;
		for (int side = -1; side <= 1; side += 2) {
			for (int k = 1; run <= limit; k++) {
				int xx = x + side * k;
				int yy = y + side * dy * k;
				if (xx < 0 || yy < 0 || xx >= width || yy >= height) {
					return -1;
				}
				if (mask[yy * width + xx] == 0) {
					break;
				}
				run++;
			}
		}
		return run;
	}

	/** Whether pixel {@code i} belongs to candidate {@code c}. */
	boolean owns(int i, Candidate c) {
		int id = c.horizontal() ? (owner[i] >>> 16) : (owner[i] & 0xFFFF);
		List<Candidate> list = c.horizontal() ? horizontal : vertical;
		return id > 0 && list.get(id - 1) == c;
	}

	/** Whether pixel {@code i} is removed by the side of a box. */
	boolean onBoxSide(int i) {
		int h = owner[i] >>> 16;
		int v = owner[i] & 0xFFFF;
		return (h > 0 && horizontal.get(h - 1).boxSide()) || (v > 0 && vertical.get(v - 1).boxSide());
	}

	/**
	 * Where a stroke crosses a line, the ink continues on both sides of it: a run of
	 * removed pixels across a horizontal line (down a column) with kept ink just above
	 * and just below is put back, and the same along rows for vertical lines. Crossings
	 * of two lines stay removed.
	 */
	private static void putBackCrossings(byte[] mask, int[] owner, byte[] removed, int width, int height) {
		List<int[]> runs = new ArrayList<>();
		for (int x = 0; x < width; x++) {
			int y = 0;
			while (y < height) {
				int i = y * width + x;
				if (removed[i] == 0 || (owner[i] >>> 16) == 0) {
					y++;
					continue;
				}
				int start = y;
				while (y < height && removed[y * width + x] != 0 && (owner[y * width + x] >>> 16) != 0) {
					y++;
				}
				if (start > 0 && y < height && kept(mask, removed, (start - 1) * width + x)
						&& kept(mask, removed, y * width + x)) {
					runs.add(new int[] { x, start, 1, y - start });
				}
			}
		}
		for (int y = 0; y < height; y++) {
			int x = 0;
			int row = y * width;
			while (x < width) {
				int i = row + x;
				if (removed[i] == 0) {
					x = InkGroups.nextMarked(removed, i, row + width) - row;
					continue;
				}
				if ((owner[i] & 0xFFFF) == 0) {
					x++;
					continue;
				}
				int start = x;
				while (x < width && removed[y * width + x] != 0 && (owner[y * width + x] & 0xFFFF) != 0) {
					x++;
				}
				if (start > 0 && x < width && kept(mask, removed, y * width + start - 1)
						&& kept(mask, removed, y * width + x)) {
					runs.add(new int[] { start, y, x - start, 1 });
				}
			}
		}
		for (int[] run : runs) {
			for (int dy = 0; dy < run[3]; dy++) {
				for (int dx = 0; dx < run[2]; dx++) {
					int i = (run[1] + dy) * width + run[0] + dx;
					boolean both = (owner[i] >>> 16) != 0 && (owner[i] & 0xFFFF) != 0;
					if (!both) {
						removed[i] = 0;
					}
				}
			}
		}
	}

	private static boolean kept(byte[] mask, byte[] removed, int i) {
		return mask[i] != 0 && removed[i] == 0;
	}

	private static List<Candidate> judge(List<int[]> boxes, List<int[]> perpendicular, boolean horizontal, int width,
			int height) {
		// boxes of a pass are in its own (possibly transposed) coordinates: [along0,
		// across0, along1, across1)
		int extent = horizontal ? width : height;
		int tolerance = Math.max(3, thickness(width, height));
		// a candidate's ends along its direction are whole compressed cells, so they may
		// lie past the ink, outwards (a start up to a cell before it, an end up to a cell
		// after it): a printed box's side reaches past the corner. The allowance is for
		// thin candidates only (no wider across than a line slanted by the most a path
		// follows), not for the broad ones a bold stroke makes.
		int cell = COMPRESSION - 1;
		List<Candidate> out = new ArrayList<>(boxes.size());
		for (int[] b : boxes) {
			int length = b[2] - b[0];
			boolean thin = thin(b, tolerance);
			boolean frame = b[0] < COMPRESSION || b[2] > extent - COMPRESSION;
			boolean half = length >= extent / 2;
			boolean startCorner = false;
			boolean endCorner = false;
			for (int[] p : perpendicular) {
				// p across-range holds this one's along-ends; p's along-range reaches
				// this one's across-range
				int slack = (thin && thin(p, tolerance)) ? cell : 0;
				boolean meetsAcross = (p[0] <= b[3] + tolerance && p[0] >= b[1] - tolerance - slack)
						|| (p[2] >= b[1] - tolerance && p[2] <= b[3] + tolerance + slack);
				if (!meetsAcross) {
					continue;
				}
				startCorner |= p[1] - tolerance - slack <= b[0] && b[0] <= p[3] + tolerance;
				endCorner |= p[1] - tolerance <= b[2] && b[2] <= p[3] + tolerance + slack;
			}
			boolean boxSide = startCorner && endCorner;
			int parallel = 0;
			for (int[] o : boxes) {
				int other = o[2] - o[0];
				if (o == b || other < 0.6 * length || other > length / 0.6) {
					continue;
				}
				int overlap = Math.min(o[2], b[2]) - Math.max(o[0], b[0]);
				if (overlap >= length / 2) {
					parallel++;
				}
			}
			boolean line = frame || half || boxSide || parallel >= 2;
			out.add(horizontal ? new Candidate(true, b[0], b[1], b[2], b[3], line, boxSide)
					: new Candidate(false, b[1], b[0], b[3], b[2], line, boxSide));
		}
		return out;
	}

	/**
	 * Whether a candidate box {@code [along0, across0, along1, across1)} is no wider
	 * across than a line of the tolerated thickness slanted by 1/8 over its length.
	 */
	private static boolean thin(int[] box, int tolerance) {
		return box[3] - box[1] <= (box[2] - box[0]) / COMPRESSION + tolerance;
	}

	private static byte[] transpose(byte[] mask, int width, int height) {
		byte[] out = new byte[mask.length];
		for (int y = 0; y < height; y++) {
			int row = y * width;
			int end = row + width;
			for (int i = InkGroups.nextMarked(mask, row, end); i < end; i = InkGroups.nextMarked(mask, i + 1, end)) {
				out[(i - row) * height + y] = mask[i];
			}
		}
		return out;
	}

	/** The horizontal path opening of one orientation. */
	private static final class Pass {

		final int width;

		final int cells;

		final byte[] thin;

		/** Per compressed cell, the 1-based candidate it belongs to, or 0. */
		final int[] label;

		/** Per candidate, {@code [x0, y0, x1, y1)} in pixels. */
		final List<int[]> boxes;

		Pass(int width, int cells, byte[] thin, int[] label, List<int[]> boxes) {
			this.width = width;
			this.cells = cells;
			this.thin = thin;
			this.label = label;
			this.boxes = boxes;
		}

		int pixelOwner(int x, int y) {
			return this.label[y * this.cells + x / COMPRESSION];
		}

		boolean inLongCell(int x, int y) {
			return pixelOwner(x, y) != 0;
		}

	}

	/**
	 * One pixel of the pass: its cell marked if it is ink, and the runs down column
	 * {@code x} followed: a run starts at ink, and ends below it (row {@code height} ends
	 * every run), marked thin if it is at most {@code thickness} long.
	 */
	private static void follow(byte[] mask, int y, int x, int width, int height, int thickness, int[] runStart,
			byte[] open, byte[] thin, byte[] cell, int cells) {
		if (y < height && mask[y * width + x] != 0) {
			cell[y * cells + x / COMPRESSION] = 1;
			if (runStart[x] < 0) {
				runStart[x] = y;
				open[x] = 1;
			}
		}
		else if (runStart[x] >= 0) {
			if (y - runStart[x] <= thickness) {
				for (int k = runStart[x]; k < y; k++) {
					thin[k * width + x] = 1;
				}
			}
			runStart[x] = -1;
			open[x] = 0;
		}
	}

	private static Pass pass(byte[] mask, int width, int height, int thickness, int minLength) {
		// the runs of ink down every column, followed a row at a time (memory read in
		// order): where each column's current run started, or -1; and each row's cells
		// (COMPRESSION pixels along the row) that hold ink. Eight pixels with no ink and
		// no run open above them (most of a page) are passed over at once, read as the
		// bytes of a long.
		byte[] thin = new byte[mask.length];
		int[] runStart = new int[width];
		java.util.Arrays.fill(runStart, -1);
		byte[] open = new byte[width];
		int cells = (width + COMPRESSION - 1) / COMPRESSION;
		byte[] cell = new byte[cells * height];
		for (int y = 0; y <= height; y++) {
			int x = 0;
			for (; y < height && x + Long.BYTES <= width; x += Long.BYTES) {
				if (((long) InkGroups.WORDS.get(mask, y * width + x) | (long) InkGroups.WORDS.get(open, x)) == 0) {
					continue;
				}
				for (int k = x; k < x + Long.BYTES; k++) {
					follow(mask, y, k, width, height, thickness, runStart, open, thin, cell, cells);
				}
			}
			for (; x < width; x++) {
				follow(mask, y, x, width, height, thickness, runStart, open, thin, cell, cells);
			}
		}
		short[] forward = new short[cell.length];
		short[] backward = new short[cell.length];
		for (int cx = 0; cx < cells; cx++) {
			for (int y = 0; y < height; y++) {
				if (cell[y * cells + cx] == 0) {
					continue;
				}
				int best = 0;
				if (cx > 0) {
					for (int dy = -1; dy <= 1; dy++) {
						int yy = y + dy;
						if (yy >= 0 && yy < height) {
							best = Math.max(best, forward[yy * cells + cx - 1]);
						}
					}
				}
				forward[y * cells + cx] = (short) Math.min(Short.MAX_VALUE, best + 1);
			}
		}
		for (int cx = cells - 1; cx >= 0; cx--) {
			for (int y = 0; y < height; y++) {
				if (cell[y * cells + cx] == 0) {
					continue;
				}
				int best = 0;
				if (cx < cells - 1) {
					for (int dy = -1; dy <= 1; dy++) {
						int yy = y + dy;
						if (yy >= 0 && yy < height) {
							best = Math.max(best, backward[yy * cells + cx + 1]);
						}
					}
				}
				backward[y * cells + cx] = (short) Math.min(Short.MAX_VALUE, best + 1);
			}
		}
		int minCells = (minLength + COMPRESSION - 1) / COMPRESSION;
		for (int i = 0; i < cell.length; i++) {
			cell[i] = (byte) ((cell[i] != 0 && forward[i] + backward[i] - 1 >= minCells) ? 1 : 0);
		}
		forward = null;
		backward = null;
		int[] label = new int[cell.length];
		List<int[]> boxes = new ArrayList<>();
		int[] stack = new int[cell.length];
		for (int start = 0; start < cell.length; start++) {
			if (cell[start] == 0 || label[start] != 0) {
				continue;
			}
			if (boxes.size() >= 0xFFFF) {
				break;
			}
			int id = boxes.size() + 1;
			int[] box = { Integer.MAX_VALUE, Integer.MAX_VALUE, 0, 0 };
			int top = 0;
			stack[top++] = start;
			label[start] = id;
			while (top > 0) {
				int c = stack[--top];
				int cy = c / cells;
				int cx = c % cells;
				box[0] = Math.min(box[0], cx * COMPRESSION);
				box[1] = Math.min(box[1], cy);
				box[2] = Math.max(box[2], Math.min(width, (cx + 1) * COMPRESSION));
				box[3] = Math.max(box[3], cy + 1);
				for (int dy = -1; dy <= 1; dy++) {
					for (int dx = -1; dx <= 1; dx++) {
						int yy = cy + dy;
						int xx = cx + dx;
						if (yy >= 0 && yy < height && xx >= 0 && xx < cells) {
							int n = yy * cells + xx;
							if (cell[n] != 0 && label[n] == 0) {
								label[n] = id;
								stack[top++] = n;
							}
						}
					}
				}
			}
			boxes.add(box);
		}
		return new Pass(width, cells, thin, label, boxes);
	}

}
