"""An Open Inference Protocol v2 call, as KServe, Triton or MLServer clients make it.

    python3 docs/clients/oip_v2.py http://localhost:8080 docs/examples/seven.png
"""
import base64
import sys

import requests

base, path = sys.argv[1], sys.argv[2]
with open(path, "rb") as image:
    encoded = base64.b64encode(image.read()).decode("ascii")

request = {
    "id": "oip-example-1",
    "inputs": [{"name": "image", "shape": [1], "datatype": "BYTES", "data": [encoded]}],
    "outputs": [{"name": "digit"}, {"name": "probabilities"}],
}
response = requests.post(f"{base}/v2/models/mnist-cnn/infer", json=request, timeout=10).json()
outputs = {o["name"]: o for o in response["outputs"]}
print("model", response["model_name"], "version", response["model_version"], "id", response["id"])
print("digit:", outputs["digit"]["data"][0], "probabilities shape:", outputs["probabilities"]["shape"])

# grey levels as a UINT8 tensor [1,28,28] work too (0 = paper, 255 = ink, as MNIST stores them)
ready = requests.get(f"{base}/v2/models/mnist-cnn/ready", timeout=10)
print("ready:", ready.status_code == 200)
