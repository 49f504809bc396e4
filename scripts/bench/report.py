#!/usr/bin/env python3
"""Writes docs/BENCHMARKS.md from the results scripts/bench/run-all.sh left under target/benchmarks/.

Usage: scripts/bench/report.py RESULTS_DIR OUTPUT.md

Reads (all optional but meta.json; a missing part is said to be missing, never invented):
  meta.json                      the machine, the build, the background CPU, the settings
  jmh-compute.json               JMH: ComputeBenchmark, SgemmCeilingBenchmark
  jmh-profile.json               JMH: OpProfileBenchmark
  training-*.json                TrainingBenchmark
  http/<scenario>/run-<n>/bench.json and prometheus-<i>.txt   the Gatling simulations (BenchRun)
  http/peer-64/run-<n>/bench.json, peer.json, peer-not-measured.txt   the peer (../shared/peer) and why not
Writes OUTPUT.md and RESULTS_DIR/summary.csv (one row per figure and run). Standard library only.
Figures are medians over the rounds (JMH: over the forks), and every round is listed.
"""
import csv
import glob
import json
import math
import os
import re
import statistics
import sys

FLOP_PER_IMAGE = 5.26e6
SGEMM_FLOP = 2.0 * 1024 ** 3

# ---------------------------------------------------------------------------------- formatting


def num(x, digits=0):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def ms(x):
    if x is None:
        return "n/a"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}" if x < 100 else f"{x:,.0f}"


def pct(x):
    return "n/a" if x is None else f"{100 * x:.0f}%"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def table(header, rows, align=None):
    align = align or ["---"] + ["---:"] * (len(header) - 1)
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------- JMH


def load_jmh(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        text = f.read().strip()
    return json.loads(text) if text else []


def sample_forks(result):
    """Per fork: (mean, p50, p95, p99) in the score unit, from JMH's sample-mode histogram."""
    forks = []
    for fork in result["primaryMetric"].get("rawDataHistogram", []):
        pairs = [(v, c) for iteration in fork for v, c in iteration]
        pairs.sort()
        n = sum(c for _, c in pairs)
        if n == 0:
            continue
        mean = sum(v * c for v, c in pairs) / n

        def q(p):
            rank = max(1, math.ceil(p * n))
            seen = 0
            for v, c in pairs:
                seen += c
                if seen >= rank:
                    return v
            return pairs[-1][0]

        forks.append({"mean": mean, "p50": q(0.50), "p95": q(0.95), "p99": q(0.99), "samples": n})
    return forks


def average_forks(result):
    """Per fork: the mean of its measurement iterations (average-time mode)."""
    return [statistics.mean(fork) for fork in result["primaryMetric"].get("rawData", []) if fork]


CONFIGS = [  # JMH method -> the name the page uses, and what it is
    ("dl4jDefault", "dl4j-default", "`MultiLayerNetwork.output()`, ND4J's default native threads"),
    ("dl4jOneThread", "dl4j-1thread", "the same with one native thread"),
    ("nhwc1Worker", "nhwc-1worker", "the service's engine, one worker (one native thread)"),
    ("nhwc2Workers", "nhwc-2workers", "two such workers at once on two threads (the service's default on 2 cores)"),
    ("nhwc1WorkerDefaultThreads", "nhwc-1worker-default-threads", "one engine worker with ND4J's default native threads"),
]


def compute_section(results_dir, summary):
    results = load_jmh(os.path.join(results_dir, "jmh-compute.json"))
    if not results:
        return "No compute results (jmh-compute.json missing).\n", {}
    sgemm = {}
    for r in results:
        if r["benchmark"].endswith("SgemmCeilingBenchmark.sgemm"):
            threads = int(r["params"]["nativeThreads"])
            forks = [SGEMM_FLOP / (t / 1e3) / 1e9 for t in average_forks(r)]  # ms per product -> GFLOP/s
            sgemm[threads] = forks
    rows = {}
    for r in results:
        method = r["benchmark"].rsplit(".", 1)[1]
        if r["mode"] != "sample":
            continue
        batch = int(r["params"]["batch"])
        threads = r["threads"]
        forks = sample_forks(r)
        for f in forks:
            f["images"] = batch * threads / (f["mean"] / 1e3)
        rows[(method, batch)] = {
            "p50": median([f["p50"] for f in forks]), "p95": median([f["p95"] for f in forks]),
            "p99": median([f["p99"] for f in forks]), "images": median([f["images"] for f in forks]),
            "forks": [f["images"] for f in forks],
        }
    g1 = median(sgemm.get(1, []))
    gall = median(sgemm.get(0, []))
    ceiling1 = g1 * 1e9 / FLOP_PER_IMAGE if g1 else None
    md = []
    if g1:
        md.append(f"Ceiling, same run: a 1024^3 SGEMM through ND4J ran at {num(g1, 1)} GFLOP/s on one native thread "
                  f"(forks: {' / '.join(num(x, 1) for x in sgemm[1])})"
                  + (f" and {num(gall, 1)} GFLOP/s with ND4J's default threads "
                     f"(forks: {' / '.join(num(x, 1) for x in sgemm[0])})" if gall else "")
                  + f"; at {FLOP_PER_IMAGE / 1e6:.2f} MFLOP per image one core could do {num(ceiling1)} images/s "
                  f"({num(1e6 / ceiling1, 0)} us per image).\n")
    header = ["configuration", "batch", "p50 ms", "p95 ms", "p99 ms", "images/s", "images/s per fork",
              "vs dl4j-default", "of 1-core ceiling"]
    body = []
    for method, name, _ in CONFIGS:
        for batch in sorted({b for m, b in rows if m == method}):
            row = rows[(method, batch)]
            base = rows.get(("dl4jDefault", batch))
            ratio = row["images"] / base["images"] if base and base["images"] else None
            body.append([name, batch, ms(row["p50"]), ms(row["p95"]), ms(row["p99"]), num(row["images"]),
                         " / ".join(num(x) for x in row["forks"]), f"{ratio:.1f}x" if ratio else "n/a",
                         pct(row["images"] / ceiling1) if ceiling1 else "n/a"])
            summary.append(["compute", name, f"batch {batch}", "images_per_s", row["images"], "median of forks"])
            summary.append(["compute", name, f"batch {batch}", "p50_ms", row["p50"], "median of forks"])
    md.append(table(header, body, ["---", "---:", "---:", "---:", "---:", "---:", "---", "---:", "---:"]))
    md.append("\nConfigurations: " + "; ".join(f"`{n}`: {d}" for _, n, d in CONFIGS) + ".\n")
    return "\n".join(md), {"rows": rows, "ceiling1": ceiling1, "gflops1": g1}


def profile_section(results_dir):
    results = load_jmh(os.path.join(results_dir, "jmh-profile.json"))
    if not results:
        return "No op profile (jmh-profile.json missing).\n"
    cells = {}
    order = []
    for r in results:
        p = r["params"]
        key = (p["op"], int(p["images"]))
        if key not in order:
            order.append(key)
        cells.setdefault(key, {})[p["onednn"] == "true"] = median(average_forks(r)) or r["primaryMetric"]["score"]
    names = ["conv1", "maxpool1", "relu1", "conv2", "maxpool2", "relu2", "dense1", "relu3", "output"]
    order.sort(key=lambda k: (k[1], names.index(k[0]) if k[0] in names else 99))
    body = []
    for op, images in order:
        c = cells[(op, images)]
        body.append([op, images, num(c.get(True), 1), num(c.get(False), 1)])
    totals = {}
    for (op, images), c in cells.items():
        used = c.get(op != "output") if (op != "output") in c else None
        if used is not None:
            totals[images] = totals.get(images, 0) + used
    md = table(["op", "images", "oneDNN allowed (us)", "ND4J's own kernels (us)"], body)
    if totals:
        md += "\nSum of the ops as the engine runs them (oneDNN for all but the output layer): " + ", ".join(
            f"{num(t, 0)} us at {i} image{'s' if i > 1 else ''}" for i, t in sorted(totals.items())) + ".\n"
    return md


# ---------------------------------------------------------------------------------- Prometheus

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(path):
    samples = []
    if not path or not os.path.exists(path):
        return samples
    with open(path) as f:
        for line in f:
            if not line or line.startswith("#"):
                continue
            m = LINE.match(line)
            if m:
                try:
                    samples.append((m.group(1), dict(LABEL.findall(m.group(2) or "")), float(m.group(3))))
                except ValueError:
                    pass
    return samples


def total(samples, name, **match):
    return sum(v for n, l, v in samples if n == name and all(l.get(k) == x for k, x in match.items()))


def histogram_quantile(q, before, after, name, **match):
    def buckets(samples):
        out = {}
        for n, l, v in samples:
            if n == name + "_bucket" and all(l.get(k) == x for k, x in match.items()):
                le = math.inf if l["le"] == "+Inf" else float(l["le"])
                out[le] = out.get(le, 0.0) + v
        return out
    b, a = buckets(before), buckets(after)
    cumulative = {le: a[le] - b.get(le, 0.0) for le in a}
    les = sorted(cumulative)
    if not les or cumulative[les[-1]] <= 0:
        return None
    rank = q * cumulative[les[-1]]
    prev_le, prev_c = 0.0, 0.0
    for le in les:
        c = cumulative[le]
        if c >= rank:
            if math.isinf(le):
                return prev_le
            return le if c == prev_c else prev_le + (le - prev_le) * (rank - prev_c) / (c - prev_c)
        prev_le, prev_c = le, c
    return prev_le


# ---------------------------------------------------------------------------------- Gatling runs


def load_rounds(results_dir, scenario):
    """{round: phases} for a scenario whose rounds may be missing (the peer's: a round it did not start in)."""
    rounds = {}
    for path in glob.glob(os.path.join(results_dir, "http", scenario, "run-*", "bench.json")):
        with open(path) as f:
            bench = json.load(f)
        rounds[int(re.search(r"run-(\d+)", path).group(1))] = phases_of(bench, os.path.dirname(path))
    return dict(sorted(rounds.items()))


def load_runs(results_dir, scenario):
    runs = []
    for path in sorted(glob.glob(os.path.join(results_dir, "http", scenario, "run-*", "bench.json")),
                       key=lambda p: int(re.search(r"run-(\d+)", p).group(1))):
        with open(path) as f:
            bench = json.load(f)
        runs.append(phases_of(bench, os.path.dirname(path)))
    return runs


def phases_of(bench, folder):
    """{phase: figures} for one run, each phase between two marks."""
    marks = bench["marks"]
    hz = bench.get("clockTicksPerSecond", 100)
    out = {"_parameters": bench.get("parameters", {})}
    for i in range(len(marks) - 1):
        name = marks[i]["name"].split(":", 1)[1]
        a, b = marks[i], marks[i + 1]
        wall = (b["monotonicNanos"] - a["monotonicNanos"]) / 1e9
        phase = bench["phases"].get(name)
        fig = {"wall": wall}

        def cores(key):
            if a.get(key) is None or b.get(key) is None or a[key] < 0 or b[key] < 0:
                return None
            return (b[key] - a[key]) / hz / wall

        fig["gatling_cores"] = cores("gatlingTicks")
        # SYNs the kernel dropped on a full listen backlog (machine-wide; runs before it was recorded have none)
        fig["listen_overflows"] = (b["listenOverflows"] - a["listenOverflows"]
                                   if min(a.get("listenOverflows", -1), b.get("listenOverflows", -1)) >= 0 else None)
        fig["service_cores"] = cores("serviceTicks")
        fig["busy_cores"] = cores("machineBusyTicks")
        fig["all_cores"] = cores("machineTotalTicks")
        fig["steal_cores"] = cores("machineStealTicks")
        if None not in (fig["busy_cores"], fig["gatling_cores"], fig["service_cores"]):
            fig["other_cores"] = max(0.0, fig["busy_cores"] - fig["gatling_cores"] - fig["service_cores"])
        before = parse_prometheus(os.path.join(folder, a.get("prometheus", "")) if a.get("prometheus") else None)
        after = parse_prometheus(os.path.join(folder, b.get("prometheus", "")) if b.get("prometheus") else None)
        passes = total(after, "digits_batch_size_count") - total(before, "digits_batch_size_count")
        images = total(after, "digits_batch_size_sum") - total(before, "digits_batch_size_sum")
        fig["mean_batch"] = images / passes if passes > 0 else None
        hits = total(after, "cache_gets_total", cache="predictions", result="hit") - total(
            before, "cache_gets_total", cache="predictions", result="hit")
        misses = total(after, "cache_gets_total", cache="predictions", result="miss") - total(
            before, "cache_gets_total", cache="predictions", result="miss")
        fig["cache_hit_ratio"] = hits / (hits + misses) if hits + misses > 0 else None
        # Micrometer adds a young collection's allocation when it happens, so over a phase of dozens of
        # collections this is within a few percent; GC pause time is what the JVM reports per collector
        fig["allocated_bytes"] = total(after, "jvm_gc_memory_allocated_bytes_total") - total(
            before, "jvm_gc_memory_allocated_bytes_total")
        fig["gc_pause_ms_per_s"] = 1000 * (total(after, "jvm_gc_pause_seconds_sum") - total(
            before, "jvm_gc_pause_seconds_sum")) / wall
        fig["gc_pauses"] = total(after, "jvm_gc_pause_seconds_count") - total(before, "jvm_gc_pause_seconds_count")
        if not (before and after):  # no metrics saved (the peer has none): no JVM figures, not zeros
            fig["allocated_bytes"] = fig["gc_pause_ms_per_s"] = fig["gc_pauses"] = None
        p99 = histogram_quantile(0.99, before, after, "digits_request_seconds", outcome="success")
        fig["server_p99_ms"] = 1000 * p99 if p99 is not None else None
        if phase:
            statuses = {k: int(v) for k, v in phase["statuses"].items()}
            fig["statuses"] = statuses
            fig["responses"] = sum(statuses.values())
            fig["ok"] = statuses.get("200", 0)
            fig["s503"] = statuses.get("503", 0)
            fig["errors"] = fig["responses"] - fig["ok"]
            fig["unexpected"] = fig["responses"] - fig["ok"] - fig["s503"]
            fig["s503_without_retry_after"] = fig["s503"] - phase.get("rejectedWithRetryAfter", 0)
            fig["s503_not_problem"] = fig["s503"] - phase.get("rejectedAsProblem", 0)
            fig["rate"] = fig["responses"] / wall
            fig["goodput"] = fig["ok"] / wall
            fig["kib_per_request"] = (fig["allocated_bytes"] / 1024 / fig["responses"]
                                      if before and after and fig["responses"] else None)
            for kind in ("ok", "rejected"):
                lat = phase.get(kind, {})
                for k in ("p50Ms", "p95Ms", "p99Ms", "p999Ms", "maxMs", "meanMs"):
                    fig[f"{kind}_{k}"] = lat.get(k)
        out[name] = fig
    return out


def med(runs, phase, key):
    return median([r.get(phase, {}).get(key) for r in runs])


def each(runs, phase, key, fmt):
    return " / ".join(fmt(r.get(phase, {}).get(key)) for r in runs)


def cpu_cell(runs, phase):
    g = med(runs, phase, "gatling_cores")
    s = med(runs, phase, "service_cores")
    o = med(runs, phase, "other_cores")
    return f"{num(g, 2)} / {num(s, 2)} / {num(o, 2)}"


def http_table(runs, phases, noop_phase="noop", open_model=False, extra=()):
    """The summary table; extra: (label, runs, phase, vs-cell) rows of another server (the peer), whose
    service-only columns (batch, server p99, heap, GC) are "-"."""
    header = ["phase", "req/s" if not open_model else "achieved req/s", "200s", "non-200", "p50 ms", "p95 ms",
              "p99 ms", "p99.9 ms", "max ms", "vs no-op", "mean batch", "server p99 ms",
              "CPU cores: Gatling / service / other", "heap KiB allocated / request", "GC pause ms / s"]
    body = []
    noop_rate = med(runs, noop_phase, "goodput")
    noop_p99 = med(runs, noop_phase, "ok_p99Ms")
    for phase in phases:
        if not any(phase in r for r in runs):
            continue
        rate = med(runs, phase, "goodput")
        if phase == noop_phase:
            versus = "1.0x"
        elif open_model:
            p99 = med(runs, phase, "ok_p99Ms")
            versus = f"p99 {num(p99)} vs {num(noop_p99)} ms" if p99 is not None and noop_p99 is not None else "n/a"
        else:
            versus = f"{rate / noop_rate:.2f}x" if rate and noop_rate else "n/a"
        body.append([phase, num(rate), num(med(runs, phase, "ok")), num(med(runs, phase, "errors")),
                     num(med(runs, phase, "ok_p50Ms")), num(med(runs, phase, "ok_p95Ms")),
                     num(med(runs, phase, "ok_p99Ms")), num(med(runs, phase, "ok_p999Ms")),
                     num(med(runs, phase, "ok_maxMs")), versus, num(med(runs, phase, "mean_batch"), 1),
                     num(med(runs, phase, "server_p99_ms"), 2), cpu_cell(runs, phase),
                     num(med(runs, phase, "kib_per_request"), 1), num(med(runs, phase, "gc_pause_ms_per_s"), 1)])
    for label, other, phase, versus in extra:
        body.append([label, num(med(other, phase, "goodput")), num(med(other, phase, "ok")),
                     num(med(other, phase, "errors")), num(med(other, phase, "ok_p50Ms")),
                     num(med(other, phase, "ok_p95Ms")), num(med(other, phase, "ok_p99Ms")),
                     num(med(other, phase, "ok_p999Ms")), num(med(other, phase, "ok_maxMs")), versus, "-", "-",
                     cpu_cell(other, phase), "-", "-"])
    return table(header, body)


def runs_table(runs, phases, extra=()):
    """Every round of every phase; extra: (label, {round: run}, phase) rows of another server (the peer)."""
    header = ["phase", "round", "req/s", "200s", "non-200 (by status)", "p50 / p95 / p99 / p99.9 ms",
              "Gatling cores", "service cores", "other cores", "steal", "SYNs dropped (listen backlog full)"]
    body = []

    def row(label, i, f):
        if not f or "responses" not in f:
            return
        other = {k: v for k, v in f["statuses"].items() if k != "200"}
        body.append([label, i, num(f["goodput"]), num(f["ok"]),
                     ", ".join(f"{v} x {k}" for k, v in sorted(other.items())) or "0",
                     " / ".join(num(f.get(k)) for k in ("ok_p50Ms", "ok_p95Ms", "ok_p99Ms", "ok_p999Ms")),
                     num(f.get("gatling_cores"), 2), num(f.get("service_cores"), 2),
                     num(f.get("other_cores"), 2), num(f.get("steal_cores"), 2), num(f.get("listen_overflows"))])

    for phase in phases:
        for i, r in enumerate(runs, 1):
            row(phase, i, r.get(phase))
    for label, rounds, phase in extra:
        for i, r in rounds.items():
            row(label, i, r.get(phase))
    return table(header, body, ["---", "---:", "---:", "---:", "---", "---:", "---:", "---:", "---:", "---:", "---:"])


def summarize(summary, scenario, runs, phases):
    for phase in phases:
        for i, r in enumerate(runs, 1):
            f = r.get(phase)
            if not f or "responses" not in f:
                continue
            for key in ("goodput", "ok_p50Ms", "ok_p99Ms", "errors", "gatling_cores", "service_cores", "other_cores",
                        "mean_batch", "cache_hit_ratio", "kib_per_request", "gc_pause_ms_per_s"):
                if f.get(key) is not None:
                    summary.append(["http", scenario, phase, key, f[key], f"round {i}"])


# ---------------------------------------------------------------------------------- the peer

PEER_LABEL = "peer: predict"


def peer_why(results_dir):
    """Why the peer was not measured (run-all.sh's peer-not-measured.txt), or None."""
    path = os.path.join(results_dir, "peer-not-measured.txt")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return "; ".join(line.strip() for line in f if line.strip()) or None


def peer_rounds(closed, peer):
    """Per round the peer ran in: (round, the service's closed-64 req/s for the same multipart upload
    (its `multipart` phase; `predict`, the raw body, in runs from before that phase), the peer's,
    service / peer)."""
    rows = []
    for n, r in peer.items():
        p = r.get("predict", {}).get("goodput")
        own = closed[n - 1] if n - 1 < len(closed) else {}
        s = (own.get("multipart") or own.get("predict") or {}).get("goodput")
        rows.append((n, s, p, s / p if s and p else None))
    return rows


# the configuration of warm-up-ramp.sh that starts as the container image does: its default
# warm-up (digits.warm-up.requests) with the AOT cache the Dockerfile records
RAMP_IMAGE_CONFIG = "500+aot"

WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(path):
    """wrk --latency output: p50/p90/p99 in ms, requests per second, non-2xx responses and socket errors."""
    out = {"non2xx": 0, "socketErrors": 0}
    with open(path) as f:
        for line in f:
            m = re.match(r"\s+(50|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", line)
            if m:
                out[f"p{m.group(1)}"] = float(m.group(2)) * WRK_UNITS[m.group(3)]
            elif line.startswith("Requests/sec:"):
                out["rps"] = float(line.split()[1])
            elif line.strip().startswith("Non-2xx or 3xx responses:"):
                out["non2xx"] = int(line.split()[-1])
            elif line.strip().startswith("Socket errors:"):
                out["socketErrors"] = sum(int(x) for x in re.findall(r"\d+", line))
    return out


def load_one_client(results_dir):
    """{round: {kind: parse_wrk}} from http/one-client/run-<n>/<kind>.txt (multipart, raw, livez)."""
    rounds = {}
    for d in sorted(glob.glob(os.path.join(results_dir, "http", "one-client", "run-*"))):
        n = int(d.rsplit("-", 1)[1])
        kinds = {k: parse_wrk(os.path.join(d, f"{k}.txt")) for k in ("multipart", "raw", "livez")
                 if os.path.exists(os.path.join(d, f"{k}.txt"))}
        if kinds:
            rounds[n] = kinds
    return dict(sorted(rounds.items()))


def load_ramp(results_dir):
    path = os.path.join(results_dir, "warm-up-ramp.json")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return json.load(f)


def multiple(x):
    return "n/a" if x is None else f"{x:.1f}x"


# ---------------------------------------------------------------------------------- the page


def main():
    results_dir, output = sys.argv[1], sys.argv[2]
    with open(os.path.join(results_dir, "meta.json")) as f:
        meta = json.load(f)
    summary = []
    md = []
    md.append("# Benchmarks\n")
    md.append("<!-- Generated by scripts/bench/run-all.sh (scripts/bench/report.py) from target/benchmarks/: "
              "do not edit by hand; run the command again. -->\n")
    if meta.get("smoke"):
        md.append("> **SMOKE RUN**: every step ran for a few seconds to prove the harness works. "
                  "These figures mean nothing; do not quote them.\n")
    noisy = meta.get("backgroundCores", 0) > 0.1
    md.append("Regenerate with `scripts/bench/run-all.sh` (about 95 minutes on 2 cores; `SMOKE=1` runs every step for "
              "a few seconds). It builds the jar, runs JMH (model compute, SGEMM ceiling, op profile), the training "
              "benchmark, then starts the service with the Dockerfile's JVM flags and `--spring.profiles.active="
              "benchmark` and runs each Gatling scenario, and the peer (`../shared/peer`, FastAPI + PyTorch) before "
              f"the service in each round, {meta.get('runs')} times ({meta.get('durationSeconds')} s per phase after {meta.get('warmupSeconds')} s "
              "of warm-up). Figures are medians; every round is listed under each table. Raw results: "
              "`target/benchmarks/` (JMH JSON, Gatling's simulation.log and HTML report, bench.json per round, "
              "the service's metrics between phases, summary.csv).\n")
    md.append(f"Machine: {meta.get('cpu')}, {meta.get('cores')} cores, {meta.get('memoryGiB')} GiB, "
              f"kernel {meta.get('kernel')}; the service on {meta.get('serviceJava', meta.get('java'))} (the container's "
              f"release), JMH and Gatling on {meta.get('java')}; {meta.get('date')}; commit {meta.get('git')}"
              f"{' (with uncommitted changes)' if meta.get('gitDirty') else ''}; jar sha256 "
              f"{meta.get('jarSha256', '')[:12]}. Service JVM: `{meta.get('jvmFlags')}` with `{meta.get('serviceEnv')}`"
              f" (the Dockerfile's, with the Kubernetes limit {meta.get('memoryLimit')} as -XX:MaxRAM).\n")
    info_path = os.path.join(results_dir, "service-info.json")
    if os.path.exists(info_path):
        with open(info_path) as f:
            native = json.load(f).get("native", {})
        if native:
            md.append(f"ND4J native build: {native.get('build')} ({native.get('reason')}), chosen at start by the "
                      "service and, the same way, by each JMH fork.\n")
    busiest = ", ".join(f"{b['process']} {b['cores']}" for b in meta.get("backgroundBusiest", []))
    md.append(f"Background before the run: {num(meta.get('backgroundCores'), 2)} cores busy"
              f"{' (' + busiest + ')' if busiest else ''}, steal {num(meta.get('backgroundSteal'), 2)}."
              + (" **Noisy machine: something else used the CPU; do not quote these figures.**" if noisy else "")
              + "\n")

    compute_md, compute = compute_section(results_dir, summary)
    source_path = os.path.join(results_dir, "compute-source.json")
    if os.path.exists(source_path):
        with open(source_path) as f:
            source = json.load(f)
        reused = (f"**Sections 1 and 3 (JMH, native builds, training) are reused from the run of {source.get('date')} "
                  f"at commit {source.get('git')}** (`REUSE_COMPUTE`): this run measured only the HTTP path.\n")
        md.append(reused)
        compute_md = reused + "\n" + compute_md
    scen = {s: load_runs(results_dir, s) for s in
            ("closed-64", "open-1000", "open-3000", "overload", "overload-shed-off", "cache-on", "cache-off")}
    peer = load_rounds(results_dir, "peer-64")
    why_no_peer = peer_why(results_dir)
    peer_info = {}
    if os.path.exists(os.path.join(results_dir, "peer.json")):
        with open(os.path.join(results_dir, "peer.json")) as f:
            peer_info = json.load(f)
    versus_peer = peer_rounds(scen["closed-64"], peer)
    peer_multiple = median([m for *_, m in versus_peer])

    # targets
    md.append("## Targets\n")
    rows = compute.get("rows", {})
    trows = []
    r1 = rows.get(("nhwc1Worker", 1))
    if r1:
        trows.append(["single-image compute p50 at most 0.25 ms", f"{ms(r1['p50'])} ms (nhwc-1worker, batch 1)",
                      "yes" if r1["p50"] <= 0.25 else "no"])
    r128 = [rows.get((m, 128)) for m in ("nhwc1Worker", "nhwc2Workers")]
    if all(r128):
        trows.append(["batch 128 at least 8,000 images/s", f"{num(r128[0]['images'])} images/s on one worker, "
                      f"{num(r128[1]['images'])} on two", "yes" if r128[0]["images"] >= 8000 else "no"])
    d1, d128 = rows.get(("dl4jDefault", 1)), rows.get(("dl4jDefault", 128))
    if r1 and d1 and d128 and r128[0]:
        a, b = r1["images"] / d1["images"], r128[0]["images"] / d128["images"]
        trows.append(["at least 5x DL4J's defaults", f"batch 1: {a:.1f}x; batch 128: {b:.1f}x (one worker)",
                      "yes" if min(a, b) >= 5 else "no"])
    o3 = scen["open-3000"]
    if o3:
        errors = [r.get("predict", {}).get("errors") for r in o3]
        rates = [r.get("predict", {}).get("goodput") for r in o3]
        ok = all(e == 0 for e in errors) and all(x and x >= 0.97 * 3000 for x in rates)
        p99_3000 = med(o3, "predict", "ok_p99Ms")
        trows.append(["HTTP, one PNG per request: 3,000 req/s sustained, no errors, p99 at most 10 ms (open model)",
                      f"{each(o3, 'predict', 'goodput', num)} req/s answered 200, "
                      f"{each(o3, 'predict', 'errors', num)} non-200, p99 {each(o3, 'predict', 'ok_p99Ms', num)} ms",
                      "yes" if ok and p99_3000 is not None and p99_3000 <= 10 else "no"])
    o1 = scen["open-1000"]
    if o1:
        p99 = med(o1, "predict", "ok_p99Ms")
        trows.append(["HTTP p99 at most 5 ms at 1,000 req/s (open model)",
                      f"p99 {each(o1, 'predict', 'ok_p99Ms', num)} ms (median {num(p99)})",
                      "yes" if p99 is not None and p99 <= 5 else "no"])
    closed = scen["closed-64"]
    if closed:
        mx = med(closed, "predict", "goodput")
        noop = med(closed, "noop", "goodput")
        share = mx / noop if mx and noop else None
        trows.append(["closed-model maximum at least 10,000 req/s and at least 85% of the no-op endpoint in the "
                      "same run",
                      f"{each(closed, 'predict', 'goodput', num)} req/s (median {num(mx)}); no-op "
                      f"{each(closed, 'noop', 'goodput', num)} req/s; {pct(share) if share else 'n/a'} of it",
                      "yes" if mx and mx >= 10000 and share and share >= 0.85 else "no"])
        if peer_multiple is not None:
            trows.append(["predictions per second at least 5x the peer's in the same run",
                          f"{' / '.join(multiple(m) for *_, m in versus_peer)} (median {multiple(peer_multiple)}): "
                          f"{' / '.join(num(s) for _, s, _, _ in versus_peer)} multipart PNGs a second against the "
                          f"peer's (FastAPI + PyTorch, 64 in flight, the same upload) "
                          f"{' / '.join(num(p) for _, _, p, _ in versus_peer)}",
                          "yes" if peer_multiple >= 5 else "no"])
        else:
            trows.append(["predictions per second at least 5x the peer's in the same run",
                          f"peer not measured: {why_no_peer or 'no results under http/peer-64/'}", "not tested"])
        ratios = [r.get("predict", {}).get("goodput") / r.get("noop", {}).get("goodput")
                  if r.get("predict", {}).get("goodput") and r.get("noop", {}).get("goodput") else None
                  for r in closed]
        ratio = median([x for x in ratios if x is not None])
        trows.append(["predictions per second at least 0.65 of the no-op endpoint's in the same run (64 in flight, "
                      "raw PNG)", f"{' / '.join(num(x, 2) if x is not None else 'n/a' for x in ratios)} "
                      f"(median {num(ratio, 2)})", "yes" if ratio is not None and ratio >= 0.65 else "no"])
    one = load_one_client(results_dir)
    multipart_rounds = [r["multipart"] for r in one.values() if "multipart" in r]
    if multipart_rounds:
        p50, p99 = median([r.get("p50") for r in multipart_rounds]), median([r.get("p99") for r in multipart_rounds])
        errors = sum(r["non2xx"] + r["socketErrors"] for r in multipart_rounds)
        trows.append(["one client, multipart PNG, warm: p50 at most 0.6 ms, p99 at most 2 ms",
                      f"p50 {' / '.join(num(r.get('p50'), 2) for r in multipart_rounds)} ms, p99 "
                      f"{' / '.join(num(r.get('p99'), 2) for r in multipart_rounds)} ms (wrk -t1 -c1; "
                      f"{errors} non-200)",
                      "yes" if p50 is not None and p99 is not None and p50 <= 0.6 and p99 <= 2 and errors == 0
                      else "no"])
    ramp = [r for r in load_ramp(results_dir) if r.get("config") == RAMP_IMAGE_CONFIG]
    if ramp:
        ready = [r["ready"] for r in ramp]
        # None: not steady within the windows measured (warm-up-ramp.sh)
        full = [r["fullSpeedAfter"] for r in ramp]
        trows.append(["start to ready at most 4 s (as the image starts: AOT cache, default warm-up)",
                      f"{' / '.join(num(x, 1) for x in ready)} s", "yes" if median(ready) <= 4 else "no"])
        trows.append(["full speed within 10 s of ready (as the image starts)",
                      " / ".join(f"{num(x)} s" if x is not None else
                                 f"not steady within {len(r['windows'].split())} s" for x, r in zip(full, ramp))
                      + " after ready",
                      "yes" if None not in full and median(full) <= 10 else "no"])
    ov = scen["overload"]
    if ov:
        unexpected = sum((r.get("overload", {}).get("unexpected") or 0) for r in ov)
        missing = sum((r.get("overload", {}).get("s503_without_retry_after") or 0) for r in ov)
        rec = sum((r.get("recovery", {}).get("errors") or 0) for r in ov)
        shed = sum((r.get("overload", {}).get("s503") or 0) for r in ov)
        verdict = "yes" if unexpected == 0 and missing == 0 and rec == 0 else "no"
        if shed == 0:
            verdict = "not tested: no 503 at all, the offered rate did not overload the service"
        trows.append(["overload at 2x the maximum: only 503s (with Retry-After), recovery without errors",
                      f"{each(ov, 'overload', 's503', num)} 503s, {unexpected} other errors, {missing} 503s without "
                      f"Retry-After; recovery: {rec} errors",
                      verdict])
        closed = scen["closed-64"]
        shares = []
        for i, r in enumerate(ov):
            mx = closed[i].get("predict", {}).get("goodput") if i < len(closed) else None
            g = r.get("overload", {}).get("goodput")
            shares.append(g / mx if g is not None and mx else None)
        if any(s is not None for s in shares):
            trows.append(["goodput under overload close to the maximum",
                          f"{' / '.join(pct(s) for s in shares)} of the same round's closed-model maximum "
                          f"({each(ov, 'overload', 'goodput', num)} 200/s)",
                          "not tested: the offered rate did not overload the service" if shed == 0 else
                          "yes" if median(shares) is not None and median(shares) >= 0.9 else "no"])
        p99s = [r.get("overload", {}).get("ok_p99Ms") for r in ov]
        trows.append(["accepted requests' p99 under overload at most 50 ms",
                      f"{each(ov, 'overload', 'ok_p99Ms', num)} ms",
                      "not tested: the offered rate did not overload the service" if shed == 0 else
                      "yes" if all(p is not None and p <= 50 for p in p99s) else "no"])
    md.append(table(["target", "measured", "met?"], trows, ["---", "---", "---"]) if trows
              else "No results to check the targets against.\n")

    md.append("\n## 1. Model compute (JMH, no HTTP)\n")
    md.append("`ComputeBenchmark` and `SgemmCeilingBenchmark` (service/src/bench/java/dev/digits/inference), JMH 1.37, "
              "sample mode, three forks per point (each method and batch size in its own JVM). Latency is per "
              "forward pass of a batch, including copying the images in and the probabilities out and the softmax "
              "(DL4J's `output()` applies it; the engine stops at the logits and `ForwardPass.softmax` applies it in "
              "Java, as the service does); images/s = batch x threads / mean time. \"vs dl4j-default\" is the ratio "
              "to `MultiLayerNetwork.output()` with ND4J's default threads at the same batch, in the same run; "
              "\"of 1-core ceiling\" compares with the same run's single-threaded SGEMM rate at 5.26 MFLOP per "
              "image (oneDNN's direct convolutions can beat that FLOP count, so above 100% is possible).\n")
    md.append(compute_md)
    md.append("\n### Per-op profile\n")
    md.append("`OpProfileBenchmark`: each op of the engine alone, as the engine runs it (op context built once, "
              "one native thread), with the served model's activations in its buffers; microseconds per call, "
              "JMH average time, one fork.\n")
    md.append(profile_section(results_dir))

    native_md = os.path.join(results_dir, "native-builds.md")
    if os.path.exists(native_md):
        md.append("\n### Native builds\n")
        md.append("`NativeBuildBenchmark` (service/src/test/java/dev/digits/inference), the service's engine with one worker and one "
                  "native thread on each of ND4J's builds, forced with `DIGITS_NATIVE_BUILD` (the jar carries all "
                  "three and picks one at start); 3,000 single images after warm-up, then 200 batches of 128. A plain "
                  "timing loop in one JVM, not JMH: a check that each build runs and how far apart they are.\n")
        with open(native_md) as f:
            md.append(f.read())
    md.append("\n## 2. Over HTTP (Gatling)\n")
    md.append(
        "Gatling 3.14.3 (Java DSL, service/src/bench/java/dev/digits/bench) on the same two cores as the service, over "
        "loopback, one 28x28 PNG per request (`docs/examples/seven.png`) unless said otherwise. Open-model phases "
        "inject new requests at a fixed rate with Poisson arrivals whatever the answers, so latency includes "
        "queueing (no coordinated omission); closed-model phases keep a fixed number of requests in flight and "
        "measure the maximum. Latency is Gatling's, from sending the request to the end of the response, in whole "
        "milliseconds (its resolution), of the 200s only; non-200 are listed apart. Each simulation also runs "
        "the framework ceiling, `POST /bench/noop` (same body, read and discarded; benchmark profile only), so "
        "\"vs no-op\" is the share of what Tomcat and Spring MVC alone reach on these cores. The CPU column is "
        "what each process used during the phase, in cores (of 2): the load generator (Gatling's JVM, from "
        "/proc/self/stat), the service, and everything else; the generator's share is the part of the machine "
        "the service did not have. \"mean batch\" and \"server p99\" come from the service's own metrics "
        "between the phase's marks (images per forward pass; `digits_request_seconds` of successes, which starts "
        "in a servlet filter and so misses the time in Tomcat's queues).\n")
    sections = [
        ("closed-64", "Maximum (closed model)", ["predict", "multipart", "noop", "canvas", "batch16"], False,
         "`ClosedModelSimulation`: 64 requests in flight for `predict` (the PNG as the raw body), `multipart` "
         "(the same PNG as a multipart `file` part) and `noop`; `canvas` sends a 280x280 "
         "PNG with 16 in flight; `batch16` 16 PNGs per multipart request with 8 in flight (req/s are requests, "
         "16 images each). `" + PEER_LABEL + "` is the peer (`../shared/peer`: what many teams would run "
         "instead, FastAPI + PyTorch under uvicorn"
         + (f" {peer_info.get('uvicorn')} with {peer_info.get('workers')} workers, FastAPI {peer_info.get('fastapi')}, "
            f"torch {peer_info.get('torch')}, {peer_info.get('python')}" if peer_info else "")
         + ", serving the same weights, those of the version the service serves by default) in the same round: "
         "`PeerSimulation`, 64 in flight, the same PNG as a multipart `file` part (the peer's only form, and "
         "the service's `multipart` phase), started before that round's service and stopped before "
         "the service started, so the two never shared the machine; its \"service\" CPU is uvicorn's parent "
         "and workers together, and \"vs no-op\" in its row is the service's `multipart` rate as a multiple of "
         "the peer's (median of the rounds' ratios). Only 64 in flight is compared: with one connection the peer "
         "shows a flat 40-48 ms, a delayed-ACK interaction with the client, not its compute (the peer's "
         "README)."),
        ("open-1000", "1,000 req/s (open model)", ["predict", "noop"], True,
         "`OpenModelSimulation -Dbench.rate=1000`."),
        ("open-3000", "3,000 req/s (open model)", ["predict", "noop"], True,
         "`OpenModelSimulation -Dbench.rate=3000`."),
    ]
    for key, title, phases, open_model, text in sections:
        runs = scen[key]
        md.append(f"\n### {title}\n")
        md.append(text + "\n")
        if not runs:
            md.append("Not run.\n")
            continue
        with_peer = key == "closed-64" and peer
        md.append(http_table(runs, phases, open_model=open_model,
                             extra=[(PEER_LABEL, list(peer.values()), "predict",
                                     f"service {multiple(peer_multiple)}")] if with_peer else ()))
        md.append("\nEvery round:\n\n" + runs_table(runs, phases,
                                                     extra=[(PEER_LABEL, peer, "predict")] if with_peer else ()))
        summarize(summary, key, runs, phases)
        if key != "closed-64":
            continue
        if not peer:
            md.append(f"\nPeer not measured: {why_no_peer or 'no results under http/peer-64/'}.\n")
            continue
        md.append("\nThe service against the peer, each round (64 in flight, the same PNG):\n\n" + table(
            ["round", "service predict req/s", "peer req/s", "service / peer", "peer p50 / p99 ms",
             "peer CPU cores (uvicorn processes)", "Gatling cores (peer phase)"],
            [[n, num(s), num(p), multiple(m), f"{num(peer[n]['predict'].get('ok_p50Ms'))} / "
              f"{num(peer[n]['predict'].get('ok_p99Ms'))}", num(peer[n]['predict'].get('service_cores'), 2),
              num(peer[n]['predict'].get('gatling_cores'), 2)] for n, s, p, m in versus_peer]))
        md.append(f"\nThe service's predictions per second as a multiple of the peer's: median "
                  f"{multiple(peer_multiple)} (rounds: {' / '.join(multiple(m) for *_, m in versus_peer)}).\n")
        if why_no_peer:
            md.append(f"\nNot every round measured the peer: {why_no_peer}.\n")
        for n, s, p, m in versus_peer:
            f = peer[n].get("predict", {})
            for k in ("goodput", "ok_p50Ms", "ok_p99Ms", "errors", "gatling_cores", "service_cores", "other_cores"):
                if f.get(k) is not None:
                    summary.append(["http", "peer-64", "predict", k, f[k], f"round {n}"])
            if m is not None:
                summary.append(["http", "peer-64", "predict", "service_multiple", m, f"round {n}"])

    md.append("\n### One client\n")
    md.append("One connection, one request at a time, on the service the closed-model run has just warmed: "
              "`wrk -t1 -c1 --latency` (microsecond resolution; Gatling's whole milliseconds cannot show a "
              "sub-millisecond median) for " + f"{meta.get('durationSeconds')} s each, "
              "the PNG as a multipart `file` part (what a browser's form sends), the same PNG as the raw body, "
              "and `GET /livez` on the request port: the floor of the HTTP path for one client on this "
              "connection. wrk runs on the same two cores.\n")
    if one:
        kinds = [("multipart", "multipart PNG"), ("raw", "raw PNG"), ("livez", "GET /livez")]
        rows_ = []
        for k, label in kinds:
            rs = [r[k] for r in one.values() if k in r]
            if not rs:
                continue
            rows_.append([label] + [num(median([r.get(q) for r in rs]), 3) for q in ("p50", "p90", "p99")]
                         + [num(median([r.get("rps") for r in rs])), str(sum(r["non2xx"] + r["socketErrors"] for r in rs)),
                            " / ".join(f"{num(r.get('p50'), 3)} / {num(r.get('p99'), 3)}" for r in rs)])
            for n, r in one.items():
                for q in ("p50", "p90", "p99", "rps"):
                    if k in r and r[k].get(q) is not None:
                        summary.append(["http", "one-client", k, q, r[k][q], f"round {n}"])
        md.append(table(["request", "p50 ms", "p90 ms", "p99 ms", "req/s", "non-200", "p50 / p99 ms, each round"],
                        rows_, ["---", "---:", "---:", "---:", "---:", "---:", "---"]))
    else:
        md.append("Not run (needs wrk, the Debian package).\n")

    md.append("\n### Overload and recovery\n")
    md.append(
        "`OverloadSimulation`: `overload` offers twice the round's closed-model maximum as open-model arrivals; "
        "only 200s and 503s with `Retry-After` may come back; `recovery` right after at 500 req/s must be served "
        "without errors; `noop` offers the overload rate to the framework ceiling. Latency columns are the "
        "accepted requests' (200s). Goodput is 200s per second; \"of maximum\" compares it with the same "
        "round's closed-model `predict` rate. `overload-shed-off` is the same run against "
        "`--digits.api.shed-when-queue-full=false` (the service before the change: it decoded every upload "
        "before the queue refused it).\n")
    closed = scen["closed-64"]
    for key in ("overload", "overload-shed-off"):
        runs = scen[key]
        if not runs:
            continue
        md.append(f"\n`{key}`:\n\n")
        md.append(http_table(runs, ["overload", "recovery", "noop"], open_model=True))
        body = []
        for i, r in enumerate(runs, 1):
            f = r.get("overload", {})
            rec = r.get("recovery", {})
            mx = closed[i - 1].get("predict", {}).get("goodput") if i - 1 < len(closed) else None
            body.append([i, num(r["_parameters"].get("rate")), num(f.get("rate")), num(f.get("goodput")),
                         pct(f.get("goodput") / mx) if mx and f.get("goodput") is not None else "n/a",
                         num(f.get("s503")), num(f.get("unexpected")), num(f.get("s503_without_retry_after")),
                         num(f.get("rejected_p99Ms")), num(rec.get("errors")), num(rec.get("ok_p99Ms"))])
        md.append("\n" + table(["round", "offered req/s", "answered req/s", "goodput (200/s)", "of maximum", "503s",
                                "other non-200", "503 without Retry-After", "503 p99 ms", "recovery errors",
                                "recovery p99 ms"], body))
        md.append("\nEvery round:\n\n" + runs_table(runs, ["overload", "recovery", "noop"]))
        summarize(summary, key, runs, ["overload", "recovery", "noop"])
    if scen["overload"] and scen["overload-shed-off"]:
        on, off = med(scen["overload"], "overload", "goodput"), med(scen["overload-shed-off"], "overload", "goodput")
        if not med(scen["overload"], "overload", "s503") and not med(scen["overload-shed-off"], "overload", "s503"):
            md.append("\nNeither run answered a 503: the offered rate did not overload the service, so this run says "
                      "nothing about shedding.\n")
        elif on and off:
            md.append(f"\nShedding before the body is read: goodput under overload {num(on)} 200/s with it, "
                      f"{num(off)} without ({on / off:.2f}x); accepted p99 "
                      f"{num(med(scen['overload'], 'overload', 'ok_p99Ms'))} vs "
                      f"{num(med(scen['overload-shed-off'], 'overload', 'ok_p99Ms'))} ms.\n")

    md.append("\n### Prediction cache on realistic repetition\n")
    md.append(
        "`CacheSimulation`: uploads drawn with Zipf frequencies (exponent 1.0) from 3,000 distinct 28x28 PNGs (the "
        "800 shipped MNIST digits, then variants shifted by up to a pixel with a few ink pixels changed by a few "
        "grey levels, so every upload is a different input to the network); `zipf-open` at 1,000 req/s, "
        "`zipf-closed` with 64 in flight, `noop` with 64 in flight. `cache-on` runs the service with "
        f"`--digits.inference.cache-size={meta.get('cacheSize')}`, `cache-off` with the default (0). The hit ratio "
        "is the service's `cache_gets_total{cache=\"predictions\"}` over the phase.\n")
    con, coff = scen["cache-on"], scen["cache-off"]
    if con or coff:
        body = []
        for label, runs in (("on", con), ("off", coff)):
            if not runs:
                continue
            body.append([label, pct(med(runs, "zipf-open", "cache_hit_ratio")) if label == "on" else "-",
                         num(med(runs, "zipf-open", "ok_p50Ms")), num(med(runs, "zipf-open", "ok_p99Ms")),
                         num(med(runs, "zipf-closed", "goodput")), num(med(runs, "zipf-closed", "ok_p99Ms")),
                         pct(med(runs, "zipf-closed", "cache_hit_ratio")) if label == "on" else "-",
                         num(med(runs, "noop", "goodput")), cpu_cell(runs, "zipf-closed")])
        md.append(table(["cache", "hit ratio at 1,000 req/s", "p50 ms", "p99 ms", "max req/s (64 in flight)",
                         "p99 ms", "hit ratio at max", "no-op req/s", "CPU at max: Gatling / service / other"], body))
        for label, runs in (("cache-on", con), ("cache-off", coff)):
            if runs:
                md.append(f"\nEvery round, {label}:\n\n" + runs_table(runs, ["zipf-open", "zipf-closed", "noop"]))
                summarize(summary, label, runs, ["zipf-open", "zipf-closed", "noop"])
        on_rate, off_rate = med(con, "zipf-closed", "goodput"), med(coff, "zipf-closed", "goodput")
        on_p99, off_p99 = med(con, "zipf-open", "ok_p99Ms"), med(coff, "zipf-open", "ok_p99Ms")
        if on_rate and off_rate:
            gain = on_rate / off_rate - 1
            better_tail = on_p99 is not None and off_p99 is not None and on_p99 <= off_p99
            if gain >= 0.10 and better_tail:
                verdict = (f"the cache raised the maximum by {100 * gain:.0f}% without a worse p99 at 1,000 req/s: "
                           "turning it on by default pays where uploads repeat like this.")
            else:
                verdict = (f"the cache changed the maximum by {100 * gain:+.0f}% and p99 at 1,000 req/s from "
                           f"{num(off_p99)} to {num(on_p99)} ms: not enough to turn it on by default (a hit saves the "
                           "forward pass, not decoding, preprocessing or HTTP, which dominate a request); keep "
                           "`cache-size: 0` and turn it on where uploads repeat byte for byte.")
            md.append("\nRecommendation from this run: " + verdict + "\n")

    md.append("\n### A new replica's first minute\n")
    ramp = os.path.join(results_dir, "warm-up-ramp.md")
    if os.path.exists(ramp):
        with open(ramp) as f:
            rows = [line.rstrip("\n") for line in f if line.startswith("|")]
        md.append("Before it says it is ready, the service sends itself `digits.warm-up.requests` ("
                  f"{int(RAMP_IMAGE_CONFIG.removesuffix('+aot')):,}; at most "
                  "`digits.warm-up.max-duration`, 20 s) requests over loopback, every kind of body in turn, left out "
                  "of the metrics and the access log; the container image also starts from the JVM's AOT cache, "
                  "recorded at build time. `scripts/bench/warm-up-ramp.sh` starts the jar as the image does (its "
                  "layout, flags and ENV, a fresh /tmp) with and without each, and from the moment readiness says UP "
                  "runs wrk (8 connections, raw PNG uploads) for forty one-second windows. Full speed: the first "
                  "second from which every later window reaches 90% of the steady rate (the median of the last ten "
                  "windows); the p50 column likewise for the median latency within 10% of its steady value:\n")
        md.append("\n".join(rows) + "\n")
    else:
        md.append("Not run in this regeneration (needs wrk): `scripts/bench/warm-up-ramp.sh` writes "
                  "target/warm-up/ramp.md.\n")

    md.append("\n## 3. Training speed\n")
    trainings = sorted(glob.glob(os.path.join(results_dir, "training-*.json")))
    if trainings:
        for path in trainings:
            with open(path) as f:
                t = json.load(f)
            md.append(f"`TrainingBenchmark` (build {t['build']}): one epoch over {t['images']} training images "
                      "(batch 128, Adam), validation on 1,000; the second of two runs.\n")
            md.append(table(["native threads", "ms per training image", "full card run (15 x 50,000) estimate"],
                            [[r["nativeThreads"], num(r["msPerImage"], 2), f"{num(r['msPerImage'] * 750000 / 60000)} min"]
                             for r in t["rows"]]))
    else:
        md.append("Not run in this regeneration (needs MNIST_DIR, e.g. ../shared/mnist): "
                  "`MNIST_DIR=../shared/mnist ./mvnw -Pbenchmark test -Dtest=TrainingBenchmark` writes "
                  "target/benchmarks/training-*.json.\n")

    md.append("\n## How to run parts of it\n")
    md.append(
        "- Compute: `./mvnw -Pbenchmark test-compile exec:exec@jmh -Djmh.args=\"ComputeBenchmark\"` (any JMH "
        "options after the regex, e.g. `-p batch=1 -f 1`); JSON to `service/target/jmh-result.json` or `-Djmh.result=...`. "
        "Another native build: `DIGITS_NATIVE_BUILD=avx2` (or `generic`) before the command; each JMH fork "
        "chooses it as the service does.\n"
        "- HTTP: start the service with `--spring.profiles.active=benchmark`, then "
        "`./mvnw -Pbenchmark gatling:test -Dgatling.simulationClass=dev.digits.bench.OpenModelSimulation "
        "-Dbench.baseUrl=http://127.0.0.1:8080 -Dbench.managementUrl=http://127.0.0.1:8081 -Dbench.servicePid=PID "
        "-Dbench.rate=1000`; results under "
        "`service/target/gatling/` and `service/target/benchmarks/http/adhoc/`.\n"
        "- Nothing here runs in `./mvnw verify`: the JMH and Gatling code, its dependencies and plugins exist "
        "only with `-Pbenchmark`, and the runs are goals you name.\n")

    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    with open(output, "w") as f:
        f.write("\n".join(md))
    with open(os.path.join(results_dir, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["kind", "scenario", "phase", "figure", "value", "which"])
        w.writerows(summary)
    print(f"wrote {output} and {os.path.join(results_dir, 'summary.csv')}", file=sys.stderr)


if __name__ == "__main__":
    main()
