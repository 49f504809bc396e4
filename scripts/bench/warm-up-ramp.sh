#!/usr/bin/env bash
# A new replica's first minute: start to ready, and ready to full speed.
#
#   ./mvnw -o -q -DskipTests package -Dnd4j.build=avx2 && scripts/bench/warm-up-ramp.sh
#
# Starts the jar as the container image does: its layers extracted by the Dockerfile's own command
# (no launcher), the ENTRYPOINT's JVM flags and the image's ENV (dockerfile_runtime.py), -XX:MaxRAM
# of the Kubernetes limit, a fresh /tmp so the native libraries are unpacked as in a new pod, on
# the runtime image's Java release when this machine has it (as the container checks choose it).
# CONFIGS lists what to compare, each WARMUP or WARMUP+aot: the self warm-up's requests
# (digits.warm-up.requests), and whether the JVM starts from an AOT cache recorded from this jar
# the way the Dockerfile records it (once, before the first round; Java 25).
#
# Each start: the seconds from exec to readiness UP; then wrk (8 connections, raw PNG uploads of
# docs/examples/seven.png) for WINDOWS one-second windows. "Full speed" is the first second from
# which every later window answers at least 90% of the steady rate (the median of the last ten
# windows), with the requests answered until then; "p50 steady" the first second from which
# every later window's median latency is within 10% of the steady median latency (the last ten).
# ROUNDS rounds alternate the configurations. Writes target/warm-up/ramp.md and ramp.json.
#
# Environment (defaults): JAR (service/target/digit-service-1.0.0.jar), CONFIGS ("500+aot 0+aot
# 500 0"), ROUNDS (2), WINDOWS (40), OUT (target/warm-up). Needs wrk, curl, python3 with PyYAML.
# The load generator shares the 2 cores with the service; never run two benchmarks at once.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$(realpath "${JAR:-$REPO/service/target/digit-service-1.0.0.jar}")"
CONFIGS="${CONFIGS:-500+aot 0+aot 500 0}"
ROUNDS="${ROUNDS:-2}"
WINDOWS="${WINDOWS:-40}"
OUT="$(mkdir -p "${OUT:-$REPO/target/warm-up}" && cd "${OUT:-$REPO/target/warm-up}" && pwd)"
command -v wrk >/dev/null || { echo "wrk is needed (Debian package wrk)" >&2; exit 1; }
WORK="$(mktemp -d)"
PID=""
cleanup() { [[ -n "$PID" ]] && kill -KILL "$PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

eval "$(python3 "$REPO/docker/tests/dockerfile_runtime.py" "$REPO" "$WORK")"
JAVA_CMD="$RUNTIME_JAVA"
echo "java: $JAVA_CMD ($("$JAVA_CMD" -version 2>&1 | head -1)); jar: $JAR" >&2

# the image's /app: the Dockerfile's extraction, its layers in order, the models
mkdir -p "$WORK/build"
cp "$JAR" "$WORK/build/application.jar"
extract=("${EXTRACT_ARGS[@]}")
for i in "${!extract[@]}"; do [[ "${extract[$i]}" == /extracted ]] && extract[$i]="$WORK/extracted"; done
(cd "$WORK/build" && java "${extract[@]}") >/dev/null
mkdir -p "$WORKDIR"
for layer in "${LAYERS[@]}"; do cp -a "$WORK/extracted/$layer/." "$WORKDIR/"; done
cp -a "$REPO/models" "$WORKDIR/models"

cat >"$WORK/post.lua" <<LUA
local f = io.open("$REPO/docs/examples/seven.png", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "image/png"
LUA
PORT=18480 MPORT=18481 GPORT=18482

# run_jvm LOG ARGS...: becomes the java command in the image's /app with its ENV and a fresh
# /tmp; call it in a subshell, ( run_jvm ... ) or run_jvm ... &, so that the subshell's PID is java's
run_jvm() {
	local log="$1"; shift
	rm -rf "$WORK/tmp" && mkdir -p "$WORK/tmp"
	cd "$WORKDIR" || exit 1
	for kv in "${ENV_VARS[@]}"; do export "${kv?}"; done
	export SERVER_PORT="$PORT" MANAGEMENT_SERVER_PORT="$MPORT" DIGITS_GRPC_PORT="$GPORT" HOME="$WORKDIR" \
		SERVER_ADDRESS=127.0.0.1 MANAGEMENT_SERVER_ADDRESS=127.0.0.1
	exec "$JAVA_CMD" -Djava.io.tmpdir="$WORK/tmp" "$@" >"$log" 2>&1
}

cache=""
if [[ " $CONFIGS " == *"+aot "* ]]; then
	[[ "${#AOT_TRAIN[@]}" -gt 0 ]] || { echo "the Dockerfile records no AOT cache" >&2; exit 1; }
	cache=$(printf '%s\n' "${AOT_TRAIN[@]}" | sed -n 's/^-XX:AOTCacheOutput=//p')
	echo "recording the AOT cache as the Dockerfile does" >&2
	(run_jvm "$OUT/aot-record.log" "${AOT_TRAIN[@]}")
	[[ -s "$cache" ]] || { echo "no AOT cache written: see $OUT/aot-record.log" >&2; exit 1; }
fi

results="$OUT/ramp.jsonl"
: >"$results"
for round in $(seq 1 "$ROUNDS"); do
	for config in $CONFIGS; do
		warmups="${config%+aot}"
		flags=()
		for arg in "${ENTRYPOINT[@]:1}"; do
			case "$arg" in
				-XX:AOTCache=*) [[ "$config" == *+aot ]] && flags+=("$arg") ;;
				*) flags+=("$arg") ;;
			esac
		done
		log="$OUT/service-$config-$round.log"
		start=$(date +%s.%N)
		run_jvm "$log" "-XX:MaxRAM=$MEMORY_LIMIT" "${flags[@]}" "--digits.warm-up.requests=$warmups" &
		PID=$!
		until curl -fsS -o /dev/null "http://127.0.0.1:$MPORT/actuator/health/readiness" 2>/dev/null; do
			kill -0 "$PID" 2>/dev/null || { echo "the service did not start: $log" >&2; exit 1; }
			sleep 0.05
		done
		ready=$(printf '%.2f' "$(echo "$(date +%s.%N) - $start" | bc)")
		windows=()
		for _ in $(seq 1 "$WINDOWS"); do
			windows+=("$(wrk -t1 -c8 -d1s --latency -s "$WORK/post.lua" "http://127.0.0.1:$PORT/api/v1/predictions" \
				| awk '/^ +50%/ {v=$2; u=1; if (v ~ /us$/) u=0.001; else if (v ~ /ms$/) u=1; else if (v ~ /s$/) u=1000;
				                 sub(/[a-z]+$/, "", v); p50=v*u}
				       /^Requests\/sec/ {rps=$2} END {printf "%.1f:%.3f", rps, p50}')")
		done
		kill "$PID"; wait "$PID" 2>/dev/null || true
		PID=""
		aot_errors=$(grep -c '\[error\]\[aot\]' "$log" || true)
		echo "{\"config\": \"$config\", \"round\": $round, \"ready\": $ready, \"aotErrors\": $aot_errors, \"windows\": \"${windows[*]}\"}" >>"$results"
		echo "round $round, $config: ready in ${ready} s; req/s:p50 ms per second: ${windows[*]}" >&2
	done
done

python3 "$REPO/scripts/bench/ramp_table.py" "$results" "$OUT" "$JAVA_CMD" "$cache"
