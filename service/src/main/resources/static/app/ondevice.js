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
