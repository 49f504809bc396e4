#!/usr/bin/env bash
# Runs the container's start-up outside a container (there is no Docker engine here):
#  1. extracts JAR's layers with the Dockerfile's own extraction command and assembles them in
#     the runtime stage's order in TMP/app (the image's /app), with the model and the compiled
#     health-check program, as the Dockerfile's COPY lines do;
#  2. runs the Dockerfile's ENTRYPOINT with the Dockerfile's ENV (paths /app and /tmp mapped
#     into TMP), plus -XX:MaxRAM=<the Kubernetes memory limit> so the JVM sizes heap and
#     JavaCPP's caps as it would inside that limit (it reads the cgroup limit in a container);
#  3. waits until the Dockerfile's HEALTHCHECK command succeeds (readiness UP);
#  4. sends a prediction, checks the resident memory stays under JavaCPP's maxphysicalbytes and
#     that nothing was written under /app (the Kubernetes pod has a read-only root filesystem);
#  5. sends SIGTERM and checks the graceful shutdown completes and the JVM exits in time.
#
# Usage: docker/tests/check-container-start.sh JAR [MODELS_DIR]    (MODELS_DIR: default models/)
# Needs: java and javac 17, curl, python3 with PyYAML. Loopback only. Bounded: start-up timeout
# STARTUP_TIMEOUT (default 240 s) + 60 s.
set -uo pipefail
export PYTHONDONTWRITEBYTECODE=1

JAR="$(realpath "${1:?usage: check-container-start.sh JAR [MODELS_DIR]}")"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MODELS="$(realpath "${2:-$ROOT/models}")"
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-240}"
[ -f "$JAR" ] || { echo "check-container-start: no jar $JAR" >&2; exit 2; }
[ -d "$MODELS" ] || { echo "check-container-start: no models folder $MODELS" >&2; exit 2; }

TMP="$(mktemp -d)"
PID=""
cleanup() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then kill -KILL "$PID" 2>/dev/null; fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
check() { # check NAME CONDITION_EXIT_CODE [DETAIL]
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); echo "ok   $1"
  else failed=$((failed + 1)); echo "FAIL $1${3:+  -- $3}"; fi
}
finish() {
  echo "check-container-start: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && exit 0 || exit 1
}
abort() { check "$1" 1 "${2:-}"; [ -f "$TMP/app.log" ] && { echo "---- last lines of the service log"; tail -40 "$TMP/app.log"; }; finish; }

# ------------------------------------------------------------------ what the Dockerfile says
eval "$(python3 "$ROOT/docker/tests/dockerfile_runtime.py" "$ROOT" "$TMP")" || abort "read the Dockerfile"
echo "ENTRYPOINT: ${ENTRYPOINT[*]}"
echo "HEALTHCHECK: ${HEALTHCHECK[*]}"

# ------------------------------------------------------------------ 1. the image's /app
mkdir -p "$TMP/build" "$TMP/tmp"
cp "$JAR" "$TMP/build/application.jar"
extract=("${EXTRACT_ARGS[@]}")
for i in "${!extract[@]}"; do [ "${extract[$i]}" = /extracted ] && extract[$i]="$TMP/extracted"; done
(cd "$TMP/build" && java "${extract[@]}") >"$TMP/extract.log" 2>&1
check "layers extracted: java ${EXTRACT_ARGS[*]}" $? "$(tail -3 "$TMP/extract.log")"
mkdir -p "$WORKDIR"
for layer in "${LAYERS[@]}"; do
  [ -d "$TMP/extracted/$layer" ] || abort "layer $layer extracted"
  cp -a "$TMP/extracted/$layer/." "$WORKDIR/"
  echo "     layer $layer: $(du -sh "$TMP/extracted/$layer" | cut -f1)"
done
native=$(find "$TMP/extracted/dependencies" -name '*linux-x86_64*.jar' | wc -l)
native_app=$(find "$TMP/extracted/application" -name '*.jar' | wc -l)
[ "$native" -gt 0 ] && [ "$native_app" -eq 0 ]
check "native jars are in the dependencies layer, none in the application layer" $? "deps: $native, app: $native_app"
cp -a "$MODELS" "$WORKDIR/models"
javac --release 17 -d "$WORKDIR/healthcheck" "$ROOT/docker/healthcheck/HealthCheck.java"
check "health check program compiles" $?
touch "$TMP/marker"
sleep 1

# ------------------------------------------------------------------ 2. start as the ENTRYPOINT does
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
# the two flags added to the ENTRYPOINT: the container's memory limit, and its /tmp
cmd=("${ENTRYPOINT[0]}" "-XX:MaxRAM=$MEMORY_LIMIT" "-Djava.io.tmpdir=$TMP/tmp" "${ENTRYPOINT[@]:1}")
echo "start: (cd $WORKDIR; ${ENV_VARS[*]} SERVER_PORT=$PORT HOME=$WORKDIR ${cmd[*]})"
(
  cd "$WORKDIR" || exit 1
  for kv in "${ENV_VARS[@]}"; do export "${kv?}"; done
  export SERVER_PORT="$PORT" HOME="$WORKDIR"
  exec "${cmd[@]}"
) >"$TMP/app.log" 2>&1 &
PID=$!
started=$(date +%s)

# ------------------------------------------------------------------ 3. the HEALTHCHECK
health() {
  (
    for kv in "${ENV_VARS[@]}"; do export "${kv?}"; done
    export SERVER_PORT="$PORT"
    timeout 20 "${HEALTHCHECK[@]}"
  ) >"$TMP/health.log" 2>&1
}
ready=1
while [ $(($(date +%s) - started)) -lt "$STARTUP_TIMEOUT" ]; do
  kill -0 "$PID" 2>/dev/null || abort "service still running during start-up"
  if health; then ready=0; break; fi
  sleep 2
done
elapsed=$(($(date +%s) - started))
[ "$ready" -eq 0 ] || abort "HEALTHCHECK passes within ${STARTUP_TIMEOUT}s" "$(cat "$TMP/health.log")"
check "HEALTHCHECK (readiness) passes after ${elapsed}s" 0

# ------------------------------------------------------------------ 4. serve, memory, writes
python3 "$ROOT/docker/tests/make_digits.py" "$TMP/in"
code=$(curl -sS -o "$TMP/prediction.json" -w '%{http_code}' --max-time 20 \
  -F "file=@$TMP/in/digit-7.png;type=image/png" "http://127.0.0.1:$PORT/api/v1/predictions")
[ "$code" = 200 ]; rc=$?
check "a prediction succeeds (HTTP $code): $(head -c 200 "$TMP/prediction.json")" $rc
metrics=$(curl -sS --max-time 10 "http://127.0.0.1:$PORT/actuator/prometheus")
grep -Eq '^digits_model_ready(\{[^}]*\})? 1(\.0)?$' <<<"$metrics"
check "digits_model_ready is 1" $?
rss_kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$PID/status")
heap_max=$(sed -nE 's/^jvm_memory_max_bytes\{[^}]*area="heap"[^}]*\} ([0-9.E+-]+)$/\1/p' <<<"$metrics" \
  | python3 -c 'import sys; print(int(sum(float(x) for x in sys.stdin if float(x) > 0)))')
python3 - "$MEMORY_LIMIT" "$rss_kb" "$heap_max" "${ENTRYPOINT[*]}" >"$TMP/mem.out" <<'PY'
import re, sys
limit_s, rss_kb, heap, entry = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
limit = int(limit_s[:-1]) * (1 << (20 if limit_s[-1] == "m" else 30))
pct = int(re.search(r"maxphysicalbytes=(\d+)%", entry).group(1))
cap = heap * pct // 100
rss = rss_kb * 1024
print(f"memory limit {limit >> 20} MiB, max heap {heap >> 20} MiB, JavaCPP maxphysicalbytes {cap >> 20} MiB "
      f"({100 * cap / limit:.0f}% of the limit), resident now {rss >> 20} MiB ({100 * rss / limit:.0f}% of the limit)")
sys.exit(0 if rss < cap <= limit else 1)
PY
rc=$?
check "resident memory under JavaCPP's maxphysicalbytes, itself under the limit: $(cat "$TMP/mem.out")" $rc
written=$(find "$WORKDIR" -newer "$TMP/marker" | head -5)
[ -z "$written" ]
check "nothing written under /app (read-only root filesystem)" $? "$written"
echo "     written under /tmp: $(du -sh "$TMP/tmp" | cut -f1) ($(ls "$TMP/tmp" | tr '\n' ' '))"

# ------------------------------------------------------------------ 5. SIGTERM
kill -TERM "$PID"
stopped=1
for _ in $(seq 1 60); do
  kill -0 "$PID" 2>/dev/null || { stopped=0; break; }
  sleep 0.5
done
if [ "$stopped" -ne 0 ]; then abort "exits within 30 s of SIGTERM"; fi
wait "$PID"
rc=$?
PID=""
check "exits within 30 s of SIGTERM (exit status $rc)" 0
[ "$rc" -eq 143 ] || [ "$rc" -eq 0 ]
check "exit status is 143 (SIGTERM, shutdown hooks ran) or 0" $?
grep -q "Commencing graceful shutdown" "$TMP/app.log" && grep -q "Graceful shutdown complete" "$TMP/app.log"
check "graceful shutdown logged (Commencing graceful shutdown ... Graceful shutdown complete)" $? \
  "$(grep -iE 'shutdown|stopp' "$TMP/app.log" | tail -5)"
if grep -qE '(^| )ERROR ' "$TMP/app.log"; then
  echo "     errors in the service log:"; grep -E '(^| )ERROR ' "$TMP/app.log" | head -5 | cut -c1-300
fi
finish
