// Loads a TensorFlow.js layers model from disk with tf.loadLayersModel (pure JS CPU backend),
// runs it over a batch of images and writes the probabilities as JSON.
//
//   node predict.mjs MODEL_JSON IMAGES_FILE OUT_JSON
//
// MODEL_JSON   model.json-style file (modelTopology + weightsManifest); weight paths are
//              resolved against its folder, as a browser resolves them against the URL.
// IMAGES_FILE  N x 28 x 28 x 1 float32 little-endian values (NHWC), nothing else.
// OUT_JSON     {"tfjsVersion", "backend", "n", "classes", "probabilities": [[...10], ...]}
//
// The IOHandler only reads bytes: parsing the topology, matching weights to layers and
// dequantizing 8-bit weights are all left to TF.js itself, which is what this check is for.

import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';

const HEIGHT = 28;
const WIDTH = 28;
const CHANNELS = 1;

function usage(message) {
	console.error(`predict.mjs: ${message}`);
	console.error('usage: node predict.mjs MODEL_JSON IMAGES_FILE OUT_JSON');
	process.exit(2);
}

/** An IOHandler that reads model.json and its weight files from the local disk. */
function fileHandler(modelJsonPath) {
	return {
		async load() {
			const modelJson = JSON.parse(await readFile(modelJsonPath, 'utf8'));
			if (modelJson.modelTopology == null) {
				throw new Error(`${modelJsonPath}: no modelTopology`);
			}
			if (!Array.isArray(modelJson.weightsManifest)) {
				throw new Error(`${modelJsonPath}: no weightsManifest`);
			}
			const dir = dirname(resolve(modelJsonPath));
			const weightSpecs = [];
			const buffers = [];
			for (const group of modelJson.weightsManifest) {
				weightSpecs.push(...group.weights);
				for (const path of group.paths) {
					buffers.push(await readFile(resolve(dir, path)));
				}
			}
			const all = Buffer.concat(buffers);
			// a fresh ArrayBuffer holding exactly the bytes (a Buffer may be a view on a pool)
			const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
			return {
				modelTopology: modelJson.modelTopology,
				weightSpecs,
				weightData,
				format: modelJson.format,
				generatedBy: modelJson.generatedBy,
				convertedBy: modelJson.convertedBy,
			};
		},
	};
}

async function main(argv) {
	if (argv.length !== 3) {
		usage(`expected 3 arguments, got ${argv.length}`);
	}
	const [modelJsonPath, imagesPath, outPath] = argv;

	await tf.setBackend('cpu');
	await tf.ready();

	const model = await tf.loadLayersModel(fileHandler(modelJsonPath));

	const bytes = await readFile(imagesPath);
	const perImage = HEIGHT * WIDTH * CHANNELS * 4;
	if (bytes.byteLength === 0 || bytes.byteLength % perImage !== 0) {
		throw new Error(`${imagesPath}: ${bytes.byteLength} bytes is not a whole number of ${perImage}-byte images`);
	}
	const n = bytes.byteLength / perImage;
	const pixels = new Float32Array(n * HEIGHT * WIDTH * CHANNELS);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	for (let i = 0; i < pixels.length; i++) {
		pixels[i] = view.getFloat32(i * 4, true);
	}

	const input = tf.tensor4d(pixels, [n, HEIGHT, WIDTH, CHANNELS], 'float32');
	const output = model.predict(input);
	const [rows, classes] = output.shape;
	if (rows !== n) {
		throw new Error(`model gave ${rows} rows for ${n} images`);
	}
	const flat = await output.data();
	const probabilities = [];
	for (let i = 0; i < n; i++) {
		probabilities.push(Array.from(flat.subarray(i * classes, (i + 1) * classes)));
	}
	tf.dispose([input, output]);

	const result = {
		tfjsVersion: tf.version.tfjs,
		backend: tf.getBackend(),
		n,
		classes,
		probabilities,
	};
	await writeFile(outPath, JSON.stringify(result));
	console.log(`predict.mjs: ${n} images, ${classes} classes, TF.js ${result.tfjsVersion} on ${result.backend}`);
}

main(process.argv.slice(2)).catch((error) => {
	console.error(`predict.mjs: ${error && error.stack ? error.stack : error}`);
	process.exit(1);
});
