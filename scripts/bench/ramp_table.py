"""Writes warm-up-ramp.sh's table (OUT/ramp.md, OUT/ramp.json) from its raw rows (ramp.jsonl).

Run by warm-up-ramp.sh after its measurements; by hand it redoes the table from rows kept:
    python3 scripts/bench/ramp_table.py target/warm-up/ramp.jsonl target/warm-up JAVA [AOT_CACHE]
(JAVA: the java command the rows were measured on, for its version line; AOT_CACHE: the cache
file, for its size, when it still exists).
"""
import json, os, statistics, subprocess, sys, datetime
results, out, java = sys.argv[1:4]
cache = sys.argv[4] if len(sys.argv) > 4 and os.path.exists(sys.argv[4]) else ""
rows = [json.loads(l) for l in open(results)]
def analyse(row):
    w = [tuple(float(x) for x in p.split(":")) for p in row["windows"].split()]
    rates, p50s = [r for r, _ in w], [p for _, p in w]
    steady, steady_p50 = statistics.median(rates[-10:]), statistics.median(p50s[-10:])
    # None: a later window fell below again, so the rate was still rising or not steady
    # within the windows measured
    full = next((i for i in range(len(rates)) if all(r >= 0.9 * steady for r in rates[i:])), None)
    p50_ok = next((i for i in range(len(p50s)) if all(p <= 1.1 * steady_p50 for p in p50s[i:])), None)
    return dict(row, steady=steady, steadyP50=steady_p50, fullSpeedAfter=full,
                requestsBefore=None if full is None else int(sum(rates[:full])),
                p50SteadyAfter=p50_ok, first5=[int(r) for r in rates[:5]])
rows = [analyse(r) for r in rows]
def after(second, row, requests=None):
    if second is None:
        return f"not steady within {len(row['windows'].split())} s"
    return f"{second}" + ("" if requests is None else f" ({requests:,})")
json.dump(rows, open(os.path.join(out, "ramp.json"), "w"), indent=1)
version = subprocess.run([java, "-version"], capture_output=True, text=True).stderr.splitlines()[0]
md = ["# A new replica's first minute", "",
      f"`scripts/bench/warm-up-ramp.sh`, {datetime.datetime.fromtimestamp(os.path.getmtime(results), datetime.timezone.utc):%Y-%m-%d %H:%M} UTC (rows written), "
      f"{os.cpu_count()} cores, {version}; the image's layout, flags and ENV; wrk -c8 (raw PNG) on the same cores "
      "from readiness UP, one-second windows." + (f" AOT cache: {os.path.getsize(cache) >> 20} MB." if cache else ""), "",
      "| warm-up requests | AOT cache | round | start to ready, s | req/s in seconds 1-5 after ready | steady req/s | full speed after, s (requests until then) | p50 within 10% of steady after, s (steady p50 ms) |",
      "|---:|---|---:|---:|---|---:|---:|---:|"]
for r in rows:
    warm, aot = r["config"].removesuffix("+aot"), "yes" if r["config"].endswith("+aot") else "no"
    if r["aotErrors"]:
        aot += f" ({r['aotErrors']} [error][aot] lines)"
    md.append(f"| {warm} | {aot} | {r['round']} | {r['ready']:.1f} | {' '.join(map(str, r['first5']))} | {r['steady']:.0f} | "
              f"{after(r['fullSpeedAfter'], r, r['requestsBefore'])} | {after(r['p50SteadyAfter'], r)} ({r['steadyP50']:.2f}) |")
md += ["", "Full speed: the first second from which every later window reaches 90% of the steady rate (the median "
       "of the last ten windows). The load generator's CPU is not subtracted."]
open(os.path.join(out, "ramp.md"), "w").write("\n".join(md) + "\n")
print("\n".join(md))
