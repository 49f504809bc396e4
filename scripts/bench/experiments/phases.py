"""Figures per phase of one or more bench.json files (Gatling runs of service/src/bench): 200s a second,
statuses, p50/p99/max, service and Gatling cores, heap allocated per request and GC pauses from the
service's Prometheus scrapes between phases. Used by one-service.sh; docs/performance-gap.md, section 3.

    python3 scripts/bench/experiments/phases.py target/experiments/*/closed/bench.json
"""
import json, sys, os, re
def prom(path):
    vals = {}
    if not os.path.exists(path): return vals
    for line in open(path):
        if line.startswith('#'): continue
        m = re.match(r'([a-zA-Z_:]+)(\{[^}]*\})?\s+([-0-9.eE+NaInf]+)', line)
        if m:
            k = m.group(1) + (m.group(2) or '')
            try: vals[k] = float(m.group(3))
            except ValueError: pass
    return vals
def ssum(vals, name):
    return sum(v for k, v in vals.items() if k == name or k.startswith(name + '{'))
for f in sys.argv[1:]:
    d = json.load(open(f)); folder = os.path.dirname(f)
    marks = d['marks']; hz = d['clockTicksPerSecond']
    print(f"== {f}  ({d['simulation']} {d['parameters']})")
    for i, m in enumerate(marks[:-1]):
        name = m['name'].split(':', 1)[1]
        if name == 'warmup' or name not in d['phases']: continue
        n = marks[i + 1]; secs = (n['monotonicNanos'] - m['monotonicNanos']) / 1e9
        p = d['phases'][name]; ok = p['ok']
        a, b = prom(os.path.join(folder, m['prometheus'])), prom(os.path.join(folder, n['prometheus']))
        reqs = sum(p['statuses'].values())
        alloc = (ssum(b, 'jvm_gc_memory_allocated_bytes_total') - ssum(a, 'jvm_gc_memory_allocated_bytes_total')) / max(reqs, 1)
        gcp = ssum(b, 'jvm_gc_pause_seconds_sum') - ssum(a, 'jvm_gc_pause_seconds_sum')
        gcn = ssum(b, 'jvm_gc_pause_seconds_count') - ssum(a, 'jvm_gc_pause_seconds_count')
        gcmax = max([v for k, v in b.items() if k.startswith('jvm_gc_pause_seconds_max')] or [0])
        print(f"  {name:10s} ok/s {ok['count']/secs:8.0f}  statuses {p['statuses']}  p50 {ok.get('p50Ms')} p99 {ok.get('p99Ms')} max {ok.get('maxMs')} ms"
              f"  svc {(n['serviceTicks']-m['serviceTicks'])/hz/secs:.2f} gatling {(n['gatlingTicks']-m['gatlingTicks'])/hz/secs:.2f} cores"
              f"  alloc/req {alloc/1024:.1f} KiB  gc {gcn:.0f} pauses {gcp*1000:.0f} ms (max {gcmax*1000:.1f})")
