#!/usr/bin/env python3
"""Offline checks of the operations files: every YAML file parses, and the files agree with
each other (names, ports, paths, labels) and with the Dockerfile. Called by check-static.sh.

Usage: static_checks.py REPO_ROOT PANEL_RULES_OUT
Writes the dashboard's panel queries (Grafana variables substituted) as a Prometheus rule file
to PANEL_RULES_OUT, so that check-static.sh can have promtool check their syntax offline.
Prints one line per check; exit status 1 if any failed.
"""
import glob
import json
import os
import re
import sys

import yaml

ROOT = os.path.abspath(sys.argv[1])
PANEL_RULES_OUT = sys.argv[2]
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
    | set(glob.glob(os.path.join(ROOT, ".github", "workflows", "*.yml")))
    | set(glob.glob(os.path.join(ROOT, ".github", "workflows", "*.yaml"))))
docs = {}
for path in yaml_files:
    try:
        docs[path] = load_all(path)
        check("parses: " + rel(path), len(docs[path]) > 0, "empty document")
    except yaml.YAMLError as e:
        check("parses: " + rel(path), False, str(e).replace("\n", " "))
check("found the YAML files", len(yaml_files) >= 14, f"only {len(yaml_files)}")


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
for flag in ["-XX:MaxRAMPercentage=", "-Dorg.bytedeco.javacpp.maxbytes=", "-Dorg.bytedeco.javacpp.maxphysicalbytes=",
             "org.springframework.boot.loader.launch.JarLauncher"]:
    check(f"Dockerfile: ENTRYPOINT has {flag}", flag in flags)
check("Dockerfile: no -Djavacpp.platform at run time", "-Djavacpp.platform" not in flags)
check("Dockerfile: multi-stage (build + runtime)", len(instruction("FROM")) >= 2)
check("Dockerfile: builds with the Maven wrapper", "./mvnw -B -DskipTests package" in logical)
check("the Maven wrapper the Dockerfile copies exists (mvnw, .mvn/wrapper/maven-wrapper.properties)",
      os.path.isfile(os.path.join(ROOT, "mvnw"))
      and os.path.isfile(os.path.join(ROOT, ".mvn", "wrapper", "maven-wrapper.properties")))
check("Dockerfile: runs on a JRE 17 image", any(re.match(r"eclipse-temurin:17-jre", f) for f in instruction("FROM")))
check("Dockerfile: extracts the layers with the launcher",
      "-Djarmode=tools -jar application.jar extract --layers --launcher --destination" in logical)
layer_copies = re.findall(r"COPY --from=build /extracted/([a-z-]+)/", logical)
check("Dockerfile: copies the layers dependencies first, application last",
      layer_copies[:1] == ["dependencies"] and layer_copies[-1:] == ["application"] and len(layer_copies) == 4,
      str(layer_copies))
users = instruction("USER")
check("Dockerfile: runs as a numeric non-root user", users and re.match(r"^[1-9][0-9]*(:[0-9]+)?$", users[-1]), str(users))
env_text = " ".join(instruction("ENV"))
check("Dockerfile: OMP_NUM_THREADS=1", "OMP_NUM_THREADS=1" in env_text)
check("Dockerfile: DIGITS_MODEL_DIR points at the baked-in models", "DIGITS_MODEL_DIR=/app/models" in env_text)
check("Dockerfile: copies models/ into /app/models", re.search(r"^COPY models/ \./models/", logical, re.M))
health = instruction("HEALTHCHECK")
check("Dockerfile: HEALTHCHECK in exec form", health and re.search(r"CMD \[", health[-1]))
check("Dockerfile: the health check program exists",
      os.path.isfile(os.path.join(ROOT, "docker", "healthcheck", "HealthCheck.java")))
with open(os.path.join(ROOT, ".dockerignore"), encoding="utf-8") as f:
    dockerignore = f.read()
for needed in ["mvnw", ".mvn/", "pom.xml", "src/", "models/", "docker/healthcheck/"]:
    check(f".dockerignore lets {needed} into the build context", "!" + needed in dockerignore)

# --------------------------------------------------------------------------- Prometheus
prom = doc("docker/prometheus/prometheus.yml")
jobs = {j.get("job_name"): j for j in prom.get("scrape_configs", [])}
check("prometheus.yml: job digit-service", "digit-service" in jobs)
job = jobs.get("digit-service", {})
metrics_path = job.get("metrics_path")
check("prometheus.yml: scrapes /actuator/prometheus", metrics_path == "/actuator/prometheus")

rule_groups = []
for name in ["recording.yml", "alerts.yml"]:
    rule_groups += doc("docker/prometheus/rules/" + name).get("groups", [])
alerts = [r["alert"] for g in rule_groups for r in g["rules"] if "alert" in r]
records = [r["record"] for g in rule_groups for r in g["rules"] if "record" in r]
for wanted in ["DigitsLatencyAverageHigh", "DigitsLatencyP95High", "DigitsLatencyP99High",
               "DigitsErrorRatioHigh", "DigitsModelNotReady"]:
    check(f"alerts: {wanted} defined", wanted in alerts)
thresholds = {r["alert"]: r["expr"] for g in rule_groups for r in g["rules"] if "alert" in r}
check("alerts: average target 34 ms", "> 0.034" in thresholds.get("DigitsLatencyAverageHigh", ""))
check("alerts: P95 target 42 ms", "> 0.042" in thresholds.get("DigitsLatencyP95High", ""))
check("alerts: P99 target 48 ms", "> 0.048" in thresholds.get("DigitsLatencyP99High", ""))

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
        check(f"{rel(path)}: panel '{p.get('title')}' has queries on the provisioned data source",
              ok and uids <= ds_uids, str(uids))
        for t in targets:
            panel_exprs.append((p.get("title"), t.get("refId"), t.get("expr", "")))
    titles = " | ".join(p.get("title", "") for p in panels).lower()
    for topic in ["request rate", "latency", "inference", "batch size", "queue", "reason", "digit", "memory"]:
        check(f"{rel(path)}: a panel about {topic}", topic in titles)
    all_exprs = " ".join(e for _, _, e in panel_exprs)
    for metric in ["digits_request_seconds_bucket", "digits_preprocess_seconds", "digits_inference_seconds",
                   "digits_queue_wait_seconds", "digits_batch_size", "digits_failures_total",
                   "digits_predictions_total", "jvm_memory_used_bytes", "digits_offheap_bytes",
                   "digits_offheap_physical_bytes", "vector(0.034)", "vector(0.042)", "vector(0.048)"]:
        check(f"{rel(path)}: queries {metric}", metric in all_exprs)

# The panel queries as recording rules, for promtool's offline syntax check.
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
for kind in ["Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor", "PrometheusRule"]:
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
port_names = {p.get("name") for p in k8s.get("Service", {}).get("spec", {}).get("ports", [])}
sm_ep = (sm.get("spec", {}).get("endpoints") or [{}])[0]
check("k8s: ServiceMonitor port and path", sm_ep.get("port") in port_names and sm_ep.get("path") == metrics_path)
ann = pod.get("metadata", {}).get("annotations", {})
check("k8s: prometheus.io scrape annotations",
      ann.get("prometheus.io/scrape") == "true" and ann.get("prometheus.io/path") == metrics_path
      and ann.get("prometheus.io/port") == "8080")
check("k8s: container port 8080 named http", {"name": "http", "containerPort": 8080} in
      [{k: p.get(k) for k in ("name", "containerPort")} for p in c.get("ports", [])])
probes = {k: c.get(k, {}).get("httpGet", {}).get("path") for k in ("startupProbe", "livenessProbe", "readinessProbe")}
check("k8s: liveness probe /actuator/health/liveness", probes["livenessProbe"] == "/actuator/health/liveness")
check("k8s: readiness probe /actuator/health/readiness", probes["readinessProbe"] == "/actuator/health/readiness")
check("k8s: startup probe", probes["startupProbe"], str(probes))
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
check("workflows: setup-java temurin 17 with the Maven cache",
      any(s.get("with", {}).get("distribution") == "temurin" and str(s.get("with", {}).get("java-version")) == "17"
          and s.get("with", {}).get("cache") == "maven" for s in java))
check("workflows: runs bash .ci/run", any("bash .ci/run" in str(s.get("run", "")) for s in all_steps))
check("workflows: builds the image without pushing",
      any(str(s.get("uses", "")).startswith("docker/build-push-action@") and s.get("with", {}).get("push") is False
          for s in all_steps))

failed = results.count(False)
print(f"static checks: {len(results) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
