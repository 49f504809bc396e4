#!/usr/bin/env bash
# Three replicas behind HAProxy (scripts/replicas/run.sh), checked as an operator would:
#  1. up on scripts/replicas/ab-test.env (versions 5 and 6 sharing the traffic, one feedback key);
#  2. across replicas: a client's A/B assignment, feedback tokens (accepted by any replica, replays
#     and forgeries refused), the Prometheus counts per version summed over the replicas, and gRPC
#     calls on one connection spread over the replicas (docker/tests/grpc_spread.mjs, Node);
#  3. under load: Gatling (RollingLoadSimulation, open model, RATE requests a second through the
#     balancer) warms up WARMUP s, runs BEFORE s (the baseline), then the replicas are replaced one
#     by one with scripts/replicas/version-6.env (version 6 the default, all traffic), then AFTER s,
#     then replica 2 is killed (SIGKILL) and started again; every failed request is counted and the
#     p50/p99 of each phase printed;
#  4. every replica serves version 6; everything stopped.
# Figures: target/replicas/report.json (and the Gatling run under target/replicas/gatling).
#
# Usage: docker/tests/check-replicas.sh [JAR]    Needs: haproxy, java, curl, python3 (requests, PyYAML),
# the benchmark classes (./mvnw -Pbenchmark test-compile), node with `npm ci --prefix docs/clients/node`.
# Environment: RATE (100), WARMUP (20), BEFORE (30), AFTER (20), PORT (28080, the balancer),
# GRPC_PORT (28090, its gRPC port), BASE_PORT (28100).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export JAR="$(realpath "${1:-$ROOT/service/target/digit-service-1.0.0.jar}")"
export PORT="${PORT:-28080}" GRPC_PORT="${GRPC_PORT:-28090}" BASE_PORT="${BASE_PORT:-28100}" REPLICAS=3
export STATE="$ROOT/target/replicas"
RATE="${RATE:-100}"
WARMUP="${WARMUP:-20}"
BEFORE="${BEFORE:-30}"
AFTER="${AFTER:-20}"
RUN="$ROOT/scripts/replicas/run.sh"
BALANCER="http://127.0.0.1:$PORT"
REPLICA_URLS=()
for i in 1 2 3; do REPLICA_URLS+=("http://127.0.0.1:$((BASE_PORT + i))"); done

passed=0
failed=0
checks() { # checks NAME ARGS...: runs replicas_checks.py, echoing and counting its ok/FAIL lines
  local name="$1" rc line
  shift
  python3 "$ROOT/docker/tests/replicas_checks.py" "$@" > "$STATE/$name.txt" 2>&1
  rc=$?
  while IFS= read -r line; do
    echo "$line"
    case "$line" in "ok   "*) passed=$((passed + 1)) ;; "FAIL "*) failed=$((failed + 1)) ;; esac
  done < "$STATE/$name.txt"
  # a check that crashed (an exception, not a FAIL line) fails too
  if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$STATE/$name.txt"; then
    echo "FAIL $name: replicas_checks.py exited with $rc"; failed=$((failed + 1))
  fi
}
GATLING_PID=""
cleanup() {
  [ -n "$GATLING_PID" ] && kill "$GATLING_PID" 2>/dev/null
  bash "$RUN" down >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM
finish() {
  echo "check-replicas: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && exit 0 || exit 1
}

rm -rf "$STATE"
mkdir -p "$STATE"
echo "== 1. three replicas and the balancer"
if ! bash "$RUN" up "$ROOT/scripts/replicas/ab-test.env"; then
  echo "FAIL the replicas did not come up"; failed=$((failed + 1)); finish
fi
bash "$RUN" status

echo "== 2. across replicas"
checks cross cross "$BALANCER" "${REPLICA_URLS[@]}"
checks grpc grpc "127.0.0.1:$GRPC_PORT" "${REPLICA_URLS[@]}"

echo "== 3. under load ($RATE requests/s through the balancer): a rolling deployment of version 6, then a crash"
OUT="$STATE/gatling-run"
mkdir -p "$OUT"
phase() { echo "$1" > "$OUT/phase.tmp" && mv "$OUT/phase.tmp" "$OUT/phase"; echo "     phase $1 ($(date +%H:%M:%S))"; }
(cd "$ROOT" && ./mvnw -B -q -ntp -Pbenchmark gatling:test \
  -Dgatling.simulationClass=dev.digits.bench.RollingLoadSimulation -Dgatling.resultsFolder="$STATE/gatling" \
  -Dbench.out="$OUT" -Dbench.baseUrl="$BALANCER" -Dbench.rate="$RATE" -Dbench.maxSeconds=900) \
  > "$STATE/gatling.log" 2>&1 &
GATLING_PID=$!
deadline=$((SECONDS + 180))
until [ -f "$OUT/started" ]; do
  if ! kill -0 "$GATLING_PID" 2>/dev/null || ((SECONDS > deadline)); then
    tail -30 "$STATE/gatling.log"; echo "FAIL the load did not start"; failed=$((failed + 1)); finish
  fi
  sleep 0.5
done
# the generator's and the replicas' JIT warm up first, unmeasured
phase warmup; sleep "$WARMUP"
phase before; sleep "$BEFORE"
phase roll
roll_start=$SECONDS
if bash "$RUN" roll "$ROOT/scripts/replicas/version-6.env" 2> "$STATE/roll.log"; then
  echo "ok   the replicas were replaced one by one in $((SECONDS - roll_start)) s"; passed=$((passed + 1))
else
  echo "FAIL the roll did not complete"; failed=$((failed + 1))
fi
sed 's/^/     /' "$STATE/roll.log"
phase after; sleep "$AFTER"
# a replica dies (SIGKILL: no drain): the balancer's health checks take it out within 2 s, and a
# request it dropped is retried on another replica if no answer had started (retry-on)
phase crash
bash "$RUN" crash 2 2>> "$STATE/roll.log"
sleep 10
phase recovery
bash "$RUN" start 2 2>> "$STATE/roll.log" || { echo "FAIL replica 2 did not come back"; failed=$((failed + 1)); }
sleep 5
phase stop
wait "$GATLING_PID"
gatling_rc=$?
GATLING_PID=""
if [ "$gatling_rc" -ne 0 ] && [ ! -f "$OUT/bench.json" ]; then
  tail -30 "$STATE/gatling.log"; echo "FAIL the load generator failed (exit $gatling_rc)"; failed=$((failed + 1)); finish
fi
checks roll-checks roll "$OUT/bench.json" "$STATE/report.json"

echo "== 4. after the roll"
checks deployed deployed 6 "$BALANCER" "${REPLICA_URLS[@]}"
grep -h '"level":"ERROR"\|ERROR' "$STATE"/replica-*.log | head -5 > "$STATE/errors.txt"
[ -s "$STATE/errors.txt" ] && echo "     (errors logged by the replicas: $(wc -l < "$STATE/errors.txt"), first: $(head -c 300 "$STATE/errors.txt"))"
finish
