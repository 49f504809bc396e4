// Recognise a digit over gRPC from Node, with @grpc/grpc-js and the service's own .proto:
//
//   npm ci --prefix docs/clients/node
//   node docs/clients/node/predict.mjs localhost:9090 docs/examples/seven.png
import { readFileSync } from 'node:fs';
import grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';

const [target, image] = process.argv.slice(2);
const definition = protoLoader.loadSync(
  new URL('../../../service/src/main/protobuf/grpc_predict_v2.proto', import.meta.url).pathname,
  { keepCase: true, longs: Number, defaults: true });
const { inference } = grpc.loadPackageDefinition(definition);
const client = new inference.GRPCInferenceService(target, grpc.credentials.createInsecure());

const request = {
  model_name: 'mnist-cnn',
  id: 'node-client-1',
  inputs: [{ name: 'image', datatype: 'BYTES', shape: [1], contents: { bytes_contents: [readFileSync(image)] } }],
  outputs: [{ name: 'digit' }, { name: 'confidence' }],
};
client.ModelInfer(request, { deadline: Date.now() + 10_000 }, (error, response) => {
  if (error) {
    console.error(`${grpc.status[error.code]}: ${error.details}`);
    process.exit(1);
  }
  const digit = response.outputs[0].contents.int64_contents[0];
  const confidence = response.outputs[1].contents.fp32_contents[0];
  console.log(`digit ${digit}, confidence ${confidence.toFixed(3)}, model ${response.model_name} ` +
    `version ${response.model_version}, id ${response.id}`);
  client.close();
});
