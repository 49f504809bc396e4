#!/usr/bin/env python3
"""Reads the runtime stage of the Dockerfile and prints it as bash assignments, with the
container's paths mapped into a host folder, for check-container-start.sh:

    EXTRACT_ARGS=(...)   the arguments after `java` of the layer extraction (RUN ... extract ...)
    LAYERS=(...)         the layers in the order the runtime stage copies them
    WORKDIR=...          the runtime stage's working directory
    ENV_VARS=(K=V ...)   the runtime stage's ENV
    ENTRYPOINT=(...)     the ENTRYPOINT (exec form)
    JVM_OPTIONS=(...)    the ENTRYPOINT's JVM options: between `java` and `-jar`, without the AOT
                         cache (which is made for the image's own jar), for runs of another jar
    AOT_TRAIN=(...)      the arguments after `java` of the runtime stage's RUN that records the
                         JVM's AOT cache (-XX:AOTCacheOutput), up to its first `&&`; empty if none
    HEALTHCHECK=(...)    the HEALTHCHECK command (exec form)
    MEMORY_LIMIT=...     the Kubernetes Deployment's memory limit as a JVM size (e.g. 1536m)
    RUNTIME_JAVA=...     the java of the runtime image's release (its FROM ...temurin:N) on this
                         machine: $DIGITS_CONTAINER_JAVA_HOME/bin/java, else a JDK under /usr/lib/jvm
                         named for the release, else `java` (whatever the PATH has)

Usage: dockerfile_runtime.py REPO_ROOT HOST_DIR
Paths: /app -> HOST_DIR/app, /tmp -> HOST_DIR/tmp.
"""
import glob
import json
import os
import re
import shlex
import sys

import yaml

root, host = sys.argv[1], sys.argv[2]


def host_path(value):
    # one pass, so that a HOST_DIR under /tmp is not mapped twice
    return re.sub(r"(?<![\w.-])/(app|tmp)(?=/|$|\s)", lambda m: host + "/" + m.group(1), value)


with open(os.path.join(root, "Dockerfile"), encoding="utf-8") as f:
    text = re.sub(r"\\\n", " ", f.read())
lines = [l.strip() for l in text.splitlines() if l.strip() and not l.strip().startswith("#")]
froms = [i for i, l in enumerate(lines) if l.upper().startswith("FROM ")]
build, runtime = lines[:froms[-1]], lines[froms[-1]:]


def exec_form(value):
    args = json.loads(value)
    if not (isinstance(args, list) and all(isinstance(a, str) for a in args)):
        sys.exit("not an exec-form instruction: " + value)
    return args


out = {}
extract = [l for l in build if "-Djarmode=tools" in l]
if len(extract) != 1:
    sys.exit("no single `-Djarmode=tools ... extract` line in the build stage")
words = shlex.split(extract[0][len("RUN "):])
out["EXTRACT_ARGS"] = words[words.index("java") + 1:]

out["LAYERS"] = re.findall(r"COPY --from=\S+ /extracted/([a-z-]+)/", "\n".join(runtime))
workdirs = [l.split(None, 1)[1] for l in runtime if l.upper().startswith("WORKDIR ")]
out["WORKDIR"] = host_path(workdirs[-1])

env = []
for l in runtime:
    if l.upper().startswith("ENV "):
        for token in shlex.split(l[4:]):
            if "=" not in token:
                sys.exit("ENV KEY=VALUE form expected: " + l)
            env.append(host_path(token))
out["ENV_VARS"] = env

entry = [l for l in runtime if l.upper().startswith("ENTRYPOINT ")]
out["ENTRYPOINT"] = [host_path(a) for a in exec_form(entry[-1][len("ENTRYPOINT "):])]
entry_args = out["ENTRYPOINT"][1:]
out["JVM_OPTIONS"] = [a for a in entry_args[:entry_args.index("-jar") if "-jar" in entry_args else len(entry_args)]
                      if not a.startswith("-XX:AOTCache=")]
trainings = [l for l in runtime if l.upper().startswith("RUN ") and "-XX:AOTCacheOutput=" in l]
if len(trainings) > 1:
    sys.exit("more than one RUN records an AOT cache")
words = shlex.split(trainings[0][len("RUN "):].split("&&")[0]) if trainings else []
out["AOT_TRAIN"] = [host_path(a) for a in words[words.index("java") + 1:]] if words else []
health = [l for l in runtime if l.upper().startswith("HEALTHCHECK ")]
cmd = health[-1][health[-1].index("CMD ") + 4:]
out["HEALTHCHECK"] = [host_path(a) for a in exec_form(cmd)]

limit = "1536m"
try:
    with open(os.path.join(root, "k8s", "deployment.yaml"), encoding="utf-8") as f:
        dep = yaml.safe_load(f)
    mem = dep["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"]
    m = re.fullmatch(r"(\d+)(Mi|Gi|M|G)", str(mem))
    if m:
        limit = m.group(1) + ("m" if m.group(2).startswith("M") else "g")
except (OSError, KeyError, IndexError, TypeError):
    pass
out["MEMORY_LIMIT"] = limit

release = re.search(r"temurin:(\d+)", runtime[0])
java = "java"
if os.environ.get("DIGITS_CONTAINER_JAVA_HOME"):
    java = os.path.join(os.environ["DIGITS_CONTAINER_JAVA_HOME"], "bin", "java")
elif release:
    homes = sorted(glob.glob(f"/usr/lib/jvm/*-{release.group(1)}") + glob.glob(f"/usr/lib/jvm/*-{release.group(1)}-*"))
    java = next((os.path.join(h, "bin", "java") for h in homes if os.access(os.path.join(h, "bin", "java"), os.X_OK)),
                java)
out["RUNTIME_JAVA"] = java

for key, value in out.items():
    if isinstance(value, list):
        print(f"{key}=(" + " ".join(shlex.quote(v) for v in value) + ")")
    else:
        print(f"{key}={shlex.quote(value)}")
