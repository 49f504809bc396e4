#!/usr/bin/env python3
"""One client, one multipart PNG at a time over one keep-alive connection: where its time goes.

    python3 scripts/bench/experiments/one-client-breakdown.py HOST PORT N

Sends 2,000 unmeasured requests, then N measured ones, and prints p50/p90/p99 of the client's round
trip and of the service's own timings in each answer (`timings`: preprocessing, the wait for an
inference worker, the forward pass, the controller's total; "the rest" is the total less those
three, which includes waking the request back up); then the same client's round trip for
GET /livez, the floor of the HTTP path on this connection. Start the service first (any way; the
figures in docs/performance-gap.md used the Dockerfile's JVM flags on Java 25). The client is
Python's http.client, on the same cores: compare its round trips with each other, not with wrk's.
"""
import http.client
import json
import os
import sys
import time
import uuid

host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
png = open(os.path.join(os.path.dirname(__file__), '../../../docs/examples/seven.png'), 'rb').read()
b = 'b' + uuid.uuid4().hex
body = (f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="seven.png"\r\nContent-Type: image/png\r\n\r\n').encode() + png + f'\r\n--{b}--\r\n'.encode()
c = http.client.HTTPConnection(host, port)
def one():
    t = time.perf_counter()
    c.request('POST', '/api/v1/predictions', body, {'Content-Type': f'multipart/form-data; boundary={b}'})
    r = c.getresponse(); d = r.read()
    return (time.perf_counter() - t) * 1000, json.loads(d)
for _ in range(2000): one()
rt, q, pre, comp, tot, rest = [], [], [], [], [], []
for _ in range(n):
    ms, d = one(); t = d['timings']
    rt.append(ms); q.append(t['queueMs']); pre.append(t['preprocessMs']); comp.append(t['inferenceMs']); tot.append(t['totalMs'])
    rest.append(t['totalMs'] - t['queueMs'] - t['preprocessMs'] - t['inferenceMs'])
def pc(v, p): v = sorted(v); return v[min(len(v)-1, int(p * len(v)))]
for name, v in [('client round trip', rt), ('server total', tot), ('preprocess', pre), ('queue (hand-off to a worker)', q), ('forward pass', comp), ('rest of the controller (incl. wake-up back)', rest)]:
    print(f'{name:45s} p50 {pc(v,.5):.3f}  p90 {pc(v,.9):.3f}  p99 {pc(v,.99):.3f} ms')
# the same client's floor: GET /livez on the request port, same connection
rt = []
for _ in range(n):
    t = time.perf_counter(); c.request('GET', '/livez'); c.getresponse().read(); rt.append((time.perf_counter() - t) * 1000)
print(f"{'client round trip, GET /livez (the floor)':45s} p50 {pc(rt,.5):.3f}  p90 {pc(rt,.9):.3f}  p99 {pc(rt,.99):.3f} ms")
