#!/usr/bin/env python3
"""Offline checks of the operations files: every YAML file parses, and the files agree with
each other (names, ports, paths, labels) and with the Dockerfile. Called by check-static.sh.

Usage: static_checks.py [REPO_ROOT [PANEL_RULES_OUT]]
REPO_ROOT defaults to the repository this file is in. Writes the dashboard's panel queries
(Grafana variables substituted) as a Prometheus rule file to PANEL_RULES_OUT when given, so that
check-static.sh can have promtool check their syntax offline.
Prints one line per check; exit status 1 if any failed.
"""
import glob
import json
import os
import re
import shlex
import sys

import yaml

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
PANEL_RULES_OUT = sys.argv[2] if len(sys.argv) > 2 else None
sys.path.insert(0, os.path.join(ROOT, "docker", "tests"))

results = []


def check(name, condition, detail=""):
    results.append(bool(condition))
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else ("  -- " + detail if detail else "")))
    return condition


def rel(path):
    return os.path.relpath(path, ROOT)


def load_all(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


from grafana_vars import substitute  # noqa: E402  (shared with prometheus_checks.py)


# --------------------------------------------------------------------------- every YAML file
yaml_files = sorted(
    set(glob.glob(os.path.join(ROOT, "docker", "**", "*.yml"), recursive=True))
    | set(glob.glob(os.path.join(ROOT, "docker", "**", "*.yaml"), recursive=True))
    | set(glob.glob(os.path.join(ROOT, "k8s", "*.yaml")))
    | set(glob.glob(os.path.join(ROOT, "k8s", "*.yml")))
    | set(glob.glob(os.path.join(ROOT, "k8s", "kserve", "*.yaml")))
    | set(glob.glob(os.path.join(ROOT, "k8s", "autoscaling", "*", "*.yaml")))
    | set(glob.glob(os.path.join(ROOT, ".github", "workflows", "*.yml")))
    | set(glob.glob(os.path.join(ROOT, ".github", "workflows", "*.yaml"))))
docs = {}
for path in yaml_files:
    try:
        docs[path] = load_all(path)
        check("parses: " + rel(path), len(docs[path]) > 0, "empty document")
    except yaml.YAMLError as e:
        check("parses: " + rel(path), False, str(e).replace("\n", " "))
check("found the YAML files", len(yaml_files) >= 18, f"only {len(yaml_files)}")


def doc(relpath):
    return (docs.get(os.path.join(ROOT, relpath)) or [{}])[0]


# --------------------------------------------------------------------------- Dockerfile
with open(os.path.join(ROOT, "Dockerfile"), encoding="utf-8") as f:
    dockerfile = f.read()
logical = re.sub(r"\\\n", " ", dockerfile)  # join continuation lines
instructions = [l.strip() for l in logical.splitlines() if l.strip() and not l.strip().startswith("#")]


def instruction(keyword):
    return [l[len(keyword):].strip() for l in instructions if l.upper().startswith(keyword + " ")]


entry = instruction("ENTRYPOINT")
check("Dockerfile: one ENTRYPOINT", len(entry) == 1)
try:
    entrypoint = json.loads(entry[-1])
    check("Dockerfile: ENTRYPOINT in exec form (java is PID 1 and gets SIGTERM)",
          isinstance(entrypoint, list) and entrypoint[0] == "java")
except (ValueError, IndexError):
    entrypoint = []
    check("Dockerfile: ENTRYPOINT in exec form (java is PID 1 and gets SIGTERM)", False, "not JSON")
flags = " ".join(entrypoint)
for flag in ["-XX:MaxRAMPercentage=", "-XX:+UseG1GC", "-Dorg.bytedeco.javacpp.maxbytes=", "-Dorg.bytedeco.javacpp.maxphysicalbytes=",
             "-XX:AOTCache=/app/app.aot", "-jar application.jar"]:
    check(f"Dockerfile: ENTRYPOINT has {flag}", flag in flags)
# the AOT cache is used only by a JVM started as it was recorded: the recording run's flags are the
# ENTRYPOINT's, but for the cache option, the Kubernetes limit as MaxRAM and the exit after warm-up
trainings = [shlex.split(r.split("&&")[0]) for r in instruction("RUN") if "-XX:AOTCacheOutput=" in r]
check("Dockerfile: one RUN records the AOT cache", len(trainings) == 1, str(len(trainings)))
if trainings:
    recorded = [a for a in trainings[0] if not a.startswith(("-XX:AOTCacheOutput=", "-XX:MaxRAM=", "--digits.warm-up"))]
    served = [a for a in entrypoint if not a.startswith("-XX:AOTCache=")]
    check("Dockerfile: the AOT cache is recorded with the ENTRYPOINT's flags and class path", recorded == served,
          f"recorded {recorded}, served {served}")
    check("Dockerfile: the AOT recording run ends after its warm-up",
          "--digits.warm-up.exit-when-done=true" in trainings[0])
    check("Dockerfile: the AOT cache is the file the ENTRYPOINT names",
          any(a == "-XX:AOTCacheOutput=/app/app.aot" for a in trainings[0]))
check("Dockerfile: no -Djavacpp.platform at run time", "-Djavacpp.platform" not in flags)
check("Dockerfile: multi-stage (build + runtime)", len(instruction("FROM")) >= 2)
check("Dockerfile: builds with the Maven wrapper", "./mvnw -B -DskipTests package -pl service -am" in logical)
check("the Maven wrapper the Dockerfile copies exists (mvnw, .mvn/wrapper/maven-wrapper.properties)",
      os.path.isfile(os.path.join(ROOT, "mvnw"))
      and os.path.isfile(os.path.join(ROOT, ".mvn", "wrapper", "maven-wrapper.properties")))
# the code compiles for 17; the image runs a later LTS release (virtual request threads need 21+)
runtime_from = instruction("FROM")[-1] if instruction("FROM") else ""
runtime_release = re.match(r"eclipse-temurin:(\d+)-jre", runtime_from)
check("Dockerfile: runs on a Temurin JRE image of release 21 or later",
      runtime_release is not None and int(runtime_release.group(1)) >= 21, runtime_from)
check("Dockerfile: extracts the layers without the launcher (a plain jar: the AOT cache can hold its classes)",
      "-Djarmode=tools -jar application.jar extract --layers --destination" in logical)
layer_copies = re.findall(r"COPY --from=build /extracted/([a-z-]+)/", logical)
check("Dockerfile: copies the layers dependencies first, application last",
      layer_copies[:1] == ["dependencies"] and layer_copies[-1:] == ["application"] and len(layer_copies) == 4,
      str(layer_copies))
users = instruction("USER")
check("Dockerfile: runs as a numeric non-root user", users and re.match(r"^[1-9][0-9]*(:[0-9]+)?$", users[-1]), str(users))
env_text = " ".join(instruction("ENV"))
check("Dockerfile: OMP_NUM_THREADS=1", "OMP_NUM_THREADS=1" in env_text)
check("Dockerfile: DIGITS_MODEL_DIR points at the baked-in models", "DIGITS_MODEL_DIR=/app/models" in env_text)
check("Dockerfile: JSON logs (LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs)", "LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs" in env_text)

# --------------------------------------------------------------------------- the two ports
# The request port (API, page, admin API, /readyz, /livez) and the management port (/actuator/**,
# a connector with threads of its own): application.yml sets both, and every operations file must
# agree with it.
with open(os.path.join(ROOT, "service", "src", "main", "resources", "application.yml"), encoding="utf-8") as f:
    app_yml = yaml.safe_load(f)
SERVER_PORT = (app_yml.get("server") or {}).get("port")
MANAGEMENT_PORT = ((app_yml.get("management") or {}).get("server") or {}).get("port")
check("application.yml: request port 8080, management port 8081 (a port of its own)",
      SERVER_PORT == 8080 and MANAGEMENT_PORT == 8081, f"server.port {SERVER_PORT}, management.server.port {MANAGEMENT_PORT}")
probes_cfg = (((app_yml.get("management") or {}).get("endpoint") or {}).get("health") or {}).get("probes") or {}
check("application.yml: /livez and /readyz on the request port (probes.add-additional-paths)",
      probes_cfg.get("enabled") is True and probes_cfg.get("add-additional-paths") is True, str(probes_cfg))
env_vars = dict(t.split("=", 1) for t in env_text.split() if "=" in t)
check(f"Dockerfile: ENV SERVER_PORT={SERVER_PORT} and MANAGEMENT_SERVER_PORT={MANAGEMENT_PORT}",
      env_vars.get("SERVER_PORT") == str(SERVER_PORT) and env_vars.get("MANAGEMENT_SERVER_PORT") == str(MANAGEMENT_PORT),
      str(env_vars))
exposed = {p.split("/")[0] for e in instruction("EXPOSE") for p in e.split()}
check(f"Dockerfile: EXPOSE {SERVER_PORT} and {MANAGEMENT_PORT}", {str(SERVER_PORT), str(MANAGEMENT_PORT)} <= exposed, str(exposed))
with open(os.path.join(ROOT, "docker", "healthcheck", "HealthCheck.java"), encoding="utf-8") as f:
    healthcheck = f.read()
check(f"HealthCheck.java: probes /actuator/health/readiness on MANAGEMENT_SERVER_PORT (default {MANAGEMENT_PORT})",
      'getenv("MANAGEMENT_SERVER_PORT")' in healthcheck and f'"{MANAGEMENT_PORT}"' in healthcheck
      and "/actuator/health/readiness" in healthcheck)
check("Dockerfile: copies models/ into /app/models", re.search(r"^COPY models/ \./models/", logical, re.M))
health = instruction("HEALTHCHECK")
check("Dockerfile: HEALTHCHECK in exec form", health and re.search(r"CMD \[", health[-1]))
check("Dockerfile: the health check program exists",
      os.path.isfile(os.path.join(ROOT, "docker", "healthcheck", "HealthCheck.java")))
with open(os.path.join(ROOT, ".dockerignore"), encoding="utf-8") as f:
    dockerignore = f.read()
for needed in ["mvnw", ".mvn/", "pom.xml", "core/", "tools/", "service/", "models/", "docker/healthcheck/"]:
    check(f".dockerignore lets {needed} into the build context", "!" + needed in dockerignore)

# --------------------------------------------------------------------------- Prometheus
prom = doc("docker/prometheus/prometheus.yml")
jobs = {j.get("job_name"): j for j in prom.get("scrape_configs", [])}
check("prometheus.yml: job digit-service", "digit-service" in jobs)
job = jobs.get("digit-service", {})
metrics_path = job.get("metrics_path")
check("prometheus.yml: scrapes /actuator/prometheus", metrics_path == "/actuator/prometheus")
scrape_ports = [c.get("port") for c in job.get("dns_sd_configs", [])] + [
    int(t.rsplit(":", 1)[1]) for sc in job.get("static_configs", []) for t in sc.get("targets", []) if ":" in t]
check(f"prometheus.yml: scrapes the management port {MANAGEMENT_PORT}", scrape_ports and set(scrape_ports) == {MANAGEMENT_PORT},
      str(scrape_ports))
# the promtool unit tests' instances of the job look like what this scrape config produces (host:8081)
test_instances = set()
for path in glob.glob(os.path.join(ROOT, "docker", "prometheus", "tests", "*.yml")):
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "digit-service" in line:
                test_instances |= set(re.findall(r'instance[=:]\s*"([^"]+)"', line))
check(f"prometheus tests: instance labels use the scrape port {MANAGEMENT_PORT}",
      test_instances and all(i.endswith(f":{MANAGEMENT_PORT}") for i in test_instances), str(sorted(test_instances)))

rule_groups = []
for name in ["recording.yml", "alerts.yml"]:
    rule_groups += doc("docker/prometheus/rules/" + name).get("groups", [])
alert_rules = {r["alert"]: r for g in rule_groups for r in g["rules"] if "alert" in r}
alerts = list(alert_rules)
record_rules = {r["record"]: r for g in rule_groups for r in g["rules"] if "record" in r}
records = list(record_rules)
for wanted in ["DigitServiceAbsent", "DigitServiceDown", "DigitsModelNotReady",
               "DigitsAvailabilityBudgetBurningFast", "DigitsAvailabilityBudgetBurningSlowly",
               "DigitsLatencyBudgetBurningFast", "DigitsLatencyBudgetBurningSlowly",
               "DigitsLatencyAverageHigh", "DigitsLatencyP95High",
               "DigitsCandidateWorseThanDefault", "DigitsShadowDisagreementHigh"]:
    check(f"alerts: {wanted} defined", wanted in alerts)
thresholds = {name: r["expr"] for name, r in alert_rules.items()}
check("alerts: average target 34 ms", "> 0.034" in thresholds.get("DigitsLatencyAverageHigh", ""))
check("alerts: P95 target 42 ms", "> 0.042" in thresholds.get("DigitsLatencyP95High", ""))
check("alerts: a vanished job is caught by absent(up{job=\"digit-service\"})",
      'absent(up{job="digit-service"})' in thresholds.get("DigitServiceAbsent", ""))

# Recording rules are named level:metric:operations, and the level names the labels kept.
for name in records:
    check(f"recording rule {name} is named level:metric:operations",
          re.match(r"^job(_[a-z]+)*:digits_[a-z0-9_]+:[a-z0-9_]+$", name), name)

# The SLOs: every window of the burn-rate alerts has its rules, the alerts pair each long window
# with its short one at the SRE Workbook's burn rates, and no rule counts client errors (4xx, 404s)
# or reads digits_failures_total (where 404s on unknown paths are counted).
WINDOWS = ["5m", "30m", "1h", "6h", "3d"]
for prefix in ["job:digits_single_requests:rate", "job:digits_single_request_errors:ratio_rate",
               "job:digits_single_requests_success:rate", "job:digits_single_request_slow:ratio_rate"]:
    missing = [w for w in WINDOWS if prefix + w not in records]
    check(f"SLO rules: {prefix}<window> for every window {WINDOWS}", not missing, f"missing {missing}")
for slo, budget, ratio, valid, guards in [
        ("Availability", "0.001", "job:digits_single_request_errors:ratio_rate", "job:digits_single_requests:rate",
         {"1h": "3600 >= 1000", "6h": "21600 >= 2000", "3d": "259200 >= 10000"}),
        ("Latency", "0.01", "job:digits_single_request_slow:ratio_rate", "job:digits_single_requests_success:rate",
         {"1h": "3600 >= 100", "6h": "21600 >= 200", "3d": "259200 >= 1000"})]:
    fast = thresholds.get(f"Digits{slo}BudgetBurningFast", "")
    slow = thresholds.get(f"Digits{slo}BudgetBurningSlowly", "")
    for text, factor, long, short in [(fast, "14.4", "1h", "5m"), (fast, "6", "6h", "30m"), (slow, "1", "3d", "6h")]:
        check(f"SLO alerts: {slo.lower()} {long}/{short} windows at {factor}x the {budget} budget, guarded",
              f"{ratio}{long} > ({factor} * {budget})" in text and f"{ratio}{short} > ({factor} * {budget})" in text
              and f"{valid}{long} * {guards[long]}" in text)
    check(f"SLO alerts: {slo.lower()} page is critical, ticket is a warning",
          alert_rules.get(f"Digits{slo}BudgetBurningFast", {}).get("labels", {}).get("severity") == "critical"
          and alert_rules.get(f"Digits{slo}BudgetBurningSlowly", {}).get("labels", {}).get("severity") == "warning")
for name, r in record_rules.items():
    if "_errors:" in name or "_slow:" in name or name.startswith("job:digits_single_requests"):
        e = r["expr"]
        check(f"SLO rule {name} leaves client errors and digits_failures_total out",
              "digits_failures_total" not in e and 'outcome="client_error"' not in e
              and ('outcome!="client_error"' in e or 'outcome="success"' in e or "job:digits_single_requests" in e))
check("SLO rules: the latency SLI counts the le=\"0.048\" bucket",
      all('le="0.048"' in record_rules.get(f"job:digits_single_request_slow:ratio_rate{w}", {}).get("expr", "") for w in WINDOWS))

# A/B: the Wilson bounds use z = 1.96 (z^2 = 3.8416), the candidate alert has its guards.
for bound in ["lower", "upper"]:
    e = record_rules.get(f"job_model_version:digits_feedback_accuracy:wilson_{bound}95_1h", {}).get("expr", "")
    check(f"A/B rules: Wilson {bound} bound, z = 1.96", all(k in e for k in ["1.9208", "1.96 * sqrt", "0.9604", "3.8416"]))
cand = thresholds.get("DigitsCandidateWorseThanDefault", "")
check("A/B alert: candidate = share > 0 and not the default, 200 feedbacks each, upper < default's lower",
      "digits_model_traffic_share) > 0" in cand and 'unless on (job, model_version) (max by (job, model_version) (digits_model_role{role="default"}) == 1)' in cand
      and cand.count("increase1h >= 200") == 2 and "wilson_upper95_1h" in cand and "wilson_lower95_1h" in cand
      and alert_rules.get("DigitsCandidateWorseThanDefault", {}).get("for"))
check("A/B alert: shadow agreement under 98% with 1,000 samples",
      "< 0.98" in thresholds.get("DigitsShadowDisagreementHigh", "") and ">= 1000" in thresholds.get("DigitsShadowDisagreementHigh", ""))

# Every alert has a severity, a summary, and a runbook: runbook_url is RUNBOOK_BASE + the path of
# docs/runbooks/<alertname>.md, which exists; and no runbook is left without its alert.
RUNBOOK_BASE = "https://git.example.com/digit-service/blob/main/"
for name, r in alert_rules.items():
    url = r.get("annotations", {}).get("runbook_url", "")
    path = url[len(RUNBOOK_BASE):] if url.startswith(RUNBOOK_BASE) else ""
    check(f"alert {name}: severity, summary, runbook_url {RUNBOOK_BASE}docs/runbooks/{name}.md",
          r.get("labels", {}).get("severity") in ("critical", "warning") and r.get("annotations", {}).get("summary")
          and path == f"docs/runbooks/{name}.md", url)
    if path:
        exists = os.path.isfile(os.path.join(ROOT, path))
        check(f"runbook {path} exists and names its alert",
              exists and name in open(os.path.join(ROOT, path), encoding="utf-8").read())
orphans = [os.path.basename(f)[:-3] for f in glob.glob(os.path.join(ROOT, "docs", "runbooks", "*.md"))
           if os.path.basename(f)[:-3] not in alert_rules and os.path.basename(f) != "README.md"]
check("docs/runbooks: every runbook belongs to an alert", not orphans, str(orphans))
check("docs/operations.md documents the runbook base URL", os.path.isfile(os.path.join(ROOT, "docs", "operations.md"))
      and RUNBOOK_BASE in open(os.path.join(ROOT, "docs", "operations.md"), encoding="utf-8").read())

# Every alert has a unit test where it fires and one where it does not.
tests = []
for path in glob.glob(os.path.join(ROOT, "docker", "prometheus", "tests", "*.yml")):
    for group in (load_all(path)[0].get("tests") or []):
        tests += group.get("alert_rule_test") or []
for name in alerts:
    fires = any(t.get("alertname") == name and t.get("exp_alerts") for t in tests)
    quiet = any(t.get("alertname") == name and not t.get("exp_alerts") for t in tests)
    check(f"alert tests: {name} tested firing and not firing", fires and quiet)

# k8s/prometheusrule.yaml is the generated copy of the rules.
import importlib

gen = importlib.import_module("gen-prometheusrule")
with open(os.path.join(ROOT, "k8s", "prometheusrule.yaml"), encoding="utf-8") as f:
    check("k8s/prometheusrule.yaml is up to date with docker/prometheus/rules (gen-prometheusrule.py)",
          f.read() == gen.render())

# --------------------------------------------------------------------------- Grafana
datasources = doc("docker/grafana/provisioning/datasources/prometheus.yml").get("datasources", [])
ds_uids = {d.get("uid") for d in datasources}
check("grafana: Prometheus data source provisioned", any(d.get("type") == "prometheus" for d in datasources))
providers = doc("docker/grafana/provisioning/dashboards/dashboards.yml").get("providers", [])
check("grafana: dashboard provider", providers and providers[0].get("options", {}).get("path"))
dashboard_files = glob.glob(os.path.join(ROOT, "docker", "grafana", "dashboards", "*.json"))
check("grafana: a dashboard", dashboard_files)
panel_exprs = []
for path in dashboard_files:
    try:
        with open(path, encoding="utf-8") as f:
            dash = json.load(f)
        check("parses: " + rel(path), True)
    except ValueError as e:
        check("parses: " + rel(path), False, str(e))
        continue
    panels = [p for p in dash.get("panels", []) if p.get("type") != "row"]
    check(f"{rel(path)}: has panels", len(panels) >= 10, str(len(panels)))
    ids = [p.get("id") for p in dash.get("panels", [])]
    check(f"{rel(path)}: panel ids unique", len(ids) == len(set(ids)))
    for p in panels:
        targets = p.get("targets") or []
        ok = targets and all(t.get("expr") for t in targets)
        uids = {(t.get("datasource") or p.get("datasource") or {}).get("uid") for t in targets}
        uids.add((p.get("datasource") or {}).get("uid"))
        check(f"{rel(path)}: panel '{p.get('title')}' has queries on the data source variable",
              ok and uids == {"${datasource}"}, str(uids))
        for t in targets:
            panel_exprs.append((p.get("title"), t.get("refId"), t.get("expr", "")))
    # importable anywhere: a data source variable, __inputs for the import dialog, no data source
    # uid written in (the provisioned one included), and no ${DS_...} reference, which file
    # provisioning cannot resolve ("Datasource named ${DS_PROMETHEUS} was not found")
    raw = open(path, encoding="utf-8").read()
    tvars = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    dsvar = tvars.get("datasource", {})
    check(f"{rel(path)}: a data source variable of type prometheus",
          dsvar.get("type") == "datasource" and dsvar.get("query") == "prometheus")
    check(f"{rel(path)}: __inputs declares a Prometheus data source for the import dialog",
          any(i.get("type") == "datasource" and i.get("pluginId") == "prometheus" for i in dash.get("__inputs", [])))
    check(f"{rel(path)}: no hard-wired data source uid, no ${{DS_...}} reference",
          set(re.findall(r'"uid": "([^"]*)"', raw)) <= {"${datasource}", "-- Grafana --", dash.get("uid")}
          and "${DS_" not in raw)
    check(f"{rel(path)}: query variables use the data source variable",
          all((v.get("datasource") or {}).get("uid") == "${datasource}" for v in tvars.values() if v.get("type") == "query"))
    mv = tvars.get("model_version", {})
    check(f"{rel(path)}: model_version variable, multi-value with All",
          mv.get("multi") is True and mv.get("includeAll") is True and mv.get("allValue") == ".*")
    # the model_info labels are model_version, name, artifact: the old `version` label is gone
    texts = [t.get(k, "") for p in panels for t in p.get("targets", []) for k in ("expr", "legendFormat")]
    stale = [t for t in texts if re.search(r"(?<![a-z_])version(?![a-z_])", t.replace("$model_version", ""))]
    check(f"{rel(path)}: no query or legend uses the removed `version` label", not stale, str(stale[:3]))
    rec_used = set(re.findall(r"\b((?:job|job_[a-z_]+):digits_[a-z0-9_]+:[a-z0-9_]+)", " ".join(texts)))
    check(f"{rel(path)}: every recording rule a panel reads exists", rec_used <= set(records), str(rec_used - set(records)))
    rows = [p.get("title", "").lower() for p in dash.get("panels", []) if p.get("type") == "row"]
    check(f"{rel(path)}: an A/B row and an SLO row", any("a/b" in r for r in rows) and any("slo" in r for r in rows), str(rows))
    titles = " | ".join(p.get("title", "") for p in panels).lower()
    for topic in ["traffic share", "wilson", "shadow agreement", "p99 per version", "by version", "error budget",
                  "burn rate", "availability", "within 48 ms"]:
        check(f"{rel(path)}: a panel about {topic}", topic in titles)
    for topic in ["request rate", "latency", "inference", "batch size", "queue", "reason", "digit", "memory"]:
        check(f"{rel(path)}: a panel about {topic}", topic in titles)
    all_exprs = " ".join(e for _, _, e in panel_exprs)
    for metric in ["digits_request_seconds_bucket", "digits_preprocess_seconds", "digits_inference_seconds",
                   "digits_queue_wait_seconds", "digits_batch_size", "digits_inference_requests_total", "digits_failures_total",
                   "digits_predictions_total", "jvm_memory_used_bytes", "digits_offheap_bytes",
                   "digits_offheap_physical_bytes", "vector(0.034)", "vector(0.042)", "vector(0.048)",
                   "digits_model_info", "digits_model_state", "digits_model_role", "digits_model_traffic_share",
                   "digits_shadow_total", "digits_shadow_skipped_total", "digits_shadow_latency_seconds_bucket",
                   'model_version=~"$model_version"']:
        check(f"{rel(path)}: queries {metric}", metric in all_exprs)

# The panel queries as recording rules, for promtool's offline syntax check.
if PANEL_RULES_OUT:
    with open(PANEL_RULES_OUT, "w", encoding="utf-8") as f:
        yaml.safe_dump({"groups": [{"name": "dashboard-panels", "rules": [
            {"record": f"panel:check_{i}", "expr": substitute(e)} for i, (_, _, e) in enumerate(panel_exprs)]}]}, f)

# --------------------------------------------------------------------------- compose
compose = doc("docker/compose.yaml")
services = compose.get("services", {})
for name in ["digit-service", "prometheus", "grafana"]:
    check(f"compose: service {name}", name in services)
svc = services.get("digit-service", {})
build = svc.get("build", {})
check("compose: builds the repository's Dockerfile",
      os.path.isfile(os.path.join(ROOT, "docker", build.get("context", "?"), build.get("dockerfile", "?"))))
check("compose: memory limit set for the service",
      svc.get("deploy", {}).get("resources", {}).get("limits", {}).get("memory"))
check("compose: stop grace period covers the 20 s graceful shutdown",
      re.match(r"^([3-9][0-9]|[1-9][0-9]{2,})s$", str(svc.get("stop_grace_period", ""))))
for name in ["prometheus", "grafana"]:
    for volume in services.get(name, {}).get("volumes", []):
        source = volume.split(":")[0]
        if source.startswith("."):
            check(f"compose: {name} mounts existing {source}", os.path.exists(os.path.join(ROOT, "docker", source)))
published = [str(p) for p in svc.get("ports", [])]
check(f"compose: publishes the request port {SERVER_PORT}", f"{SERVER_PORT}:{SERVER_PORT}" in published, str(published))
mgmt_published = [p for p in published if p.endswith(f":{MANAGEMENT_PORT}")]
check(f"compose: the management port {MANAGEMENT_PORT} is published on loopback only, if at all",
      all(p.startswith("127.0.0.1:") for p in mgmt_published), str(mgmt_published))
dns = (job.get("dns_sd_configs") or [{}])[0].get("names", []) + [
    t.split(":")[0] for sc in job.get("static_configs", []) for t in sc.get("targets", [])]
check("prometheus.yml: targets the compose service", "digit-service" in dns, str(dns))
check("grafana: data source points at the compose Prometheus",
      any("prometheus:9090" in d.get("url", "") for d in datasources))

# --------------------------------------------------------------------------- Kubernetes
k8s = {}
for path in glob.glob(os.path.join(ROOT, "k8s", "*.yaml")):
    for d in docs.get(path, []):
        if d.get("kind") == "Kustomization":
            for r in d.get("resources", []):
                check(f"kustomization: {r} exists", os.path.isfile(os.path.join(ROOT, "k8s", r)))
            continue
        check(f"k8s: {rel(path)} has apiVersion, kind, metadata.name",
              d.get("apiVersion") and d.get("kind") and d.get("metadata", {}).get("name"))
        k8s[d.get("kind")] = d
for kind in ["Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor", "PrometheusRule",
             "Ingress", "Secret"]:
    check(f"k8s: a {kind}", kind in k8s)
dep = k8s.get("Deployment", {})
pod = dep.get("spec", {}).get("template", {})
pod_labels = pod.get("metadata", {}).get("labels", {})
containers = pod.get("spec", {}).get("containers", [{}])
c = containers[0]


def subset(selector, labels):
    return selector and all(labels.get(k) == v for k, v in selector.items())


check("k8s: Deployment selector matches its pod labels", subset(dep.get("spec", {}).get("selector", {}).get("matchLabels"), pod_labels))
check("k8s: Service selects the pods", subset(k8s.get("Service", {}).get("spec", {}).get("selector"), pod_labels))
check("k8s: PDB selects the pods", subset(k8s.get("PodDisruptionBudget", {}).get("spec", {}).get("selector", {}).get("matchLabels"), pod_labels))
check("k8s: HPA targets the Deployment",
      k8s.get("HorizontalPodAutoscaler", {}).get("spec", {}).get("scaleTargetRef", {}).get("name") == dep.get("metadata", {}).get("name"))
hpa_metrics = k8s.get("HorizontalPodAutoscaler", {}).get("spec", {}).get("metrics", [])
check("k8s: HPA scales on CPU", any(m.get("resource", {}).get("name") == "cpu" for m in hpa_metrics))
check("k8s: Service name is the Prometheus job name (ServiceMonitor job label)",
      k8s.get("Service", {}).get("metadata", {}).get("name") == "digit-service")
sm = k8s.get("ServiceMonitor", {})
check("k8s: ServiceMonitor selects the Service", subset(sm.get("spec", {}).get("selector", {}).get("matchLabels"),
                                                        k8s.get("Service", {}).get("metadata", {}).get("labels", {})))
svc_ports = k8s.get("Service", {}).get("spec", {}).get("ports", [])
port_names = {p.get("name") for p in svc_ports}
# the Service's ports that lead to the management port, by name or number
management_svc_ports = {p.get("name") for p in svc_ports if p.get("targetPort") in ("management", MANAGEMENT_PORT)}
check("k8s: Service has a port named management to the container's management port",
      "management" in management_svc_ports, str(svc_ports))
check("k8s: Service port http leads to the request port",
      any(p.get("name") == "http" and p.get("targetPort") in ("http", SERVER_PORT) for p in svc_ports), str(svc_ports))
sm_ep = (sm.get("spec", {}).get("endpoints") or [{}])[0]
check("k8s: ServiceMonitor scrapes the Service's management port at the metrics path",
      sm_ep.get("port") in management_svc_ports and sm_ep.get("path") == metrics_path, str(sm_ep))
ann = pod.get("metadata", {}).get("annotations", {})
check(f"k8s: prometheus.io scrape annotations on the management port {MANAGEMENT_PORT}",
      ann.get("prometheus.io/scrape") == "true" and ann.get("prometheus.io/path") == metrics_path
      and ann.get("prometheus.io/port") == str(MANAGEMENT_PORT), str(ann))
container_ports = [{k: p.get(k) for k in ("name", "containerPort")} for p in c.get("ports", [])]
check(f"k8s: container port {SERVER_PORT} named http", {"name": "http", "containerPort": SERVER_PORT} in container_ports,
      str(container_ports))
check(f"k8s: container port {MANAGEMENT_PORT} named management", {"name": "management", "containerPort": MANAGEMENT_PORT}
      in container_ports, str(container_ports))
c_env = {e.get("name"): e.get("value") for e in c.get("env", [])}
check("k8s: SERVER_PORT and MANAGEMENT_SERVER_PORT, if set, match the container ports",
      c_env.get("SERVER_PORT", str(SERVER_PORT)) == str(SERVER_PORT)
      and c_env.get("MANAGEMENT_SERVER_PORT", str(MANAGEMENT_PORT)) == str(MANAGEMENT_PORT))
probes = {k: (c.get(k, {}).get("httpGet", {}).get("path"), c.get(k, {}).get("httpGet", {}).get("port"))
          for k in ("startupProbe", "livenessProbe", "readinessProbe")}
# Liveness and startup on the management port: clients holding every request thread must not get
# a healthy pod restarted. Readiness on the request port (/readyz, the same readiness group): a pod
# whose request port cannot answer leaves the Service until it can.
check("k8s: liveness probe /actuator/health/liveness on the management port",
      probes["livenessProbe"] in [("/actuator/health/liveness", "management"), ("/actuator/health/liveness", MANAGEMENT_PORT)],
      str(probes["livenessProbe"]))
check("k8s: startup probe /actuator/health/liveness on the management port",
      probes["startupProbe"] in [("/actuator/health/liveness", "management"), ("/actuator/health/liveness", MANAGEMENT_PORT)],
      str(probes["startupProbe"]))
check("k8s: readiness probe /readyz on the request port",
      probes["readinessProbe"] in [("/readyz", "http"), ("/readyz", SERVER_PORT)], str(probes["readinessProbe"]))
limits = c.get("resources", {}).get("limits", {})
check("k8s: memory and CPU limits", limits.get("memory") and limits.get("cpu"))
check("k8s: CPU request (the HPA's base)", c.get("resources", {}).get("requests", {}).get("cpu"))
user = (users[-1] if users else "").split(":")[0]
check("k8s: runs as the image's user", str(pod.get("spec", {}).get("securityContext", {}).get("runAsUser")) == user)
mounts = {m.get("mountPath") for m in c.get("volumeMounts", [])}
check("k8s: read-only root filesystem with a writable /tmp (JavaCPP cache)",
      c.get("securityContext", {}).get("readOnlyRootFilesystem") is True and "/tmp" in mounts
      and "cachedir=/tmp/" in flags)
grace = pod.get("spec", {}).get("terminationGracePeriodSeconds", 30)
check("k8s: termination grace covers preStop + the 20 s graceful shutdown", grace >= 30)

# Secrets: the Deployment reads DIGITS_ADMIN_TOKEN and DIGITS_FEEDBACK_KEY from the Secret whose
# template is secret.example.yaml; the template holds no value and is not applied by kustomize; no
# manifest carries a secret value.
secret = k8s.get("Secret", {})
env = {e.get("name"): e for e in c.get("env", [])}
for var, key in [("DIGITS_ADMIN_TOKEN", "admin-token"), ("DIGITS_FEEDBACK_KEY", "feedback-key")]:
    ref = env.get(var, {}).get("valueFrom", {}).get("secretKeyRef", {})
    check(f"k8s: {var} from the Secret {secret.get('metadata', {}).get('name')}, key {key}",
          ref.get("name") == secret.get("metadata", {}).get("name") and ref.get("key") == key
          and key in (secret.get("stringData") or {}) and not ref.get("optional") and "value" not in env.get(var, {}))
check("k8s: the Secret template holds no values", not any((secret.get("stringData") or {}).values()) and not secret.get("data"))
kust = [d for p in glob.glob(os.path.join(ROOT, "k8s", "*.yaml")) for d in docs.get(p, []) if d.get("kind") == "Kustomization"]
check("k8s: kustomization applies no Secret (secret.example.yaml is a template)",
      kust and not any("secret" in r for r in kust[0].get("resources", [])) and "ingress.yaml" in kust[0].get("resources", []))
for name in ("DIGITS_ADMIN_TOKEN", "DIGITS_FEEDBACK_KEY"):
    plain = [rel(p) for p, ds in docs.items() for d in ds if isinstance(d, dict)
             for e in (d.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [{}])[0].get("env", [])
                       if d.get("kind") == "Deployment" else []) if e.get("name") == name and e.get("value")]
    check(f"k8s: no manifest sets {name} in clear", not plain, str(plain))

# Ingress: an allowlist of public paths to the Service; nothing it routes reaches /admin/ or
# /actuator/ (a Prefix path matches whole path elements).
ing = k8s.get("Ingress", {})
routes = [(p.get("path"), p.get("pathType"), p.get("backend", {}).get("service", {}))
          for r in ing.get("spec", {}).get("rules", []) for p in r.get("http", {}).get("paths", [])]


def prefix_covers(prefix, path):
    a, b = [x for x in prefix.split("/") if x], [x for x in path.split("/") if x]
    return b[:len(a)] == a


check("k8s: Ingress routes /api/, /v2/ (prefixes) and / (exact) to the Service",
      {("/api", "Prefix"), ("/v2", "Prefix"), ("/", "Exact")} <= {(p, t) for p, t, _ in routes}
      and all(b.get("name") == k8s.get("Service", {}).get("metadata", {}).get("name") and b.get("port", {}).get("name") in port_names
              for _, _, b in routes), str(routes))
check("k8s: no Ingress route leads to the management port",
      not any(b.get("port", {}).get("name") in management_svc_ports
              or b.get("port", {}).get("number") in [p.get("port") for p in svc_ports if p.get("name") in management_svc_ports]
              for _, _, b in routes), str(routes))
for private in ["/admin/traffic/rollback", "/admin/models", "/actuator/prometheus", "/actuator/health/readiness",
                "/readyz", "/livez"]:
    leaks = [p for p, t, _ in routes if (t == "Exact" and p.rstrip("/") == private.rstrip("/"))
             or (t in ("Prefix", "ImplementationSpecific") and prefix_covers(p, private))]
    check(f"k8s: Ingress does not route {private}", not leaks, str(leaks))

# compose: the secrets come from docker/.env (not committed), whose template is docker/.env.example
svc_env = svc.get("environment", {})
svc_env = svc_env if isinstance(svc_env, dict) else dict(e.split("=", 1) for e in svc_env)
example = os.path.join(ROOT, "docker", ".env.example")
example_vars = dict(l.split("=", 1) for l in open(example, encoding="utf-8").read().splitlines()
                    if "=" in l and not l.startswith("#")) if os.path.isfile(example) else {}
for var in ("DIGITS_ADMIN_TOKEN", "DIGITS_FEEDBACK_KEY"):
    check(f"compose: {var} substituted from docker/.env, declared empty in docker/.env.example",
          str(svc_env.get(var, "")).startswith("${" + var) and example_vars.get(var) == "")
# Logs and traces: the container logs JSON; compose sends traces over OTLP/HTTP to its own tracing
# backend, which Grafana has as a data source.
check("compose: JSON logs (LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs)", svc_env.get("LOGGING_STRUCTURED_FORMAT_CONSOLE") == "ecs")
otlp = str(svc_env.get("MANAGEMENT_OPENTELEMETRY_TRACING_EXPORT_OTLP_ENDPOINT", ""))
m = re.match(r"^http://([a-z0-9-]+):4318/v1/traces$", otlp)
check("compose: tracing on, OTLP/HTTP to a compose service's :4318/v1/traces",
      str(svc_env.get("MANAGEMENT_TRACING_EXPORT_ENABLED")) == "true" and m and m.group(1) in services, otlp)
tracing_sources = [d for f in glob.glob(os.path.join(ROOT, "docker", "grafana", "provisioning", "datasources", "*.yml"))
                   for d in (doc(rel(f)).get("datasources") or []) if d.get("type") in ("jaeger", "tempo", "zipkin")]
check("grafana: a trace data source on the compose tracing backend",
      m and any(f"//{m.group(1)}:" in str(d.get("url", "")) for d in tracing_sources), str(tracing_sources))
check("grafana: Prometheus stays the default data source",
      [d.get("name") for f in glob.glob(os.path.join(ROOT, "docker", "grafana", "provisioning", "datasources", "*.yml"))
       for d in (doc(rel(f)).get("datasources") or []) if d.get("isDefault")] == ["Prometheus"])
k8s_env = {e.get("name"): e.get("value") for e in c.get("env", [])}
check("k8s: JSON logs (LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs)", k8s_env.get("LOGGING_STRUCTURED_FORMAT_CONSOLE") == "ecs")
check("k8s: tracing off unless enabled", k8s_env.get("MANAGEMENT_TRACING_EXPORT_ENABLED") in ("false", "true"))

gitignore = os.path.join(ROOT, "docker", ".gitignore")
check("compose: docker/.env is git-ignored", os.path.isfile(gitignore) and ".env" in open(gitignore).read().split())

# --------------------------------------------------------------------------- autoscaling
# k8s/autoscaling/{keda,custom-metrics}: each overlay takes k8s/ as its base, deletes the CPU HPA
# and scales on requests in flight with the target docs/scaling-ramp.md derived.
def overlay(name):
    path = os.path.join(ROOT, "k8s", "autoscaling", name, "kustomization.yaml")
    k = (docs.get(path) or [{}])[0]
    for r in k.get("resources", []):
        check(f"autoscaling/{name}: resource {r} exists",
              os.path.exists(os.path.join(ROOT, "k8s", "autoscaling", name, r)))
    deletes = [p.get("patch", "") for p in k.get("patches", [])]
    check(f"autoscaling/{name}: takes k8s/ as its base and deletes its CPU HPA",
          "../.." in k.get("resources", []) and any("$patch: delete" in d and "HorizontalPodAutoscaler" in d
                                                    and "name: digit-service" in d for d in deletes))
    return k


overlay("keda")
overlay("custom-metrics")
scaled = (docs.get(os.path.join(ROOT, "k8s", "autoscaling", "keda", "scaledobject.yaml")) or [{}])[0]
trigger = (scaled.get("spec", {}).get("triggers") or [{}])[0]
meta = trigger.get("metadata", {})
check("keda: the ScaledObject targets the Deployment",
      scaled.get("spec", {}).get("scaleTargetRef", {}).get("name") == dep.get("metadata", {}).get("name"))
check("keda: a Prometheus trigger on requests in flight (rate of digits_request_seconds_sum) of job digit-service",
      trigger.get("type") == "prometheus" and trigger.get("metricType") == "AverageValue"
      and re.search(r'rate\(digits_request_seconds_sum\{job="digit-service"\}\[1m\]\)', meta.get("query", ""))
      and set(meta) == {"serverAddress", "query", "threshold"}, str(trigger))
hpa_in_flight = (docs.get(os.path.join(ROOT, "k8s", "autoscaling", "custom-metrics", "hpa.yaml")) or [{}])[0]
pods_metric = (hpa_in_flight.get("spec", {}).get("metrics") or [{}])[0].get("pods", {})
adapter = (docs.get(os.path.join(ROOT, "k8s", "autoscaling", "custom-metrics", "prometheus-adapter-rules.yaml")) or [{}])[0]
adapter_names = [r.get("name", {}).get("as") for r in adapter.get("rules", {}).get("custom", [])]
check("custom metrics: the HPA's metric is the one prometheus-adapter serves",
      pods_metric.get("metric", {}).get("name") in adapter_names and adapter_names, str(adapter_names))
ramp_doc = os.path.join(ROOT, "docs", "scaling-ramp.md")
derived = re.search(r"\*\*([0-9.]+) requests in flight per replica\*\*", open(ramp_doc).read()) if os.path.exists(ramp_doc) else None
check("autoscaling: KEDA's threshold and the HPA's target are the target docs/scaling-ramp.md derived",
      derived and meta.get("threshold") == derived.group(1)
      and str(pods_metric.get("target", {}).get("averageValue")) == derived.group(1),
      f"derived {derived.group(1) if derived else None}, KEDA {meta.get('threshold')}, "
      f"HPA {pods_metric.get('target', {}).get('averageValue')}")
for key in ("minReplicas", "maxReplicas", "behavior"):
    check(f"custom metrics: the HPA keeps k8s/hpa.yaml's {key}",
          hpa_in_flight.get("spec", {}).get(key) == k8s.get("HorizontalPodAutoscaler", {}).get("spec", {}).get(key))
check("keda: the ScaledObject keeps k8s/hpa.yaml's bounds",
      scaled.get("spec", {}).get("minReplicaCount") == k8s.get("HorizontalPodAutoscaler", {}).get("spec", {}).get("minReplicas")
      and scaled.get("spec", {}).get("maxReplicaCount") == k8s.get("HorizontalPodAutoscaler", {}).get("spec", {}).get("maxReplicas"))

# the balancer (docker/haproxy/haproxy.cfg): probes the readiness the Service uses, on the request port
haproxy = open(os.path.join(ROOT, "docker", "haproxy", "haproxy.cfg"), encoding="utf-8").read()
check("haproxy: health checks GET /readyz, the readiness probe's path",
      "option httpchk GET /readyz" in haproxy
      and dep.get("spec", {}).get("template", {}).get("spec", {}).get("containers", [{}])[0]
      .get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz")
check("haproxy: its servers are the request port, between the markers run.sh rewrites",
      haproxy.count("    # SERVERS\n") == 2 and haproxy.count("    # SERVERS END\n") == 2
      and f"replica:{SERVER_PORT}" in haproxy)

# --------------------------------------------------------------------------- the gRPC port
# The Open Inference Protocol over gRPC on a port of its own (spring.grpc.server.port, default 9090
# through DIGITS_GRPC_PORT): every operations file must agree with application.yml.
grpc_server = ((app_yml.get("spring") or {}).get("grpc") or {}).get("server") or {}
grpc_port_m = re.match(r"^\$\{DIGITS_GRPC_PORT:(\d+)\}$", str(grpc_server.get("port", "")))
GRPC_PORT = int(grpc_port_m.group(1)) if grpc_port_m else None
check("application.yml: gRPC port ${DIGITS_GRPC_PORT:9090}, its own server (not through Tomcat)",
      GRPC_PORT == 9090 and (grpc_server.get("servlet") or {}).get("enabled") is False, str(grpc_server.get("port")))
check("application.yml: gRPC message limit is the JSON body limit",
      grpc_server.get("max-inbound-message-size") == "${digits.api.max-json-size}",
      str(grpc_server.get("max-inbound-message-size")))
check(f"Dockerfile: EXPOSE {GRPC_PORT} and ENV DIGITS_GRPC_PORT={GRPC_PORT}",
      str(GRPC_PORT) in exposed and env_vars.get("DIGITS_GRPC_PORT") == str(GRPC_PORT), str(exposed))
check(f"compose: publishes the gRPC port {GRPC_PORT} on a host port other than Prometheus's 9090",
      any(p.endswith(f":{GRPC_PORT}") and not p.startswith("9090:") for p in published), str(published))
check(f"k8s: container port {GRPC_PORT} named grpc", {"name": "grpc", "containerPort": GRPC_PORT} in container_ports,
      str(container_ports))
check("k8s: Service port grpc (h2c) to the container's grpc port",
      any(p.get("name") == "grpc" and p.get("targetPort") in ("grpc", GRPC_PORT)
          and p.get("appProtocol") == "kubernetes.io/h2c" for p in svc_ports), str(svc_ports))
kserve = {}
for path in glob.glob(os.path.join(ROOT, "k8s", "kserve", "*.yaml")):
    for d in docs.get(path, []):
        kserve[(d.get("kind"), d.get("metadata", {}).get("name"))] = d
runtime = kserve.get(("ServingRuntime", "digit-service"), {})
check("kserve: ServingRuntime digit-service declares protocolVersions v2 and grpc-v2",
      {"v2", "grpc-v2"} <= set(runtime.get("spec", {}).get("protocolVersions", [])),
      str(runtime.get("spec", {}).get("protocolVersions")))
grpc_isvc = kserve.get(("InferenceService", "mnist-cnn-grpc"), {}).get("spec", {}).get("predictor", {}).get("model", {})
check("kserve: the gRPC InferenceService uses the runtime with grpc-v2 on an h2c port",
      grpc_isvc.get("runtime") == "digit-service" and grpc_isvc.get("protocolVersion") == "grpc-v2"
      and {"name": "h2c", "containerPort": GRPC_PORT} in [{k: p.get(k) for k in ("name", "containerPort")}
                                                         for p in grpc_isvc.get("ports", [])], str(grpc_isvc.get("ports")))
check(f"kserve: the gRPC InferenceService's readiness is the gRPC health service on {GRPC_PORT}",
      (grpc_isvc.get("readinessProbe") or {}).get("grpc", {}).get("port") == GRPC_PORT, str(grpc_isvc.get("readinessProbe")))
check("check-live.sh and check-container-start.sh start the jar on a free gRPC port (Prometheus may hold 9090)",
      all("GPORT" in open(os.path.join(ROOT, "docker", "tests", f), encoding="utf-8").read()
          for f in ("check-live.sh", "check-container-start.sh")))

# --------------------------------------------------------------------------- workflows
workflows = {rel(p): d[0] for p, d in docs.items() if "/.github/workflows/" in p and d}
check("workflows: at least one", workflows)
all_steps = []
for name, wf in workflows.items():
    triggers = wf.get("on", wf.get(True))  # YAML 1.1 reads a bare `on` as true
    trig = triggers if isinstance(triggers, (dict, list)) else [triggers]
    check(f"{name}: runs on push and pull_request", "push" in trig and "pull_request" in trig, str(trig))
    for job_name, j in (wf.get("jobs") or {}).items():
        check(f"{name}: job {job_name} has runs-on and steps", j.get("runs-on") and j.get("steps"))
        all_steps += j.get("steps") or []
java = [s for s in all_steps if str(s.get("uses", "")).startswith("actions/setup-java@")]
def java_versions(step):
    return str(step.get("with", {}).get("java-version", "")).split()


check("workflows: setup-java temurin with the Maven cache, the oldest supported release (17) among its versions",
      any(s.get("with", {}).get("distribution") == "temurin" and "17" in java_versions(s)
          and s.get("with", {}).get("cache") == "maven" for s in java))
check("workflows: setup-java also installs the release the image runs on",
      runtime_release is not None
      and any(runtime_release.group(1) in java_versions(s) for s in java))
check("workflows: runs bash .ci/run", any("bash .ci/run" in str(s.get("run", "")) for s in all_steps))
check("workflows: builds the image without pushing",
      any(str(s.get("uses", "")).startswith("docker/build-push-action@") and s.get("with", {}).get("push") is False
          for s in all_steps))

failed = results.count(False)
print(f"static checks: {len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
