// N gRPC ModelInfer calls on one channel (one HTTP/2 connection) through the balancer, for
// check-replicas.sh: prints "ok <answered> <N>" when every call was answered digit 7.
//   node docker/tests/grpc_spread.mjs HOST:PORT IMAGE N
// Uses the Node client's packages (npm ci --prefix docs/clients/node) and the service's .proto.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../docs/clients/node/package.json', import.meta.url));
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const [target, image, n] = process.argv.slice(2);
const definition = protoLoader.loadSync(
  new URL('../../service/src/main/protobuf/grpc_predict_v2.proto', import.meta.url).pathname,
  { keepCase: true, longs: Number, defaults: true });
const { inference } = grpc.loadPackageDefinition(definition);
const client = new inference.GRPCInferenceService(target, grpc.credentials.createInsecure());
const request = {
  model_name: 'mnist-cnn',
  inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], contents: { bytes_contents: [readFileSync(image)] } }],
  outputs: [{ name: 'digit' }],
};
const call = () => new Promise((resolve) => client.ModelInfer(request, { deadline: Date.now() + 10_000 },
  (error, response) => resolve(error ? `${grpc.status[error.code]}: ${error.details}`
    : response.outputs[0].contents.int64_contents[0])));
let answered = 0;
const other = [];
for (let i = 0; i < Number(n); i++) {
  const digit = await call();
  if (digit === 7) answered++; else other.push(digit);
}
client.close();
console.log(`${answered === Number(n) ? 'ok' : 'FAIL'} ${answered} ${n}${other.length ? ' ' + other.slice(0, 3).join('; ') : ''}`);
