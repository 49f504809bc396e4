#!/usr/bin/env python3
"""Helpers for scripts/bench/http-bench.sh (standard library only).

  benchlib.py freeport
      print a free TCP port on 127.0.0.1
  benchlib.py scrape URL FILE
      save the Prometheus text of URL to FILE
  benchlib.py record RESULTS.jsonl --section S --run NAME --connections C [--target RATE]
                     --wrk FILE --before PROM --after PROM [--endpoint image|batch] [--images N]
      parse wrk's WRK_RESULT line, difference the service's metrics between two scrapes and
      append one JSON row
  benchlib.py cpu-snap PID FILE
      save the machine's CPU counters (/proc/stat) and process PID's CPU time, for record --cpu-*
  benchlib.py background SECONDS
      print the CPU the machine spends over SECONDS (cores busy, steal, busiest processes) as JSON
  benchlib.py get RESULTS.jsonl RUN FIELD
      print one field (dotted path) of the last row named RUN
  benchlib.py render RESULTS.jsonl META.json
      print the markdown report
"""
import json
import math
import os
import re
import sys
import time
import urllib.request

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_prometheus(text):
    """[(name, {label: value}, float)] for every sample line."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = LINE.match(line)
        if not m:
            continue
        labels = dict(LABEL.findall(m.group(2) or ""))
        try:
            value = float(m.group(3))
        except ValueError:
            continue
        samples.append((m.group(1), labels, value))
    return samples


def total(samples, name, **match):
    return sum(v for n, l, v in samples if n == name and all(l.get(k) == x for k, x in match.items()))


def buckets(samples, name, **match):
    """{le: cumulative count} summed over all series that match."""
    out = {}
    for n, l, v in samples:
        if n == name + "_bucket" and all(l.get(k) == x for k, x in match.items()):
            le = math.inf if l["le"] == "+Inf" else float(l["le"])
            out[le] = out.get(le, 0.0) + v
    return out


def histogram_delta(before, after, name, **match):
    b = buckets(before, name, **match)
    a = buckets(after, name, **match)
    delta = {le: a[le] - b.get(le, 0.0) for le in a}
    count = total(after, name + "_count", **match) - total(before, name + "_count", **match)
    s = total(after, name + "_sum", **match) - total(before, name + "_sum", **match)
    return delta, count, s


def quantile(q, cumulative):
    """Prometheus histogram_quantile: linear interpolation inside the bucket holding rank q."""
    les = sorted(cumulative)
    if not les:
        return None
    n = cumulative[les[-1]]
    if n <= 0:
        return None
    rank = q * n
    prev_le, prev_c = 0.0, 0.0
    for le in les:
        c = cumulative[le]
        if c >= rank:
            if math.isinf(le):
                return prev_le  # beyond the last finite bucket: report its bound (a lower bound)
            if c == prev_c:
                return le
            return prev_le + (le - prev_le) * (rank - prev_c) / (c - prev_c)
        prev_le, prev_c = le, c
    return prev_le


def server_view(before_text, after_text, endpoint):
    before = parse_prometheus(before_text)
    after = parse_prometheus(after_text)
    view = {}
    ok, ok_count, ok_sum = histogram_delta(before, after, "digits_request_seconds", endpoint=endpoint,
                                           outcome="success")
    view["success_count"] = ok_count
    view["success_mean_ms"] = 1000 * ok_sum / ok_count if ok_count else None
    for q, key in ((0.5, "success_p50_ms"), (0.99, "success_p99_ms")):
        v = quantile(q, ok)
        view[key] = 1000 * v if v is not None else None
    outcomes = {}
    for n, l, v in after:
        if n == "digits_request_seconds_count" and l.get("endpoint") == endpoint:
            outcomes[l.get("outcome")] = 0.0
    for o in outcomes:
        outcomes[o] = total(after, "digits_request_seconds_count", endpoint=endpoint, outcome=o) - total(
            before, "digits_request_seconds_count", endpoint=endpoint, outcome=o)
    view["outcomes"] = {k: v for k, v in outcomes.items() if v}
    passes = total(after, "digits_batch_size_count") - total(before, "digits_batch_size_count")
    images = total(after, "digits_batch_size_sum") - total(before, "digits_batch_size_sum")
    view["forward_passes"] = passes
    view["images_inferred"] = images
    view["mean_batch_size"] = images / passes if passes else None
    _, qc, qs = histogram_delta(before, after, "digits_queue_wait_seconds")
    view["queue_wait_mean_ms"] = 1000 * qs / qc if qc else None
    qb, _, _ = histogram_delta(before, after, "digits_queue_wait_seconds")
    v = quantile(0.99, qb)
    view["queue_wait_p99_ms"] = 1000 * v if v is not None else None
    _, ic, isum = histogram_delta(before, after, "digits_inference_seconds")
    view["inference_mean_ms_per_pass"] = 1000 * isum / ic if ic else None
    return view


CLK_TCK = os.sysconf("SC_CLK_TCK")


def machine_ticks():
    """(busy, steal) jiffies over all CPUs since boot; guest time is already inside user."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return user + nice + system + irq + softirq, steal


def process_ticks(pid):
    """utime + stime of a process (all its threads), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            rest = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(rest[11]) + int(rest[12])  # fields 14 and 15 of proc(5), counted after the comm


def cpu_snap(pid):
    busy, steal = machine_ticks()
    return {"wall": time.time(), "busy": busy, "steal": steal, "service": process_ticks(pid) if pid else None}


def cpu_view(before, after, wrk_time_path):
    wall = after["wall"] - before["wall"]
    if wall <= 0:
        return None
    view = {
        "wall_s": wall,
        "busy_cores": (after["busy"] - before["busy"]) / CLK_TCK / wall,
        "steal_cores": (after["steal"] - before["steal"]) / CLK_TCK / wall,
    }
    if before.get("service") is not None and after.get("service") is not None:
        view["service_cores"] = (after["service"] - before["service"]) / CLK_TCK / wall
    wrk_cpu = None
    if wrk_time_path and os.path.exists(wrk_time_path):
        with open(wrk_time_path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[0] == "CPU":
                    try:
                        wrk_cpu = float(parts[1]) + float(parts[2])
                    except ValueError:
                        pass
    if wrk_cpu is not None:
        view["wrk_cores"] = wrk_cpu / wall
    if "service_cores" in view and "wrk_cores" in view:
        view["other_cores"] = max(0.0, view["busy_cores"] - view["service_cores"] - view["wrk_cores"])
    return view


def background(seconds):
    def per_process():
        out = {}
        for d in os.listdir("/proc"):
            if d.isdigit():
                t = process_ticks(d)
                if t is not None:
                    try:
                        with open(f"/proc/{d}/comm") as f:
                            comm = f.read().strip()
                    except OSError:
                        comm = "?"
                    out[d] = (comm, t)
        return out
    b_busy, b_steal = machine_ticks()
    b_proc = per_process()
    t0 = time.time()
    time.sleep(seconds)
    a_busy, a_steal = machine_ticks()
    a_proc = per_process()
    wall = time.time() - t0
    top = []
    for pid, (comm, t) in a_proc.items():
        if pid in b_proc and pid != str(os.getpid()):
            cores = (t - b_proc[pid][1]) / CLK_TCK / wall
            if cores >= 0.05:
                top.append({"pid": int(pid), "comm": comm, "cores": round(cores, 2)})
    top.sort(key=lambda x: -x["cores"])
    return {"seconds": round(wall, 1), "busy_cores": round((a_busy - b_busy) / CLK_TCK / wall, 2),
            "steal_cores": round((a_steal - b_steal) / CLK_TCK / wall, 2), "top": top[:5]}


def wrk_result(path):
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("WRK_RESULT "):
                return json.loads(line[len("WRK_RESULT "):])
    raise SystemExit(f"{path}: no WRK_RESULT line (did wrk fail? see the file)")


def cmd_record(argv):
    import argparse
    p = argparse.ArgumentParser(prog="benchlib.py record")
    p.add_argument("results")
    p.add_argument("--section", required=True)
    p.add_argument("--run", required=True)
    p.add_argument("--connections", type=int, required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--target", type=float, default=0)
    p.add_argument("--wrk", required=True)
    p.add_argument("--before", required=True)
    p.add_argument("--after", required=True)
    p.add_argument("--endpoint", default="image")
    p.add_argument("--images", type=int, default=1, help="images per request")
    p.add_argument("--note", default="")
    p.add_argument("--cpu-before")
    p.add_argument("--cpu-after")
    p.add_argument("--wrk-time", help="file written by /usr/bin/time -f 'CPU %%U %%S'")
    a = p.parse_args(argv)
    w = wrk_result(a.wrk)
    with open(a.before) as f:
        before = f.read()
    with open(a.after) as f:
        after = f.read()
    row = {
        "section": a.section, "run": a.run, "connections": a.connections, "threads": a.threads,
        "target_rps": a.target or None, "endpoint": a.endpoint, "images_per_request": a.images,
        "note": a.note, "wrk": w, "server": server_view(before, after, a.endpoint),
    }
    if a.cpu_before and a.cpu_after:
        with open(a.cpu_before) as f:
            cb = json.load(f)
        with open(a.cpu_after) as f:
            ca = json.load(f)
        row["cpu"] = cpu_view(cb, ca, a.wrk_time)
    with open(a.results, "a") as f:
        f.write(json.dumps(row) + "\n")
    lat = w["latency_ms"]
    print(f"  {a.run}: {w['rps']:.0f} req/s"
          + (f" (target {a.target:.0f})" if a.target else "")
          + f", p50 {lat['p50']:.2f} p99 {lat['p99']:.2f} ms, non-2xx {w['non2xx']} (503: {w['s503']}),"
          + f" mean batch {fmt(row['server']['mean_batch_size'], 1)}", file=sys.stderr)


def rows_of(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def cmd_get(argv):
    results, run, field = argv
    rows = [r for r in rows_of(results) if r["run"] == run]
    if not rows:
        raise SystemExit(f"no run {run}")
    v = rows[-1]
    for part in field.split("."):
        v = v[part]
    print(v)


def fmt(v, digits=2, none="n/a"):
    if v is None:
        return none
    if isinstance(v, float) and math.isnan(v):
        return none
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def socket_errors(w):
    e = w["socket_errors"]
    return sum(e.values())


def cpu_cell(c):
    if not c:
        return "n/a"
    return " / ".join(fmt(c.get(k)) for k in ("service_cores", "wrk_cores", "other_cores", "steal_cores"))


def table(rows, extra=()):
    head = ["run", "connections", "target rate", "achieved req/s", "p50", "p95", "p99", "p99.9 (ms)", "non-2xx",
            "503s", "mean batch size"] + [h for h, _ in extra]
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|"]
    for r in rows:
        w, s = r["wrk"], r["server"]
        lat = w["latency_ms"]
        target = fmt(r["target_rps"], 0) if r["target_rps"] else "closed loop"
        achieved = fmt(w["rps"], 0)
        if r["target_rps"]:
            achieved += f" ({100 * w['rps'] / r['target_rps']:.0f}%)"
        non2xx = str(w["non2xx"])
        if socket_errors(w):
            non2xx += f" (+{socket_errors(w)} socket)"
        cells = [r["run"], str(r["connections"]), target, achieved, fmt(lat["p50"]), fmt(lat["p95"]),
                 fmt(lat["p99"]), fmt(lat["p999"]), non2xx, str(w["s503"]), fmt(s["mean_batch_size"], 1)]
        cells += [f(r) for _, f in extra]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def cmd_render(argv):
    results, meta_path = argv
    rows = rows_of(results)
    with open(meta_path) as f:
        meta = json.load(f)
    short = meta["duration_s"] < 20
    out = []
    out.append(f"# HTTP benchmark: {meta['label']}")
    out.append("")
    if short:
        out.append(f"> **Smoke run ({meta['duration_s']} s per run): checks the harness, not figures to quote.**")
        out.append("")
    out.append("Command (from the repository root):")
    out.append("")
    out.append("```")
    out.append(meta["command"])
    out.append("```")
    out.append("")
    out.append(f"- Date: {meta['date']}")
    out.append(f"- Machine: {meta['nproc']} cores (`nproc`), {meta['cpu']}, {meta['memory']}, kernel {meta['kernel']}")
    out.append(f"- Java: {meta['java']}")
    out.append(f"- Load generator: {meta['wrk']} with `scripts/bench/wrk/post.lua`, 2 threads, on the same "
               f"machine: **it shares the {meta['nproc']} cores with the service**, so every figure here "
               "includes the client's CPU cost and is a lower bound for a service with the cores to itself.")
    bg = meta.get("background") or {}
    if bg:
        top = ", ".join(f"{p['comm']} (pid {p['pid']}) {p['cores']:.2f}" for p in bg.get("top", [])) or "none"
        out.append(f"- Background CPU over {bg['seconds']} s before the service started: {bg['busy_cores']:.2f} of "
                   f"{meta['nproc']} cores busy, steal {bg['steal_cores']:.2f}; busiest: {top}")
    out.append(f"- Load average before / after: {meta['load_before']} / {meta.get('load_after', 'n/a')}")
    out.append(f"- Service: `{meta['jar']}` (sha256 `{meta['jar_sha256'][:16]}`), source {meta['git']}, "
               f"started from `{meta['repo']}` on 127.0.0.1 with `{meta['service_args'] or '(defaults)'}`"
               + (f", JVM options `{meta['java_opts']}`" if meta.get("java_opts") else ""))
    out.append(f"- Payloads (`scripts/bench/make-payloads.py`): {meta['payloads']}")
    out.append(f"- Sanity check before load: {meta['sanity']}")
    out.append(f"- Each run {meta['duration_s']} s after a {meta['warmup_s']} s warm-up; wrk `--timeout "
               f"{meta['wrk_timeout']}`; service metrics scraped from `/actuator/prometheus` before and after "
               f"every run (after {meta['settle_s']} s for in-flight requests to finish).")
    out.append("")
    others = [r["cpu"]["other_cores"] for r in rows if r.get("cpu") and "other_cores" in r["cpu"]]
    steals = [r["cpu"]["steal_cores"] for r in rows if r.get("cpu")]
    worst_other = max(others) if others else None
    noisy = (bg.get("busy_cores", 0) > 0.1) or (worst_other is not None and worst_other > 0.1) or (
        steals and max(steals) > 0.05)
    if noisy:
        out.append("")
        out.append(f"> **Noisy machine: processes other than the service and wrk used up to "
                   f"{fmt(worst_other)} cores during the runs (steal up to {fmt(max(steals) if steals else None)}); "
                   "these figures measure the contention as much as the service. Do not quote them.**")
    elif others:
        out.append(f"- Quiet machine: other processes used at most {fmt(worst_other)} cores during any run "
                   "(see *CPU* in the run details).")
    out.append("")
    out.append("Latency columns are wrk's, measured at the client from the moment a request is written, over "
               "all responses (2xx and errors). *mean batch size* is images per forward pass during the run "
               "(difference of `digits_batch_size_sum` / `_count`).")
    out.append("")

    def section(name):
        return [r for r in rows if r["section"] == name]

    def server_p99(r):
        return fmt(r["server"]["success_p99_ms"])

    server_col = ("server p99 2xx (ms)", server_p99)

    out.append("## (a) Maximum throughput, closed loop, one PNG per request")
    out.append("")
    out.append(table(section("max"), [server_col]))
    out.append("")
    out.append("## (b) Paced runs")
    out.append("")
    out.append("Closed-loop pacing through wrk's `delay()`: each wrk thread spaces its sends to reach the target "
               "rate, but a connection waiting for a response cannot send, so when the service slows down "
               "requests go out late instead of queueing. **This is not an open-loop generator: the latencies "
               "understate the queueing delay real arrivals would see (coordinated omission)**; compare the "
               "achieved rate with the target, and see *late sends* in the run details below (how often and "
               "how late the schedule slipped — delay these figures leave out).")
    out.append("")
    out.append(table(section("paced"), [server_col]))
    out.append("")
    out.append("## (c) Batch requests, 16 images each, closed loop")
    out.append("")
    out.append(table(section("batch"), [("images/s", lambda r: fmt(r["wrk"]["rps"] * r["images_per_request"], 0)),
                                        server_col]))
    out.append("")
    out.append("## (d) Overload and recovery")
    out.append("")
    ov = section("overload")
    if ov:
        out.append(f"Service restarted with `{meta.get('overload_args', '')}`; after a "
                   f"{meta.get('overload_warmup_s')} s warm-up, paced at twice the best closed-loop rate of (a), "
                   "then, right after, at a normal rate.")
        out.append("")
        out.append(table(ov, [("2xx p99 (ms), server histogram", server_p99),
                              ("2xx / 503 (server)", lambda r: f"{fmt(r['server']['outcomes'].get('success'), 0, '0')}"
                               f" / {fmt(r['server']['outcomes'].get('rejected'), 0, '0')}")]))
        out.append("")
        out.append("wrk cannot split latency by status, so its columns mix fast 503s with accepted requests; the "
                   "accepted (2xx) p99 is estimated from the service's own `digits_request_seconds` histogram "
                   "(`outcome=\"success\"` buckets differenced between scrapes, interpolated inside a bucket as "
                   "Prometheus' `histogram_quantile` does; buckets are about 25% wide). That timer starts in a "
                   "servlet filter, so it leaves out time spent in the TCP backlog and Tomcat's executor queue "
                   "before a request thread picks the request up: it is a lower bound on what clients saw.")
        for r in ov:
            if r["run"].startswith("recovery"):
                w = r["wrk"]
                bad = w["non2xx"] + socket_errors(w)
                verdict = "PASS: zero errors" if bad == 0 else f"FAIL: {bad} errors"
                out.append("")
                out.append(f"Recovery: {verdict} ({w['requests']} requests at {fmt(w['rps'], 0)} req/s right after "
                           "the burst).")
        if meta.get("overload_note"):
            out.append("")
            out.append(meta["overload_note"])
    else:
        out.append("(skipped)")
    out.append("")
    out.append("## Run details")
    out.append("")
    out.append("| run | s | requests | late sends | max lag (ms) | server 2xx | server 503 | server p50 2xx (ms) "
               "| queue wait mean / p99 (ms) | compute per pass (ms) | forward passes | socket errors "
               "| CPU cores: service / wrk / other / steal |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for r in rows:
        w, s = r["wrk"], r["server"]
        pacing = w.get("pacing", {})
        late = f"{100 * pacing['late_fraction']:.1f}%" if "late_fraction" in pacing else "—"
        lag = fmt(pacing.get("max_lag_ms"), 1) if "max_lag_ms" in pacing else "—"
        errs = ", ".join(f"{k} {v}" for k, v in w["socket_errors"].items() if v) or "0"
        out.append(f"| {r['run']} | {w['duration_s']:.1f} | {w['requests']} | {late} | {lag} "
                   f"| {fmt(s['outcomes'].get('success'), 0, '0')} | {fmt(s['outcomes'].get('rejected'), 0, '0')} "
                   f"| {fmt(s['success_p50_ms'])} | {fmt(s['queue_wait_mean_ms'])} / {fmt(s['queue_wait_p99_ms'])} "
                   f"| {fmt(s['inference_mean_ms_per_pass'])} | {fmt(s['forward_passes'], 0)} | {errs} "
                   f"| {cpu_cell(r.get('cpu'))} |")
    out.append("")
    out.append("*late sends*: share of paced sends whose slot had already passed when a connection came free, "
               "and the worst such lag. *CPU*: cores used during the run by the service process, by wrk, by "
               "everything else (machine busy time from /proc/stat minus the two) and lost to the hypervisor "
               "(steal).")
    out.append("")
    out.append("Raw results (one JSON object per run, wrk's and the service's view): "
               f"`{meta.get('results_file', '')}`.")
    out.append("")
    print("\n".join(out))


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    cmd, argv = sys.argv[1], sys.argv[2:]
    if cmd == "freeport":
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        print(s.getsockname()[1])
        s.close()
    elif cmd == "scrape":
        url, path = argv
        with urllib.request.urlopen(url, timeout=10) as r:
            data = r.read()
        with open(path, "wb") as f:
            f.write(data)
    elif cmd == "record":
        cmd_record(argv)
    elif cmd == "cpu-snap":
        pid, path = argv
        with open(path, "w") as f:
            json.dump(cpu_snap(pid), f)
    elif cmd == "background":
        print(json.dumps(background(float(argv[0]))))
    elif cmd == "get":
        cmd_get(argv)
    elif cmd == "render":
        cmd_render(argv)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
