#!/usr/bin/env bash
# Runs the container's start-up outside a container (there is no Docker engine here):
#  1. extracts JAR's layers with the Dockerfile's own extraction command and assembles them in
#     the runtime stage's order in TMP/app (the image's /app), with the model and the compiled
#     health-check program, as the Dockerfile's COPY lines do;
#  2. runs the Dockerfile's ENTRYPOINT with the Dockerfile's ENV (paths /app and /tmp mapped
#     into TMP), plus -XX:MaxRAM=<the Kubernetes memory limit> so the JVM sizes heap and
#     JavaCPP's caps as it would inside that limit (it reads the cgroup limit in a container);
#  3. waits until the Dockerfile's HEALTHCHECK command succeeds (readiness UP on the management
#     port), and checks the two ports: /readyz answers on the request port, /actuator/** only on
#     the management port;
#  4. sends a prediction and a short burst of requests; checks that JavaCPP's caps are the
#     intended shares of the limit, that peak resident memory stays under maxphysicalbytes, and
#     that nothing was written under /app (the Kubernetes pod has a read-only root filesystem);
#  5. sends SIGTERM and checks the graceful shutdown completes and the JVM exits in time.
#
# Usage: docker/tests/check-container-start.sh JAR [MODELS_DIR]    (MODELS_DIR: default models/)
# Needs: java and javac 17 (and the runtime image's Java release, if the machine has it), curl, python3 with PyYAML. Loopback only. Bounded: start-up timeout
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
runtime_vars="$(python3 "$ROOT/docker/tests/dockerfile_runtime.py" "$ROOT" "$TMP" 2>&1)" \
  || abort "read the runtime stage of the Dockerfile" "$runtime_vars"
eval "$runtime_vars"
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
native_app=$(find "$TMP/extracted/application" -name '*linux-x86_64*.jar' | wc -l)
[ "$native" -gt 0 ] && [ "$native_app" -eq 0 ]
check "native jars are in the dependencies layer, none in the application layer" $? "deps: $native, app: $native_app"
# the x86-64 builds of ND4J the Dockerfile's ND4J_BUILD asks for: the AVX2 build alone, or all three
nd4j_build=$(sed -n 's/^ARG ND4J_BUILD=//p' "$ROOT/Dockerfile")
builds=$(cd "$TMP/extracted/dependencies" && find . -name 'nd4j-native-[0-9]*-linux-x86_64-*.jar' -printf '%f\n' \
  | sed 's/^nd4j-native-[^-]*-[^-]*-//; s/\.jar$//' | sort | tr '\n' ' ')
case "$nd4j_build" in
  avx2) expected="linux-x86_64-onednn-avx2 " ;;
  *) expected="linux-x86_64-onednn linux-x86_64-onednn-avx2 linux-x86_64-onednn-avx512 " ;;
esac
[ "$builds" = "$expected" ]
check "the image carries ND4J's builds that ND4J_BUILD=$nd4j_build names: $builds" $? "expected: $expected"
echo "     native libraries in the dependencies layer: $(du -ch $(find "$TMP/extracted/dependencies" \
  -name 'nd4j-native-*-linux-*.jar' -o -name 'openblas-*-linux-*.jar') | tail -1 | cut -f1)"
# the project's own modules change with the code: they belong with it, in the last layer
app_jars=$(cd "$TMP/extracted/application" && find . -name '*.jar' -printf '%f\n' | sort | tr '\n' ' ')
case "$app_jars" in "application.jar digits-core-"*".jar ") in_app=0 ;; *) in_app=1 ;; esac
check "the application layer holds the service (application.jar) and its core module only" $in_app "jars there: $app_jars"
cp -a "$MODELS" "$WORKDIR/models"
javac --release 17 -d "$WORKDIR/healthcheck" "$ROOT/docker/healthcheck/HealthCheck.java"
check "health check program compiles" $?

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# free ports in place of the image's SERVER_PORT (8080) and MANAGEMENT_SERVER_PORT (8081)
PORT="$(free_port)"
MPORT="$(free_port)"
while [ "$MPORT" = "$PORT" ]; do MPORT="$(free_port)"; done
# and in place of its gRPC port (DIGITS_GRPC_PORT, 9090): CI's Prometheus may hold 9090
GPORT="$(free_port)"
while [ "$GPORT" = "$PORT" ] || [ "$GPORT" = "$MPORT" ]; do GPORT="$(free_port)"; done
# the java of the runtime image's release (FROM eclipse-temurin:NN-jre) when this machine has one,
# as the jar tests choose it: DIGITS_CONTAINER_JAVA_HOME, else a JDK under /usr/lib/jvm named for it
JAVA_CMD="${ENTRYPOINT[0]}"
release="$(grep -oP '^FROM\s+\S*temurin:\K[0-9]+' "$ROOT/Dockerfile" | tail -1)"
if [ -n "${DIGITS_CONTAINER_JAVA_HOME:-}" ]; then
  JAVA_CMD="$DIGITS_CONTAINER_JAVA_HOME/bin/java"
elif [ -n "$release" ]; then
  for d in /usr/lib/jvm/*-"$release" /usr/lib/jvm/*-"$release"-*; do
    if [ -x "$d/bin/java" ]; then JAVA_CMD="$d/bin/java"; break; fi
  done
fi
echo "java: $JAVA_CMD ($("$JAVA_CMD" -version 2>&1 | head -1))"

# the image's build step that records the JVM's AOT cache: one start of the service that ends
# after its warm-up, with the ENTRYPOINT's flags (check-static.sh checks they match); its /tmp is
# emptied as the Dockerfile does
if [ "${#AOT_TRAIN[@]}" -gt 0 ]; then
  train=("$JAVA_CMD" "-Djava.io.tmpdir=$TMP/tmp" "${AOT_TRAIN[@]}")
  echo "AOT cache recording: (cd $WORKDIR; ${train[*]})"
  trained=$(date +%s)
  (
    cd "$WORKDIR" || exit 1
    for kv in "${ENV_VARS[@]}"; do export "${kv?}"; done
    export SERVER_PORT="$PORT" MANAGEMENT_SERVER_PORT="$MPORT" DIGITS_GRPC_PORT="$GPORT" HOME="$WORKDIR"
    exec timeout "$STARTUP_TIMEOUT" "${train[@]}"
  ) >"$TMP/aot.log" 2>&1
  rc=$?
  cache=$(printf '%s\n' "${AOT_TRAIN[@]}" | sed -n 's/^-XX:AOTCacheOutput=//p')
  [ "$rc" -eq 0 ] && [ -s "$cache" ]
  check "the AOT cache recording run ends by itself and writes the cache ($(du -h "$cache" 2>/dev/null | cut -f1), $(($(date +%s) - trained)) s)" $? \
    "exit status $rc; $(tail -3 "$TMP/aot.log")"
  rm -rf "$TMP/tmp" && mkdir -p "$TMP/tmp"
fi
touch "$TMP/marker"
sleep 1

# ------------------------------------------------------------------ 2. start as the ENTRYPOINT does
# the two flags added to the ENTRYPOINT: the container's memory limit, and its /tmp
cmd=("$JAVA_CMD" "-XX:MaxRAM=$MEMORY_LIMIT" "-Djava.io.tmpdir=$TMP/tmp" "${ENTRYPOINT[@]:1}")
echo "start: (cd $WORKDIR; ${ENV_VARS[*]} SERVER_PORT=$PORT MANAGEMENT_SERVER_PORT=$MPORT DIGITS_GRPC_PORT=$GPORT HOME=$WORKDIR ${cmd[*]})"
(
  cd "$WORKDIR" || exit 1
  for kv in "${ENV_VARS[@]}"; do export "${kv?}"; done
  export SERVER_PORT="$PORT" MANAGEMENT_SERVER_PORT="$MPORT" DIGITS_GRPC_PORT="$GPORT" HOME="$WORKDIR"
  exec "${cmd[@]}"
) >"$TMP/app.log" 2>&1 &
PID=$!
started=$(date +%s)

# ------------------------------------------------------------------ 3. the HEALTHCHECK
health() {
  (
    for kv in "${ENV_VARS[@]}"; do export "${kv?}"; done
    export SERVER_PORT="$PORT" MANAGEMENT_SERVER_PORT="$MPORT"
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
check "HEALTHCHECK (readiness on the management port) passes after ${elapsed}s" 0
# the two ports: readiness on the request port too (/readyz, the Kubernetes readiness probe),
# the actuator on the management port only
code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$PORT/readyz")
[ "$code" = 200 ]
check "/readyz answers 200 on the request port" $? "HTTP $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$MPORT/actuator/health/liveness")
[ "$code" = 200 ]
check "/actuator/health/liveness answers 200 on the management port" $? "HTTP $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$PORT/actuator/prometheus")
[ "$code" = 404 ]
check "/actuator/prometheus is not served on the request port (404)" $? "HTTP $code"

# ------------------------------------------------------------------ 4. serve, memory, writes
python3 "$ROOT/docker/tests/make_digits.py" "$TMP/in"
code=$(curl -sS -o "$TMP/prediction.json" -w '%{http_code}' --max-time 20 \
  -F "file=@$TMP/in/digit-7.png;type=image/png" "http://127.0.0.1:$PORT/api/v1/predictions")
[ "$code" = 200 ]; rc=$?
check "a prediction succeeds (HTTP $code): $(head -c 200 "$TMP/prediction.json")" $rc
# a bounded burst (8 clients: 400 single images, 40 batches of 16) before memory is read
batch_args=()
for i in $(seq 1 16); do batch_args+=(-F "files=@$TMP/in/digit-$((i % 2)).png;type=image/png"); done
load_start=$(date +%s)
seq 1 400 | xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 \
  -F "file=@$TMP/in/digit-1.png;type=image/png" "http://127.0.0.1:$PORT/api/v1/predictions" >"$TMP/load.codes"
seq 1 40 | xargs -P 8 -I{} curl -s -o /dev/null -w '%{http_code}\n' --max-time 30 \
  "${batch_args[@]}" "http://127.0.0.1:$PORT/api/v1/predictions/batch" >>"$TMP/load.codes"
echo "     burst of 440 requests in $(($(date +%s) - load_start))s, HTTP status counts: $(sort "$TMP/load.codes" | uniq -c | tr -s ' \n' ' ')"
kill -0 "$PID" 2>/dev/null || abort "service survives the burst"

metrics=$(curl -sS --max-time 10 "http://127.0.0.1:$MPORT/actuator/prometheus")
grep -Eq '^digits_model_ready(\{[^}]*\})? 1(\.0)?$' <<<"$metrics"
check "digits_model_ready is 1" $?
if [ "${#AOT_TRAIN[@]}" -gt 0 ]; then
  ! grep -q '\[error\]\[aot\]' "$TMP/app.log"
  check "the JVM starts from the AOT cache (no [error][aot] line in its output)" $? "$(grep -m3 '\[error\]\[aot\]' "$TMP/app.log")"
fi
rss_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$PID/status")
printf '%s\n' "$metrics" >"$TMP/metrics.txt"
python3 - "$MEMORY_LIMIT" "$rss_kb" "${ENTRYPOINT[*]}" "$TMP/metrics.txt" >"$TMP/mem.out" 2>&1 <<'PY'
import re, sys
limit_s, rss_kb, entry = sys.argv[1], int(sys.argv[2]), sys.argv[3]
text = open(sys.argv[4]).read()
def gauge(pattern):
    return sum(float(v) for v in re.findall(r"^" + pattern + r"(?:\{[^}]*\})? ([0-9.E+-]+)$", text, re.M) if float(v) > 0)
limit = int(limit_s[:-1]) * (1 << (20 if limit_s[-1] == "m" else 30))
heap = sum(float(v) for v in re.findall(r'^jvm_memory_max_bytes\{[^}]*area="heap"[^}]*\} ([0-9.E+-]+)$', text, re.M) if float(v) > 0)
max_bytes, max_phys = gauge("digits_offheap_max_bytes"), gauge("digits_offheap_physical_max_bytes")
pct_bytes = int(re.search(r"maxbytes=(\d+)%", entry).group(1))
pct_phys = int(re.search(r"maxphysicalbytes=(\d+)%", entry).group(1))
rss = rss_kb * 1024
M = 1 << 20
print(f"limit {limit // M} MiB: heap max {heap / M:.0f} MiB ({100 * heap / limit:.0f}%), JavaCPP maxbytes {max_bytes / M:.0f} MiB, "
      f"maxphysicalbytes {max_phys / M:.0f} MiB ({100 * max_phys / limit:.0f}%), peak resident {rss / M:.0f} MiB ({100 * rss / limit:.0f}%)")
ok = True
# JavaCPP takes "%" relative to Runtime.maxMemory(), which is the heap max minus at most a survivor space
for name, got, want in (("maxbytes", max_bytes, heap * pct_bytes / 100), ("maxphysicalbytes", max_phys, heap * pct_phys / 100)):
    if not (0.9 * want <= got <= 1.001 * want):
        print(f"JavaCPP {name} is {got / M:.0f} MiB, expected about {want / M:.0f} MiB: the flag did not take effect")
        ok = False
if not (rss < max_phys <= limit):
    print("peak resident memory is not under maxphysicalbytes, or maxphysicalbytes is not under the limit")
    ok = False
sys.exit(0 if ok else 1)
PY
rc=$?
check "memory: $(cat "$TMP/mem.out")" $rc
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
# text lines (" ERROR ") or the image's JSON lines ("level":"ERROR")
if grep -qE '(^| )ERROR |"level":"ERROR"' "$TMP/app.log"; then
  echo "     errors in the service log:"; grep -E '(^| )ERROR |"level":"ERROR"' "$TMP/app.log" | head -5 | cut -c1-300
fi
finish
