#!/usr/bin/env bash
# HTTP benchmark of the digit service with wrk, on loopback.
#
#   scripts/bench/http-bench.sh [LABEL] [-- extra service args]
#   scripts/bench/http-bench.sh batching-on
#   scripts/bench/http-bench.sh batching-off -- --digits.inference.max-batch-size=1
#
# Starts the service from a copy of the jar on a free 127.0.0.1 port, warms it up, then runs
#   (a) closed-loop maximum throughput, one PNG per request, 16 and 64 connections (+ the 280x280 canvas PNG)
#   (b) paced runs at RATES req/s (3000 added when (a) exceeded it)
#   (c) batch requests of 16 images, closed loop, 8 connections
#   (d) overload: restarts with a small inference queue, paces at twice (a)'s best rate, then a recovery run
# and writes docs/bench/http-LABEL.md (plus the raw results as http-LABEL.results.jsonl).
#
# Environment (defaults in brackets):
#   DURATION [20]        seconds per run            WARMUP [10]     seconds of warm-up
#   RATES ["200 500 1000 2000"]                     PACED_CONNECTIONS [64]
#   BATCH_CONNECTIONS [8]                           CANVAS [1]      0 skips the canvas run
#   OVERLOAD [1]         0 skips (d)                OVERLOAD_QUEUE [128] queue-capacity during (d)
#   OVERLOAD_CONNECTIONS [256]                      RECOVERY_RATE [a quarter of (a)'s best, 50..500]
#   JAR [target/digit-service-1.0.0.jar]            JAVA [java]     SERVICE_JAVA_OPTS []
#   MODEL_DIR [models]   OUT_DIR [docs/bench]       SETTLE [1]      seconds between runs
#   READY_TIMEOUT [180]  WRK_TIMEOUT [10s]
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH="$REPO/scripts/bench"
LUA="$BENCH/wrk/post.lua"
LIB="$BENCH/benchlib.py"

LABEL="default"
if [[ $# -gt 0 && "$1" != "--" ]]; then
	LABEL="$1"
	shift
fi
if [[ $# -gt 0 ]]; then
	if [[ "$1" != "--" ]]; then
		echo "usage: $0 [LABEL] [-- extra service args]" >&2
		exit 2
	fi
	shift
fi
SERVICE_ARGS=("$@")
if [[ ! "$LABEL" =~ ^[A-Za-z0-9._-]+$ ]]; then
	echo "LABEL may hold only letters, digits, '.', '_' and '-': $LABEL" >&2
	exit 2
fi

DURATION="${DURATION:-20}"
WARMUP="${WARMUP:-10}"
RATES="${RATES:-200 500 1000 2000}"
PACED_CONNECTIONS="${PACED_CONNECTIONS:-64}"
BATCH_CONNECTIONS="${BATCH_CONNECTIONS:-8}"
CANVAS="${CANVAS:-1}"
OVERLOAD="${OVERLOAD:-1}"
OVERLOAD_QUEUE="${OVERLOAD_QUEUE:-128}"
OVERLOAD_CONNECTIONS="${OVERLOAD_CONNECTIONS:-256}"
RECOVERY_RATE="${RECOVERY_RATE:-}"
JAR="${JAR:-$REPO/target/digit-service-1.0.0.jar}"
JAVA="${JAVA:-java}"
SERVICE_JAVA_OPTS="${SERVICE_JAVA_OPTS:-}"
MODEL_DIR="${MODEL_DIR:-$REPO/models}"
OUT_DIR="${OUT_DIR:-$REPO/docs/bench}"
SETTLE="${SETTLE:-1}"
READY_TIMEOUT="${READY_TIMEOUT:-180}"
WRK_TIMEOUT="${WRK_TIMEOUT:-10s}"
THREADS=2

# the exact command, with the settings that were given through the environment
COMMAND=""
for v in DURATION WARMUP RATES PACED_CONNECTIONS BATCH_CONNECTIONS CANVAS OVERLOAD OVERLOAD_QUEUE \
	OVERLOAD_CONNECTIONS RECOVERY_RATE JAR JAVA SERVICE_JAVA_OPTS MODEL_DIR OUT_DIR SETTLE WRK_TIMEOUT; do
	if [[ -n "$(printenv "$v" 2>/dev/null || true)" ]]; then
		COMMAND+="$v=$(printf '%q' "$(printenv "$v")") "
	fi
done
COMMAND+="scripts/bench/http-bench.sh $LABEL"
if [[ ${#SERVICE_ARGS[@]} -gt 0 ]]; then
	COMMAND+=" --$(printf ' %q' "${SERVICE_ARGS[@]}")"
fi

for tool in wrk python3 curl "$JAVA"; do
	command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done
[[ -f "$JAR" ]] || { echo "no jar at $JAR (build one, or set JAR=...)" >&2; exit 1; }
[[ -d "$MODEL_DIR" ]] || { echo "no model directory at $MODEL_DIR" >&2; exit 1; }

WORK="$(mktemp -d /tmp/http-bench."$LABEL".XXXXXX)"
RESULTS="$WORK/results.jsonl"
: >"$RESULTS"
SVC_PID=""
STARTED=$SECONDS

# progress goes to the original stderr (fd 3), also from code running under a redirection
exec 3>&2
log() { printf '[%s +%3ds] %s\n' "$(date -u +%H:%M:%S)" $((SECONDS - STARTED)) "$*" >&3; }

stop_service() {
	if [[ -n "$SVC_PID" ]] && kill -0 "$SVC_PID" 2>/dev/null; then
		kill -TERM "$SVC_PID" 2>/dev/null || true
		for _ in $(seq 1 60); do
			kill -0 "$SVC_PID" 2>/dev/null || break
			sleep 0.5
		done
		if kill -0 "$SVC_PID" 2>/dev/null; then
			log "service $SVC_PID still running after 30 s: SIGKILL"
			kill -KILL "$SVC_PID" 2>/dev/null || true
		fi
		wait "$SVC_PID" 2>/dev/null || true
	fi
	SVC_PID=""
}

LOAD_PID=""
# run_load CMD...: runs a (bounded) load generator in the background and waits for it, so a signal to
# this script is handled at once; timeout(1) passes the signal on to its whole process group
run_load() {
	"$@" &
	LOAD_PID=$!
	local rc=0
	wait "$LOAD_PID" || rc=$?
	LOAD_PID=""
	return $rc
}

cleanup() {
	local rc=$?
	if [[ -n "$LOAD_PID" ]] && kill -0 "$LOAD_PID" 2>/dev/null; then
		kill -TERM "$LOAD_PID" 2>/dev/null || true
		wait "$LOAD_PID" 2>/dev/null || true
	fi
	stop_service
	rm -f "$WORK/digit-service.jar"
	if [[ $rc -ne 0 ]]; then
		log "failed (exit $rc); logs and raw output kept in $WORK"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the service -------------------------------------------------------------------------------

log "copying $JAR"
cp "$JAR" "$WORK/digit-service.jar"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).namelist()' "$WORK/digit-service.jar" \
	|| { echo "the jar copy is not a readable zip (was it being rebuilt?): retry" >&2; exit 1; }
JAR_SHA="$(sha256sum "$WORK/digit-service.jar" | cut -d' ' -f1)"

PORT=""
# start_service NAME ARGS...: starts the jar on a free loopback port and waits for readiness
start_service() {
	local name="$1"
	shift
	PORT="$(python3 "$LIB" freeport)"
	local svc_log="$WORK/service-$name.log"
	log "starting service ($name) on 127.0.0.1:$PORT: $*"
	# shellcheck disable=SC2086 # SERVICE_JAVA_OPTS is a list of JVM options
	(cd "$REPO" && exec "$JAVA" $SERVICE_JAVA_OPTS -jar "$WORK/digit-service.jar" --server.port="$PORT" \
		--server.address=127.0.0.1 --digits.model.dir="$MODEL_DIR" "$@") >"$svc_log" 2>&1 &
	SVC_PID=$!
	local deadline=$((SECONDS + READY_TIMEOUT))
	until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/actuator/health/readiness" 2>/dev/null; do
		if ! kill -0 "$SVC_PID" 2>/dev/null; then
			echo "the service exited during startup; last lines of $svc_log:" >&2
			tail -n 30 "$svc_log" >&2
			exit 1
		fi
		if ((SECONDS > deadline)); then
			echo "the service was not ready after $READY_TIMEOUT s; see $svc_log" >&2
			exit 1
		fi
		sleep 0.5
	done
	log "ready after $((SECONDS + READY_TIMEOUT - deadline)) s"
}

BASE() { echo "http://127.0.0.1:$PORT"; }

# ---- payloads ----------------------------------------------------------------------------------

PAY="$WORK/payloads"
python3 "$BENCH/make-payloads.py" "$PAY" >/dev/null
SINGLE="$PAY/digit-28.png"
CANVAS_PNG="$PAY/canvas-280.png"
MULTI="$PAY/batch-16.multipart"
MULTI_CT="$(cat "$PAY/batch-16.content-type")"
LABELS_JSON="$PAY/labels.json"

# ---- machine facts -----------------------------------------------------------------------------

NPROC="$(nproc)"
CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
MEM="$(awk '/MemTotal/ {printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo)"
JAVA_VERSION="$("$JAVA" -version 2>&1 | tr '\n' ' ' | sed 's/  */ /g; s/ $//')"
WRK_VERSION="$({ wrk -v 2>&1 || true; } | head -1 | sed 's/ Copyright.*//')"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
# what else runs: CPU used over a few seconds before the service starts
BACKGROUND="$(python3 "$LIB" background "${BACKGROUND_SECONDS:-3}")"
GIT_DESC="$(cd "$REPO" && { git rev-parse --short HEAD 2>/dev/null || echo unknown; })"
if [[ -n "$(cd "$REPO" && git status --porcelain -- src pom.xml 2>/dev/null)" ]]; then
	GIT_DESC+=" with uncommitted changes in src/ or pom.xml"
fi
START_DATE="$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
log "machine: $NPROC cores, $CPU; load $LOAD_BEFORE; $WRK_VERSION"
log "background CPU before the service starts: $BACKGROUND"

# ---- one wrk run -------------------------------------------------------------------------------

# run_wrk SECTION RUN CONNECTIONS TARGET(0 = closed loop) ENDPOINT BODY CONTENT_TYPE IMAGES [DURATION]
run_wrk() {
	local section="$1" run="$2" conns="$3" target="$4" endpoint="$5" body="$6" ctype="$7" images="$8"
	local secs="${9:-$DURATION}"
	local path="/api/v1/predictions"
	[[ "$endpoint" == "batch" ]] && path="/api/v1/predictions/batch"
	local before="$WORK/$run.before.prom" after="$WORK/$run.after.prom" out="$WORK/$run.wrk.txt"
	python3 "$LIB" scrape "$(BASE)/actuator/prometheus" "$before"
	local rate_env=()
	[[ "$target" != "0" ]] && rate_env=(TARGET_RATE="$target")
	local timing=()
	[[ -x /usr/bin/time ]] && timing=(/usr/bin/time -o "$WORK/$run.time" -f "CPU %U %S")
	python3 "$LIB" cpu-snap "$SVC_PID" "$WORK/$run.cpu-before.json"
	# wrk stops itself after -d; timeout is only a safety net against a hang
	if ! run_load env BODY_FILE="$body" CONTENT_TYPE="$ctype" WRK_THREADS="$THREADS" BENCH_LABEL="$LABEL/$run" \
		"${rate_env[@]}" timeout -k 5 $((secs + 60)) "${timing[@]}" \
		wrk -t"$THREADS" -c"$conns" -d"${secs}s" --timeout "$WRK_TIMEOUT" -s "$LUA" "$(BASE)$path" >"$out" 2>&1; then
		echo "wrk failed for $run; output:" >&2
		cat "$out" >&2
		exit 1
	fi
	python3 "$LIB" cpu-snap "$SVC_PID" "$WORK/$run.cpu-after.json"
	sleep "$SETTLE"
	python3 "$LIB" scrape "$(BASE)/actuator/prometheus" "$after"
	local target_arg=()
	[[ "$target" != "0" ]] && target_arg=(--target "$target")
	python3 "$LIB" record "$RESULTS" --section "$section" --run "$run" --connections "$conns" \
		--threads "$THREADS" "${target_arg[@]}" --wrk "$out" --before "$before" --after "$after" \
		--endpoint "$endpoint" --images "$images" --cpu-before "$WORK/$run.cpu-before.json" \
		--cpu-after "$WORK/$run.cpu-after.json" --wrk-time "$WORK/$run.time"
}

warm() { # warm SECONDS CONNECTIONS ENDPOINT BODY CONTENT_TYPE
	local path="/api/v1/predictions"
	[[ "$3" == "batch" ]] && path="/api/v1/predictions/batch"
	run_load env BODY_FILE="$4" CONTENT_TYPE="$5" timeout -k 5 $(($1 + 60)) \
		wrk -t"$THREADS" -c"$2" -d"${1}s" --timeout "$WRK_TIMEOUT" -s "$LUA" "$(BASE)$path" >"$WORK/warmup.txt" 2>&1 \
		|| { echo "warm-up failed:" >&2; cat "$WORK/warmup.txt" >&2; exit 1; }
}

rps_of() { python3 "$LIB" get "$RESULTS" "$1" wrk.rps; }

# ---- main service: sanity, warm-up, (a) (b) (c) ------------------------------------------------

start_service main "${SERVICE_ARGS[@]}"

log "sanity check: every payload once"
SANITY="$(python3 - "$(BASE)" "$SINGLE" "$CANVAS_PNG" "$MULTI" "$MULTI_CT" "$LABELS_JSON" <<'EOF'
import json, sys, urllib.request
base, single, canvas, multi, multi_ct, labels_path = sys.argv[1:]
labels = json.load(open(labels_path))
def post(path, body, ctype):
    req = urllib.request.Request(base + path, data=open(body, "rb").read(), headers={"Content-Type": ctype})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)
a = post("/api/v1/predictions", single, "image/png")["digit"]
b = post("/api/v1/predictions", canvas, "image/png")["digit"]
batch = [p["digit"] for p in post("/api/v1/predictions/batch", multi, multi_ct)["predictions"]]
truth = labels["batch-16.multipart"]
right = sum(p == t for p, t in zip(batch, truth))
print(f"digit-28.png -> {a} (label {labels['digit-28.png']}), canvas-280.png -> {b}, "
      f"batch of {len(batch)} -> {right}/{len(truth)} right; every request answered 200")
EOF
)" || { echo "sanity check failed: the service does not answer the payloads" >&2; exit 1; }
log "$SANITY"

log "warm-up: ${WARMUP} s single PNG at 64 connections, then batch"
warm "$WARMUP" 64 image "$SINGLE" image/png
warm $(((WARMUP + 3) / 4)) "$BATCH_CONNECTIONS" batch "$MULTI" "$MULTI_CT"
sleep "$SETTLE"

log "(a) maximum throughput, closed loop"
run_wrk max max-16 16 0 image "$SINGLE" image/png 1
run_wrk max max-64 64 0 image "$SINGLE" image/png 1
if [[ "$CANVAS" != "0" ]]; then
	run_wrk max canvas-280-16 16 0 image "$CANVAS_PNG" image/png 1
fi
MAX_RPS="$(python3 -c 'import sys; print(max(float(x) for x in sys.argv[1:]))' "$(rps_of max-16)" "$(rps_of max-64)")"
log "best closed-loop rate: $MAX_RPS req/s"

log "(b) paced runs"
PACED_RATES="$RATES"
if python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > 3000 else 1)' "$MAX_RPS" && [[ " $RATES " != *" 3000 "* ]]; then
	PACED_RATES+=" 3000"
fi
for rate in $PACED_RATES; do
	run_wrk paced "paced-$rate" "$PACED_CONNECTIONS" "$rate" image "$SINGLE" image/png 1
done

log "(c) batch requests, 16 images each"
run_wrk batch batch16-$BATCH_CONNECTIONS "$BATCH_CONNECTIONS" 0 batch "$MULTI" "$MULTI_CT" 16

# ---- (d) overload ------------------------------------------------------------------------------

OVERLOAD_ARGS=()
OVERLOAD_RATE=""
RECOVERY=""
OVERLOAD_WARMUP=$(((WARMUP + 1) / 2))
OVERLOAD_NOTE=""
if [[ "$OVERLOAD" != "0" ]]; then
	stop_service
	# the command line must not name the queue capacity twice (Spring would join the two values)
	for a in "${SERVICE_ARGS[@]}"; do
		case "$a" in
			--digits.inference.queue-capacity=* | --digits.inference.queueCapacity=*) ;;
			*) OVERLOAD_ARGS+=("$a") ;;
		esac
	done
	OVERLOAD_ARGS+=("--digits.inference.queue-capacity=$OVERLOAD_QUEUE")
	start_service overload "${OVERLOAD_ARGS[@]}"
	warm "$OVERLOAD_WARMUP" 64 image "$SINGLE" image/png
	sleep "$SETTLE"
	OVERLOAD_RATE="$(python3 -c 'import sys; print(round(2 * float(sys.argv[1])))' "$MAX_RPS")"
	if [[ -z "$RECOVERY_RATE" ]]; then
		RECOVERY_RATE="$(python3 -c 'import sys; print(max(50, min(500, round(float(sys.argv[1]) / 4))))' "$MAX_RPS")"
	fi
	log "(d) overload at $OVERLOAD_RATE req/s, $OVERLOAD_CONNECTIONS connections, queue capacity $OVERLOAD_QUEUE"
	run_wrk overload "overload-$OVERLOAD_RATE" "$OVERLOAD_CONNECTIONS" "$OVERLOAD_RATE" image "$SINGLE" image/png 1
	log "recovery at $RECOVERY_RATE req/s"
	run_wrk overload "recovery-$RECOVERY_RATE" 16 "$RECOVERY_RATE" image "$SINGLE" image/png 1
	OV503="$(python3 "$LIB" get "$RESULTS" "overload-$OVERLOAD_RATE" wrk.s503)"
	if [[ "$OV503" == "0" ]]; then
		OVERLOAD_NOTE="No 503 during the burst: the service never refused work. Tomcat runs at most server.tomcat.threads.max request threads (200 by default), each waiting on one image, so single-image requests cannot hold more images in the inference queue than there are request threads; a queue-capacity at or above that is never reached and the excess waits in Tomcat's queue instead (invisible to the server histogram). Lower OVERLOAD_QUEUE, or raise the load, to see shedding."
	fi
fi
stop_service

# ---- report ------------------------------------------------------------------------------------

mkdir -p "$OUT_DIR"
REPORT="$OUT_DIR/http-$LABEL.md"
RAW="$OUT_DIR/http-$LABEL.results.jsonl"
cp "$RESULTS" "$RAW"
M_LABEL="$LABEL" M_COMMAND="$COMMAND" M_DATE="$START_DATE" M_NPROC="$NPROC" M_CPU="$CPU" M_MEM="$MEM" \
M_KERNEL="$(uname -r)" M_JAVA="$JAVA_VERSION" M_WRK="$WRK_VERSION" M_LOAD_BEFORE="$LOAD_BEFORE" \
M_LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)" M_BACKGROUND="$BACKGROUND" M_JAR="$JAR" M_JAR_SHA="$JAR_SHA" \
M_GIT="$GIT_DESC" M_REPO="$REPO" M_SERVICE_ARGS="${SERVICE_ARGS[*]:-}" M_JAVA_OPTS="$SERVICE_JAVA_OPTS" \
M_PAYLOADS="28x28 grey PNG of MNIST test digit 0 ($(stat -c %s "$SINGLE") bytes), 280x280 canvas PNG of the same digit ($(stat -c %s "$CANVAS_PNG") bytes), multipart body of test digits 0-15 ($(stat -c %s "$MULTI") bytes)" \
M_SANITY="$SANITY" M_DURATION="$DURATION" M_WARMUP="$WARMUP" M_SETTLE="$SETTLE" M_WRK_TIMEOUT="$WRK_TIMEOUT" \
M_OVERLOAD_ARGS="${OVERLOAD_ARGS[*]:-}" M_OVERLOAD_WARMUP="$OVERLOAD_WARMUP" M_OVERLOAD_NOTE="$OVERLOAD_NOTE" \
M_RESULTS_FILE="${RAW#"$REPO/"}" python3 - "$WORK/meta.json" <<'EOF'
import json, os, sys
e = lambda k: os.environ["M_" + k]
meta = {
    "label": e("LABEL"), "command": e("COMMAND"), "date": e("DATE"), "nproc": int(e("NPROC")), "cpu": e("CPU"),
    "memory": e("MEM"), "kernel": e("KERNEL"), "java": e("JAVA"), "wrk": e("WRK"),
    "load_before": e("LOAD_BEFORE"), "load_after": e("LOAD_AFTER"),
    "background": json.loads(e("BACKGROUND")),
    "jar": e("JAR"), "jar_sha256": e("JAR_SHA"), "git": e("GIT"), "repo": e("REPO"),
    "service_args": e("SERVICE_ARGS"), "java_opts": e("JAVA_OPTS"), "payloads": e("PAYLOADS"),
    "sanity": e("SANITY"), "duration_s": int(e("DURATION")), "warmup_s": int(e("WARMUP")),
    "settle_s": e("SETTLE"), "wrk_timeout": e("WRK_TIMEOUT"), "overload_args": e("OVERLOAD_ARGS"),
    "overload_warmup_s": int(e("OVERLOAD_WARMUP")), "overload_note": e("OVERLOAD_NOTE"),
    "results_file": e("RESULTS_FILE"),
}
with open(sys.argv[1], "w") as f:
    json.dump(meta, f, indent=2)
EOF
python3 "$LIB" render "$RESULTS" "$WORK/meta.json" >"$REPORT"
cat "$REPORT"
log "report: $REPORT (raw: $RAW; logs: $WORK); total $((SECONDS - STARTED)) s"
