// On-device recognition: the committed TF.js model (served by TfjsModelController from the model
// repository) run in the page with TensorFlow.js's plain-JavaScript CPU backend. TF.js is loaded
// only when this mode is first used (715 KB), from this origin (app/vendor, see its README).

const VENDOR = '/app/vendor/tfjs-4.22.0/';
const SCRIPTS = ['tf-core.es2017.min.js', 'tf-backend-cpu.es2017.min.js', 'tf-layers.es2017.min.js'];
export const MODEL_URL = '/models/tfjs/mnist-cnn.json';

let loading = null;
let loaded = false;

/** Everything on-device recognition loads: the service worker (sw.js) keeps these. */
export const FILES = [...SCRIPTS.map((name) => VENDOR + name), MODEL_URL, '/models/tfjs/mnist-cnn-weights.bin'];

/**
 * Whether {@link loadModel} can work now without the service: the model is loaded already, or
 * the service worker kept every file it needs from an earlier use.
 */
export async function canLoadModel() {
  if (loaded) return true;
  if (!('caches' in globalThis)) return false;
  try {
    const found = await Promise.all(FILES.map((url) => caches.match(url)));
    return found.every(Boolean);
  } catch {
    return false;
  }
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.async = false;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('could not load ' + src));
    document.head.append(script);
  });
}

/**
 * Loads TF.js and the model once. Resolves to {model, version}, where version is the model
 * version the service says the TF.js files are (header X-Model-Version).
 */
export function loadModel() {
  if (!loading) {
    loading = (async () => {
      for (const name of SCRIPTS) {
        await loadScript(VENDOR + name);
      }
      const tf = globalThis.tf;
      await tf.setBackend('cpu');
      await tf.ready();
      let version = null;
      const fetchFunc = async (url, init) => {
        const response = await fetch(url, init);
        if (String(url).endsWith('.json')) version = response.headers.get('X-Model-Version');
        return response;
      };
      const model = await tf.loadLayersModel(MODEL_URL, { fetchFunc });
      // one pass to compile the kernels, so that the first timed answer is a fair one
      tf.tidy(() => model.predict(tf.zeros([1, 28, 28, 1])));
      loaded = true;
      return { model, version };
    })();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

/**
 * Runs the model on 784 inputs (0..1, ink high, row-major 28x28).
 * @returns {Promise<{digit: number, probability: number, probabilities: number[], ms: number, version: string}>}
 */
export async function predict(pixels) {
  const { model, version } = await loadModel();
  const tf = globalThis.tf;
  const start = performance.now();
  const output = tf.tidy(() => model.predict(tf.tensor4d(pixels, [1, 28, 28, 1])));
  const probabilities = Array.from(await output.data());
  output.dispose();
  const ms = performance.now() - start;
  let digit = 0;
  for (let i = 1; i < probabilities.length; i++) {
    if (probabilities[i] > probabilities[digit]) digit = i;
  }
  return { digit, probability: probabilities[digit], probabilities, ms, version };
}

/**
 * Why the model on this device answers {@code digit} for 784 inputs: the occlusion map the server
 * computes ("occlusion" in docs/explanations.md), in one batched prediction. Each 4x4 square, 2
 * pixels apart, that covers ink is blanked in a copy of the input; a pixel's value is the mean drop
 * of the digit's probability over the squares that cover it.
 * @returns {Promise<Float32Array>} 784 values, row by row: positive pushed towards the digit
 */
export async function explainOcclusion(pixels, digit) {
  const { model } = await loadModel();
  const tf = globalThis.tf;
  const SIDE = 28;
  const PATCH = 4;
  const STRIDE = 2;
  const patches = [];
  const covering = new Int32Array(SIDE * SIDE);
  for (let y = 0; y + PATCH <= SIDE; y += STRIDE) {
    for (let x = 0; x + PATCH <= SIDE; x += STRIDE) {
      let ink = false;
      for (let dy = 0; dy < PATCH; dy++) {
        for (let dx = 0; dx < PATCH; dx++) {
          covering[(y + dy) * SIDE + x + dx]++;
          if (pixels[(y + dy) * SIDE + x + dx] !== 0) ink = true;
        }
      }
      if (ink) patches.push([x, y]);
    }
  }
  const map = new Float32Array(SIDE * SIDE);
  if (!patches.length) return map;
  const batch = new Float32Array((patches.length + 1) * SIDE * SIDE);
  batch.set(pixels, 0);
  patches.forEach(([x, y], i) => {
    const at = (i + 1) * SIDE * SIDE;
    batch.set(pixels, at);
    for (let dy = 0; dy < PATCH; dy++) {
      batch.fill(0, at + (y + dy) * SIDE + x, at + (y + dy) * SIDE + x + PATCH);
    }
  });
  const output = tf.tidy(() => model.predict(tf.tensor4d(batch, [patches.length + 1, SIDE, SIDE, 1])));
  const p = await output.data();
  output.dispose();
  patches.forEach(([x, y], i) => {
    const drop = p[digit] - p[(i + 1) * 10 + digit];
    for (let dy = 0; dy < PATCH; dy++) {
      for (let dx = 0; dx < PATCH; dx++) map[(y + dy) * SIDE + x + dx] += drop;
    }
  });
  for (let i = 0; i < map.length; i++) map[i] = covering[i] ? map[i] / covering[i] : 0;
  return map;
}
