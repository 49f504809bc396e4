#!/usr/bin/env python3
"""Assertions against a live Prometheus that scrapes the service (called by check-prometheus.sh).

    prometheus_checks.py config  REPO_ROOT TARGET OUT_CONFIG       write the test configuration
    prometheus_checks.py wait-up PROM_URL SECONDS                  wait until the target is up
    prometheus_checks.py wait-data PROM_URL SECONDS               wait until the SLO series have data
    prometheus_checks.py assert  REPO_ROOT PROM_URL                run the assertions

The test configuration is the repository's docker/prometheus/prometheus.yml with the digit-service
job's discovery replaced by TARGET (host:port), 1 s scrape and evaluation intervals, and the
repository's own rule files by absolute path.
"""
import json
import math
import re
import os
import sys
import time
import urllib.parse
import urllib.request

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from grafana_vars import substitute  # noqa: E402

JOB = "digit-service"
# check-prometheus.sh ran an A/B test (a shadow version), so the shadow series must exist
AB = os.environ.get("AB") == "1"

# The metric names the dashboard and rules are built on (the service's contract).
EXPECTED_METRICS = [
    "digits_request_seconds_bucket", "digits_request_seconds_count", "digits_request_seconds_sum",
    "digits_request_seconds_max",
    "digits_preprocess_seconds_bucket", "digits_queue_wait_seconds_bucket", "digits_inference_seconds_bucket",
    "digits_batch_size_bucket", "digits_batch_size_count", "digits_batch_size_sum", "digits_batch_size_max",
    "digits_inference_requests_total",
    "digits_predictions_total", "digits_failures_total", "digits_model_info", "digits_model_ready",
    "digits_queue_depth", "digits_queue_capacity", "digits_offheap_bytes", "digits_offheap_physical_bytes",
    "digits_offheap_max_bytes", "digits_offheap_physical_max_bytes", "digits_decode_memory_available_bytes",
    "digits_model_state", "digits_model_traffic_share", "digits_model_role", "digits_feedback_total",
    "http_server_requests_seconds_count", "jvm_memory_used_bytes", "jvm_gc_pause_seconds_count", "process_cpu_usage",
]


def write_config(root, target, out):
    with open(os.path.join(root, "docker", "prometheus", "prometheus.yml"), encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    base = os.path.join(root, "docker", "prometheus")
    cfg["global"].update({"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"})
    cfg["rule_files"] = [os.path.join(base, r) for r in cfg.get("rule_files", [])]
    jobs = [j for j in cfg["scrape_configs"] if j["job_name"] == JOB]
    if len(jobs) != 1:
        sys.exit(f"no scrape job {JOB} in prometheus.yml")
    job = jobs[0]
    for key in [k for k in job if k.endswith("_sd_configs") or k == "static_configs"]:
        del job[key]
    job["static_configs"] = [{"targets": [target]}]
    cfg["scrape_configs"] = [job]
    with open(out, "w", encoding="utf-8") as f:
        yaml.safe_dump(cfg, f, sort_keys=False)


def api(prom, path, params=None):
    url = prom + path + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:  # Prometheus answers 400/422 with a JSON error body
        return json.load(e)


def query(prom, expr):
    return api(prom, "/api/v1/query", {"query": expr})


def wait(prom, seconds, expr, what):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            r = query(prom, expr)
            if r.get("status") == "success" and r["data"]["result"]:
                return 0
        except OSError:
            pass
        time.sleep(1)
    print(f"timed out after {seconds}s waiting for {what} ({expr})")
    return 1


def finite(result):
    vals = []
    for s in result:
        try:
            vals.append(float(s["value"][1]))
        except (KeyError, ValueError):
            pass
    return [v for v in vals if math.isfinite(v)]


def exprs_in_use(root):
    """Every PromQL expression of the rule files and the dashboards."""
    exprs = []
    for name in ("recording.yml", "alerts.yml"):
        with open(os.path.join(root, "docker", "prometheus", "rules", name), encoding="utf-8") as f:
            exprs += [r["expr"] for g in yaml.safe_load(f)["groups"] for r in g["rules"]]
    folder = os.path.join(root, "docker", "grafana", "dashboards")
    for path in sorted(os.listdir(folder)):
        with open(os.path.join(folder, path), encoding="utf-8") as f:
            exprs += [t["expr"] for p in json.load(f)["panels"] for t in p.get("targets", [])]
    return exprs


def run_assertions(root, prom):
    results = []

    def check(name, ok, detail=""):
        results.append(bool(ok))
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else "  -- " + str(detail)[:400]))

    def info(text):
        print("     " + text)

    # 1. the target
    targets = api(prom, "/api/v1/targets")["data"]["activeTargets"]
    ours = [t for t in targets if t["labels"].get("job") == JOB]
    check(f"target of job {JOB} is up", ours and all(t["health"] == "up" for t in ours),
          [(t["scrapeUrl"], t["health"], t.get("lastError")) for t in ours])
    r = query(prom, f'up{{job="{JOB}"}}')
    check("up == 1", finite(r["data"]["result"]) == [1.0], r["data"]["result"])

    # 2. the metric names the rules and the dashboard use
    r = query(prom, f'count by (__name__) ({{job="{JOB}"}})')
    names = {s["metric"]["__name__"] for s in r["data"]["result"]}
    # JVM GC pause series appear only after the first collection, which a young service may not have had
    missing = [m for m in EXPECTED_METRICS if m not in names and not m.startswith("jvm_gc_pause")]
    check("the service exposes every metric the rules and dashboard use", not missing, f"missing: {missing}")
    info("digits_* series scraped: " + ", ".join(sorted(n for n in names if n.startswith("digits_"))))
    used = set()
    for text in exprs_in_use(root):
        # metric names, not the parts of recording rule names (level:metric:operations)
        used |= set(re.findall(r"(?<![\w:])((?:digits|jvm|process|system|http_server|cache)_[a-z0-9_]+)(?![\w:])", text))
    # absent while the prediction cache is off, before the first garbage collection, until a
    # shadow prediction is skipped (the queue was busy), and without a shadow version
    optional = {m for m in used if m.startswith("cache_") or m.startswith("jvm_gc_pause")
                or m == "digits_shadow_skipped_total" or (not AB and m.startswith("digits_shadow"))}
    missing = sorted(used - names - optional)
    check(f"every metric named in the rules and dashboard is scraped ({len(used)} names)", not missing, f"missing: {missing}")
    if optional - names:
        info("absent (prediction cache off, or no GC yet): " + ", ".join(sorted(optional - names)))
    r = query(prom, 'count by (le) (digits_request_seconds_bucket{le=~"0.034|0.042|0.048"})')
    les = sorted(s["metric"]["le"] for s in r["data"]["result"])
    check("digits_request_seconds has the SLO buckets le=0.034, 0.042, 0.048", les == ["0.034", "0.042", "0.048"], les)

    # 3. every rule, as Prometheus evaluated it
    groups = api(prom, "/api/v1/rules")["data"]["groups"]
    rules = [rule for g in groups for rule in g["rules"]]
    with open(os.path.join(root, "docker", "prometheus", "rules", "recording.yml"), encoding="utf-8") as f:
        n_records = sum(1 for g in yaml.safe_load(f)["groups"] for x in g["rules"] if "record" in x)
    check(f"Prometheus loaded the {n_records} recording rules", sum(1 for x in rules if x["type"] == "recording") == n_records)
    for rule in rules:
        check(f"rule {rule['name']} evaluates without error", rule.get("health") == "ok" and not rule.get("lastError"),
              rule.get("lastError"))
    for rule in [x for x in rules if x["type"] == "recording"]:
        res = query(prom, rule["name"])["data"]["result"]
        values = finite(res)
        if not AB and "shadow" in rule["name"]:
            info(f"{rule['name']}: no shadow version without the admin token (DIGITS_ADMIN_TOKEN)")
            continue
        check(f"recording rule {rule['name']} has a value", values, res)
        info(f"{rule['name']} = " + ", ".join(
            f"{ {k: v for k, v in s['metric'].items() if k not in ('__name__', 'job')} or ''} {float(s['value'][1]):.6g}" for s in res))
    for rule in [x for x in rules if x["type"] == "alerting"]:
        if rule.get("state") != "inactive":
            info(f"alert {rule['name']} is {rule.get('state')}")

    # 4. the SLO's error ratio: the traffic had client errors and 404s (unknown path, unknown
    # version) but no server error, so it is 0; the 404s were seen, in digits_failures_total
    res = query(prom, f'job:digits_single_request_errors:ratio_rate5m{{job="{JOB}"}}')["data"]["result"]
    check("the availability SLO's error ratio is 0: client errors and 404s do not count", finite(res) == [0.0], res)
    res = query(prom, f'sum(digits_failures_total{{job="{JOB}", reason="not_found"}})')["data"]["result"]
    check("the 404s were counted as digits_failures_total{reason=\"not_found\"}", finite(res) and finite(res)[0] > 0, res)
    res = query(prom, f'job_model_version:digits_feedback:increase1h{{job="{JOB}"}}')["data"]["result"]
    check("feedback reached Prometheus per model version", finite(res) and sum(finite(res)) > 0, res)
    if AB:
        res = query(prom, f'job_model_version:digits_requests:rate5m{{job="{JOB}", model_version=~"1|2"}}')["data"]["result"]
        check("both versions of the A/B test answered requests", len(finite(res)) == 2, res)
        res = query(prom, f'job_model_version:digits_shadow_agreement:ratio_increase1h{{job="{JOB}", model_version="2"}}')["data"]["result"]
        check("the shadow version's agreement is recorded", finite(res), res)
        info(f"shadow agreement of version 2 with version 1: {finite(res)}")
    for rule in [x for x in rules if x["type"] == "alerting"]:
        if rule["name"] in ("DigitServiceAbsent", "DigitServiceDown", "DigitsModelNotReady",
                            "DigitsAvailabilityBudgetBurningFast", "DigitsAvailabilityBudgetBurningSlowly"):
            check(f"alert {rule['name']} is not pending or firing", rule.get("state") == "inactive", rule.get("state"))

    # 5. histogram quantiles straight from the buckets
    for q in ("0.5", "0.95", "0.99"):
        res = query(prom, f'histogram_quantile({q}, sum by (le) (rate(digits_request_seconds_bucket{{job="{JOB}"}}[1m])))')
        check(f"histogram_quantile({q}) over digits_request_seconds_bucket has a value", finite(res["data"]["result"]), res)
        info(f"p{float(q) * 100:g} request latency over the test: {finite(res['data']['result'])}")

    # 6. every dashboard query
    for path in sorted(os.listdir(os.path.join(root, "docker", "grafana", "dashboards"))):
        with open(os.path.join(root, "docker", "grafana", "dashboards", path), encoding="utf-8") as f:
            dash = json.load(f)
        empty = []
        for p in dash["panels"]:
            for t in p.get("targets", []):
                expr = substitute(t["expr"])
                res = query(prom, expr)
                check(f"panel '{p['title']}' {t['refId']} evaluates", res.get("status") == "success", res.get("error"))
                if res.get("status") == "success" and not res["data"]["result"]:
                    empty.append(f"'{p['title']}' {t['refId']}")
        if empty:
            info("no data (yet) for: " + "; ".join(empty))

    failed = results.count(False)
    print(f"prometheus checks: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def main():
    cmd = sys.argv[1]
    if cmd == "config":
        write_config(sys.argv[2], sys.argv[3], sys.argv[4])
        return 0
    if cmd == "wait-up":
        return wait(sys.argv[2], int(sys.argv[3]), f'up{{job="{JOB}"}} == 1', "the first successful scrape")
    if cmd == "wait-data":
        return wait(sys.argv[2], int(sys.argv[3]), "job:digits_single_request_latency_seconds:p99_5m >= 0", "latency quantiles")
    if cmd == "assert":
        return run_assertions(sys.argv[2], sys.argv[3])
    sys.exit(f"unknown command {cmd}")


if __name__ == "__main__":
    sys.exit(main())
