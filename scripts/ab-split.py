#!/usr/bin/env python3
"""Measures an A/B split and its stickiness against a running service.

    scripts/ab-split.py --url http://localhost:8080 --token "$DIGITS_ADMIN_TOKEN" \
        --weights '{"1":90,"3":10}' --requests 10000

Sets the traffic policy through the admin API (default version: the first key), sends single
predictions of docs/examples/seven.png, each with a new X-Client-Id, counts the versions that
answered, then sends the first 500 clients again and counts those that kept their version.
Prints the memory each version holds (memoryBytes of /api/v1/models) at the end.
"""
import argparse
import collections
import http.client
import json
import math
import urllib.parse
import uuid
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:8080")
    parser.add_argument("--token", required=True, help="the admin bearer token (digits.admin.token)")
    parser.add_argument("--weights", default='{"1":90,"3":10}')
    parser.add_argument("--requests", type=int, default=10000)
    parser.add_argument("--image", default=str(Path(__file__).resolve().parent.parent / "docs/examples/seven.png"))
    args = parser.parse_args()
    url = urllib.parse.urlparse(args.url)
    conn = http.client.HTTPConnection(url.hostname, url.port or 80, timeout=30)
    weights = json.loads(args.weights)

    def call(method, path, body=None, headers=None):
        conn.request(method, path, body, headers or {})
        response = conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise SystemExit(f"{method} {path}: {response.status} {data[:300]!r}")
        return json.loads(data)

    policy = {"defaultVersion": next(iter(weights)), "weights": weights}
    call("PUT", "/admin/traffic", json.dumps(policy),
         {"Authorization": f"Bearer {args.token}", "Content-Type": "application/json"})
    image = Path(args.image).read_bytes()

    def predict(client):
        answer = call("POST", "/api/v1/predictions", image, {"Content-Type": "image/png", "X-Client-Id": client})
        return answer["model"]["version"]

    counts = collections.Counter()
    first = []
    for i in range(args.requests):
        client = str(uuid.uuid4())
        version = predict(client)
        counts[version] += 1
        if i < 500:
            first.append((client, version))
    total = sum(weights.values())
    for version, weight in weights.items():
        p = weight / total
        sd = math.sqrt(args.requests * p * (1 - p))
        got = counts.get(version, 0)
        print(f"version {version}: {got} of {args.requests} ({100 * got / args.requests:.2f}%), expected "
              f"{100 * p:.2f}%, {abs(got - args.requests * p) / sd if sd else 0:.1f} standard deviations away")
    kept = sum(predict(client) == version for client, version in first)
    print(f"sticky: {kept} of {len(first)} clients sent again kept their version")
    for entry in call("GET", "/api/v1/models")["versions"]:
        print(f"version {entry.get('version')}: {entry.get('state')}, memoryBytes {entry.get('memoryBytes')}")


if __name__ == "__main__":
    main()
