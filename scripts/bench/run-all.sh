#!/usr/bin/env bash
# Runs every benchmark and regenerates docs/BENCHMARKS.md from the results (the only command that
# writes docs/; the benchmarks themselves write under target/benchmarks/ only).
#
#   scripts/bench/run-all.sh                # the full run, about 95 minutes on 2 cores
#   SMOKE=1 scripts/bench/run-all.sh        # every step, a few seconds each: proves the harness, no figures
#
# What it does, in order, never two heavy things at once:
#   1. builds the jar (./mvnw package, tests skipped) and the benchmarks (-Pbenchmark test-compile);
#   2. measures what else uses the CPU (BACKGROUND_SECONDS) before anything starts;
#   3. JMH (service/src/bench/java/dev/digits/inference): model compute and the SGEMM ceiling (3 forks each),
#      then the per-op profile -> target/benchmarks/jmh-compute.json, jmh-profile.json; then the engine
#      on each ND4J native build, forced in turn (NativeBuildBenchmark) -> native-builds.md;
#   4. training speed (TrainingBenchmark), when MNIST_DIR or ../shared/mnist is there (TRAINING=0 skips);
#   5. Gatling (service/src/bench/java/dev/digits/bench), RUNS (3) rounds; each round first measures the
#      peer (../shared/peer: FastAPI + PyTorch serving the same weights, started per its README with
#      uvicorn --workers 2, awaited, measured, its process group stopped before any service starts):
#        peer-64       PeerSimulation: 64 in flight, the same PNG as a multipart `file`, as closed-64's multipart
#      (without the peer or its Python packages the page says "peer not measured: why" and the run goes on);
#      then it starts the service
#      from the jar with the Dockerfile's JVM flags and ENV (read from the Dockerfile itself, with
#      -XX:MaxRAM set to the Kubernetes memory limit, as docker/tests/check-container-start.sh does)
#      and --spring.profiles.active=benchmark (the /bench/noop framework ceiling), on 127.0.0.1:
#        closed-64     ClosedModelSimulation: maximum at 64 in flight (raw PNG, then the same PNG multipart), no-op at 64, canvas, batch of 16
#        one-client    wrk -t1 -c1 --latency on the same warm service: multipart PNG, raw PNG, GET /livez (needs wrk)
#        open-1000     OpenModelSimulation at 1,000 req/s (prediction, then no-op)
#        open-3000     OpenModelSimulation at 3,000 req/s
#        overload      OverloadSimulation at twice this round's closed-64 maximum, recovery, no-op
#        overload-shed-off   the same against --digits.api.shed-when-queue-full=false and no in-progress bound (--digits.api.max-in-progress=0)
#        cache-on      CacheSimulation (Zipf over 3,000 uploads) with --digits.inference.cache-size=CACHE_SIZE
#        cache-off     the same with the cache off (the default)
#      -> target/benchmarks/http/<scenario>/run-<n>/ (bench.json, prometheus-*.txt, gatling/);
#      -> target/benchmarks/http/peer-64/run-<n>/ too, and peer.json (the peer's versions) or
#      peer-not-measured.txt (why not);
#   6. scripts/bench/report.py writes docs/BENCHMARKS.md (medians of the rounds, every round listed)
#      and target/benchmarks/summary.csv.
#
# Environment (defaults): RUNS (3), JIT_WARMUP (20 s per phase of the unmeasured closed-model run every
# fresh service gets before its measured scenarios; 0 skips it), DURATION (20 s per phase), WARMUP (10 s), CACHE_SIZE (1000: a third of the distinct uploads),
# JMH_ARGS (extra JMH options for both JMH runs, e.g. "-f 1"; JMH_COMPUTE_ARGS, JMH_PROFILE_ARGS for one), TRAINING (1), MNIST_DIR (../shared/mnist if present),
# OUT (target/benchmarks), DOC (docs/BENCHMARKS.md), SKIP_BUILD (0), PORT (18080), MANAGEMENT_PORT (18081: the
# service's /actuator/**, where readiness is awaited and the metrics are read), SERVICE_ARGS (extra
# service arguments for every start, e.g. "--digits.inference.max-batch-size=1" with OUT and DOC elsewhere
# to compare batching off),
# REUSE_COMPUTE (unset: a results folder of an earlier run whose JMH, native-build and training
# results are copied instead of measured again, for a change that touched only the HTTP path),
# PEER (1: 0 leaves the peer out), PEER_DIR (../shared/peer), PEER_PYTHON (/usr/bin/python3: Debian's
# python3-torch, python3-fastapi, uvicorn, python3-multipart, python3-pil), PEER_PORT (18300), PEER_WORKERS (2),
# PEER_MODEL_DIR (models/mnist-cnn/<the service's digits.model.default-version>), PEER_READY_TIMEOUT (60 s),
# BACKGROUND_SECONDS (5), READY_TIMEOUT (240 s), SMOKE (0: 1 sets every duration to a few seconds,
# one round, one JMH fork and writes the page to target/benchmarks/BENCHMARKS.smoke.md instead).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"

SMOKE="${SMOKE:-0}"
if [[ "$SMOKE" == "1" ]]; then
	RUNS="${RUNS:-1}"
	DURATION="${DURATION:-3}"
	JIT_WARMUP="${JIT_WARMUP:-2}"
	WARMUP="${WARMUP:-3}"
	JMH_ARGS="${JMH_ARGS:--f 1 -wi 1 -i 1 -w 1 -r 1}"
	JMH_COMPUTE_ARGS="${JMH_COMPUTE_ARGS:--p batch=1,32}"
	JMH_PROFILE_ARGS="${JMH_PROFILE_ARGS:--p op=conv2,output -p images=1}"
	TRAINING="${TRAINING:-0}"
	DOC="${DOC:-$REPO/target/benchmarks/BENCHMARKS.smoke.md}"
	BACKGROUND_SECONDS="${BACKGROUND_SECONDS:-2}"
fi
RUNS="${RUNS:-3}"
JIT_WARMUP="${JIT_WARMUP:-20}"
DURATION="${DURATION:-20}"
WARMUP="${WARMUP:-10}"
CACHE_SIZE="${CACHE_SIZE:-1000}"
JMH_ARGS="${JMH_ARGS:-}"
JMH_COMPUTE_ARGS="${JMH_COMPUTE_ARGS:-}"
JMH_PROFILE_ARGS="${JMH_PROFILE_ARGS:-}"
TRAINING="${TRAINING:-1}"
OUT="${OUT:-$REPO/target/benchmarks}"
DOC="${DOC:-$REPO/docs/BENCHMARKS.md}"
SKIP_BUILD="${SKIP_BUILD:-0}"
PORT="${PORT:-18080}"
MANAGEMENT_PORT="${MANAGEMENT_PORT:-18081}"
BACKGROUND_SECONDS="${BACKGROUND_SECONDS:-5}"
READY_TIMEOUT="${READY_TIMEOUT:-240}"
PEER="${PEER:-1}"
PEER_DIR="${PEER_DIR:-$REPO/../shared/peer}"
if [[ -z "${PEER_PYTHON:-}" ]]; then
	# Debian's python3, where apt-get puts torch and fastapi (a pyenv or venv python3 on PATH lacks them)
	if [[ -x /usr/bin/python3 ]]; then PEER_PYTHON=/usr/bin/python3; else PEER_PYTHON=python3; fi
fi
PEER_PORT="${PEER_PORT:-18300}"
PEER_WORKERS="${PEER_WORKERS:-2}"
PEER_READY_TIMEOUT="${PEER_READY_TIMEOUT:-60}"
if [[ -z "${PEER_MODEL_DIR:-}" ]]; then
	# the version the service serves by default: the same weights for both
	PEER_MODEL_DIR="$REPO/models/mnist-cnn/$(sed -n 's/^ *default-version: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' \
		"$REPO/service/src/main/resources/application.yml" | head -1)"
fi
if [[ -z "${MNIST_DIR:-}" && -d "$REPO/../shared/mnist" ]]; then
	MNIST_DIR="$(cd "$REPO/../shared/mnist" && pwd)"
fi
MVN=("$REPO/mvnw" -q -B)
STARTED=$SECONDS

log() { printf '[%s +%4ds] %s\n' "$(date -u +%H:%M:%S)" $((SECONDS - STARTED)) "$*" >&2; }

for tool in java python3 curl; do
	command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

WORK="$(mktemp -d /tmp/run-all.XXXXXX)"
SVC_PID=""
stop_service() {
	if [[ -n "$SVC_PID" ]] && kill -0 "$SVC_PID" 2>/dev/null; then
		kill -TERM "$SVC_PID" 2>/dev/null || true
		for _ in $(seq 1 60); do
			kill -0 "$SVC_PID" 2>/dev/null || break
			sleep 0.5
		done
		kill -0 "$SVC_PID" 2>/dev/null && kill -KILL "$SVC_PID" 2>/dev/null || true
		wait "$SVC_PID" 2>/dev/null || true
	fi
	SVC_PID=""
}
PEER_PID=""
stop_peer() { # uvicorn's parent and its workers: the whole process group it was started in
	if [[ -n "$PEER_PID" ]]; then
		kill -TERM -- "-$PEER_PID" 2>/dev/null || true
		for _ in $(seq 1 60); do
			kill -0 "$PEER_PID" 2>/dev/null || break
			sleep 0.5
		done
		kill -KILL -- "-$PEER_PID" 2>/dev/null || true
		wait "$PEER_PID" 2>/dev/null || true
	fi
	PEER_PID=""
}
cleanup() {
	local rc=$?
	stop_peer
	stop_service
	rm -f "$WORK/digit-service.jar"
	# the services' logs are kept only when something failed
	[[ $rc -eq 0 ]] && rm -rf "$WORK"
	[[ $rc -ne 0 ]] && log "failed (exit $rc); service logs in $WORK"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- 1. build ----------------------------------------------------------------------------------
if [[ "$SKIP_BUILD" != "1" ]]; then
	log "building the jar and the benchmarks"
	"${MVN[@]}" -DskipTests package
	"${MVN[@]}" -Pbenchmark test-compile
fi
JAR="$REPO/service/target/digit-service-1.0.0.jar"
[[ -f "$JAR" ]] || { echo "no jar at $JAR" >&2; exit 1; }
# measure a copy: a rebuild during the run must not change what is measured
cp "$JAR" "$WORK/digit-service.jar"
rm -rf "$OUT"
mkdir -p "$OUT/http"

# the Dockerfile's runtime: JVM flags and ENV, as the container starts the service
eval "$(python3 "$REPO/docker/tests/dockerfile_runtime.py" "$REPO" "$WORK")"
JVM_FLAGS=("-XX:MaxRAM=$MEMORY_LIMIT")
for arg in "${JVM_OPTIONS[@]}"; do
	case "$arg" in
		-Dorg.bytedeco.javacpp.cachedir=*) JVM_FLAGS+=("-Dorg.bytedeco.javacpp.cachedir=${JAVACPP_CACHE:-/tmp/javacpp-cache}") ;;
		*) JVM_FLAGS+=("$arg") ;;
	esac
done
SVC_ENV=()
for kv in "${ENV_VARS[@]}"; do
	case "$kv" in
		DIGITS_MODEL_DIR=* | SERVER_PORT=* | MANAGEMENT_SERVER_PORT=*) ;;  # the model folder and ports are given below
		*) SVC_ENV+=("$kv") ;;
	esac
done

# ---- 2. the machine, and what else runs --------------------------------------------------------
log "background CPU over ${BACKGROUND_SECONDS} s"
python3 - "$OUT/meta.json" "$BACKGROUND_SECONDS" "$JAR" "$REPO" <<'EOF'
import hashlib, json, os, subprocess, sys, time
out, seconds, jar, repo = sys.argv[1], float(sys.argv[2]), sys.argv[3], sys.argv[4]
def ticks():
    f = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return f[0] + f[1] + f[2] + f[5] + f[6], f[7] if len(f) > 7 else 0
def procs():
    r = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                s = open(f"/proc/{d}/stat").read()
                rest = s.rsplit(")", 1)[1].split()
                r[d] = (s[s.index("(") + 1:s.rindex(")")], int(rest[11]) + int(rest[12]))
            except (OSError, IndexError, ValueError):
                pass
    return r
b, st = ticks(); p0 = procs(); t0 = time.time()
time.sleep(seconds)
a, st2 = ticks(); p1 = procs(); wall = time.time() - t0
hz = os.sysconf("SC_CLK_TCK")
busiest = sorted(((p1[k][1] - p0[k][1]) / hz / wall, p1[k][0]) for k in p1 if k in p0)[::-1][:5]
def run(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=repo).stdout.strip()
    except OSError:
        return ""
meta = {
    "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?"),
    "cores": os.cpu_count(),
    "memoryGiB": round(int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) / 1048576, 1),
    "kernel": os.uname().release,
    "java": run("java", "-version") or subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0],
    "git": run("git", "rev-parse", "--short", "HEAD"),
    "gitDirty": bool(run("git", "status", "--porcelain", "--", "core", "tools", "service", "pom.xml")),
    "jarSha256": hashlib.sha256(open(jar, "rb").read()).hexdigest(),
    "backgroundCores": (a - b) / hz / wall,
    "backgroundSteal": (st2 - st) / hz / wall,
    "backgroundBusiest": [{"process": n, "cores": round(c, 2)} for c, n in busiest if c > 0.01],
    "loadavg": open("/proc/loadavg").read().split()[:3],
}
json.dump(meta, open(out, "w"), indent=2)
print(f"background: {meta['backgroundCores']:.2f} cores busy; busiest: {meta['backgroundBusiest']}", file=sys.stderr)
EOF
python3 - "$OUT/meta.json" <<EOF
import json, sys
m = json.load(open(sys.argv[1]))
m.update({"smoke": "$SMOKE" == "1", "runs": $RUNS, "durationSeconds": $DURATION, "warmupSeconds": $WARMUP,
          "cacheSize": $CACHE_SIZE, "jmhArgs": """$JMH_ARGS $JMH_COMPUTE_ARGS / $JMH_PROFILE_ARGS""", "jvmFlags": """${JVM_FLAGS[*]}""",
          "serviceEnv": """${SVC_ENV[*]}""", "serviceJava": """$("$RUNTIME_JAVA" -version 2>&1 | head -1)""", "serviceArgs": """${SERVICE_ARGS:-}""", "memoryLimit": "$MEMORY_LIMIT"})
json.dump(m, open(sys.argv[1], "w"), indent=2)
EOF

# ---- 3. JMH ------------------------------------------------------------------------------------
if [[ -n "${REUSE_COMPUTE:-}" ]]; then
	# steps 3 and 4 measure the engine alone, not the HTTP path: a run that changed only the latter
	# may take them from an earlier run's results (the page says which run and commit they are from)
	log "JMH, native builds and training speed: reused from $REUSE_COMPUTE"
	for f in jmh-compute.json jmh-compute.log jmh-profile.json jmh-profile.log native-builds.md \
		training-*.json training-*.md; do
		for g in "$REUSE_COMPUTE"/$f; do
			[[ -f "$g" ]] && cp "$g" "$OUT/"
		done
	done
	cp "$REUSE_COMPUTE/meta.json" "$OUT/compute-source.json"
else
# shellcheck disable=SC2086 # JMH_ARGS is a list of options
log "JMH: model compute and the SGEMM ceiling"
"${MVN[@]}" -Pbenchmark exec:exec@jmh -Djmh.result="$OUT/jmh-compute.json" \
	-Djmh.args="dev.digits.inference.(ComputeBenchmark|SgemmCeilingBenchmark) -foe true $JMH_ARGS $JMH_COMPUTE_ARGS" >"$OUT/jmh-compute.log" 2>&1 \
	|| { tail -30 "$OUT/jmh-compute.log" >&2; exit 1; }
log "JMH: per-op profile"
"${MVN[@]}" -Pbenchmark exec:exec@jmh -Djmh.result="$OUT/jmh-profile.json" \
	-Djmh.args="dev.digits.inference.OpProfileBenchmark -foe true $JMH_ARGS $JMH_PROFILE_ARGS" >"$OUT/jmh-profile.log" 2>&1 \
	|| { tail -30 "$OUT/jmh-profile.log" >&2; exit 1; }

log "native builds: the engine on each ND4J build, forced in turn (NativeBuildBenchmark)"
rm -f "$OUT/native-builds.md"
for build in avx512 avx2 generic; do
	DIGITS_NATIVE_BUILD="$build" "${MVN[@]}" -Pbenchmark test -Dtest=NativeBuildBenchmark -Dbench.out="$OUT" \
		>"$OUT/native-$build.log" 2>&1 || log "native build $build did not run on this CPU (see $OUT/native-$build.log)"
done

# ---- 4. training speed -------------------------------------------------------------------------
if [[ "$TRAINING" != "0" && -n "${MNIST_DIR:-}" ]]; then
	log "training speed (MNIST_DIR=$MNIST_DIR)"
	MNIST_DIR="$MNIST_DIR" "${MVN[@]}" -Pbenchmark test -Dtest=TrainingBenchmark -Dbench.out="$OUT" \
		-Dbench.train.images="${TRAIN_IMAGES:-4000}" >"$OUT/training.log" 2>&1 \
		|| { tail -30 "$OUT/training.log" >&2; exit 1; }
else
	log "training speed skipped (TRAINING=0 or no MNIST_DIR)"
fi
fi

# ---- 5. Gatling --------------------------------------------------------------------------------
start_service() { # start_service NAME [service arguments]
	local name="$1"
	shift
	SERVICE_NAME="$name"
	log "service ($name): $RUNTIME_JAVA ${JVM_FLAGS[*]} -jar digit-service.jar $*"
	# shellcheck disable=SC2086 # SERVICE_ARGS is a list of arguments
	env "${SVC_ENV[@]}" "$RUNTIME_JAVA" "${JVM_FLAGS[@]}" -jar "$WORK/digit-service.jar" --spring.profiles.active=benchmark \
		--server.port="$PORT" --server.address=127.0.0.1 \
		--management.server.port="$MANAGEMENT_PORT" --management.server.address=127.0.0.1 \
		--digits.model.dir="$REPO/models" ${SERVICE_ARGS:-} "$@" \
		>"$WORK/service-$name.log" 2>&1 &
	SVC_PID=$!
	local deadline=$((SECONDS + READY_TIMEOUT))
	until curl -fsS -o /dev/null "http://127.0.0.1:$MANAGEMENT_PORT/actuator/health/readiness" 2>/dev/null; do
		kill -0 "$SVC_PID" 2>/dev/null || { tail -30 "$WORK/service-$name.log" >&2; exit 1; }
		((SECONDS < deadline)) || { echo "service not ready after $READY_TIMEOUT s" >&2; exit 1; }
		sleep 0.5
	done
	curl -fsS -o /dev/null -H 'Content-Type: image/png' --data-binary @"$REPO/docs/examples/seven.png" \
		"http://127.0.0.1:$PORT/bench/noop" || { echo "no /bench/noop: is the benchmark profile active?" >&2; exit 1; }
	# the native build the service chose (the JMH forks choose the same way), for the report
	[[ -f "$OUT/service-info.json" ]] || curl -fsS -o "$OUT/service-info.json" "http://127.0.0.1:$MANAGEMENT_PORT/actuator/info" || true
	jit_warmup "$name"
}

# A fresh JVM on 2 cores is far from its steady state after a 10 s warm-up: on 2026-11-27 a fresh
# service gave 1,247 predictions/s and 3,485 no-op requests/s in its first closed-model run (30 s
# of warm-up), then 3,034-3,604 and 9,748-10,063 in the next two runs on the same JVM. So every
# service runs the whole closed-model simulation once, unmeasured, before the measured scenarios.
jit_warmup() { # jit_warmup NAME
	((JIT_WARMUP > 0)) || return 0
	log "JIT warm-up of $1: ClosedModelSimulation for $JIT_WARMUP s per phase, not measured"
	"${MVN[@]}" -Pbenchmark gatling:test -Dgatling.simulationClass="dev.digits.bench.ClosedModelSimulation" \
		-Dgatling.resultsFolder="$WORK/jit-warmup/gatling" -Dbench.out="$WORK/jit-warmup" \
		-Dbench.baseUrl="http://127.0.0.1:$PORT" -Dbench.managementUrl="http://127.0.0.1:$MANAGEMENT_PORT" \
		-Dbench.servicePid="$SVC_PID" -Dbench.duration="$JIT_WARMUP" \
		-Dbench.warmup=5 -Dbench.users=64 >"$WORK/jit-warmup-$1.log" 2>&1 || { tail -30 "$WORK/jit-warmup-$1.log" >&2; exit 1; }
}

gatling() { # gatling SCENARIO RUN SIMULATION [-Dbench.x=y ...]
	local scenario="$1" run="$2" simulation="$3"
	shift 3
	local dir="$OUT/http/$scenario/run-$run"
	mkdir -p "$dir"
	log "Gatling $scenario, round $run: $simulation $*"
	"${MVN[@]}" -Pbenchmark gatling:test -Dgatling.simulationClass="dev.digits.bench.$simulation" \
		-Dgatling.resultsFolder="$dir/gatling" -Dbench.out="$dir" -Dbench.baseUrl="http://127.0.0.1:$PORT" \
		-Dbench.managementUrl="http://127.0.0.1:$MANAGEMENT_PORT" -Dbench.servicePid="$SVC_PID" -Dbench.duration="$DURATION" -Dbench.warmup="$WARMUP" "$@" \
		>"$dir/gatling.log" 2>&1 || { tail -30 "$dir/gatling.log" >&2; exit 1; }
	# the end of this service's log, for a failed request's stack trace: the whole log (one JSON line
	# per request) is hundreds of MB per service, and copying every log into every scenario's folder
	# filled a 65 GB disk on 2026-11-27
	tail -n 2000 "$WORK/service-$SERVICE_NAME.log" >"$dir/service-$SERVICE_NAME.log.tail" 2>/dev/null || true
}

# One warm client (wrk -t1 -c1, its microsecond latency histogram; Gatling records whole
# milliseconds): a multipart PNG, the same PNG as a raw body, and GET /livez on the request port (the
# floor of the HTTP path for one client), one after another on the service closed-64 has just warmed.
one_client() { # one_client RUN
	local dir="$OUT/http/one-client/run-$1" url="http://127.0.0.1:$PORT"
	mkdir -p "$dir"
	if ! command -v wrk >/dev/null; then
		echo "wrk not installed (Debian package wrk)" >"$dir/not-measured.txt"
		return 0
	fi
	log "one client, round $1: wrk -t1 -c1 -d${DURATION}s --latency (multipart, raw, GET /livez)"
	local lua="$REPO/scripts/bench/experiments"
	IMAGE="$REPO/docs/examples/seven.png" wrk -t1 -c1 -d"${WARMUP}s" -s "$lua/one-client-multipart.lua" \
		"$url/api/v1/predictions" >/dev/null
	IMAGE="$REPO/docs/examples/seven.png" wrk -t1 -c1 -d"${DURATION}s" --latency -s "$lua/one-client-multipart.lua" \
		"$url/api/v1/predictions" >"$dir/multipart.txt"
	IMAGE="$REPO/docs/examples/seven.png" wrk -t1 -c1 -d"${DURATION}s" --latency -s "$lua/one-client-raw.lua" \
		"$url/api/v1/predictions" >"$dir/raw.txt"
	wrk -t1 -c1 -d"${DURATION}s" --latency "$url/livez" >"$dir/livez.txt"
}

closed_max() { # the predict rate of a closed-64 round
	python3 - "$OUT/http/closed-64/run-$1/bench.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
names = [m["name"].split(":", 1)[1] for m in d["marks"][:-1]]
i = names.index("predict")
seconds = (d["marks"][i + 1]["monotonicNanos"] - d["marks"][i]["monotonicNanos"]) / 1e9
print(round(d["phases"]["predict"]["ok"]["count"] / seconds))
EOF
}

# ---- the peer: what many teams would run instead (../shared/peer/README.md) --------------------
# FastAPI + PyTorch with the same weights, measured in each round before the service starts, so the
# two never share the machine. Only 64 in flight is compared: with one connection the peer shows a
# flat 40-48 ms, a delayed-ACK interaction with the client, not its compute (the peer's README).
peer_not_measured() { # peer_not_measured WHY: said on the page, and the run goes on
	log "peer not measured: $*"
	echo "$*" >>"$OUT/peer-not-measured.txt"
}
PEER_OK=0
if [[ "$PEER" == "0" ]]; then
	peer_not_measured "PEER=0"
elif [[ ! -f "$PEER_DIR/app.py" ]]; then
	peer_not_measured "no peer at $PEER_DIR (app.py)"
elif [[ ! -f "$PEER_MODEL_DIR/mnist-cnn.json" ]]; then
	peer_not_measured "no TF.js export for the peer at $PEER_MODEL_DIR/mnist-cnn.json"
elif ! PEER_CHECK="$("$PEER_PYTHON" - "$OUT/peer.json" "$PEER_WORKERS" "$PEER_MODEL_DIR" 2>&1 <<'EOF'
import importlib, importlib.util, json, platform, sys
missing = [n for n in ("torch", "fastapi", "uvicorn", "PIL", "numpy") if importlib.util.find_spec(n) is None]
if importlib.util.find_spec("multipart") is None and importlib.util.find_spec("python_multipart") is None:
    missing.append("multipart")
if missing:
    print(f"{sys.executable} cannot import {', '.join(missing)} (apt-get install -y python3-torch python3-fastapi "
          "uvicorn python3-multipart python3-pil)")
    sys.exit(1)
versions = {n: getattr(importlib.import_module(n), "__version__", "?") for n in ("torch", "fastapi", "uvicorn")}
json.dump({"python": f"{sys.executable} {platform.python_version()}", **versions, "workers": int(sys.argv[2]),
           "modelDir": sys.argv[3]}, open(sys.argv[1], "w"), indent=2)
EOF
)"; then
	peer_not_measured "${PEER_CHECK:-$PEER_PYTHON failed}"
elif curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PEER_PORT/" 2>/dev/null; then
	peer_not_measured "something already answers on 127.0.0.1:$PEER_PORT (PEER_PORT)"
else
	PEER_OK=1
fi

start_peer() { # start_peer ROUND: as the peer's README starts it, in a process group of its own
	log "peer (round $1): MODEL_DIR=$PEER_MODEL_DIR $PEER_PYTHON -m uvicorn --app-dir $PEER_DIR app:app --port $PEER_PORT --workers $PEER_WORKERS"
	# setsid: uvicorn's parent and its workers in one process group, stopped together (stop_peer)
	MODEL_DIR="$PEER_MODEL_DIR" setsid "$PEER_PYTHON" -m uvicorn --app-dir "$PEER_DIR" app:app --host 127.0.0.1 \
		--port "$PEER_PORT" --workers "$PEER_WORKERS" >"$WORK/peer-$1.log" 2>&1 &
	PEER_PID=$!
	# ready when a prediction answers (a worker that failed to load leaves uvicorn's parent up, answering nothing)
	local deadline=$((SECONDS + PEER_READY_TIMEOUT))
	until curl -fsS -o /dev/null -F file=@"$REPO/docs/examples/seven.png" "http://127.0.0.1:$PEER_PORT/predict" 2>/dev/null; do
		if ! kill -0 "$PEER_PID" 2>/dev/null || ((SECONDS >= deadline)); then
			tail -5 "$WORK/peer-$1.log" >&2
			return 1
		fi
		sleep 0.5
	done
}

peer_round() { # peer_round ROUND: start the peer, PeerSimulation at 64 in flight, stop it
	local run="$1" dir="$OUT/http/peer-64/run-$1"
	if ! start_peer "$run"; then
		peer_not_measured "round $run: the peer did not answer a prediction within $PEER_READY_TIMEOUT s" \
			"($(tail -1 "$WORK/peer-$run.log" 2>/dev/null))"
		stop_peer
		return 0
	fi
	mkdir -p "$dir"
	log "Gatling peer-64, round $run: PeerSimulation -Dbench.users=64"
	"${MVN[@]}" -Pbenchmark gatling:test -Dgatling.simulationClass="dev.digits.bench.PeerSimulation" \
		-Dgatling.resultsFolder="$dir/gatling" -Dbench.out="$dir" -Dbench.baseUrl="http://127.0.0.1:$PEER_PORT" \
		-Dbench.managementUrl=none -Dbench.servicePid="$PEER_PID" -Dbench.duration="$DURATION" -Dbench.warmup="$WARMUP" \
		-Dbench.users=64 >"$dir/gatling.log" 2>&1 \
		|| { tail -30 "$dir/gatling.log" >&2; peer_not_measured "round $run: Gatling failed (http/peer-64/run-$run/gatling.log)"; }
	tail -n 200 "$WORK/peer-$run.log" >"$dir/peer.log.tail" 2>/dev/null || true
	stop_peer
}

for run in $(seq 1 "$RUNS"); do
	((PEER_OK)) && peer_round "$run"
	start_service "default-$run"
	gatling closed-64 "$run" ClosedModelSimulation -Dbench.users=64
	one_client "$run"
	gatling open-1000 "$run" OpenModelSimulation -Dbench.rate=1000
	gatling open-3000 "$run" OpenModelSimulation -Dbench.rate=3000
	OVERLOAD_RATE=$((2 * $(closed_max "$run")))
	gatling overload "$run" OverloadSimulation -Dbench.rate="$OVERLOAD_RATE" -Dbench.recoveryRate=500
	stop_service
	start_service "shed-off-$run" --digits.api.shed-when-queue-full=false --digits.api.max-in-progress=0
	gatling overload-shed-off "$run" OverloadSimulation -Dbench.rate="$OVERLOAD_RATE" -Dbench.recoveryRate=500
	stop_service
	start_service "cache-on-$run" --digits.inference.cache-size="$CACHE_SIZE"
	gatling cache-on "$run" CacheSimulation -Dbench.rate=1000 -Dbench.users=64
	stop_service
	start_service "cache-off-$run"
	gatling cache-off "$run" CacheSimulation -Dbench.rate=1000 -Dbench.users=64
	stop_service
done

# ---- 5b. a new replica's first minute, with and without the self warm-up ------------------------
if command -v wrk >/dev/null; then
	if [[ "$SMOKE" == "1" ]]; then
		export ROUNDS=1 WINDOWS=12 CONFIGS="500+aot"
	fi
	JAR="$WORK/digit-service.jar" "$REPO/scripts/bench/warm-up-ramp.sh" && cp "$REPO/target/warm-up/ramp.md" "$OUT/warm-up-ramp.md" && cp "$REPO/target/warm-up/ramp.json" "$OUT/warm-up-ramp.json"
else
	log "wrk not installed (Debian package wrk): the warm-up ramp is not measured"
fi

# ---- 6. the page -------------------------------------------------------------------------------
log "writing $DOC"
python3 "$REPO/scripts/bench/report.py" "$OUT" "$DOC"
log "done in $((SECONDS - STARTED)) s: $DOC (raw results in $OUT)"
