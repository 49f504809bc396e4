// The server's preprocessing (dev.digits.preprocessing), ported rule for rule so that the model
// running in the page sees what the model on the server sees. Every constant and every rounding
// step follows the Java code named beside it; float arithmetic is emulated with Math.fround where
// the Java code computes in float (a Float32Array store rounds as a Java float assignment does), and
// int division with Math.trunc, so that the two agree to the grey level (DigitPageBrowserTests
// measures how far they differ). Pure functions of RGBA pixels: no DOM, no network (apart from the
// two browser helpers at the end, which decode a picture into RGBA pixels).

const SIZE = 28; // DigitNetwork.WIDTH
const FIT = 20; // Framing.FIT
const CENTRE = 14.0; // Framing.CENTRE
const MIN_CONTRAST = 32; // Framing.MIN_CONTRAST, InkLocator.MIN_CONTRAST
const MIN_CONTRAST_IN_NOISE_DEVIATIONS = 8; // Framing
const NOISE_FRACTION = 0.12; // Framing
const NOISE_DEVIATIONS = 4; // Framing
const TRIM = 0.005; // Framing
/** digits.preprocessing.min-ink-pixels (the server's default). */
export const MIN_INK_PIXELS = 10;
/** digits.preprocessing.decode-pixels: larger images are subsampled by an integer step. */
export const DECODE_PIXELS = 1048576;

const f = Math.fround;
const trunc = Math.trunc;

// InkLocator
const WORKING_SIDE = 512;
const MIN_FLOOR = f(0.04);
const FLOOR_DEVIATIONS = 4;
const CLEAN_SPREAD = 3;
const CLEAN_SHARE = 0.4;
const SMALL_CLEAN_SIDE = 200;
const SMALL_IMAGE_SIDE = 320;
const PURE = 8;
const SMALL_CLEAN_SHARE = 0.1;
const MAX_SHADED_SHARE = 0.05;
const STROKE_LEVELS = 64;
const EDGE_RADIUS = 12;
const MAD_TO_DEVIATION = f(1.4826); // the 1.4826f of InkLocator.noise
const NEAR_ONE_MILLIONTH = f(1e-6); // the 1e-6f of InkLocator.areaDownscale

// Skew
const MAX_DEGREES = 20;
const MIN_DEGREES = 4;
const LONG_SHARE = 0.3;
const MIN_LINES = 3;
const MIN_GAIN = 1.25;
const MAX_SHEAR_DEGREES = 20;
const MAX_SAMPLES = 12000;

// Lines
const COMPRESSION = 8;

// InkLocator: ink that cannot be one digit
const MAX_INK_SHARE = 0.4;
const PAGE_EDGE_SHARE = 0.15;
const INKED_PAGE_SHARE = 0.9;
const MIN_STROKE_WIDTHS = 1.6;

/** Thrown for ink that cannot be one digit (a dot, a page of ink), as the server answers 422 not-a-digit. */
export class NotADigitError extends Error {
  constructor(message) {
    super(message);
    this.name = 'NotADigitError';
  }
}

/** Thrown for an image with nothing to recognise, as the server answers 422 blank-image. */
export class BlankImageError extends Error {
  constructor(message) {
    super(message);
    this.name = 'BlankImageError';
  }
}

/** ImageHeader.subsamplingStep: the smallest step that keeps at most DECODE_PIXELS pixels. */
export function subsamplingStep(width, height) {
  let step = 1;
  while (width * height > DECODE_PIXELS * step * step) {
    step++;
  }
  return step;
}

// ================================================================ decoding (GreyConverter)

/** GreyConverter.luminance: rounded 0.299 R + 0.587 G + 0.114 B, in integers. */
function luminance(r, g, b) {
  return Math.floor((299 * r + 587 * g + 114 * b + 500) / 1000);
}

/**
 * GreyConverter.toGrey plus ImageDecoder's subsampling (every step-th pixel from the top left,
 * as ImageIO's setSourceSubsampling(step, step, 0, 0)). rgba is straight (not premultiplied)
 * RGBA, as canvas getImageData gives. Returns {width, height, levels: Uint8Array}.
 */
export function toGrey(rgba, width, height, step = subsamplingStep(width, height)) {
  const w = Math.ceil(width / step);
  const h = Math.ceil(height / step);
  const grey = new Uint8Array(w * h);
  const alpha = new Uint8Array(w * h);
  let opaque = true;
  let weight = 0;
  let weightedSum = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const at = ((y * step) * width + x * step) * 4;
      const g = luminance(rgba[at], rgba[at + 1], rgba[at + 2]);
      const a = rgba[at + 3];
      grey[y * w + x] = g;
      alpha[y * w + x] = a;
      opaque = opaque && a === 255;
      weight += a;
      weightedSum += a * g;
    }
  }
  // GreyConverter.composite: onto white when what is visible is dark, else onto black; an image
  // whose every pixel is transparent has its alpha ignored
  if (!opaque && weight !== 0) {
    const background = weightedSum < 128 * weight ? 255 : 0;
    for (let i = 0; i < grey.length; i++) {
      const a = alpha[i];
      grey[i] = Math.floor((grey[i] * a + background * (255 - a) + 127) / 255);
    }
  }
  return { width: w, height: h, levels: grey };
}

// ================================================================ Framing

/** Framing.median of a histogram. */
function median(histogram) {
  let count = 0;
  for (const c of histogram) count += c;
  let seen = 0;
  for (let level = 0; level < histogram.length; level++) {
    seen += histogram[level];
    if (2 * seen >= count) return level;
  }
  return histogram.length - 1;
}

/** Framing.mode and InkLocator.mode: the most frequent level, the lowest of equals. */
function mode(histogram) {
  let best = 0;
  for (let level = 1; level < histogram.length; level++) {
    if (histogram[level] > histogram[best]) best = level;
  }
  return best;
}

/** Framing.borderHistogram */
function borderHistogram(image) {
  const { width, height, levels } = image;
  const histogram = new Int32Array(256);
  for (let x = 0; x < width; x++) {
    histogram[levels[x]]++;
    if (height > 1) histogram[levels[(height - 1) * width + x]]++;
  }
  for (let y = 1; y < height - 1; y++) {
    histogram[levels[y * width]]++;
    if (width > 1) histogram[levels[y * width + width - 1]]++;
  }
  return histogram;
}

/**
 * Framing.analyse: polarity by the border, and the blank check; with clean (a small clean image,
 * see smallAndClean) the paper is the most frequent level and has no noise.
 */
export function analyse(image, minInkPixels = MIN_INK_PIXELS, clean = false) {
  const all = new Int32Array(256);
  for (const v of image.levels) all[v]++;
  const border = borderHistogram(image);
  const paper = clean ? mode(all) : median(border);
  let noise = 0;
  if (!clean) {
    // Framing.medianAbsoluteDeviation
    const deviations = new Int32Array(256);
    for (let level = 0; level < 256; level++) deviations[Math.abs(level - paper)] += border[level];
    noise = 1.4826 * median(deviations);
  }
  let darkest = 0;
  while (all[darkest] === 0) darkest++;
  let lightest = 255;
  while (all[lightest] === 0) lightest--;
  const inverted = paper - darkest > lightest - paper;
  const contrast = inverted ? paper - darkest : lightest - paper;
  if (contrast < MIN_CONTRAST) {
    throw new BlankImageError('The image is blank: it is almost uniform (contrast ' + contrast
        + ' of 255 grey levels), so there is no digit to recognise.');
  }
  if (contrast < MIN_CONTRAST_IN_NOISE_DEVIATIONS * noise) {
    throw new BlankImageError('No ink strokes stand out from the paper: its noise (about ' + Math.round(noise)
        + ' grey levels) is too strong for the darkest marks, so there is no digit to recognise.');
  }
  const half = trunc((contrast + 1) / 2);
  let ink = 0;
  if (inverted) {
    for (let level = 0; level <= paper - half; level++) ink += all[level];
  } else {
    for (let level = paper + half; level <= 255; level++) ink += all[level];
  }
  if (ink < minInkPixels) {
    throw new BlankImageError('The image is nearly blank: only ' + ink + ' pixels look like ink (at least '
        + minInkPixels + ' are needed to make a digit).');
  }
  return { inverted, paper: inverted ? 255 - paper : paper, contrast, noise };
}

/** Framing.applyPolarity: inverts the levels in place when the analysis says so. */
function applyPolarity(image, analysis) {
  if (analysis.inverted) {
    const { levels } = image;
    for (let i = 0; i < levels.length; i++) levels[i] = 255 - levels[i];
  }
}

/** Framing.stretchedInk: (v - paper) * 255 / contrast, clamped, noise below the floor set to 0. */
function stretchedInk(image, analysis) {
  const { levels } = image;
  const floor = Math.max(NOISE_FRACTION * analysis.contrast, NOISE_DEVIATIONS * analysis.noise);
  const gain = f(255 / analysis.contrast);
  const ink = new Float32Array(levels.length);
  for (let i = 0; i < ink.length; i++) {
    const above = levels[i] - analysis.paper;
    ink[i] = above < floor ? 0 : Math.min(255, f(above * gain));
  }
  return ink;
}

/** Framing.trimmedRange */
function trimmedRange(mass) {
  let total = 0;
  for (const m of mass) total += m;
  const allowance = TRIM * total;
  let start = 0;
  let dropped = mass[0];
  while (start < mass.length - 1 && (mass[start] === 0 || dropped <= allowance)) {
    start++;
    dropped += mass[start];
  }
  let end = mass.length - 1;
  dropped = mass[end];
  while (end > start && (mass[end] === 0 || dropped <= allowance)) {
    end--;
    dropped += mass[end];
  }
  return [start, end + 1];
}

/** Resampler.Kernel.of: area-averaging where an axis shrinks, bilinear where it grows. */
function kernel(sourceLength, length) {
  const first = new Int32Array(length);
  const weights = new Array(length);
  const ratio = sourceLength / length;
  for (let i = 0; i < length; i++) {
    if (length < sourceLength) {
      const start = i * ratio;
      const end = (i + 1) * ratio;
      const from = Math.floor(start);
      const to = Math.min(sourceLength, Math.ceil(end));
      first[i] = from;
      const w = new Float32Array(to - from);
      for (let j = from; j < to; j++) {
        w[j - from] = (Math.min(end, j + 1) - Math.max(start, j)) / ratio;
      }
      weights[i] = w;
    } else {
      const at = Math.max(0, Math.min(sourceLength - 1, (i + 0.5) * ratio - 0.5));
      const from = Math.min(Math.floor(at), Math.max(0, sourceLength - 2));
      const fraction = at - from;
      first[i] = from;
      weights[i] = sourceLength === 1 ? Float32Array.of(1) : Float32Array.of(1 - fraction, fraction);
    }
  }
  return { first, weights };
}

/** Resampler.Kernel.apply */
function applyKernel(k, source, sourceOffset, sourceStride, target, targetOffset, targetStride) {
  for (let i = 0; i < k.first.length; i++) {
    let sum = 0;
    const w = k.weights[i];
    const at = sourceOffset + k.first[i] * sourceStride;
    for (let j = 0; j < w.length; j++) {
      sum = f(sum + f(w[j] * source[at + j * sourceStride]));
    }
    target[targetOffset + i * targetStride] = sum;
  }
}

/** Resampler.resize: separable, horizontal pass then vertical, in float. */
function resize(source, sourceWidth, sourceHeight, width, height) {
  const horizontal = kernel(sourceWidth, width);
  const vertical = kernel(sourceHeight, height);
  const wide = new Float32Array(width * sourceHeight);
  for (let y = 0; y < sourceHeight; y++) {
    applyKernel(horizontal, source, y * sourceWidth, 1, wide, y * width, 1);
  }
  const result = new Float32Array(width * height);
  for (let x = 0; x < width; x++) {
    applyKernel(vertical, wide, x, width, result, x, width);
  }
  return result;
}

/**
 * Framing.reframe(float[], int, int): crop an ink map (ink high, paper 0) to its box, fit 20x20,
 * stretch the strongest to 255, centre by mass in 28x28. Returns the 784 levels.
 */
function reframeInk(ink, width, height) {
  // inkBox
  const columns = new Float64Array(width);
  const rows = new Float64Array(height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = ink[y * width + x];
      columns[x] += v;
      rows[y] += v;
    }
  }
  const [x0, x1] = trimmedRange(columns);
  const [y0, y1] = trimmedRange(rows);
  const boxWidth = x1 - x0;
  const boxHeight = y1 - y0;
  const scale = FIT / Math.max(boxWidth, boxHeight);
  const fitWidth = Math.max(1, Math.min(FIT, Math.round(boxWidth * scale)));
  const fitHeight = Math.max(1, Math.min(FIT, Math.round(boxHeight * scale)));
  const cropped = new Float32Array(boxWidth * boxHeight);
  for (let y = 0; y < boxHeight; y++) {
    cropped.set(ink.subarray((y0 + y) * width + x0, (y0 + y) * width + x0 + boxWidth), y * boxWidth);
  }
  const fitted = resize(cropped, boxWidth, boxHeight, fitWidth, fitHeight);
  // toLevels: the strongest stretched to 255
  let max = 0;
  for (const v of fitted) max = Math.max(max, v);
  const fittedLevels = new Int32Array(fitted.length);
  if (max > 0) {
    const g = f(255 / max);
    for (let i = 0; i < fitted.length; i++) fittedLevels[i] = Math.min(255, Math.round(f(fitted[i] * g)));
  }
  // place: centre of mass at CENTRE, kept inside
  let mass = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < fitHeight; y++) {
    for (let x = 0; x < fitWidth; x++) {
      const v = fittedLevels[y * fitWidth + x];
      mass += v;
      sumX += v * x;
      sumY += v * y;
    }
  }
  const centreX = mass > 0 ? sumX / mass : (fitWidth - 1) / 2;
  const centreY = mass > 0 ? sumY / mass : (fitHeight - 1) / 2;
  const left = clamp(Math.round(CENTRE - centreX), 0, SIZE - fitWidth);
  const top = clamp(Math.round(CENTRE - centreY), 0, SIZE - fitHeight);
  const out = new Uint8Array(SIZE * SIZE);
  for (let y = 0; y < fitHeight; y++) {
    for (let x = 0; x < fitWidth; x++) {
      out[(top + y) * SIZE + left + x] = fittedLevels[y * fitWidth + x];
    }
  }
  return out;
}

/** Framing.reframe(GreyImage, Analysis): stretch, then frame as MNIST was made. Ink high. */
function reframe(image, analysis) {
  return reframeInk(stretchedInk(image, analysis), image.width, image.height);
}

function clamp(value, min, max) {
  return Math.max(min, Math.min(max, value));
}

// ================================================================ InkLocator

/**
 * InkLocator.smallAndClean: at most 320 px, a tenth or more pure white or black, the most frequent level,
 * and under a twentieth shaded paper (shadedShare).
 */
export function smallAndClean(image) {
  if (Math.max(image.width, image.height) > SMALL_IMAGE_SIDE) return false;
  const histogram = new Int32Array(256);
  for (const v of image.levels) histogram[v]++;
  const top = mode(histogram);
  let nearMode = 0;
  for (let level = Math.max(0, top - CLEAN_SPREAD); level <= Math.min(255, top + CLEAN_SPREAD); level++) {
    nearMode += histogram[level];
  }
  return (top <= PURE || top >= 255 - PURE) && nearMode >= SMALL_CLEAN_SHARE * image.levels.length
    && !shaded(image, histogram, top);
}

/** InkLocator.shaded: shadedShare reaches MAX_SHADED_SHARE (no dilation when the histogram has too few between). */
function shaded(image, histogram, paper) {
  let between = 0;
  for (let level = 0; level < histogram.length; level++) {
    const off = Math.abs(level - paper);
    if (off > CLEAN_SPREAD && off < STROKE_LEVELS) between += histogram[level];
  }
  return between / image.levels.length >= MAX_SHADED_SHARE && shadedShare(image, paper) >= MAX_SHADED_SHARE;
}

/**
 * InkLocator.shadedShare: the share of pixels off the paper level but short of a stroke's body,
 * and farther than EDGE_RADIUS from any stroke's body.
 */
function shadedShare(image, paper) {
  const n = image.levels.length;
  const body = new Uint8Array(n);
  for (let i = 0; i < n; i++) body[i] = Math.abs(image.levels[i] - paper) >= STROKE_LEVELS ? 1 : 0;
  const nearBody = dilate(body, image.width, image.height, EDGE_RADIUS);
  let shaded = 0;
  for (let i = 0; i < n; i++) {
    const off = Math.abs(image.levels[i] - paper);
    if (off > CLEAN_SPREAD && off < STROKE_LEVELS && nearBody[i] === 0) shaded++;
  }
  return shaded / n;
}

/** InkLocator.clean: at least 40% of the pixels within 3 levels of the mode. */
function isClean(histogram, pixels) {
  const top = mode(histogram);
  let nearMode = 0;
  for (let level = Math.max(0, top - CLEAN_SPREAD); level <= Math.min(255, top + CLEAN_SPREAD); level++) {
    nearMode += histogram[level];
  }
  return nearMode >= CLEAN_SHARE * pixels;
}

/** InkLocator.workingSize: the long side at most 512. */
function workingSize(width, height) {
  const longSide = Math.max(width, height);
  if (longSide <= WORKING_SIDE) return [width, height];
  const scale = WORKING_SIDE / longSide;
  return [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
}

/** InkLocator.quantile: the level below which fraction of the pixels lie. */
function quantile(histogram, fraction) {
  let count = 0;
  for (const c of histogram) count += c;
  const target = Math.max(1, Math.ceil(fraction * count));
  let seen = 0;
  for (let level = 0; level < histogram.length; level++) {
    seen += histogram[level];
    if (seen >= target) return level;
  }
  return histogram.length - 1;
}

/** Math.max(0, Math.min(255, Math.round(v))) of a float level, as a histogram index. */
function levelOf(v) {
  return Math.max(0, Math.min(255, Math.round(v)));
}

/** InkLocator.areaDownscale: area-averaged to width x height, row by row, in float. */
function areaDownscale(image, width, height, flip) {
  const sourceWidth = image.width;
  const sourceHeight = image.height;
  const { levels } = image;
  const out = new Float32Array(width * height);
  if (width === sourceWidth && height === sourceHeight) {
    for (let i = 0; i < out.length; i++) out[i] = flip ? 255 - levels[i] : levels[i];
    return out;
  }
  const ratioX = sourceWidth / width;
  const ratioY = sourceHeight / height;
  const firstColumn = new Int32Array(sourceWidth);
  const share = new Float32Array(sourceWidth);
  for (let x = 0; x < sourceWidth; x++) {
    const i = Math.min(width - 1, trunc(x / ratioX));
    firstColumn[x] = i;
    const end = Math.min(x + 1, (i + 1) * ratioX);
    share[x] = (end - x) / ratioX;
  }
  const inverseX = f(1.0 / ratioX);
  const restShare = new Float32Array(sourceWidth);
  for (let x = 0; x < sourceWidth; x++) {
    const rest = f(inverseX - share[x]);
    restShare[x] = (rest > NEAR_ONE_MILLIONTH && firstColumn[x] + 1 < width) ? rest : 0;
  }
  const inverseY = f(1.0 / ratioY);
  const row = new Float32Array(width + 1);
  for (let y = 0; y < sourceHeight; y++) {
    row.fill(0);
    const offset = y * sourceWidth;
    for (let x = 0; x < sourceWidth; x++) {
      const v = levels[offset + x];
      const level = flip ? 255 - v : v;
      const i = firstColumn[x];
      row[i] += f(share[x] * level);
      row[i + 1] += f(restShare[x] * level);
    }
    const j = Math.min(height - 1, trunc(y / ratioY));
    const end = Math.min(y + 1, (j + 1) * ratioY);
    const first = f((end - y) / ratioY);
    const rest = f(inverseY - first);
    let at = j * width;
    for (let i = 0; i < width; i++) out[at + i] += f(first * row[i]);
    if (rest > NEAR_ONE_MILLIONTH && j + 1 < height) {
      at += width;
      for (let i = 0; i < width; i++) out[at + i] += f(rest * row[i]);
    }
  }
  return out;
}

/**
 * InkLocator.darkInk: the sign of the centre-weighted sum of cubes of a band-pass picture (a 3x3
 * mean, made a row at a time, less a twice-applied box mean of the closing radius, made at half the resolution); dark
 * narrow strokes tip it below 0.
 * Null when the sum is 0.
 */
function darkInk(grey, width, height) {
  // the strong smoothing at half the resolution (a picture under 2 pixels across or down at its
  // own), read back at the cell under each pixel
  const shift = width < 2 || height < 2 ? 0 : 1;
  const coarseWidth = width >> shift;
  const coarseHeight = height >> shift;
  const r = Math.max(1, closingRadius(width, height) >> shift);
  const small = shift === 0 ? grey : halve(grey, width, height);
  const coarse = boxBlur(boxBlur(small, coarseWidth, coarseHeight, r), coarseWidth, coarseHeight, r);
  const across = centreWeights(width);
  const down = centreWeights(height);
  // the 3x3 mean a row at a time, in float, as InkLocator.fineRow makes it
  const columns = new Float32Array(width);
  const fine = new Float32Array(width);
  let sum = 0;
  for (let y = 0; y < height; y++) {
    fineRow(grey, width, height, y, columns, fine);
    let row = 0;
    const coarseRow = Math.min(coarseHeight - 1, y >> shift) * coarseWidth;
    for (let x = 0; x < width; x++) {
      const d = f(fine[x] - coarse[coarseRow + Math.min(coarseWidth - 1, x >> shift)]);
      row += across[x] * d * d * d;
    }
    sum += down[y] * row;
  }
  return sum === 0 ? null : sum < 0;
}

/**
 * InkLocator.fineRow: row y of the 3x3 mean (the square clipped at the edges), the three rows'
 * column sums, then three neighbouring sums, each scaled by the clipped square's reciprocal.
 */
function fineRow(values, width, height, y, columns, fine) {
  const row = y * width;
  const above = y > 0 ? row - width : row;
  const below = y + 1 < height ? row + width : row;
  const rows = 1 + (y > 0 ? 1 : 0) + (y + 1 < height ? 1 : 0);
  const up = y > 0 ? 1 : 0;
  const on = y + 1 < height ? 1 : 0;
  for (let x = 0; x < width; x++) {
    columns[x] = f(f(values[row + x] + f(up * values[above + x])) + f(on * values[below + x]));
  }
  if (width === 1) {
    fine[0] = f(columns[0] / rows);
    return;
  }
  const edge = f(1 / (2 * rows));
  const inner = f(1 / (3 * rows));
  fine[0] = f(f(columns[0] + columns[1]) * edge);
  for (let x = 1; x < width - 1; x++) fine[x] = f(f(f(columns[x - 1] + columns[x]) + columns[x + 1]) * inner);
  fine[width - 1] = f(f(columns[width - 2] + columns[width - 1]) * edge);
}

/** InkLocator.halve: the mean of every 2 x 2 square (an odd last column or row left out). */
function halve(values, width, height) {
  const halfWidth = trunc(width / 2);
  const halfHeight = trunc(height / 2);
  const out = new Float32Array(halfWidth * halfHeight);
  for (let y = 0; y < halfHeight; y++) {
    const top = 2 * y * width;
    const bottom = top + width;
    const at = y * halfWidth;
    for (let x = 0; x < halfWidth; x++) {
      const i = 2 * x;
      out[at + x] = f(f(f(values[top + i] + values[top + i + 1]) + values[bottom + i]) + values[bottom + i + 1]) * 0.25;
    }
  }
  return out;
}

/**
 * InkLocator.centreWeights: a Gaussian of a quarter of n, centred. Java's Math.exp (HotSpot's
 * intrinsic) and V8's (fdlibm) may differ in the last bit of a double; rounded to float, as the
 * Java code does, they agreed for every argument this can take (every side from 1 to 512, checked
 * against Java 17 and Node 20's V8).
 */
function centreWeights(n) {
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const d = (i + 0.5) / n - 0.5;
    w[i] = Math.exp(-d * d / (2 * 0.25 * 0.25));
  }
  return w;
}

/** InkLocator.boxBlur: the mean of the square around every pixel, clipped at the edges. */
function boxBlur(values, width, height, radius) {
  const across = new Float32Array(values.length);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    let count = 0;
    for (let x = 0; x < Math.min(width, radius); x++) {
      sum += values[row + x];
      count++;
    }
    for (let x = 0; x < width; x++) {
      if (x + radius < width) {
        sum += values[row + x + radius];
        count++;
      }
      if (x - radius - 1 >= 0) {
        sum -= values[row + x - radius - 1];
        count--;
      }
      across[row + x] = sum / count;
    }
  }
  const out = new Float32Array(values.length);
  const sums = new Float64Array(width);
  let count = 0;
  for (let y = 0; y < Math.min(height, radius); y++) {
    for (let x = 0; x < width; x++) sums[x] += across[y * width + x];
    count++;
  }
  for (let y = 0; y < height; y++) {
    if (y + radius < height) {
      const row = (y + radius) * width;
      for (let x = 0; x < width; x++) sums[x] += across[row + x];
      count++;
    }
    if (y - radius - 1 >= 0) {
      const row = (y - radius - 1) * width;
      for (let x = 0; x < width; x++) sums[x] -= across[row + x];
      count--;
    }
    const row = y * width;
    for (let x = 0; x < width; x++) out[row + x] = sums[x] / count;
  }
  return out;
}

/**
 * InkLocator.noise: the median of the ink strengths and the paper's noise deviation from their
 * median absolute deviation, at a resolution of 1/1024.
 */
function noiseOf(ink) {
  const bins = 2048;
  const histogram = new Int32Array(bins);
  for (const v of ink) {
    histogram[Math.max(0, Math.min(bins - 1, Math.round(f(v * 1024)) + bins / 2))]++;
  }
  const middle = binQuantile(histogram, 0.5);
  const deviations = new Int32Array(bins);
  for (let b = 0; b < bins; b++) deviations[Math.abs(b - middle)] += histogram[b];
  const mad = binQuantile(deviations, 0.5);
  return [f((middle - bins / 2) / 1024), f(f(MAD_TO_DEVIATION * mad) / 1024)];
}

/** InkLocator.binQuantile */
function binQuantile(histogram, fraction) {
  let count = 0;
  for (const c of histogram) count += c;
  let seen = 0;
  for (let b = 0; b < histogram.length; b++) {
    seen += histogram[b];
    if (2 * seen >= count * 2 * fraction) return b;
  }
  return histogram.length - 1;
}

/** InkLocator.otsu: Otsu's threshold over the strengths above floor (the floor when none are). */
function otsu(ink, floor) {
  const bins = 256;
  const histogram = new Int32Array(bins);
  let count = 0;
  const span = f(1 - floor);
  if (span <= 0) return floor;
  for (const v of ink) {
    if (v > floor) {
      histogram[Math.min(bins - 1, trunc(f(f(f(Math.min(v, 1) - floor) / span) * bins)))]++;
      count++;
    }
  }
  if (count === 0) return floor;
  let total = 0;
  for (let b = 0; b < bins; b++) total += b * histogram[b];
  let sumBelow = 0;
  let below = 0;
  let best = -1;
  let bestBin = 0;
  for (let b = 0; b < bins; b++) {
    below += histogram[b];
    if (below === 0) continue;
    const above = count - below;
    if (above === 0) break;
    sumBelow += b * histogram[b];
    const meanBelow = sumBelow / below;
    const meanAbove = (total - sumBelow) / above;
    const between = below * above * (meanBelow - meanAbove) * (meanBelow - meanAbove);
    if (between > best) {
      best = between;
      bestBin = b;
    }
  }
  return f(floor + f(f((bestBin + 1) * span) / bins));
}

/**
 * InkLocator.locate: the chosen digit's ink (0..255, ink high, 0 outside it) at the working
 * resolution. Throws BlankImageError when no digit's ink is found.
 * @returns {{ink: Float32Array, width: number, height: number, inverted: boolean, severalDigits: boolean}}
 */
export function locate(image, minInkPixels = MIN_INK_PIXELS) {
  const [width, height] = workingSize(image.width, image.height);
  const grey = areaDownscale(image, width, height, false);
  const histogram = new Int32Array(256);
  for (const v of grey) histogram[levelOf(v)]++;
  const middle = quantile(histogram, 0.5);
  const darkest = quantile(histogram, 0);
  const lightest = quantile(histogram, 1);
  const contrast = Math.max(middle - darkest, lightest - middle);
  if (contrast < MIN_CONTRAST) {
    throw new BlankImageError('The image is blank: it is almost uniform (its darkest and lightest levels are within '
        + contrast + ' grey levels of the paper), so no ink strokes were found.');
  }
  const clean = isClean(histogram, grey.length);
  const darkShare = darkShareOf(histogram, grey.length);
  const lightEdges = lightEdgeShare((i) => grey[i], width, height);
  const borderPaper = mode(histogram);
  let inverted;
  if (clean && (borderPaper <= PURE || borderPaper >= 255 - PURE)) {
    inverted = borderPaper - darkest > lightest - borderPaper;
  } else {
    const dark = darkInk(grey, width, height);
    const low = quantile(histogram, 0.001);
    const high = quantile(histogram, 0.999);
    inverted = dark !== null ? dark
      : (middle - low) > (high - middle) || ((middle - low) === (high - middle) && middle > 127);
  }
  // the ink-shape rules judge pictures on pure white or black (a pad, a screenshot); a shade is not ink
  const pure = clean && (borderPaper <= PURE || borderPaper >= 255 - PURE);
  if (pure) checkCoverage(darkShare, lightEdges, inverted);
  if (!inverted) {
    // paper light: light ink on dark paper is turned
    for (let i = 0; i < grey.length; i++) grey[i] = 255 - grey[i];
  }
  const inkedPage = pure && !inverted && isInkedPage(darkShare);

  // the paper under every pixel, clean or not (a clean picture may still be in part shadowed)
  const sheet = pure ? null : sheetRegion(grey, width, height);
  let ink = inkStrength(grey, width, height);

  const [paperLevel, paperNoise] = noiseOf(ink);
  const floor = Math.max(f(paperLevel + f(FLOOR_DEVIATIONS * paperNoise)), f(paperLevel + MIN_FLOOR));
  const threshold = Math.max(floor, f(0.5 * otsu(ink, floor)));
  let mask = new Uint8Array(ink.length);
  let inkPixels = 0;
  for (let i = 0; i < ink.length; i++) {
    if (ink[i] > threshold) {
      mask[i] = 1;
      inkPixels++;
    }
  }
  if (sheet !== null && isTable(sheet, mask)) {
    // the table round the sheet is no ink
    for (let i = 0; i < ink.length; i++) {
      if (sheet[i] === 0) {
        inkPixels -= mask[i];
        mask[i] = 0;
        ink[i] = 0;
      }
    }
  }
  const scale = (width * height) / (image.width * image.height);
  const minInk = Math.max(1, Math.round(minInkPixels * scale));
  if (inkPixels < minInk) throw inkedPage ? tooMuchInk(darkShare) : nearlyBlank(inkPixels, minInk);

  // a page askew: turned so that its lines run straight for the line finder
  const slant = (clean && Math.max(width, height) < SMALL_CLEAN_SIDE) ? [0, 0]
    : skewEstimate(mask, width, height, Math.max(2, trunc(lineThickness(width, height) / 2)));
  if (slant[0] !== 0 || slant[1] !== 0) {
    ink = skewTurn(ink, width, height, slant[0], slant[1]);
    mask = new Uint8Array(ink.length);
    for (let i = 0; i < ink.length; i++) mask[i] = ink[i] > threshold ? 1 : 0;
  }

  // a small clean image (an 8x8 scan enlarged, a small canvas) is the digit alone: its bold strokes
  // span the frame like lines would
  const lines = clean && Math.max(width, height) < SMALL_CLEAN_SIDE ? noLines(width, height)
    : findLines(mask, width, height);
  const groups = chooseGroups(mask, lines, ink, width, height);
  if (groups.chosenPixels < minInk) {
    throw inkedPage ? tooMuchInk(darkShare) : nearlyBlank(groups.chosenPixels, minInk);
  }
  const out = new Float32Array(ink.length);
  const own = dilate(groups.chosen, width, height, 0);
  // the lines' own pixels and their anti-aliased edges stay out, the digit's restored strokes in
  const nearLines = dilate(lines.removed, width, height, 1);
  const allowed = new Uint8Array(ink.length);
  for (let i = 0; i < ink.length; i++) {
    allowed[i] = (ink[i] > floor && (nearLines[i] === 0 || own[i] !== 0)) ? 1 : 0;
  }
  // the digit's faint edges: ink above the noise floor connected to it, within its box grown by
  // a tenth of its size
  const digit = grow(groups.chosen, allowed, width, height, 0.1);
  if (pure) checkNotADot(digit, width, height);
  for (let i = 0; i < out.length; i++) {
    if (digit[i] !== 0) out[i] = 255 * Math.min(1, ink[i]);
  }
  return { ink: out, width, height, inverted, severalDigits: groups.severalDigits };
}

/** InkLocator.darkShare: the share of pixels darker than mid-grey. */
function darkShareOf(histogram, pixels) {
  let dark = 0;
  for (let level = 0; level < 128; level++) dark += histogram[level];
  return dark / pixels;
}

/**
 * InkLocator.analyseCanvas: analyse() of a small clean picture, with the ink-shape rules for one
 * at least SMALL_CLEAN_SIDE on its long side (a drawing pad, not an enlarged 8x8 scan).
 */
function analyseCanvas(image, minInkPixels) {
  if (Math.max(image.width, image.height) < SMALL_CLEAN_SIDE) return analyse(image, minInkPixels, true);
  const size = image.width * image.height;
  const histogram = new Int32Array(256);
  for (let i = 0; i < size; i++) histogram[image.levels[i]]++;
  const darkShare = darkShareOf(histogram, size);
  let analysis;
  try {
    analysis = analyse(image, minInkPixels, true);
  } catch (error) {
    throw (error instanceof BlankImageError && isInkedPage(darkShare)) ? tooMuchInk(darkShare) : error;
  }
  checkCoverage(darkShare, lightEdgeShare((i) => image.levels[i], image.width, image.height), analysis.inverted);
  const mask = new Uint8Array(size);
  const half = trunc((analysis.contrast + 1) / 2);
  for (let i = 0; i < size; i++) {
    const level = analysis.inverted ? 255 - image.levels[i] : image.levels[i];
    mask[i] = level - analysis.paper >= half ? 1 : 0;
  }
  checkNotADot(mask, image.width, image.height);
  return analysis;
}

/** InkLocator.inkedPage: mostly dark with some light left (an all-dark picture is blank). */
function isInkedPage(darkShare) {
  return darkShare >= INKED_PAGE_SHARE && darkShare < 1;
}

/** InkLocator.checkCoverage: a clean picture covered in ink. */
function checkCoverage(darkShare, lightEdges, darkInk) {
  if ((darkInk && darkShare >= MAX_INK_SHARE) || (!darkInk && darkShare > 0.5 && lightEdges >= PAGE_EDGE_SHARE)) {
    throw tooMuchInk(darkShare);
  }
}

/** InkLocator.lightEdgeShare: the share of the outermost pixels lighter than mid-grey. */
function lightEdgeShare(level, width, height) {
  let light = 0;
  let edge = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y === 0 || y === height - 1 || x === 0 || x === width - 1) {
        edge++;
        if (level(y * width + x) >= 128) light++;
      }
    }
  }
  return edge === 0 ? 0 : light / edge;
}

/** InkLocator.checkNotADot: a dot or a short dash is not a digit (3-4 chamfer distance over the box). */
function checkNotADot(mask, width, height) {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x] !== 0) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return;
  const w = x1 - x0 + 3;
  const h = y1 - y0 + 3;
  const d = new Int32Array(w * h);
  const far = 1 << 29;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) d[y * w + x] = mask[(y0 + y - 1) * width + x0 + x - 1] !== 0 ? far : 0;
  }
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (d[i] !== 0) {
        d[i] = Math.min(d[i], d[i - 1] + 3, d[i - w] + 3, d[i - w - 1] + 4, d[i - w + 1] + 4);
      }
    }
  }
  let deepest = 0;
  for (let y = h - 2; y >= 1; y--) {
    for (let x = w - 2; x >= 1; x--) {
      const i = y * w + x;
      if (d[i] !== 0) {
        d[i] = Math.min(d[i], d[i + 1] + 3, d[i + w] + 3, d[i + w + 1] + 4, d[i + w - 1] + 4);
        deepest = Math.max(deepest, d[i]);
      }
    }
  }
  const strokeWidth = (2 * deepest) / 3;
  const longSide = Math.max(x1 - x0 + 1, y1 - y0 + 1);
  if (longSide < MIN_STROKE_WIDTHS * strokeWidth) {
    throw new NotADigitError('Not a digit: the ink is a dot or a short dash (' + longSide + ' px long, '
        + (longSide / strokeWidth).toFixed(1) + ' stroke widths at the working resolution), too small to be a digit.');
  }
}

function tooMuchInk(darkShare) {
  return new NotADigitError('Not a digit: ink covers ' + Math.round(100 * darkShare)
      + '% of the picture, too much for one digit (a digit leaves most of the page blank).');
}

function nearlyBlank(found, needed) {
  return new BlankImageError('The image is nearly blank: no ink strokes were found (only ' + found
      + ' pixels look like ink at the working resolution, at least ' + needed + ' are needed to make a digit).');
}

// ================================================================ PaperLight

/** PaperLight.blockSize: about 1/32 of the long side, at least 8. */
function blockSize(width, height) {
  return Math.max(8, trunc((Math.max(width, height) + 31) / 32));
}

/** PaperLight.closingRadius: two blocks, about 1/16 of the long side, at least 16. */
function closingRadius(width, height) {
  return 2 * blockSize(width, height);
}

/**
 * PaperLight.inkStrength: (paper - v) / max(paper, half the median paper), the paper under every pixel
 * a grey-level closing by a square of closingRadius.
 */
function inkStrength(grey, width, height) {
  const paper = paperLevel(grey, width, height);
  const histogram = new Int32Array(256);
  for (const v of paper) histogram[levelOf(v)]++;
  const least = Math.max(1, f(0.5 * quantile(histogram, 0.5)));
  const ink = paper;
  for (let i = 0; i < ink.length; i++) {
    const p = paper[i];
    ink[i] = f(p - grey[i]) / Math.max(p, least);
  }
  return ink;
}

/**
 * PaperLight.paperLevel: the closing made at half the resolution (the lightest of every 2 x 2
 * square, closed by half the radius rounded up) and read back at every pixel as the darkest of the
 * two cells on each side of it across and down.
 */
function paperLevel(grey, width, height) {
  const radius = closingRadius(width, height);
  if (width < 2 || height < 2) return closing(grey, width, height, radius);
  const halfWidth = trunc((width + 1) / 2);
  const halfHeight = trunc((height + 1) / 2);
  const half = new Float32Array(halfWidth * halfHeight);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const at = trunc(y / 2) * halfWidth;
    const first = y % 2 === 0;
    for (let x = 0; x < width; x++) {
      const cell = at + trunc(x / 2);
      const v = grey[row + x];
      half[cell] = (first && x % 2 === 0) ? v : Math.max(half[cell], v);
    }
  }
  const closed = closing(half, halfWidth, halfHeight, trunc((radius + 1) / 2));
  const [lowX, highX] = cellSides(width, halfWidth);
  const across = new Float32Array(halfHeight * width);
  for (let y = 0; y < halfHeight; y++) {
    const from = y * halfWidth;
    const to = y * width;
    for (let x = 0; x < width; x++) across[to + x] = Math.min(closed[from + lowX[x]], closed[from + highX[x]]);
  }
  const [lowY, highY] = cellSides(height, halfHeight);
  const paper = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const above = lowY[y] * width;
    const below = highY[y] * width;
    const row = y * width;
    for (let x = 0; x < width; x++) paper[row + x] = Math.min(across[above + x], across[below + x]);
  }
  return paper;
}

/** PaperLight.paperLevel: for each of n pixels, the half-resolution cells on either side of it. */
function cellSides(n, cells) {
  const low = new Int32Array(n);
  const high = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = (i - 1) >> 1;
    low[i] = Math.max(0, c);
    high[i] = Math.min(cells - 1, c + 1);
  }
  return [low, high];
}

// ---------------------------------------------------------------- PaperSheet: a sheet smaller than the frame

const SHEET_MIN_GAP = 0.3; // PaperSheet.MIN_GAP
const SHEET_MIN_SHEET = 0.25; // PaperSheet.MIN_SHEET
const SHEET_MIN_OUTSIDE = 0.02; // PaperSheet.MIN_OUTSIDE
const SHEET_MIN_DARK_OUTSIDE = 0.8; // PaperSheet.MIN_DARK_OUTSIDE
const SHEET_MIN_TABLE_INK = 0.3; // PaperSheet.MIN_TABLE_INK
const SHEET_TABLE_INK_RATIO = 3; // PaperSheet.TABLE_INK_RATIO

/**
 * PaperSheet.region: the convex hull of the largest light region of the lightly smoothed
 * paper-light picture (1 inside), or null when the picture shows no sheet smaller than the frame.
 */
function sheetRegion(grey, width, height) {
  const n = width * height;
  const smooth = boxBlur(grey, width, height, 2);
  const histogram = new Int32Array(256);
  for (const v of smooth) histogram[levelOf(v)]++;
  const level = otsuLevel(histogram);
  const [darkMean, lightMean] = classMeans(histogram, level);
  if (lightMean - darkMean < SHEET_MIN_GAP * lightMean) return null;
  const first = new Int32Array(height);
  const last = new Int32Array(height);
  if (!largestLightRegion(smooth, level, width, height, first, last, SHEET_MIN_SHEET * n)) return null;
  const inside = sheetHull(first, last, width, height);
  let count = 0;
  let dark = 0;
  for (let i = 0; i < n; i++) {
    if (inside[i] !== 0) count++;
    else if (smooth[i] <= level) dark++;
  }
  if (n - count < SHEET_MIN_OUTSIDE * n) return null;
  return dark < SHEET_MIN_DARK_OUTSIDE * (n - count) ? null : inside;
}

/** PaperSheet.inkShares and isTable: whether the ink outside the sheet is dense enough to be a table's. */
function isTable(sheet, mask) {
  let inside = 0;
  let insideInk = 0;
  let outsideInk = 0;
  for (let i = 0; i < mask.length; i++) {
    if (sheet[i] !== 0) {
      inside++;
      insideInk += mask[i];
    } else {
      outsideInk += mask[i];
    }
  }
  const outside = mask.length - inside;
  if (outside === 0 || inside === 0) return false;
  const outsideShare = outsideInk / outside;
  const insideShare = insideInk / inside;
  return outsideShare >= SHEET_MIN_TABLE_INK && outsideShare >= SHEET_TABLE_INK_RATIO * insideShare;
}

/**
 * PaperSheet.largestLightRegion: the largest 4-connected region above level (the first in raster
 * order among equals) by its rows' first and last pixels; runs of light pixels along the rows
 * joined where they overlap in consecutive rows (union-find, the root the region's first run).
 */
function largestLightRegion(smooth, level, width, height, first, last, least) {
  let capacity = Math.max(16, height * 4);
  let start = new Int32Array(capacity);
  let end = new Int32Array(capacity);
  let row = new Int32Array(capacity);
  let parent = new Int32Array(capacity);
  let runs = 0;
  let previousFrom = 0;
  let previousTo = 0;
  for (let y = 0; y < height; y++) {
    const from = runs;
    const offset = y * width;
    let k = previousFrom;
    let x = 0;
    while (x < width) {
      if (smooth[offset + x] <= level) {
        x++;
        continue;
      }
      const s = x;
      while (x < width && smooth[offset + x] > level) x++;
      if (runs === capacity) {
        capacity *= 2;
        const grow = (a) => { const b = new Int32Array(capacity); b.set(a); return b; };
        start = grow(start);
        end = grow(end);
        row = grow(row);
        parent = grow(parent);
      }
      const r = runs++;
      start[r] = s;
      end[r] = x;
      row[r] = y;
      parent[r] = r;
      while (k < previousTo && end[k] <= s) k++;
      for (let j = k; j < previousTo && start[j] < x; j++) {
        const a = runRoot(parent, j);
        const b = runRoot(parent, r);
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
    previousFrom = from;
    previousTo = runs;
  }
  const size = new Float64Array(runs);
  for (let r = 0; r < runs; r++) size[runRoot(parent, r)] += end[r] - start[r];
  let best = -1;
  for (let r = 0; r < runs; r++) {
    if (parent[r] === r && (best < 0 || size[r] > size[best])) best = r;
  }
  if (best < 0 || size[best] < least) return false;
  first.fill(-1);
  for (let r = 0; r < runs; r++) {
    if (runRoot(parent, r) === best) {
      const y = row[r];
      if (first[y] < 0) first[y] = start[r];
      last[y] = end[r] - 1;
    }
  }
  return true;
}

/** PaperSheet.root: the root of r, halving the path on the way. */
function runRoot(parent, r) {
  while (parent[r] !== r) {
    parent[r] = parent[parent[r]];
    r = parent[r];
  }
  return r;
}

/** PaperSheet.hull: the convex hull of the rows' spans (monotone chain), filled at pixel centres. */
function sheetHull(first, last, width, height) {
  const points = [];
  for (let y = 0; y < height; y++) {
    if (first[y] >= 0) {
      points.push([first[y], y], [first[y], y + 1], [last[y] + 1, y], [last[y] + 1, y + 1]);
    }
  }
  points.sort((a, b) => (a[0] - b[0]) || (a[1] - b[1]));
  const cross = (o, a, b) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const chain = [];
  for (let pass = 0; pass < 2; pass++) {
    const base = chain.length;
    for (let j = 0; j < points.length; j++) {
      const p = points[pass === 0 ? j : points.length - 1 - j];
      while (chain.length >= base + 2 && cross(chain[chain.length - 2], chain[chain.length - 1], p) <= 0) chain.pop();
      chain.push(p);
    }
    chain.pop();
  }
  const inside = new Uint8Array(width * height);
  const size = chain.length;
  for (let y = 0; y < height; y++) {
    const cy = y + 0.5;
    let left = Infinity;
    let right = -Infinity;
    for (let e = 0; e < size; e++) {
      const a = chain[e];
      const b = chain[(e + 1) % size];
      const ay = a[1];
      const by = b[1];
      if ((ay <= cy && by >= cy) || (by <= cy && ay >= cy)) {
        const x = ay === by ? Math.min(a[0], b[0]) : a[0] + (cy - ay) / (by - ay) * (b[0] - a[0]);
        const x2 = ay === by ? Math.max(a[0], b[0]) : x;
        left = Math.min(left, x);
        right = Math.max(right, x2);
      }
    }
    const from = Math.max(0, Math.ceil(left - 0.5));
    const to = Math.min(width - 1, Math.floor(right - 0.5));
    for (let x = from; x <= to; x++) inside[y * width + x] = 1;
  }
  return inside;
}

/** PaperSheet.otsuLevel: Otsu's level over a 256-level histogram; the light class is above it. */
function otsuLevel(histogram) {
  let count = 0;
  let total = 0;
  for (let b = 0; b < 256; b++) {
    count += histogram[b];
    total += b * histogram[b];
  }
  let sumBelow = 0;
  let below = 0;
  let best = -1;
  let level = 0;
  for (let b = 0; b < 255; b++) {
    below += histogram[b];
    sumBelow += b * histogram[b];
    const above = count - below;
    if (below === 0 || above === 0) continue;
    const d = sumBelow / below - (total - sumBelow) / above;
    const between = below * above * d * d;
    if (between > best) {
      best = between;
      level = b;
    }
  }
  return level;
}

/** PaperSheet.classMeans: the mean levels at and below level, and above it. */
function classMeans(histogram, level) {
  const sum = [0, 0];
  const count = [0, 0];
  for (let b = 0; b < 256; b++) {
    const c = b <= level ? 0 : 1;
    sum[c] += b * histogram[b];
    count[c] += histogram[b];
  }
  return [sum[0] / Math.max(1, count[0]), sum[1] / Math.max(1, count[1])];
}

/** PaperLight.closing: largest within the square around each pixel, then the smallest of those. */
function closing(grey, width, height, radius) {
  const a = new Float32Array(grey.length);
  const b = new Float32Array(grey.length);
  const c = new Float32Array(grey.length);
  const line = new Float32Array(width);
  const forward = new Float32Array(width);
  const backward = new Float32Array(width);
  const result = new Float32Array(width);
  closingRows(grey, a, width, height, radius, true, line, forward, backward, result);
  closingColumns(a, b, c, width, height, radius, true);
  closingRows(a, b, width, height, radius, false, line, forward, backward, result);
  closingColumns(b, a, c, width, height, radius, false);
  return b;
}

/** PaperLight.rows: extreme along every row. */
function closingRows(src, dst, width, height, radius, max, line, forward, backward, result) {
  for (let y = 0; y < height; y++) {
    line.set(src.subarray(y * width, (y + 1) * width));
    extreme(line, width, radius, max, forward, backward, result);
    dst.set(result, y * width);
  }
}

/** PaperLight.columns: extreme down every column, in place, a whole row at a time. */
function closingColumns(values, forward, backward, width, height, radius, max) {
  const w = 2 * radius + 1;
  let at = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    if (at === 0) {
      forward.set(values.subarray(row, row + width), row);
    } else {
      for (let x = 0; x < width; x++) {
        forward[row + x] = max ? Math.max(forward[row - width + x], values[row + x])
          : Math.min(forward[row - width + x], values[row + x]);
      }
    }
    at = (at === w - 1) ? 0 : at + 1;
  }
  at = (height - 1) % w;
  for (let y = height - 1; y >= 0; y--) {
    const row = y * width;
    if (y === height - 1 || at === w - 1) {
      backward.set(values.subarray(row, row + width), row);
    } else {
      for (let x = 0; x < width; x++) {
        backward[row + x] = max ? Math.max(backward[row + width + x], values[row + x])
          : Math.min(backward[row + width + x], values[row + x]);
      }
    }
    at = (at === 0) ? w - 1 : at - 1;
  }
  let fromAt = 0;
  for (let y = 0; y < height; y++) {
    const from = Math.max(0, y - radius);
    const to = Math.min(height - 1, y + radius);
    if (y - radius > 0) fromAt = (fromAt === w - 1) ? 0 : fromAt + 1;
    const row = y * width;
    if (to - from <= w - 1 - fromAt) {
      if (fromAt === 0) values.set(forward.subarray(to * width, (to + 1) * width), row);
      else values.set(backward.subarray(from * width, (from + 1) * width), row);
    } else {
      const b = from * width;
      const fo = to * width;
      for (let x = 0; x < width; x++) {
        values[row + x] = max ? Math.max(backward[b + x], forward[fo + x]) : Math.min(backward[b + x], forward[fo + x]);
      }
    }
  }
}

/** PaperLight.extreme: running largest or smallest of line[i - radius .. i + radius], clipped (van Herk). */
function extreme(line, n, radius, max, forward, backward, result) {
  const w = 2 * radius + 1;
  let at = 0;
  for (let i = 0; i < n; i++) {
    forward[i] = (at === 0) ? line[i]
      : (max ? Math.max(forward[i - 1], line[i]) : Math.min(forward[i - 1], line[i]));
    at = (at === w - 1) ? 0 : at + 1;
  }
  at = (n - 1) % w;
  for (let i = n - 1; i >= 0; i--) {
    backward[i] = (i === n - 1 || at === w - 1) ? line[i]
      : (max ? Math.max(backward[i + 1], line[i]) : Math.min(backward[i + 1], line[i]));
    at = (at === 0) ? w - 1 : at - 1;
  }
  let fromAt = 0;
  for (let i = 0; i < n; i++) {
    const from = Math.max(0, i - radius);
    const to = Math.min(n - 1, i + radius);
    if (i - radius > 0) fromAt = (fromAt === w - 1) ? 0 : fromAt + 1;
    if (to - from <= w - 1 - fromAt) {
      result[i] = (fromAt === 0) ? forward[to] : backward[from];
    } else {
      result[i] = max ? Math.max(backward[from], forward[to]) : Math.min(backward[from], forward[to]);
    }
  }
}

// ================================================================ Skew

/**
 * Skew.estimate: the slants, in degrees, of the page's long thin lines in the mask, [across, down]
 * (projections at angles up to 20 degrees, two apart, then half a degree around the best): each
 * family by its own two or more long lines, a family with fewer following the other, both at one
 * angle when neither has two; [0, 0] when there are none or they are straight enough.
 */
function skewEstimate(mask, width, height, band) {
  let count = 0;
  for (const m of mask) count += m;
  if (count === 0) return [0, 0];
  const step = Math.max(1, trunc((count + MAX_SAMPLES - 1) / MAX_SAMPLES));
  const n = trunc((count + step - 1) / step);
  const xs = new Float32Array(n);
  const ys = new Float32Array(n);
  let k = 0;
  let seen = 0;
  const cx = f(width / 2);
  const cy = f(height / 2);
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== 0) {
      if (seen % step === 0 && k < n) {
        xs[k] = (i % width) - cx;
        ys[k] = trunc(i / width) - cy;
        k++;
      }
      seen++;
    }
  }
  const diagonal = Math.ceil(Math.sqrt(width * width + height * height)) + 2;
  const projection = {
    xs, ys, n: k, band,
    counts: new Int32Array(trunc(diagonal / band) + 2),
    needed: [LONG_SHARE * width / step, LONG_SHARE * height / step],
  };
  const none = projectBoth(projection, 0, 0);
  const own = [bestSkewAngle(projection, 0), bestSkewAngle(projection, 1)];
  const ruled = [projectFamily(projection, own[0], 0)[1] >= 2, projectFamily(projection, own[1], 1)[1] >= 2];
  let slants;
  if (ruled[0] && ruled[1] && Math.abs(own[0] - own[1]) <= MAX_SHEAR_DEGREES) {
    slants = own;
  } else if (ruled[0] || ruled[1]) {
    const angle = ruled[0] ? own[0] : own[1];
    slants = [angle, angle];
  } else {
    const joint = bestSkewAngle(projection, -1);
    slants = [joint, joint];
  }
  const best = projectBoth(projection, slants[0], slants[1]);
  const turn = Math.max(Math.abs(slants[0]), Math.abs(slants[1])) >= MIN_DEGREES && best[1] > 0
    && best[0] > MIN_GAIN * none[0];
  return turn ? slants : [0, 0];
}

/** Skew.Projection.bestAngle: family 0 across, 1 down, -1 both at once. */
function bestSkewAngle(projection, family) {
  const inkAt = (degrees) => (family < 0 ? projectBoth(projection, degrees, degrees)[0]
    : projectFamily(projection, degrees, family)[0]);
  let bestDegrees = 0;
  let best = inkAt(0);
  for (let degrees = -MAX_DEGREES; degrees <= MAX_DEGREES; degrees += 2) {
    const ink = inkAt(degrees);
    if (ink > best) {
      best = ink;
      bestDegrees = degrees;
    }
  }
  const coarse = bestDegrees;
  for (let degrees = coarse - 1; degrees <= coarse + 1; degrees += 0.5) {
    if (degrees === coarse || Math.abs(degrees) > MAX_DEGREES) continue;
    const ink = inkAt(degrees);
    if (ink > best) {
      best = ink;
      bestDegrees = degrees;
    }
  }
  return bestDegrees;
}

/** Skew.Projection.both: the ink in long lines across and down, and 1 when they look like a page's. */
function projectBoth(projection, across, down) {
  const a = projectFamily(projection, across, 0);
  const d = projectFamily(projection, down, 1);
  const page = a[1] + d[1] >= MIN_LINES || (a[1] > 0 && d[1] > 0);
  return [a[0] + d[0], page ? 1 : 0];
}

/** Skew.Projection.family: the samples' ink in long thin lines of one family at the angle, and how many. */
function projectFamily(projection, degrees, family) {
  const { xs, ys, n, band, counts } = projection;
  // Math.toRadians: degrees times the double nearest pi / 180
  const radians = degrees * (Math.PI / 180);
  const cos = f(Math.cos(radians));
  const sin = f(Math.sin(radians));
  const offset = trunc(counts.length / 2);
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const rho = family === 0 ? f(f(ys[i] * cos) - f(xs[i] * sin)) : f(f(xs[i] * cos) + f(ys[i] * sin));
    const b = Math.max(0, Math.min(counts.length - 1, Math.floor(f(rho / band)) + offset));
    counts[b]++;
  }
  let ink = 0;
  let lines = 0;
  for (let b = 2; b < counts.length - 2; b++) {
    const c = counts[b];
    if (c === 0 || c < counts[b - 1] || c <= counts[b + 1]) continue;
    const quarter = trunc(c / 4);
    const thin = counts[b - 1] >= counts[b + 1]
      ? counts[b - 2] <= quarter && counts[b + 2] <= quarter
      : counts[b - 2] <= quarter && (b + 3 >= counts.length || counts[b + 3] <= quarter);
    const pair = c + Math.max(counts[b - 1], counts[b + 1]);
    if (thin && pair >= projection.needed[family]) {
      ink += pair;
      lines++;
    }
  }
  return [ink, lines];
}

/**
 * Skew.turn: the map sheared so that lines across at `across` degrees and down at `down` run
 * straight (turned by one angle when they are equal), bilinear, 0 where the picture was not.
 */
function skewTurn(values, width, height, across, down) {
  const cosA = Math.cos(across * (Math.PI / 180));
  const sinA = Math.sin(across * (Math.PI / 180));
  const cosD = Math.cos(down * (Math.PI / 180));
  const sinD = Math.sin(down * (Math.PI / 180));
  const out = new Float32Array(width * height);
  const cx = width / 2;
  const cy = height / 2;
  const at = (x, y) => (x < 0 || y < 0 || x >= width || y >= height) ? 0 : values[y * width + x];
  for (let v = 0; v < height; v++) {
    const dv = v + 0.5 - cy;
    for (let u = 0; u < width; u++) {
      const du = u + 0.5 - cx;
      const x = cosA * du - sinD * dv + cx - 0.5;
      const y = sinA * du + cosD * dv + cy - 0.5;
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      if (x0 < -1 || y0 < -1 || x0 >= width || y0 >= height) continue;
      const fx = x - x0;
      const fy = y - y0;
      const top = (1 - fx) * at(x0, y0) + fx * at(x0 + 1, y0);
      const bottom = (1 - fx) * at(x0, y0 + 1) + fx * at(x0 + 1, y0 + 1);
      out[v * width + u] = (1 - fy) * top + fy * bottom;
    }
  }
  return out;
}

// ================================================================ Lines

/** Lines.thickness */
function lineThickness(width, height) {
  return Math.max(3, Math.round(f(f(0.015) * Math.max(width, height))));
}

/** Lines.none: no lines. */
function noLines(width, height) {
  return {
    width, height, owner: new Int32Array(width * height), removed: new Uint8Array(width * height),
    horizontal: [], vertical: [],
  };
}

/**
 * Lines.crossingOfLines: whether thick ink owned by a line across and a line down is where two thin
 * lines cross (both diagonal runs within two line widths), or runs diagonally into the frame.
 */
function crossingOfLines(mask, x, y, width, height, thickness) {
  const limit = 2 * thickness + 1;
  const rising = diagonalRun(mask, x, y, width, height, -1, limit);
  const falling = diagonalRun(mask, x, y, width, height, 1, limit);
  return rising < 0 || falling < 0 || (rising <= limit && falling <= limit);
}

/** Lines.diagonalRun: the ink run along a diagonal, up to limit + 1; -1 at the picture's edge. */
function diagonalRun(mask, x, y, width, height, dy, limit) {
  let run = 1;
  for (let side = -1; side <= 1; side += 2) {
    for (let k = 1; run <= limit; k++) {
      const xx = x + side * k;
      const yy = y + side * dy * k;
      if (xx < 0 || yy < 0 || xx >= width || yy >= height) return -1;
      if (mask[yy * width + xx] === 0) break;
      run++;
    }
  }
  return run;
}

/** A Lines.Candidate: its box [x0, x1) x [y0, y1) and what it was judged to be. */
function candidate(horizontal, x0, y0, x1, y1, line, boxSide) {
  return {
    horizontal, x0, y0, x1, y1, line, boxSide,
    length: horizontal ? x1 - x0 : y1 - y0,
    start: horizontal ? x0 : y0,
    end: horizontal ? x1 : y1,
  };
}

/** Lines.owns: whether pixel i belongs to candidate c. */
function owns(lines, i, c) {
  const id = c.horizontal ? (lines.owner[i] >>> 16) : (lines.owner[i] & 0xffff);
  const list = c.horizontal ? lines.horizontal : lines.vertical;
  return id > 0 && list[id - 1] === c;
}

/** Lines.onBoxSide: whether pixel i is removed by the side of a box. */
function onBoxSide(lines, i) {
  const h = lines.owner[i] >>> 16;
  const v = lines.owner[i] & 0xffff;
  return (h > 0 && lines.horizontal[h - 1].boxSide) || (v > 0 && lines.vertical[v - 1].boxSide);
}

/** Lines.find: long thin nearly horizontal or vertical structures of the mask. */
function findLines(mask, width, height) {
  const thickness = lineThickness(width, height);
  const across = linePass(mask, width, height, thickness, Math.max(20, trunc(width / 5)));
  const down = linePass(transpose(mask, width, height), height, width, thickness, Math.max(20, trunc(height / 5)));
  const owner = new Int32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const h = across.label[y * across.cells + trunc(x / COMPRESSION)];
      const v = down.label[x * down.cells + trunc(y / COMPRESSION)];
      if (mask[i] === 0) continue;
      const crossing = h !== 0 && v !== 0;
      const hOwner = (across.thin[i] !== 0 || crossing) ? h : 0;
      const vOwner = (down.thin[x * height + y] !== 0 || crossing) ? v : 0;
      owner[i] = (hOwner << 16) | vOwner;
    }
  }
  const horizontal = judge(across.boxes, down.boxes, true, width, height);
  const vertical = judge(down.boxes, across.boxes, false, width, height);
  const removed = new Uint8Array(width * height);
  for (let i = 0; i < owner.length; i++) {
    const h = owner[i] >>> 16;
    const v = owner[i] & 0xffff;
    const hLine = h > 0 && horizontal[h - 1].line;
    const vLine = v > 0 && vertical[v - 1].line;
    const thick = (h > 0 && v > 0)
        && !(across.thin[i] !== 0 || down.thin[(i % width) * height + trunc(i / width)] !== 0);
    // a thick pixel where two candidates cross is removed only where both are lines
    if (thick ? (hLine && vLine && crossingOfLines(mask, i % width, trunc(i / width), width, height, thickness))
      : (hLine || vLine)) removed[i] = 1;
  }
  putBackCrossings(mask, owner, removed, width, height);
  return { width, height, owner, removed, horizontal, vertical };
}

/** Lines.putBackCrossings: a stroke crossing a line continues on both sides of it. */
function putBackCrossings(mask, owner, removed, width, height) {
  const kept = (i) => mask[i] !== 0 && removed[i] === 0;
  const runs = [];
  for (let x = 0; x < width; x++) {
    let y = 0;
    while (y < height) {
      const i = y * width + x;
      if (removed[i] === 0 || (owner[i] >>> 16) === 0) {
        y++;
        continue;
      }
      const start = y;
      while (y < height && removed[y * width + x] !== 0 && (owner[y * width + x] >>> 16) !== 0) y++;
      if (start > 0 && y < height && kept((start - 1) * width + x) && kept(y * width + x)) {
        runs.push([x, start, 1, y - start]);
      }
    }
  }
  for (let y = 0; y < height; y++) {
    let x = 0;
    while (x < width) {
      const i = y * width + x;
      if (removed[i] === 0 || (owner[i] & 0xffff) === 0) {
        x++;
        continue;
      }
      const start = x;
      while (x < width && removed[y * width + x] !== 0 && (owner[y * width + x] & 0xffff) !== 0) x++;
      if (start > 0 && x < width && kept(y * width + start - 1) && kept(y * width + x)) {
        runs.push([start, y, x - start, 1]);
      }
    }
  }
  for (const run of runs) {
    for (let dy = 0; dy < run[3]; dy++) {
      for (let dx = 0; dx < run[2]; dx++) {
        const i = (run[1] + dy) * width + run[0] + dx;
        const both = (owner[i] >>> 16) !== 0 && (owner[i] & 0xffff) !== 0;
        if (!both) removed[i] = 0;
      }
    }
  }
}

/** Lines.thin: a candidate no wider across than a line of the tolerated thickness slanted by 1/8. */
function thinCandidate(box, tolerance) {
  return box[3] - box[1] <= trunc((box[2] - box[0]) / COMPRESSION) + tolerance;
}

/** Lines.judge: a candidate is a line at the frame, over half the image, as a box side or ruled. */
function judge(boxes, perpendicular, horizontal, width, height) {
  const extent = horizontal ? width : height;
  const tolerance = Math.max(3, lineThickness(width, height));
  // ends along a candidate are whole compressed cells, outwards past the ink: a thin box side
  // may reach a cell past the corner (not allowed for the broad candidates of a bold stroke)
  const cell = COMPRESSION - 1;
  const out = [];
  for (const b of boxes) {
    const length = b[2] - b[0];
    const thin = thinCandidate(b, tolerance);
    const frame = b[0] < COMPRESSION || b[2] > extent - COMPRESSION;
    const half = length >= trunc(extent / 2);
    let startCorner = false;
    let endCorner = false;
    for (const p of perpendicular) {
      const slack = (thin && thinCandidate(p, tolerance)) ? cell : 0;
      const meetsAcross = (p[0] <= b[3] + tolerance && p[0] >= b[1] - tolerance - slack)
          || (p[2] >= b[1] - tolerance && p[2] <= b[3] + tolerance + slack);
      if (!meetsAcross) continue;
      startCorner = startCorner || (p[1] - tolerance - slack <= b[0] && b[0] <= p[3] + tolerance);
      endCorner = endCorner || (p[1] - tolerance <= b[2] && b[2] <= p[3] + tolerance + slack);
    }
    const boxSide = startCorner && endCorner;
    let parallel = 0;
    for (const o of boxes) {
      const other = o[2] - o[0];
      if (o === b || other < 0.6 * length || other > length / 0.6) continue;
      const overlap = Math.min(o[2], b[2]) - Math.max(o[0], b[0]);
      if (overlap >= trunc(length / 2)) parallel++;
    }
    const line = frame || half || boxSide || parallel >= 2;
    out.push(horizontal ? candidate(true, b[0], b[1], b[2], b[3], line, boxSide)
      : candidate(false, b[1], b[0], b[3], b[2], line, boxSide));
  }
  return out;
}

function transpose(mask, width, height) {
  const out = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out[x * height + y] = mask[y * width + x];
  }
  return out;
}

/** Lines.pass: the horizontal path opening of one orientation. */
function linePass(mask, width, height, thickness, minLength) {
  const thin = new Uint8Array(mask.length);
  for (let x = 0; x < width; x++) {
    let y = 0;
    while (y < height) {
      if (mask[y * width + x] === 0) {
        y++;
        continue;
      }
      const start = y;
      while (y < height && mask[y * width + x] !== 0) y++;
      if (y - start <= thickness) {
        for (let k = start; k < y; k++) thin[k * width + x] = 1;
      }
    }
  }
  const cells = trunc((width + COMPRESSION - 1) / COMPRESSION);
  const cell = new Uint8Array(cells * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x] !== 0) cell[y * cells + trunc(x / COMPRESSION)] = 1;
    }
  }
  const forward = new Int16Array(cell.length);
  const backward = new Int16Array(cell.length);
  for (let cx = 0; cx < cells; cx++) {
    for (let y = 0; y < height; y++) {
      if (cell[y * cells + cx] === 0) continue;
      let best = 0;
      if (cx > 0) {
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy;
          if (yy >= 0 && yy < height) best = Math.max(best, forward[yy * cells + cx - 1]);
        }
      }
      forward[y * cells + cx] = Math.min(32767, best + 1);
    }
  }
  for (let cx = cells - 1; cx >= 0; cx--) {
    for (let y = 0; y < height; y++) {
      if (cell[y * cells + cx] === 0) continue;
      let best = 0;
      if (cx < cells - 1) {
        for (let dy = -1; dy <= 1; dy++) {
          const yy = y + dy;
          if (yy >= 0 && yy < height) best = Math.max(best, backward[yy * cells + cx + 1]);
        }
      }
      backward[y * cells + cx] = Math.min(32767, best + 1);
    }
  }
  const minCells = trunc((minLength + COMPRESSION - 1) / COMPRESSION);
  for (let i = 0; i < cell.length; i++) {
    cell[i] = (cell[i] !== 0 && forward[i] + backward[i] - 1 >= minCells) ? 1 : 0;
  }
  const label = new Int32Array(cell.length);
  const boxes = [];
  const stack = new Int32Array(cell.length);
  for (let start = 0; start < cell.length; start++) {
    if (cell[start] === 0 || label[start] !== 0) continue;
    if (boxes.length >= 0xffff) break;
    const id = boxes.length + 1;
    const box = [2147483647, 2147483647, 0, 0];
    let top = 0;
    stack[top++] = start;
    label[start] = id;
    while (top > 0) {
      const c = stack[--top];
      const cy = trunc(c / cells);
      const cx = c % cells;
      box[0] = Math.min(box[0], cx * COMPRESSION);
      box[1] = Math.min(box[1], cy);
      box[2] = Math.max(box[2], Math.min(width, (cx + 1) * COMPRESSION));
      box[3] = Math.max(box[3], cy + 1);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = cy + dy;
          const xx = cx + dx;
          if (yy >= 0 && yy < height && xx >= 0 && xx < cells) {
            const n = yy * cells + xx;
            if (cell[n] !== 0 && label[n] === 0) {
              label[n] = id;
              stack[top++] = n;
            }
          }
        }
      }
    }
    boxes.push(box);
  }
  return { cells, thin, label, boxes };
}

// ================================================================ InkGroups

/** InkGroups.Blob: a component or a group of them. */
function blob() {
  return {
    x0: 2147483647, y0: 2147483647, x1: 0, y1: 0, area: 0, mass: 0, sumX: 0, sumY: 0, frame: false, parent: -1,
  };
}
const blobWidth = (b) => b.x1 - b.x0;
const blobHeight = (b) => b.y1 - b.y0;
const blobSize = (b) => Math.max(blobWidth(b), blobHeight(b));

// InkGroups.EDGE_CRUMB_SHARE: a group at the frame shorter than this share of the short side is no digit
const EDGE_CRUMB_SHARE = 0.3;
const edgeCrumb = (size, shortSide) => size < EDGE_CRUMB_SHARE * shortSide;
// InkGroups.SOLID_SHARE: least share of its box a solid piece of ink covers
const SOLID_SHARE = 0.4;

/** InkGroups.Blob.add */
function addBlob(to, other) {
  to.x0 = Math.min(to.x0, other.x0);
  to.y0 = Math.min(to.y0, other.y0);
  to.x1 = Math.max(to.x1, other.x1);
  to.y1 = Math.max(to.y1, other.y1);
  to.area += other.area;
  to.mass += other.mass;
  to.sumX += other.sumX;
  to.sumY += other.sumY;
  to.frame = to.frame || other.frame;
}

/** InkGroups.dilate: mask grown by radius pixels (a square), separably. */
function dilate(mask, width, height, radius) {
  const across = new Uint8Array(mask.length);
  for (let y = 0; y < height; y++) sweep(mask, across, y * width, 1, width, radius);
  const out = new Uint8Array(mask.length);
  for (let x = 0; x < width; x++) sweep(across, out, x, width, height, radius);
  return out;
}

/** InkGroups.sweep */
function sweep(input, out, offset, stride, length, radius) {
  let since = 1073741823;
  for (let k = 0; k < length; k++) {
    since = input[offset + k * stride] !== 0 ? 0 : since + 1;
    if (since <= radius) out[offset + k * stride] = 1;
  }
  since = 1073741823;
  for (let k = length - 1; k >= 0; k--) {
    since = input[offset + k * stride] !== 0 ? 0 : since + 1;
    if (since <= radius) out[offset + k * stride] = 1;
  }
}

/** InkGroups.grow: the chosen digit grown through allowed pixels within its box enlarged by margin. */
function grow(chosen, allowed, width, height, margin) {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  const stack = new Int32Array(chosen.length);
  let top = 0;
  const out = new Uint8Array(chosen.length);
  for (let i = 0; i < chosen.length; i++) {
    if (chosen[i] !== 0) {
      const x = i % width;
      const y = trunc(i / width);
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
      out[i] = 1;
      stack[top++] = i;
    }
  }
  if (top === 0) return out;
  const by = Math.ceil(margin * Math.max(x1 - x0 + 1, y1 - y0 + 1)) + 2;
  x0 = Math.max(0, x0 - by);
  y0 = Math.max(0, y0 - by);
  x1 = Math.min(width - 1, x1 + by);
  y1 = Math.min(height - 1, y1 + by);
  while (top > 0) {
    const i = stack[--top];
    const x = i % width;
    const y = trunc(i / width);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        const yy = y + dy;
        if (xx >= x0 && xx <= x1 && yy >= y0 && yy <= y1) {
          const n = yy * width + xx;
          if (out[n] === 0 && allowed[n] !== 0) {
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
 * InkGroups.choose: the digit among the ink left once lines are removed.
 * @returns {{chosen: Uint8Array, chosenPixels: number, severalDigits: boolean}}
 */
function chooseGroups(mask, lines, ink, width, height) {
  const kept = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) kept[i] = (mask[i] !== 0 && lines.removed[i] === 0) ? 1 : 0;
  const label = new Int32Array(mask.length);
  let found = attempt(kept, label, lines, ink, width, height);
  if (found !== null) return found;
  // nothing but lines: a lone stroke may have been taken for one
  const aloneH = lines.horizontal.map((c) => alone(c, lines.horizontal, lines));
  const aloneV = lines.vertical.map((c) => alone(c, lines.vertical, lines));
  let any = false;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== 0 && kept[i] === 0 && rescued(lines, i, aloneH, aloneV)) {
      kept[i] = 1;
      any = true;
    }
  }
  if (any) {
    label.fill(0);
    found = attempt(kept, label, lines, ink, width, height);
  }
  return found !== null ? found : { chosen: new Uint8Array(mask.length), chosenPixels: 0, severalDigits: false };
}

/** InkGroups.rescued */
function rescued(lines, i, aloneH, aloneV) {
  const h = lines.owner[i] >>> 16;
  const v = lines.owner[i] & 0xffff;
  const hLine = h > 0 && lines.horizontal[h - 1].line;
  const vLine = v > 0 && lines.vertical[v - 1].line;
  return (!hLine || aloneH[h - 1]) && (!vLine || aloneV[v - 1]);
}

/** InkGroups.alone: not at the frame, no box side, no parallel family. */
function alone(c, same, lines) {
  if (c.boxSide || reachesFrame(c, lines)) return false;
  let parallel = 0;
  for (const o of same) {
    if (o !== c && o.length >= 0.6 * c.length && o.length <= c.length / 0.6
        && Math.min(o.end, c.end) - Math.max(o.start, c.start) >= trunc(c.length / 2)) {
      parallel++;
    }
  }
  return parallel < 2;
}

/** InkGroups.attempt */
function attempt(kept, label, lines, ink, width, height) {
  const blobs = labelComponents(kept, label, ink, width, height);
  const longSide = Math.max(width, height);
  const small = f(0.012);
  const speck = Math.max(2, Math.round(f(f(f(small * longSide) * small) * longSide)));
  let live = [];
  for (let b = 0; b < blobs.length; b++) {
    if (blobs[b].area >= speck) live.push(b);
  }
  // the 400 largest only (a stable sort, as Java's List.sort)
  if (live.length > 400) {
    live.sort((a, b) => blobs[b].area - blobs[a].area);
    live = live.slice(0, 400);
  }
  // outlines enclosing other ink
  const budget = [TOUCHING_BUDGET];
  const parts = [];
  for (const a of live) {
    const outer = blobs[a];
    let encloses = false;
    for (const b of live) {
      const inner = blobs[b];
      if (a !== b && inner.x0 > outer.x0 && inner.x1 < outer.x1 && inner.y0 > outer.y0 && inner.y1 < outer.y1
          && blobSize(inner) >= 0.2 * blobSize(outer)
          && outer.area < 0.5 * blobWidth(outer) * blobHeight(outer)
          && ring(label, a, b, outer, inner, width, budget)) {
        encloses = true;
        break;
      }
    }
    if (!encloses) parts.push(a);
  }
  // groups: union-find over the parts
  for (let i = 0; i < parts.length; i++) {
    for (let j = i + 1; j < parts.length; j++) {
      // a piece inside another's box joins it unless that one rings it or reaches the frame
      const a = blobs[parts[i]];
      const b = blobs[parts[j]];
      let join;
      if (enclosesBlob(a, b)) join = !a.frame && !ring(label, parts[i], parts[j], a, b, width, budget);
      else if (enclosesBlob(b, a)) join = !b.frame && !ring(label, parts[j], parts[i], b, a, width, budget);
      else {
        join = fragments(a, b);
        // a piece at the frame whose box only reaches the other's joins it where their ink comes near
        if (join && a.frame !== b.frame) join = touching(label, parts[i], parts[j], a, b, width, budget);
      }
      if (join) union(blobs, parts[i], parts[j]);
    }
  }
  const groups = [];
  const groupOf = new Int32Array(blobs.length).fill(-1);
  for (const p of parts) {
    const root = find(blobs, p);
    if (groupOf[root] < 0) {
      groupOf[root] = groups.length;
      groups.push(blob());
    }
    addBlob(groups[groupOf[root]], blobs[p]);
    groupOf[p] = groupOf[root];
  }
  // a band from one side of the picture to the other, five times longer than wide, is not a digit,
  // nor is a small piece at the frame (the table, the sheet's edge, a shadow at the border)
  const band = groups.map((g) => (blobHeight(g) >= 0.9 * height && 5 * blobWidth(g) <= blobHeight(g))
      || (blobWidth(g) >= 0.9 * width && 5 * blobHeight(g) <= blobWidth(g))
      || (g.frame && edgeCrumb(blobSize(g), Math.min(width, height))));
  // a solid piece at the frame (the table, a hard shadow) is not a digit the photo cut off when a
  // piece of a twentieth of the long side lies inside: a small digit on a sheet
  let smallInside = false;
  for (let g = 0; g < groups.length; g++) {
    smallInside = smallInside || (!band[g] && !groups[g].frame && blobSize(groups[g]) >= Math.max(3, trunc(longSide / 20)));
  }
  for (let g = 0; smallInside && g < groups.length; g++) {
    const group = groups[g];
    band[g] = band[g] || (group.frame && group.area >= SOLID_SHARE * blobWidth(group) * blobHeight(group));
  }
  // groups away from the frame are preferred, if they are more than crumbs
  const crumb = Math.max(3, trunc(longSide / 10));
  let inside = false;
  let any = false;
  for (let g = 0; g < groups.length; g++) {
    any = any || !band[g];
    inside = inside || (!band[g] && !groups[g].frame && blobSize(groups[g]) >= crumb);
  }
  if (!any) return null;
  const diagonal = hypot(width, height);
  let best = -1;
  let bestScore = -1;
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g];
    if (band[g] || (inside && (group.frame || blobSize(group) < crumb))) continue;
    const dx = group.sumX / Math.max(1e-9, group.mass) - width / 2.0;
    const dy = group.sumY / Math.max(1e-9, group.mass) - height / 2.0;
    const distance = hypot(dx, dy) / (0.3 * diagonal);
    const score = group.mass / (1 + distance * distance);
    if (score > bestScore) {
      bestScore = score;
      best = g;
    }
  }
  const digit = groups[best];
  let several = false;
  for (let g = 0; g < groups.length; g++) {
    const other = groups[g];
    if (g === best || band[g] || (inside && other.frame)) continue;
    const overlap = Math.min(other.y1, digit.y1) - Math.max(other.y0, digit.y0);
    const gap = Math.max(other.x0, digit.x0) - Math.min(other.x1, digit.x1);
    const tall = Math.max(blobHeight(other), blobHeight(digit));
    if (blobHeight(other) >= 0.5 * blobHeight(digit) && blobHeight(other) <= 2 * blobHeight(digit)
        && overlap >= 0.5 * Math.min(blobHeight(other), blobHeight(digit)) && gap >= 0 && gap <= tall
        && other.mass >= 0.25 * digit.mass) {
      several = true;
    }
  }
  const chosen = new Uint8Array(kept.length);
  for (let i = 0; i < kept.length; i++) {
    const l = label[i];
    if (l > 0 && groupOf[l - 1] === best) chosen[i] = 1;
  }
  putBackOwnLines(chosen, digit, lines, width, height);
  let pixels = 0;
  for (const c of chosen) pixels += c;
  return { chosen, chosenPixels: pixels, severalDigits: several };
}

/**
 * InkGroups.putBackOwnLines: lines touching the digit that end within its box (give or take a
 * quarter of its size) and are at most 2.5 times its size are its own strokes. Changes chosen,
 * lines.removed and the digit's box in place, as the Java code does.
 */
function putBackOwnLines(chosen, digit, lines, width, height) {
  for (let round = 0; round < 3; round++) {
    const touching = new Set();
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if (lines.removed[i] === 0 || lines.owner[i] === 0) continue;
        if (!nextToChosen(chosen, x, y, width, height)) continue;
        const h = lines.owner[i] >>> 16;
        const v = lines.owner[i] & 0xffff;
        if (h > 0) touching.add(lines.horizontal[h - 1]);
        if (v > 0) touching.add(lines.vertical[v - 1]);
      }
    }
    const own = [];
    const size = blobSize(digit);
    for (const c of touching) {
      if (c.boxSide || c.length > 2.5 * size || continued(c, digit, lines)
        || (!digit.frame && reachesFrame(c, lines))) continue;
      const start = c.horizontal ? digit.x0 : digit.y0;
      const end = c.horizontal ? digit.x1 : digit.y1;
      const before = start - c.start;
      const after = c.end - end;
      if (Math.min(before, after) <= 0.25 * size + COMPRESSION) own.push(c);
    }
    if (own.length === 0) return;
    for (let i = 0; i < chosen.length; i++) {
      // where a box's side crosses the stroke, the side keeps its pixels
      if (lines.removed[i] !== 0 && chosen[i] === 0 && !onBoxSide(lines, i)) {
        for (const c of own) {
          if (owns(lines, i, c)) {
            chosen[i] = 1;
            lines.removed[i] = 0;
            break;
          }
        }
      }
    }
    for (const c of own) {
      digit.x0 = Math.min(digit.x0, c.x0);
      digit.y0 = Math.min(digit.y0, c.y0);
      digit.x1 = Math.max(digit.x1, c.x1);
      digit.y1 = Math.max(digit.y1, c.y1);
    }
  }
}

/** InkGroups.reachesFrame: whether a line runs into the picture's edge. */
function reachesFrame(c, lines) {
  const extent = c.horizontal ? lines.width : lines.height;
  return c.start < COMPRESSION || c.end > extent - COMPRESSION;
}

/** InkGroups.continued: whether a page line goes on along c on the far side of the digit. */
function continued(c, digit, lines) {
  const same = c.horizontal ? lines.horizontal : lines.vertical;
  const middle = c.horizontal ? (digit.x0 + digit.x1) / 2 : (digit.y0 + digit.y1) / 2;
  const before = (c.start + c.end) / 2 < middle;
  const low = c.horizontal ? c.y0 : c.x0;
  const high = c.horizontal ? c.y1 : c.x1;
  for (const o of same) {
    if (o === c || !o.line) continue;
    const oLow = o.horizontal ? o.y0 : o.x0;
    const oHigh = o.horizontal ? o.y1 : o.x1;
    const level = oLow < high && low < oHigh;
    const across = before ? o.start >= middle : o.end <= middle;
    if (level && across) return true;
  }
  return false;
}

function nextToChosen(chosen, x, y, width, height) {
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const xx = x + dx;
      const yy = y + dy;
      if (xx >= 0 && yy >= 0 && xx < width && yy < height && chosen[yy * width + xx] !== 0) return true;
    }
  }
  return false;
}

/** InkGroups.fragments: parts of one digit (boxes within a few pixels, or stacked). */
function fragments(a, b) {
  const size = Math.min(blobSize(a), blobSize(b));
  const gapX = Math.max(a.x0, b.x0) - Math.min(a.x1, b.x1);
  const gapY = Math.max(a.y0, b.y0) - Math.min(a.y1, b.y1);
  const near = Math.max(3, Math.round(f(f(0.08) * size)));
  if (gapX <= near && gapY <= near && Math.min(gapX, gapY) <= 0) return true;
  const close2 = Math.max(2, trunc(near / 2));
  if (gapX <= close2 && gapY <= close2) return true;
  const overlapX = -gapX;
  return overlapX >= 0.3 * Math.min(blobWidth(a), blobWidth(b)) && gapY <= 0.3 * size;
}

/**
 * InkGroups.ring: outer's ink on all four sides of inner's centre, with a margin from it (a box
 * drawn round a digit), not a digit whose box holds a piece of itself.
 */
function ring(label, outer, inner, outerBlob, innerBlob, width, budget) {
  const id = outer + 1;
  const cx = trunc((innerBlob.x0 + innerBlob.x1) / 2);
  const cy = trunc((innerBlob.y0 + innerBlob.y1) / 2);
  let left = false;
  let right = false;
  let up = false;
  let down = false;
  for (let x = cx; x >= outerBlob.x0 && !left; x--) left = label[cy * width + x] === id;
  for (let x = cx; x < outerBlob.x1 && !right; x++) right = label[cy * width + x] === id;
  for (let y = cy; y >= outerBlob.y0 && !up; y--) up = label[y * width + cx] === id;
  for (let y = cy; y < outerBlob.y1 && !down; y++) down = label[y * width + cx] === id;
  return left && right && up && down && !touching(label, outer, inner, outerBlob, innerBlob, width, budget);
}

/** InkGroups.TOUCHING_BUDGET */
const TOUCHING_BUDGET = 4000000;

/** InkGroups.touching: the two pieces come within 3 to 8 pixels of each other (within a budget). */
function touching(label, a, b, blobA, blobB, width, budget) {
  const height = label.length / width;
  const smallIsA = blobA.area <= blobB.area;
  const small = smallIsA ? blobA : blobB;
  const smallId = (smallIsA ? a : b) + 1;
  const otherId = (smallIsA ? b : a) + 1;
  const radius = Math.min(8, Math.max(3, Math.round(f(f(0.05) * Math.max(blobSize(blobA), blobSize(blobB))))));
  for (let y = small.y0; y < small.y1; y++) {
    for (let x = small.x0; x < small.x1; x++) {
      if (label[y * width + x] !== smallId) continue;
      budget[0] -= (2 * radius + 1) * (2 * radius + 1);
      if (budget[0] < 0) return false;
      for (let yy = Math.max(0, y - radius); yy <= Math.min(height - 1, y + radius); yy++) {
        for (let xx = Math.max(0, x - radius); xx <= Math.min(width - 1, x + radius); xx++) {
          if (label[yy * width + xx] === otherId) return true;
        }
      }
    }
  }
  return false;
}

/** InkGroups.encloses */
function enclosesBlob(outer, inner) {
  return inner.x0 > outer.x0 && inner.x1 < outer.x1 && inner.y0 > outer.y0 && inner.y1 < outer.y1
      && blobSize(outer) >= 1.5 * blobSize(inner);
}

function find(blobs, b) {
  while (blobs[b].parent >= 0) b = blobs[b].parent;
  return b;
}

function union(blobs, a, b) {
  const ra = find(blobs, a);
  const rb = find(blobs, b);
  if (ra !== rb) blobs[rb].parent = ra;
}

/** InkGroups.label: 8-connected components of kept; label gets 1-based component numbers. */
function labelComponents(kept, label, ink, width, height) {
  const blobs = [];
  const stack = new Int32Array(kept.length);
  for (let start = 0; start < kept.length; start++) {
    if (kept[start] === 0 || label[start] !== 0) continue;
    const b = blob();
    const id = blobs.length + 1;
    let top = 0;
    stack[top++] = start;
    label[start] = id;
    while (top > 0) {
      const i = stack[--top];
      const y = trunc(i / width);
      const x = i % width;
      b.x0 = Math.min(b.x0, x);
      b.y0 = Math.min(b.y0, y);
      b.x1 = Math.max(b.x1, x + 1);
      b.y1 = Math.max(b.y1, y + 1);
      b.area++;
      const m = Math.max(0, Math.min(1, ink[i]));
      b.mass += m;
      b.sumX += f(m * x); // float times int is a float in Java
      b.sumY += f(m * y);
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy >= 0 && yy < height && xx >= 0 && xx < width) {
            const n = yy * width + xx;
            if (kept[n] !== 0 && label[n] === 0) {
              label[n] = id;
              stack[top++] = n;
            }
          }
        }
      }
    }
    b.frame = b.x0 === 0 || b.y0 === 0 || b.x1 === width || b.y1 === height;
    blobs.push(b);
  }
  return blobs;
}

// ================================================================ Math.hypot

const hypotScratch = new Float64Array(1);
const hypotWords = new Int32Array(hypotScratch.buffer);
const HIGH = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1 ? 1 : 0; // the high word's index

function highWord(x) {
  hypotScratch[0] = x;
  return hypotWords[HIGH];
}

/** x with its high 32 bits replaced by high (fdlibm's __HI(x) = high). */
function withHighWord(x, high) {
  hypotScratch[0] = x;
  hypotWords[HIGH] = high;
  return hypotScratch[0];
}

/**
 * Java's Math.hypot (StrictMath.hypot, fdlibm's e_hypot.c as ported in java.lang.FdLibm), which
 * the browser's Math.hypot does not reproduce to the last bit. Finite arguments only.
 */
export function hypot(x, y) {
  let a = Math.abs(x);
  let b = Math.abs(y);
  if (b > a) {
    const t = a;
    a = b;
    b = t;
  }
  let ha = highWord(a);
  let hb = highWord(b);
  if (ha - hb > 0x3c00000) return a + b; // a / b > 2^60
  let k = 0;
  if (ha > 0x5f300000) { // a > about 2^500
    ha -= 0x25800000;
    hb -= 0x25800000;
    a *= 2 ** -600;
    b *= 2 ** -600;
    k += 600;
  }
  let t1;
  let t2;
  if (hb < 0x20b00000) { // b < 2^-500
    if (hb <= 0x000fffff) { // subnormal or zero
      if (b === 0) return a;
      t1 = 2 ** 1022;
      b *= t1;
      a *= t1;
      k -= 1022;
    } else {
      ha += 0x25800000;
      hb += 0x25800000;
      a *= 2 ** 600;
      b *= 2 ** 600;
      k -= 600;
    }
  }
  let w = a - b;
  if (w > b) {
    t1 = withHighWord(0, ha);
    t2 = a - t1;
    w = Math.sqrt(t1 * t1 - (b * (-b) - t2 * (a + t1)));
  } else {
    a = a + a;
    const y1 = withHighWord(0, hb);
    const y2 = b - y1;
    t1 = withHighWord(0, ha + 0x00100000);
    t2 = a - t1;
    w = Math.sqrt(t1 * y1 - (w * (-w) - (t1 * y2 + t2 * b)));
  }
  return k !== 0 ? 2 ** k * w : w;
}

// ================================================================ ImagePreprocessor

/**
 * ImagePreprocessor.fromImage after decoding, for a grey image {width, height, levels} (changed in
 * place): a 28x28 image passes through, a small clean one is framed whole, in any other the digit
 * is found (InkLocator) and framed.
 * @returns {{levels: Uint8Array, pixels: Float32Array, inverted: boolean, reframed: boolean,
 *   severalDigits: boolean}}
 */
export function preprocessGrey(image, minInkPixels = MIN_INK_PIXELS) {
  let levels;
  let inverted;
  let reframed = true;
  let severalDigits = false;
  if (image.width === SIZE && image.height === SIZE) {
    // an image that already is 28x28 passes through unchanged, as MNIST itself does
    const analysis = analyse(image, minInkPixels);
    applyPolarity(image, analysis);
    levels = image.levels;
    inverted = analysis.inverted;
    reframed = false;
  } else if (smallAndClean(image)) {
    const analysis = analyseCanvas(image, minInkPixels);
    applyPolarity(image, analysis);
    levels = reframe(image, analysis);
    inverted = analysis.inverted;
  } else {
    const digit = locate(image, minInkPixels);
    levels = reframeInk(digit.ink, digit.width, digit.height);
    inverted = digit.inverted;
    severalDigits = digit.severalDigits;
  }
  // Normalization.normalize: level / 255f
  const pixels = new Float32Array(SIZE * SIZE);
  for (let i = 0; i < pixels.length; i++) pixels[i] = levels[i] / 255;
  return { levels, pixels, inverted, reframed, severalDigits };
}

/**
 * ImagePreprocessor.fromImage after decoding: RGBA pixels (as from getImageData) to the 784 grey
 * levels the network sees (ink high, 0..255) and its 0..1 input (Normalization: level / 255).
 * Throws BlankImageError for an image with nothing to recognise.
 * @returns {{levels: Uint8Array, pixels: Float32Array, inverted: boolean, reframed: boolean,
 *   severalDigits: boolean}}
 */
export function preprocessRgba(rgba, width, height) {
  return preprocessGrey(toGrey(rgba, width, height));
}

/**
 * Decodes an image (a Blob, File or ImageBitmap source) with the browser and preprocesses it.
 * Colour management is turned off so that the levels are the file's own, as the server reads
 * them.
 */
export async function preprocessBlob(blob) {
  const bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  try {
    return preprocessBitmap(bitmap);
  } finally {
    bitmap.close();
  }
}

/** Preprocesses whatever can be drawn onto a canvas at its natural size (ImageBitmap, canvas). */
export function preprocessBitmap(source) {
  const width = source.width;
  const height = source.height;
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(source, 0, 0);
  const data = context.getImageData(0, 0, width, height).data;
  return preprocessRgba(data, width, height);
}
