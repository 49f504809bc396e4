#!/usr/bin/env python3
"""Checks of several replicas behind the balancer (scripts/replicas/run.sh), for
check-replicas.sh:

    replicas_checks.py cross BALANCER_URL REPLICA_URL...      (replicas on ab-test.env)
        A/B assignment, feedback tokens and Prometheus counts across the replicas
    replicas_checks.py deployed VERSION BALANCER_URL REPLICA_URL...
        every replica serves VERSION as the default, with all of the traffic
    replicas_checks.py grpc BALANCER_GRPC REPLICA_URL...
        60 gRPC calls on one connection through the balancer are spread over the replicas
    replicas_checks.py roll BENCH_JSON REPORT_JSON
        the load that ran through the roll and the crash: failures and latencies per phase

Each check prints "ok   ..." or "FAIL ..."; the exit status is the number of failures (at most 1).
"""
import json
import math
import os
import re
import sys

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.join(HERE, "..", "..", "docs", "examples")
SEVEN = open(os.path.join(EXAMPLES, "seven.png"), "rb").read()
THREE = open(os.path.join(EXAMPLES, "three-canvas.png"), "rb").read()
failed = 0


def check(name, ok, detail=""):
    global failed
    print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else "  -- " + str(detail)))
    if not ok:
        failed += 1


def predict(url, client=None, image=SEVEN):
    headers = {"Content-Type": "image/png"}
    if client:
        headers["X-Client-Id"] = client
    r = requests.post(url + "/api/v1/predictions", data=image, headers=headers, timeout=10)
    r.raise_for_status()
    return r.json()


def feedback(url, token, digit=7):
    return requests.post(url + "/api/v1/feedback", json={"token": token, "digit": digit}, timeout=10)


def management(url):
    # replica i: request port BASE+i, management port BASE+100+i (scripts/replicas/run.sh)
    host, port = url.rsplit(":", 1)
    return host + ":" + str(int(port) + 100)


def scrape(url, name, labels):
    """Sum of the samples of metric NAME by the values of LABELS, from one replica."""
    text = requests.get(management(url) + "/actuator/prometheus", timeout=10).text
    sums = {}
    for line in text.splitlines():
        m = re.match(r"^" + name + r"\{([^}]*)\} (\S+)$", line)
        if not m:
            continue
        tags = dict(re.findall(r'(\w+)="([^"]*)"', m.group(1)))
        key = tuple(tags.get(l) for l in labels)
        sums[key] = sums.get(key, 0.0) + float(m.group(2))
    return sums


def total(replicas, name, labels):
    summed = {}
    for url in replicas:
        for k, v in scrape(url, name, labels).items():
            summed[k] = summed.get(k, 0.0) + v
    return summed


def cross(balancer, replicas):
    before_requests = total(replicas, "digits_request_seconds_count", ("model_version",))
    before_feedback = total(replicas, "digits_feedback_total", ("model_version", "correct"))
    answered = {}  # version -> predictions this check made

    def count(answer):
        v = answer["model"]["version"]
        answered[v] = answered.get(v, 0) + 1
        return answer

    # 1. A/B assignment: a hash of the experiment and the client, the same on every replica
    clients = ["client-%03d" % i for i in range(40)]
    disagree = []
    for c in clients:
        seen = {count(predict(u, c))["model"]["version"] for u in [balancer] + replicas}
        if len(seen) != 1:
            disagree.append((c, seen))
    check(f"a client keeps its version whichever replica answers ({len(clients)} clients x "
          f"{len(replicas)} replicas and the balancer)", not disagree, disagree[:3])
    shares = {}
    n = 400
    for i in range(n):
        v = count(predict(balancer, "share-%04d" % i))["model"]["version"]
        shares[v] = shares.get(v, 0) + 1
    six = shares.get("6", 0)
    # 50/50: 400 clients, within 3.29 standard deviations (99.9%)
    bound = 3.29 * math.sqrt(n * 0.25)
    check(f"traffic split 50/50 through the balancer: {shares} of {n} clients",
          abs(six - n / 2) <= bound and set(shares) <= {"5", "6"}, f"bound +-{bound:.0f}")

    # 2. feedback tokens: signed with the key every replica shares
    accepted = {}

    def vote(url, token, version, expect, name):
        r = feedback(url, token)
        ok = r.status_code == expect
        if r.status_code == 200:
            accepted[version] = accepted.get(version, 0) + 1
        check(name + f": {r.status_code}", ok, r.text[:200])
        return r

    a = count(predict(replicas[0], "feedback-a"))
    vote(replicas[1], a["feedbackToken"], a["model"]["version"], 200,
         "a token replica 1 issued is accepted by replica 2")
    vote(replicas[1], a["feedbackToken"], a["model"]["version"], 409, "its replay to replica 2 is refused")
    if len(replicas) > 2:
        # replay protection is per replica (no shared store): a token sent straight to each
        # replica counts once on each; the balancer sends feedback by client address (below)
        vote(replicas[2], a["feedbackToken"], a["model"]["version"], 200,
             "its replay sent straight to replica 3 counts once there (replay protection is per replica)")
    # another image: a client labels an image once per replica, whatever the token
    b = count(predict(balancer, "feedback-b", THREE))
    vote(balancer, b["feedbackToken"], b["model"]["version"], 200, "feedback through the balancer is accepted")
    replays = [feedback(balancer, b["feedbackToken"], 3).status_code for _ in range(6)]
    check(f"six replays through the balancer are all refused (one client, one replica): {replays}",
          replays == [409] * 6)
    token = a["feedbackToken"]
    body, mac = token.rsplit(".", 1)
    forged = body + "." + ("A" if mac[0] != "A" else "B") + mac[1:]
    statuses = [feedback(u, forged).status_code for u in replicas]
    check(f"a forged token is refused by every replica: {statuses}", statuses == [400] * len(replicas))

    # 3. Prometheus: counts per version summed over the replicas are what was sent
    after_requests = total(replicas, "digits_request_seconds_count", ("model_version",))
    after_feedback = total(replicas, "digits_feedback_total", ("model_version", "correct"))
    delta = {k[0]: round(after_requests.get(k, 0) - before_requests.get(k, 0))
             for k in after_requests if round(after_requests.get(k, 0) - before_requests.get(k, 0))}
    check(f"predictions per version, summed over the replicas' metrics, are the answers given: {delta}",
          delta == answered, answered)
    fdelta = {}
    for k in after_feedback:
        d = round(after_feedback[k] - before_feedback.get(k, 0))
        if d:
            fdelta[k[0]] = fdelta.get(k[0], 0) + d
    check(f"feedback per version, summed over the replicas' metrics, is the feedback accepted: {fdelta}",
          fdelta == accepted, accepted)


def deployed(version, balancer, replicas):
    for i, url in enumerate(replicas, 1):
        models = requests.get(url + "/api/v1/models", timeout=10).json()
        entries = models.get("versions", models) if isinstance(models, dict) else models
        default = [m for m in entries if m.get("default")] if isinstance(entries, list) else []
        shares = {m["version"]: m.get("trafficShare") for m in entries} if isinstance(entries, list) else {}
        check(f"replica {i}: version {version} is the default with all of the traffic: {shares}",
              [m["version"] for m in default] == [version] and shares.get(version) == 1.0, json.dumps(models)[:300])
    versions = {predict(balancer, "after-%02d" % i)["model"]["version"] for i in range(30)}
    check(f"30 clients through the balancer are all answered by version {version}: {sorted(versions)}",
          versions == {version})


def grpc(target, replicas):
    import subprocess
    calls = 60
    before = [scrape(u, "digits_request_seconds_count", ("protocol",)).get(("grpc",), 0.0) for u in replicas]
    out = subprocess.run(["node", os.path.join(HERE, "grpc_spread.mjs"), target, os.path.join(EXAMPLES, "seven.png"),
                          str(calls)], capture_output=True, text=True, timeout=120)
    result = (out.stdout.strip() or out.stderr.strip()[-300:])
    check(f"{calls} gRPC calls on one connection through the balancer are answered: {result}",
          out.returncode == 0 and result.startswith("ok "), out.stderr[-300:])
    after = [scrape(u, "digits_request_seconds_count", ("protocol",)).get(("grpc",), 0.0) for u in replicas]
    per_replica = [round(a - b) for a, b in zip(after, before)]
    check(f"each call is balanced on its own, not the connection: calls per replica {per_replica}",
          sum(per_replica) == calls and sum(1 for c in per_replica if c > 0) >= 2, per_replica)


def roll(bench_json, report_json):
    bench = json.load(open(bench_json))
    phases = bench["phases"]
    report = {"rate": bench["parameters"].get("rate"), "phases": {}}
    for name in ("warmup", "before", "roll", "after", "crash", "recovery"):
        p = phases.get(name, {"statuses": {}, "ok": {"count": 0}})
        sent = sum(p["statuses"].values())
        failures = sent - p["statuses"].get("200", 0)
        seconds = max(0.001, (p.get("lastMillis", 0) - p.get("firstMillis", 0)) / 1000)
        report["phases"][name] = {
            "requests": sent, "failed": failures, "statuses": p["statuses"], "seconds": round(seconds, 1),
            "p50Ms": p["ok"].get("p50Ms"), "p99Ms": p["ok"].get("p99Ms"), "maxMs": p["ok"].get("maxMs"),
        }
        print(f"     {name:8s} {sent:6d} requests in {seconds:6.1f} s, {failures} failed, statuses "
              f"{p['statuses']}, p50 {p['ok'].get('p50Ms')} ms, p99 {p['ok'].get('p99Ms')} ms, "
              f"max {p['ok'].get('maxMs')} ms")
    r = report["phases"]
    check("the load ran in every phase", all(r[k]["requests"] > 0 for k in r), {k: r[k]["requests"] for k in r})
    check(f"no request failed during the rolling deployment ({r['roll']['requests']} requests)",
          r["roll"]["failed"] == 0, r["roll"]["statuses"])
    check("no request failed before it, after it, or once the killed replica was back",
          r["before"]["failed"] == 0 and r["after"]["failed"] == 0 and r["recovery"]["failed"] == 0,
          {k: r[k]["statuses"] for k in ("before", "after", "recovery")})
    crash = r["crash"]
    check(f"a replica killed under load: {crash['failed']} of {crash['requests']} requests failed (at most 1%)",
          crash["requests"] > 0 and crash["failed"] <= 0.01 * crash["requests"], crash["statuses"])
    if r["before"]["p99Ms"]:
        report["p99RatioRollToBefore"] = round(r["roll"]["p99Ms"] / r["before"]["p99Ms"], 2)
        print(f"     p99 during the roll / before it: {report['p99RatioRollToBefore']}")
    os.makedirs(os.path.dirname(os.path.abspath(report_json)), exist_ok=True)
    json.dump(report, open(report_json, "w"), indent=2)


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "cross":
        cross(sys.argv[2].rstrip("/"), [u.rstrip("/") for u in sys.argv[3:]])
    elif what == "deployed":
        deployed(sys.argv[2], sys.argv[3].rstrip("/"), [u.rstrip("/") for u in sys.argv[4:]])
    elif what == "grpc":
        grpc(sys.argv[2], [u.rstrip("/") for u in sys.argv[3:]])
    elif what == "roll":
        roll(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
    sys.exit(1 if failed else 0)
