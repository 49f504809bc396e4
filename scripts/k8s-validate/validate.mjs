// Validates Kubernetes manifests against the API's schemas: kubernetes-models (the Kubernetes
// OpenAPI definitions) and @kubernetes-models/* (CRD schemas: KEDA, prometheus-operator).
//   node scripts/k8s-validate/validate.mjs FILE.yaml...
// Prints one line per object: "ok   <file> <kind>/<name>", "FAIL ..." with the schema's complaint,
// or "skip ..." for an API group with no schema here (and kustomize's own files). Exit status 1 on
// any FAIL.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const packages = {
  "keda.sh": "@kubernetes-models/keda",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

async function modelClass(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const specifier = packages[group]
    ? `${packages[group]}/${group}/${version}`
    : `kubernetes-models/${group ? group + "/" : ""}${version}`;
  try {
    return (await import(specifier))[kind];
  } catch {
    return undefined;
  }
}

let failed = 0;
for (const file of process.argv.slice(2)) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    const object = doc.toJS();
    if (!object) continue;
    const id = `${file} ${object.kind ?? "?"}/${object.metadata?.name ?? "?"}`;
    if (!object.apiVersion || !object.kind || object.apiVersion.startsWith("kustomize.config.k8s.io")) {
      console.log(`skip ${id} (not an API object)`);
      continue;
    }
    const Model = await modelClass(object.apiVersion, object.kind);
    if (!Model) {
      console.log(`skip ${id} (no schema for ${object.apiVersion} here)`);
      continue;
    }
    try {
      new Model(object).validate();
      console.log(`ok   ${id} (${object.apiVersion})`);
    } catch (error) {
      failed++;
      console.log(`FAIL ${id}: ${error.message}`);
    }
  }
}
process.exit(failed ? 1 : 0);
