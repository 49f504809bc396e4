#!/usr/bin/env python3
"""The ramp's table (scripts/bench/scaling-ramp.sh): per step of RampSimulation, what the replica
did and what each autoscaler would ask for.

    scaling_table.py RUN_DIR OUT_MD OUT_JSON

RUN_DIR holds bench.json and the prometheus-N.txt of each mark. Per step (between two marks):
achieved rate, p50/p99 of the answers, the share refused (503), the mean requests in flight
(growth of digits_request_seconds_sum over the step's seconds: Little's law, what the KEDA trigger
reads as a rate), the replica's CPU in cores and as a share of its 2-core request (what the CPU
HPA reads), the generator's CPU, and the replicas each formula asks for with one replica running:

    requests in flight:  ceil(in_flight / TARGET)                   (KEDA, metricType AverageValue)
    CPU:                 ceil(1 * (cpu_cores / 2) / 0.60)           (k8s/hpa.yaml, 60% of the request)

TARGET is derived here, not chosen: the requests in flight of the busiest step that still met
the latency objective (p99 <= 48 ms, nothing refused), times 0.7 (room for the minute a new
replica needs to become ready).
"""
import json
import math
import os
import re
import sys

SLO_P99_MS = 48
HEADROOM = 0.7
CPU_REQUEST_CORES = 2
CPU_TARGET = 0.60
TICKS = 100


def metric_sum(path, name):
    total = 0.0
    for line in open(path):
        m = re.match(r"^" + name + r"(\{[^}]*\})? (\S+)$", line)
        if m:
            total += float(m.group(2))
    return total


def main(run, out_md, out_json):
    bench = json.load(open(os.path.join(run, "bench.json")))
    marks = bench["marks"]
    steps = []
    for a, b in zip(marks, marks[1:]):
        # the step that ran between mark a and mark b is the one a names (start:/between:)
        name = a["name"].split(":", 1)[1]
        phase = bench["phases"].get(name)
        if phase is None:
            continue
        seconds = (b["monotonicNanos"] - a["monotonicNanos"]) / 1e9
        statuses = phase["statuses"]
        sent = sum(statuses.values())
        ok = statuses.get("200", 0)
        in_flight = (metric_sum(os.path.join(run, b["prometheus"]), "digits_request_seconds_sum")
                     - metric_sum(os.path.join(run, a["prometheus"]), "digits_request_seconds_sum")) / seconds
        cpu = (b["serviceTicks"] - a["serviceTicks"]) / TICKS / seconds
        gatling = (b["gatlingTicks"] - a["gatlingTicks"]) / TICKS / seconds
        steps.append({
            "offered": float(name.split("-", 1)[1]), "seconds": round(seconds, 1), "sent": sent,
            "achieved": round(ok / seconds, 1), "refusedShare": round((sent - ok) / sent, 4) if sent else None,
            "p50Ms": phase["ok"].get("p50Ms"), "p99Ms": phase["ok"].get("p99Ms"),
            "inFlight": round(in_flight, 3), "cpuCores": round(cpu, 2), "generatorCores": round(gatling, 2),
        })
    good = [s for s in steps if s["p99Ms"] is not None and s["p99Ms"] <= SLO_P99_MS and s["refusedShare"] == 0]
    if not good:
        sys.exit("no step met the latency objective: no target can be derived")
    best = max(good, key=lambda s: s["achieved"])
    target = round(best["inFlight"] * HEADROOM, 1)
    for s in steps:
        s["replicasByInFlight"] = max(1, math.ceil(s["inFlight"] / target))
        s["replicasByCpu"] = max(1, math.ceil((s["cpuCores"] / CPU_REQUEST_CORES) / CPU_TARGET))
    result = {"sloP99Ms": SLO_P99_MS, "headroom": HEADROOM, "capacityStep": best, "targetInFlight": target,
              "parameters": bench["parameters"], "steps": steps}
    json.dump(result, open(out_json, "w"), indent=2)

    lines = [
        "<!-- written by scripts/bench/scaling-ramp.sh (WRITE_DOCS=1); do not edit -->",
        "# One replica under a load ramp",
        "",
        f"Open model, one 28x28 PNG per request, {bench['parameters'].get('durationSeconds')} s per step, "
        "Gatling on the same 2 cores as the replica (its CPU is the generator column). "
        "In flight: the mean requests in progress over the step "
        "(`rate(digits_request_seconds_sum)`). CPU: the replica's, in cores, and as a share of its "
        "2-core request. The last two columns are the replicas each autoscaler would ask for with one running.",
        "",
        "| offered req/s | achieved req/s | refused | p50 ms | p99 ms | in flight | replica CPU | generator CPU "
        "| by in flight | by CPU (60%) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in steps:
        lines.append(
            f"| {s['offered']:,.0f} | {s['achieved']:,.0f} | {100 * (s['refusedShare'] or 0):.1f}% | {s['p50Ms']} "
            f"| {s['p99Ms']} | {s['inFlight']:.2f} | {s['cpuCores']:.2f} ({100 * s['cpuCores'] / CPU_REQUEST_CORES:.0f}%) "
            f"| {s['generatorCores']:.2f} | {s['replicasByInFlight']} | {s['replicasByCpu']} |")
    lines += [
        "",
        f"Target: the busiest step within the objective (p99 <= {SLO_P99_MS} ms, nothing refused) is "
        f"{best['offered']:,.0f} req/s offered, {best['achieved']:,.0f} achieved, with {best['inFlight']:.2f} "
        f"requests in flight; x {HEADROOM} headroom = **{target} requests in flight per replica**.",
        "",
    ]
    open(out_md, "w").write("\n".join(lines))


if __name__ == "__main__":
    main(*sys.argv[1:4])
