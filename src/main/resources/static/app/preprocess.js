// The server's preprocessing (dev.digits.preprocessing), ported rule for rule so that the model
// running in the page sees what the model on the server sees. Every constant and every rounding
// step follows the Java code named beside it; float arithmetic is emulated with Math.fround where
// the Java code computes in float, so that the two agree to the grey level (DigitPageBrowserTests
// measures how far they differ). Pure functions of RGBA pixels: no DOM, no network.

const SIZE = 28; // DigitNetwork.WIDTH
const FIT = 20; // Framing.FIT
const CENTRE = 14.0; // Framing.CENTRE
const MIN_CONTRAST = 32; // Framing.MIN_CONTRAST
const MIN_CONTRAST_IN_NOISE_DEVIATIONS = 8;
const NOISE_FRACTION = 0.12;
const NOISE_DEVIATIONS = 4;
const TRIM = 0.005;
/** digits.preprocessing.min-ink-pixels (the server's default). */
export const MIN_INK_PIXELS = 10;
/** digits.preprocessing.decode-pixels: larger images are subsampled by an integer step. */
export const DECODE_PIXELS = 1048576;

const f = Math.fround;

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

/** Framing.analyse: polarity by the border, and the blank check. */
export function analyse(image, minInkPixels = MIN_INK_PIXELS) {
  const all = new Int32Array(256);
  for (const v of image.levels) all[v]++;
  const border = borderHistogram(image);
  const paper = median(border);
  const deviations = new Int32Array(256);
  for (let level = 0; level < 256; level++) deviations[Math.abs(level - paper)] += border[level];
  const noise = 1.4826 * median(deviations);
  let darkest = 0;
  while (all[darkest] === 0) darkest++;
  let lightest = 255;
  while (all[lightest] === 0) lightest--;
  const inverted = paper - darkest > lightest - paper;
  const contrast = inverted ? paper - darkest : lightest - paper;
  if (contrast < MIN_CONTRAST || contrast < MIN_CONTRAST_IN_NOISE_DEVIATIONS * noise) {
    throw new BlankImageError('The image is blank: it is almost uniform.');
  }
  const half = Math.floor((contrast + 1) / 2);
  let ink = 0;
  if (inverted) {
    for (let level = 0; level <= paper - half; level++) ink += all[level];
  } else {
    for (let level = paper + half; level <= 255; level++) ink += all[level];
  }
  if (ink < minInkPixels) {
    throw new BlankImageError('The image is nearly blank: only ' + ink + ' pixels look like ink.');
  }
  return { inverted, paper: inverted ? 255 - paper : paper, contrast, noise };
}

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

/** Framing.reframe: stretch, crop to the ink, fit 20x20, centre by mass in 28x28. Ink high. */
function reframe(image, analysis) {
  const { width, height, levels } = image;
  // stretchedInk
  const floor = Math.max(NOISE_FRACTION * analysis.contrast, NOISE_DEVIATIONS * analysis.noise);
  const gain = f(255 / analysis.contrast);
  const ink = new Float32Array(levels.length);
  for (let i = 0; i < ink.length; i++) {
    const above = levels[i] - analysis.paper;
    ink[i] = above < floor ? 0 : Math.min(255, f(above * gain));
  }
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

function clamp(value, min, max) {
  return Math.max(min, Math.min(max, value));
}

/**
 * ImagePreprocessor.fromImage after decoding: RGBA pixels (as from getImageData) to the 784 grey
 * levels the network sees (ink high, 0..255) and its 0..1 input (Normalization: level / 255).
 * Throws BlankImageError for an image with nothing to recognise.
 * @returns {{levels: Uint8Array, pixels: Float32Array, inverted: boolean, reframed: boolean}}
 */
export function preprocessRgba(rgba, width, height) {
  const image = toGrey(rgba, width, height);
  const analysis = analyse(image);
  if (analysis.inverted) {
    for (let i = 0; i < image.levels.length; i++) image.levels[i] = 255 - image.levels[i];
  }
  // an image that already is 28x28 passes through unchanged, as MNIST itself does
  const framed = image.width === SIZE && image.height === SIZE;
  const levels = framed ? image.levels : reframe(image, analysis);
  const pixels = new Float32Array(SIZE * SIZE);
  for (let i = 0; i < pixels.length; i++) pixels[i] = f(levels[i] / 255);
  return { levels, pixels, inverted: analysis.inverted, reframed: !framed };
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
