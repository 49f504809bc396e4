package dev.digits.preprocessing;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses the digit among the ink that is left once lines are removed.
 * <p>
 * Connected components (8-connectivity) of the kept ink; specks (smaller than about 1.2%
 * of the long side squared) dropped; outlines that enclose other ink (a box drawn by hand
 * or too small to be found as lines) dropped. Fragments of one digit are joined:
 * components whose boxes touch or nearly touch, or that are stacked (overlapping columns,
 * a small vertical gap: the detached bar of a 5, a stroke cut by a line). Groups are
 * scored by ink mass and nearness to the image's centre; groups that touch the frame (the
 * table, the sheet's edge, a neighbouring digit cut by the photo) are chosen only when
 * there is nothing else, and a solid one (the table, a hard shadow) never when a small
 * digit lies inside. Lines that end within the chosen digit's box (its own long strokes)
 * are put back. Two or more digit-sized groups side by side make {@link #severalDigits()}
 * true.
 */
final class InkGroups {

	/**
	 * A component or a group of them: box {@code [x0, x1) x [y0, y1)}, pixels, ink mass
	 * and its centre.
	 */
	private static final class Blob {

		int x0 = Integer.MAX_VALUE;

		int y0 = Integer.MAX_VALUE;

		int x1;

		int y1;

		int area;

		double mass;

		double sumX;

		double sumY;

		boolean frame;

		int parent = -1;

		int width() {
			return x1 - x0;
		}

		int height() {
			return y1 - y0;
		}

		int size() {
			return Math.max(width(), height());
		}

		void add(Blob other) {
			x0 = Math.min(x0, other.x0);
			y0 = Math.min(y0, other.y0);
			x1 = Math.max(x1, other.x1);
			y1 = Math.max(y1, other.y1);
			area += other.area;
			mass += other.mass;
			sumX += other.sumX;
			sumY += other.sumY;
			frame |= other.frame;
		}

	}

	private final int width;

	private final int height;

	private final byte[] chosen;

	private final int chosenPixels;

	private final boolean severalDigits;

	private InkGroups(int width, int height, byte[] chosen, int chosenPixels, boolean severalDigits) {
		this.width = width;
		this.height = height;
		this.chosen = chosen;
		this.chosenPixels = chosenPixels;
		this.severalDigits = severalDigits;
	}

	/** Ink pixels of the chosen digit (0 when none was found). */
	int chosenPixels() {
		return this.chosenPixels;
	}

	boolean severalDigits() {
		return this.severalDigits;
	}

	/**
	 * The chosen digit's pixels grown by {@code radius} (a square), 1 inside and 0
	 * outside.
	 */
	byte[] dilatedChosen(int radius) {
		return dilate(this.chosen, this.width, this.height, radius);
	}

	/**
	 * The box {@link #grow} keeps within: the chosen digit's box enlarged by
	 * {@code margin} of its size (and 2 pixels) on each side, clipped to the picture, as
	 * {x0, y0, x1, y1} inclusive; null when nothing is chosen.
	 */
	int[] growthBox(double margin) {
		int x0 = this.width;
		int y0 = this.height;
		int x1 = -1;
		int y1 = -1;
		int n = this.chosen.length;
		for (int i = nextMarked(this.chosen, 0, n); i < n; i = nextMarked(this.chosen, i + 1, n)) {
			int x = i % this.width;
			int y = i / this.width;
			x0 = Math.min(x0, x);
			y0 = Math.min(y0, y);
			x1 = Math.max(x1, x);
			y1 = Math.max(y1, y);
		}
		if (x1 < 0) {
			return null;
		}
		int grow = (int) Math.ceil(margin * Math.max(x1 - x0 + 1, y1 - y0 + 1)) + 2;
		return new int[] { Math.max(0, x0 - grow), Math.max(0, y0 - grow), Math.min(this.width - 1, x1 + grow),
				Math.min(this.height - 1, y1 + grow) };
	}

	/**
	 * The chosen digit grown through {@code allowed} pixels (8-connectivity) without
	 * leaving {@code box}, its {@link #growthBox}; {@code allowed} is read only in that
	 * box.
	 */
	byte[] grow(byte[] allowed, int[] box) {
		int pixels = this.chosen.length;
		int[] stack = new int[pixels];
		int top = 0;
		byte[] out = new byte[pixels];
		for (int i = nextMarked(this.chosen, 0, pixels); i < pixels; i = nextMarked(this.chosen, i + 1, pixels)) {
			out[i] = 1;
			stack[top++] = i;
		}
		int x0 = box[0];
		int y0 = box[1];
		int x1 = box[2];
		int y1 = box[3];
		while (top > 0) {
			int i = stack[--top];
			int x = i % this.width;
			int y = i / this.width;
			for (int dy = -1; dy <= 1; dy++) {
				for (int dx = -1; dx <= 1; dx++) {
					int xx = x + dx;
					int yy = y + dy;
					if (xx >= x0 && xx <= x1 && yy >= y0 && yy <= y1) {
						int n = yy * this.width + xx;
						if (out[n] == 0 && allowed[n] != 0) {
							out[n] = 1;
							stack[top++] = n;
						}
					}
				}
			}
		}
		return out;
	}

	/**
	 * A radius up to which {@link #dilate} ORs shifted rows rather than sweeping: eight
	 * pixels at a time, while a sweep counts distances in a chain of dependent steps per
	 * pixel.
	 */
	static final int SHIFTED_RADIUS = 3;

	/**
	 * {@code mask} grown by {@code radius} pixels (a square), separably: 1 where a set
	 * sample lies within the square around the pixel, else 0.
	 */
	static byte[] dilate(byte[] mask, int width, int height, int radius) {
		if (radius <= SHIFTED_RADIUS) {
			return dilateByShifts(mask, width, height, radius);
		}
		byte[] across = new byte[mask.length];
		for (int y = 0; y < height; y++) {
			sweep(mask, across, y * width, 1, width, radius);
		}
		byte[] out = new byte[mask.length];
		sweepDown(across, out, width, height, radius);
		return out;
	}

	/**
	 * {@link #dilate} for a small radius: the mask (as 0 and 1) ORed with itself shifted
	 * by up to {@code radius} along each row, then the rows ORed with those up to
	 * {@code radius} above and below: the same marks as the sweeps. The ORs are made
	 * eight pixels at a time, as the bytes of a long; only the rows from the first marked
	 * one to the last are read (a mask of a few lines, or none, is mostly empty rows).
	 */
	private static byte[] dilateByShifts(byte[] mask, int width, int height, int radius) {
		int n = mask.length;
		int first = nextMarked(mask, 0, n);
		if (first == n) {
			return new byte[n];
		}
		int last = n - 1;
		while (mask[last] == 0) {
			last--;
		}
		int firstRow = first / width;
		int lastRow = last / width;
		int from = firstRow * width;
		int to = (lastRow + 1) * width;
		byte[] ones = new byte[n];
		int i = from;
		for (; i + Long.BYTES <= to; i += Long.BYTES) {
			long v = (long) WORDS.get(mask, i);
			// each byte 1 if it is not 0: its low seven bits plus 0x7F carry into its top
			// bit, or the top bit is set already
			WORDS.set(ones, i, ((((v & LOW_BITS) + LOW_BITS) | v) & TOP_BITS) >>> 7);
		}
		for (; i < to; i++) {
			ones[i] = (byte) ((mask[i] != 0) ? 1 : 0);
		}
		int r = Math.min(radius, width - 1);
		byte[] across = new byte[n];
		for (int row = from; row < to; row += width) {
			int x = 0;
			for (; x < Math.min(r, width); x++) {
				across[row + x] = orAlong(ones, row, x, width, r);
			}
			for (; x + Long.BYTES + r <= width; x += Long.BYTES) {
				long v = 0;
				for (int d = -r; d <= r; d++) {
					v |= (long) WORDS.get(ones, row + x + d);
				}
				WORDS.set(across, row + x, v);
			}
			for (; x < width; x++) {
				across[row + x] = orAlong(ones, row, x, width, r);
			}
		}
		int down = Math.min(radius, height - 1);
		byte[] out = new byte[n];
		for (int y = Math.max(0, firstRow - down); y <= Math.min(height - 1, lastRow + down); y++) {
			int top = Math.max(firstRow, y - down) * width;
			int bottom = Math.min(lastRow, y + down) * width;
			int row = y * width;
			int x = 0;
			for (; x + Long.BYTES <= width; x += Long.BYTES) {
				long v = 0;
				for (int at = top; at <= bottom; at += width) {
					v |= (long) WORDS.get(across, at + x);
				}
				WORDS.set(out, row + x, v);
			}
			for (; x < width; x++) {
				byte v = 0;
				for (int at = top; at <= bottom; at += width) {
					v |= across[at + x];
				}
				out[row + x] = v;
			}
		}
		return out;
	}

	/** Pixels of a mask's row read as the bytes of a long. */
	static final java.lang.invoke.VarHandle WORDS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class,
			java.nio.ByteOrder.LITTLE_ENDIAN);

	private static final long LOW_BITS = 0x7F7F7F7F7F7F7F7FL;

	private static final long TOP_BITS = 0x8080808080808080L;

	/**
	 * The first index from {@code i} below {@code end} where {@code mask} is not 0, or
	 * {@code end}: eight bytes at a time, as a long, where they are all 0 (most of a
	 * mask).
	 */
	static int nextMarked(byte[] mask, int i, int end) {
		for (; i + Long.BYTES <= end; i += Long.BYTES) {
			long word = (long) WORDS.get(mask, i);
			if (word != 0) {
				// little-endian: the lowest non-zero byte is the first marked pixel
				return i + (Long.numberOfTrailingZeros(word) >>> 3);
			}
		}
		for (; i < end; i++) {
			if (mask[i] != 0) {
				return i;
			}
		}
		return end;
	}

	/** The OR of {@code ones} within {@code r} of column {@code x} of a row. */
	private static byte orAlong(byte[] ones, int row, int x, int width, int r) {
		byte v = 0;
		for (int xx = Math.max(0, x - r); xx <= Math.min(width - 1, x + r); xx++) {
			v |= ones[row + xx];
		}
		return v;
	}

	/**
	 * {@link #sweep} down every column at once, a row at a time (each column's distance
	 * to its last set sample kept in {@code since}): the same marks as a sweep per
	 * column, with memory read row by row instead of a row's width apart.
	 */
	private static void sweepDown(byte[] in, byte[] out, int width, int height, int radius) {
		int[] since = new int[width];
		java.util.Arrays.fill(since, Integer.MAX_VALUE / 2);
		for (int y = 0; y < height; y++) {
			sweepRow(in, out, y * width, since, radius);
		}
		java.util.Arrays.fill(since, Integer.MAX_VALUE / 2);
		for (int y = height - 1; y >= 0; y--) {
			sweepRow(in, out, y * width, since, radius);
		}
	}

	/** One row of {@link #sweepDown}, from {@code row}. */
	private static void sweepRow(byte[] in, byte[] out, int row, int[] since, int radius) {
		for (int x = 0; x < since.length; x++) {
			int s = (in[row + x] != 0) ? 0 : since[x] + 1;
			since[x] = s;
			if (s <= radius) {
				out[row + x] = 1;
			}
		}
	}

	/**
	 * Marks in {@code out} every sample within {@code radius} of a set one along one row
	 * or column.
	 */
	private static void sweep(byte[] in, byte[] out, int offset, int stride, int length, int radius) {
		int since = Integer.MAX_VALUE / 2;
		for (int k = 0; k < length; k++) {
			since = (in[offset + k * stride] != 0) ? 0 : since + 1;
			if (since <= radius) {
				out[offset + k * stride] = 1;
			}
		}
		since = Integer.MAX_VALUE / 2;
		for (int k = length - 1; k >= 0; k--) {
			since = (in[offset + k * stride] != 0) ? 0 : since + 1;
			if (since <= radius) {
				out[offset + k * stride] = 1;
			}
		}
	}

	/**
	 * A group touching the frame shorter than this share of the picture's short side is
	 * not a digit: on a photo of a page it is a piece of the table, the sheet's edge or a
	 * shadow at the border. A digit cropped tightly enough to touch the frame fills much
	 * of it: of 1,800 synthetic photos of validation digits, 30 had a group at the frame
	 * chosen, 29 of them at least 0.6 of the short side long (the 30th: 0.27), and 1,750
	 * were read right with this rule as without it; of 150 photos of empty paper, 50 had,
	 * most of them slivers and corners. (Refusing line-like pieces at the frame as well,
	 * four times longer than wide, caught two more non-digits of 1,050 but refused a 1
	 * joined to a ruled line that crossed the photo.)
	 */
	static final double EDGE_CRUMB_SHARE = 0.3;

	/** Least share of its box a solid piece of ink covers. */
	static final double SOLID_SHARE = 0.4;

	/**
	 * Whether a group touching the frame whose box's longer side is {@code size} is no
	 * digit in a picture whose short side is {@code shortSide}.
	 */
	static boolean edgeCrumb(int size, int shortSide) {
		return size < EDGE_CRUMB_SHARE * shortSide;
	}

	static InkGroups choose(byte[] mask, Lines lines, float[] ink, int width, int height, float threshold) {
		byte[] kept = new byte[mask.length];
		for (int i = 0; i < mask.length; i++) {
			kept[i] = (byte) ((mask[i] != 0 && lines.removed[i] == 0) ? 1 : 0);
		}
		int[] label = new int[mask.length];
		InkGroups found = attempt(kept, label, lines, ink, width, height);
		if (found != null) {
			return found;
		}
		// nothing but lines: a lone stroke (a 1 in a close-up) may have been taken for
		// one; lines that neither reach the frame, nor belong to a box or a ruled family,
		// are ink after all
		boolean[] aloneH = new boolean[lines.horizontal.size()];
		for (int c = 0; c < aloneH.length; c++) {
			aloneH[c] = alone(lines.horizontal.get(c), lines.horizontal, lines);
		}
		boolean[] aloneV = new boolean[lines.vertical.size()];
		for (int c = 0; c < aloneV.length; c++) {
			aloneV[c] = alone(lines.vertical.get(c), lines.vertical, lines);
		}
		boolean any = false;
		for (int i = 0; i < mask.length; i++) {
			if (mask[i] != 0 && kept[i] == 0 && rescued(lines, i, aloneH, aloneV)) {
				kept[i] = 1;
				any = true;
			}
		}
		if (any) {
			java.util.Arrays.fill(label, 0);
			found = attempt(kept, label, lines, ink, width, height);
		}
		return (found != null) ? found : new InkGroups(width, height, new byte[mask.length], 0, false);
	}

	private static boolean rescued(Lines lines, int i, boolean[] aloneH, boolean[] aloneV) {
		int h = lines.owner[i] >>> 16;
		int v = lines.owner[i] & 0xFFFF;
		boolean hLine = h > 0 && lines.horizontal.get(h - 1).line();
		boolean vLine = v > 0 && lines.vertical.get(v - 1).line();
		return (!hLine || aloneH[h - 1]) && (!vLine || aloneV[v - 1]);
	}

	/**
	 * A candidate that does not reach the frame, is no box side and has no parallel
	 * family.
	 */
	private static boolean alone(Lines.Candidate c, List<Lines.Candidate> same, Lines lines) {
		if (c.boxSide() || reachesFrame(c, lines)) {
			return false;
		}
		int parallel = 0;
		for (Lines.Candidate o : same) {
			if (o != c && o.length() >= 0.6 * c.length() && o.length() <= c.length() / 0.6
					&& Math.min(o.end(), c.end()) - Math.max(o.start(), c.start()) >= c.length() / 2) {
				parallel++;
			}
		}
		return parallel < 2;
	}

	private static InkGroups attempt(byte[] kept, int[] label, Lines lines, float[] ink, int width, int height) {
		List<Blob> blobs = label(kept, label, ink, width, height);
		int longSide = Math.max(width, height);
		int speck = Math.max(2, Math.round(0.012f * longSide * 0.012f * longSide));
		List<Integer> live = new ArrayList<>();
		for (int b = 0; b < blobs.size(); b++) {
			if (blobs.get(b).area >= speck) {
				live.add(b);
			}
		}
		// the 400 largest only: beyond that the picture is texture, not a digit on paper
		if (live.size() > 400) {
			live.sort((a, b) -> Integer.compare(blobs.get(b).area, blobs.get(a).area));
			live = new ArrayList<>(live.subList(0, 400));
		}
		// outlines enclosing other ink
		int[] budget = { TOUCHING_BUDGET };
		List<Integer> parts = new ArrayList<>();
		for (int a : live) {
			Blob outer = blobs.get(a);
			boolean encloses = false;
			for (int b : live) {
				Blob inner = blobs.get(b);
				if (a != b && inner.x0 > outer.x0 && inner.x1 < outer.x1 && inner.y0 > outer.y0 && inner.y1 < outer.y1
						&& inner.size() >= 0.2 * outer.size() && outer.area < 0.5 * outer.width() * outer.height()
						&& ring(label, a, b, outer, inner, width, height, budget)) {
					encloses = true;
					break;
				}
			}
			if (!encloses) {
				parts.add(a);
			}
		}
		// groups: union-find over the parts
		for (int i = 0; i < parts.size(); i++) {
			for (int j = i + 1; j < parts.size(); j++) {
				Blob a = blobs.get(parts.get(i));
				Blob b = blobs.get(parts.get(j));
				// a piece in another's box joins it unless that one rings it
				// or reaches the frame (the table round a sheet)
				boolean join;
				if (encloses(a, b)) {
					join = !a.frame && !ring(label, parts.get(i), parts.get(j), a, b, width, height, budget);
				}
				else if (encloses(b, a)) {
					join = !b.frame && !ring(label, parts.get(j), parts.get(i), b, a, width, height, budget);
				}
				else {
					join = fragments(a, b);
					// a piece at the frame (the table, the sheet's edge) whose box only
					// reaches the other's joins it where their ink comes near: the box of
					// the table's L round a sheet's corner holds the digit
					if (join && a.frame != b.frame) {
						join = touching(label, parts.get(i), parts.get(j), a, b, width, height, budget);
					}
				}
				if (join) {
					union(blobs, parts.get(i), parts.get(j));
				}
			}
		}
		List<Blob> groups = new ArrayList<>();
		int[] groupOf = new int[blobs.size()];
		java.util.Arrays.fill(groupOf, -1);
		for (int p : parts) {
			int root = find(blobs, p);
			if (groupOf[root] < 0) {
				groupOf[root] = groups.size();
				groups.add(new Blob());
			}
			groups.get(groupOf[root]).add(blobs.get(p));
			groupOf[p] = groupOf[root];
		}
		// a band from one side of the picture to the other, five times longer than wide
		// (a shadow's hard edge, the sheet's edge, a thick rule) is not a digit, nor is a
		// small piece at the frame (edgeCrumb)
		boolean[] band = new boolean[groups.size()];
		for (int g = 0; g < groups.size(); g++) {
			Blob group = groups.get(g);
			band[g] = (group.height() >= 0.9 * height && 5 * group.width() <= group.height())
					|| (group.width() >= 0.9 * width && 5 * group.height() <= group.width());
			band[g] |= group.frame && edgeCrumb(group.size(), Math.min(width, height));
		}
		// a solid piece at the frame (ink over at least SOLID_SHARE of its box: the
		// table, a hard shadow) is not a digit the photo cut off when a piece of a
		// twentieth of the long side lies inside: a small digit on a sheet
		boolean smallInside = false;
		for (int g = 0; g < groups.size(); g++) {
			smallInside |= !band[g] && !groups.get(g).frame && groups.get(g).size() >= Math.max(3, longSide / 20);
		}
		for (int g = 0; smallInside && g < groups.size(); g++) {
			Blob group = groups.get(g);
			band[g] |= group.frame && group.area >= SOLID_SHARE * group.width() * group.height();
		}
		// groups away from the frame are preferred, if they are more than crumbs (a tenth
		// of the long
		// side) of a digit that touches it (a tightly cropped digit)
		int crumb = Math.max(3, longSide / 10);
		boolean inside = false;
		boolean any = false;
		for (int g = 0; g < groups.size(); g++) {
			any |= !band[g];
			inside |= !band[g] && !groups.get(g).frame && groups.get(g).size() >= crumb;
		}
		if (!any) {
			return null;
		}
		double diagonal = Math.hypot(width, height);
		int best = -1;
		double bestScore = -1;
		for (int g = 0; g < groups.size(); g++) {
			Blob group = groups.get(g);
			if (band[g] || (inside && (group.frame || group.size() < crumb))) {
				continue;
			}
			double dx = group.sumX / Math.max(1e-9, group.mass) - width / 2.0;
			double dy = group.sumY / Math.max(1e-9, group.mass) - height / 2.0;
			double distance = Math.hypot(dx, dy) / (0.3 * diagonal);
			double score = group.mass / (1 + distance * distance);
			if (score > bestScore) {
				bestScore = score;
				best = g;
			}
		}
		Blob digit = groups.get(best);
		boolean several = false;
		for (int g = 0; g < groups.size(); g++) {
			Blob other = groups.get(g);
			if (g == best || band[g] || (inside && other.frame)) {
				continue;
			}
			int overlap = Math.min(other.y1, digit.y1) - Math.max(other.y0, digit.y0);
			int gap = Math.max(other.x0, digit.x0) - Math.min(other.x1, digit.x1);
			int tall = Math.max(other.height(), digit.height());
			if (other.height() >= 0.5 * digit.height() && other.height() <= 2 * digit.height()
					&& overlap >= 0.5 * Math.min(other.height(), digit.height()) && gap >= 0 && gap <= tall
					&& other.mass >= 0.25 * digit.mass) {
				several = true;
			}
		}
		byte[] chosen = new byte[kept.length];
		for (int i = 0; i < kept.length; i++) {
			int l = label[i];
			if (l > 0 && groupOf[l - 1] == best) {
				chosen[i] = 1;
			}
		}
		putBackOwnLines(chosen, digit, lines, kept, label, width, height);
		int pixels = 0;
		for (byte c : chosen) {
			pixels += c;
		}
		return new InkGroups(width, height, chosen, pixels, several);
	}

	/**
	 * Lines touching the digit that end within its box (give or take a quarter of its
	 * size) and are at most 2.5 times its size are its own strokes (the bar of a 7, the
	 * stem of a 1 in a close-up): their pixels join it. Box sides and lines running on
	 * past both ends of the digit stay out.
	 */
	private static void putBackOwnLines(byte[] chosen, Blob digit, Lines lines, byte[] kept, int[] label, int width,
			int height) {
		for (int round = 0; round < 3; round++) {
			java.util.Set<Lines.Candidate> touching = java.util.Collections
				.newSetFromMap(new java.util.IdentityHashMap<>());
			int n = width * height;
			for (int i = nextMarked(lines.removed, 0, n); i < n; i = nextMarked(lines.removed, i + 1, n)) {
				int x = i % width;
				int y = i / width;
				if (lines.owner[i] == 0) {
					continue;
				}
				if (!nextToChosen(chosen, x, y, width, height)) {
					continue;
				}
				int h = lines.owner[i] >>> 16;
				int v = lines.owner[i] & 0xFFFF;
				if (h > 0) {
					touching.add(lines.horizontal.get(h - 1));
				}
				if (v > 0) {
					touching.add(lines.vertical.get(v - 1));
				}
			}
			List<Lines.Candidate> own = new ArrayList<>();
			int size = digit.size();
			for (Lines.Candidate c : touching) {
				if (c.boxSide() || c.length() > 2.5 * size || continued(c, digit, lines)
						|| (!digit.frame && reachesFrame(c, lines))) {
					continue;
				}
				int start = c.horizontal() ? digit.x0 : digit.y0;
				int end = c.horizontal() ? digit.x1 : digit.y1;
				int before = start - c.start();
				int after = c.end() - end;
				if (Math.min(before, after) <= 0.25 * size + Lines.COMPRESSION) {
					own.add(c);
				}
			}
			if (own.isEmpty()) {
				return;
			}
			for (int i = 0; i < chosen.length; i++) {
				// where a box's side crosses the stroke, the side keeps its pixels
				if (lines.removed[i] != 0 && chosen[i] == 0 && !lines.onBoxSide(i)) {
					for (Lines.Candidate c : own) {
						if (lines.owns(i, c)) {
							chosen[i] = 1;
							lines.removed[i] = 0;
							break;
						}
					}
				}
			}
			for (Lines.Candidate c : own) {
				digit.x0 = Math.min(digit.x0, c.x0());
				digit.y0 = Math.min(digit.y0, c.y0());
				digit.x1 = Math.max(digit.x1, c.x1());
				digit.y1 = Math.max(digit.y1, c.y1());
			}
		}
	}

	/**
	 * Whether a page line goes on along {@code c} on the far side of the digit: another
	 * line of the same direction, level with it (their boxes overlap across the
	 * direction), that starts past the digit's middle on the side away from {@code c}. A
	 * digit's own stroke ends in the digit; the line of a page it was written across
	 * comes out on the other side (a grid line cut in two by a bold 0).
	 */
	private static boolean continued(Lines.Candidate c, Blob digit, Lines lines) {
		List<Lines.Candidate> same = c.horizontal() ? lines.horizontal : lines.vertical;
		double middle = c.horizontal() ? (digit.x0 + digit.x1) / 2.0 : (digit.y0 + digit.y1) / 2.0;
		boolean before = (c.start() + c.end()) / 2.0 < middle;
		int low = c.horizontal() ? c.y0() : c.x0();
		int high = c.horizontal() ? c.y1() : c.x1();
		for (Lines.Candidate o : same) {
			if (o == c || !o.line()) {
				continue;
			}
			int oLow = o.horizontal() ? o.y0() : o.x0();
			int oHigh = o.horizontal() ? o.y1() : o.x1();
			boolean level = oLow < high && low < oHigh;
			boolean across = before ? o.start() >= middle : o.end() <= middle;
			if (level && across) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Whether a line runs into the picture's edge: a page's line does, a stroke of a
	 * digit that keeps clear of the edge does not.
	 */
	private static boolean reachesFrame(Lines.Candidate c, Lines lines) {
		int extent = c.horizontal() ? lines.width : lines.height;
		return c.start() < Lines.COMPRESSION || c.end() > extent - Lines.COMPRESSION;
	}

	private static boolean nextToChosen(byte[] chosen, int x, int y, int width, int height) {
		for (int dy = -1; dy <= 1; dy++) {
			for (int dx = -1; dx <= 1; dx++) {
				int xx = x + dx;
				int yy = y + dy;
				if (xx >= 0 && yy >= 0 && xx < width && yy < height && chosen[yy * width + xx] != 0) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * Parts of one digit: boxes within a few pixels of each other, or stacked with a
	 * small gap.
	 */
	private static boolean fragments(Blob a, Blob b) {
		// the smaller part sets the scale: a band of table along the sheet must not
		// swallow the digit
		int size = Math.min(a.size(), b.size());
		int gapX = Math.max(a.x0, b.x0) - Math.min(a.x1, b.x1);
		int gapY = Math.max(a.y0, b.y0) - Math.min(a.y1, b.y1);
		int near = Math.max(3, Math.round(0.08f * size));
		if (gapX <= near && gapY <= near && Math.min(gapX, gapY) <= 0) {
			return true;
		}
		if (gapX <= Math.max(2, near / 2) && gapY <= Math.max(2, near / 2)) {
			return true;
		}
		int overlapX = -gapX;
		return overlapX >= 0.3 * Math.min(a.width(), b.width()) && gapY <= 0.3 * size;
	}

	/**
	 * Whether component {@code outer} rings component {@code inner} (0-based, their
	 * pixels labelled {@code outer + 1} and {@code inner + 1}), as a box drawn round a
	 * digit or the table round a sheet does: its ink lies on all four sides of the inner
	 * one's centre, and keeps a margin from it. A digit whose box holds a piece of itself
	 * (the tail of a 3 cut off by a thin stroke, a hook inside a 0 cut off by a removed
	 * line) leaves a side open or touches the piece.
	 */
	private static boolean ring(int[] label, int outer, int inner, Blob outerBlob, Blob innerBlob, int width,
			int height, int[] budget) {
		int id = outer + 1;
		int cx = (innerBlob.x0 + innerBlob.x1) / 2;
		int cy = (innerBlob.y0 + innerBlob.y1) / 2;
		boolean left = false;
		boolean right = false;
		boolean up = false;
		boolean down = false;
		for (int x = cx; x >= outerBlob.x0 && !left; x--) {
			left = label[cy * width + x] == id;
		}
		for (int x = cx; x < outerBlob.x1 && !right; x++) {
			right = label[cy * width + x] == id;
		}
		for (int y = cy; y >= outerBlob.y0 && !up; y--) {
			up = label[y * width + cx] == id;
		}
		for (int y = cy; y < outerBlob.y1 && !down; y++) {
			down = label[y * width + cx] == id;
		}
		return left && right && up && down
				&& !touching(label, outer, inner, outerBlob, innerBlob, width, height, budget);
	}

	/**
	 * Whether components {@code a} and {@code b} (0-based, their pixels labelled
	 * {@code a + 1} and {@code b + 1}) come within a twentieth of the larger one's size
	 * (3 to 8 pixels) of each other: a piece inside a digit's box that nearly touches its
	 * stroke is a part of it that a removed line or a thin stroke cut off (the tail of a
	 * 3, the hook inside a 0), not a digit inside an outline, which keeps a margin. Past
	 * {@link #TOUCHING_BUDGET} looks in one choice it answers false.
	 */
	private static boolean touching(int[] label, int a, int b, Blob blobA, Blob blobB, int width, int height,
			int[] budget) {
		Blob small = blobA.area <= blobB.area ? blobA : blobB;
		int smallId = (small == blobA ? a : b) + 1;
		int otherId = (small == blobA ? b : a) + 1;
		// at most 8 pixels (1.5% of the working side): the scan costs the smaller
		// piece's area times the square of the radius
		int radius = Math.min(8, Math.max(3, Math.round(0.05f * Math.max(blobA.size(), blobB.size()))));
		for (int y = small.y0; y < small.y1; y++) {
			for (int x = small.x0; x < small.x1; x++) {
				if (label[y * width + x] != smallId) {
					continue;
				}
				// a picture of many nested rings (crafted, or a texture) must not cost
				// more than a few milliseconds: past the budget pieces are taken as apart
				budget[0] -= (2 * radius + 1) * (2 * radius + 1);
				if (budget[0] < 0) {
					return false;
				}
				for (int yy = Math.max(0, y - radius); yy <= Math.min(height - 1, y + radius); yy++) {
					for (int xx = Math.max(0, x - radius); xx <= Math.min(width - 1, x + radius); xx++) {
						if (label[yy * width + xx] == otherId) {
							return true;
						}
					}
				}
			}
		}
		return false;
	}

	/**
	 * Pixels {@link #touching} may look at in one choice of the digit, all pairs together
	 * (a few milliseconds).
	 */
	static final int TOUCHING_BUDGET = 4_000_000;

	private static boolean encloses(Blob outer, Blob inner) {
		return inner.x0 > outer.x0 && inner.x1 < outer.x1 && inner.y0 > outer.y0 && inner.y1 < outer.y1
				&& outer.size() >= 1.5 * inner.size();
	}

	private static int find(List<Blob> blobs, int b) {
		while (blobs.get(b).parent >= 0) {
			b = blobs.get(b).parent;
		}
		return b;
	}

	private static void union(List<Blob> blobs, int a, int b) {
		int ra = find(blobs, a);
		int rb = find(blobs, b);
		if (ra != rb) {
			blobs.get(rb).parent = ra;
		}
	}

	/**
	 * 8-connected components of {@code kept}; {@code label} gets 1-based component
	 * numbers.
	 */
	private static List<Blob> label(byte[] kept, int[] label, float[] ink, int width, int height) {
		List<Blob> blobs = new ArrayList<>();
		int[] stack = new int[kept.length];
		for (int start = nextMarked(kept, 0, kept.length); start < kept.length; start = nextMarked(kept, start + 1,
				kept.length)) {
			if (label[start] != 0) {
				continue;
			}
			Blob blob = new Blob();
			int id = blobs.size() + 1;
			int top = 0;
			stack[top++] = start;
			label[start] = id;
			while (top > 0) {
				int i = stack[--top];
				int y = i / width;
				int x = i % width;
				blob.x0 = Math.min(blob.x0, x);
				blob.y0 = Math.min(blob.y0, y);
				blob.x1 = Math.max(blob.x1, x + 1);
				blob.y1 = Math.max(blob.y1, y + 1);
				blob.area++;
				float m = Math.max(0f, Math.min(1f, ink[i]));
				blob.mass += m;
				blob.sumX += m * x;
				blob.sumY += m * y;
				for (int dy = -1; dy <= 1; dy++) {
					for (int dx = -1; dx <= 1; dx++) {
						int yy = y + dy;
						int xx = x + dx;
						if (yy >= 0 && yy < height && xx >= 0 && xx < width) {
							int n = yy * width + xx;
							if (kept[n] != 0 && label[n] == 0) {
								label[n] = id;
								stack[top++] = n;
							}
						}
					}
				}
			}
			blob.frame = blob.x0 == 0 || blob.y0 == 0 || blob.x1 == width || blob.y1 == height;
			blobs.add(blob);
		}
		return blobs;
	}

}
