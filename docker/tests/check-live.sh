#!/usr/bin/env bash
# Starts the service from JAR on two free loopback ports, the request port and the management port
# (working directory: a temporary folder holding a copy of MODELS_DIR as models/), waits for
# readiness on the management port, runs check-prometheus.sh against it, then audits the digit page
# in Chromium (scripts/page-audit: Lighthouse, axe-core), then stops the service with SIGTERM. For
# CI, where nothing is running yet.
#
# Usage: docker/tests/check-live.sh JAR [MODELS_DIR]      (MODELS_DIR: default models/)
# Bounded: start-up STARTUP_TIMEOUT (default 240 s) + check-prometheus.sh (~1 min) + the page audit
# (~30 s) + 30 s stop.
set -uo pipefail

JAR="$(realpath "${1:?usage: check-live.sh JAR [MODELS_DIR]}")"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
MODELS="$(realpath "${2:-$ROOT/models}")"
STARTUP_TIMEOUT="${STARTUP_TIMEOUT:-240}"
[ -f "$JAR" ] || { echo "check-live: no jar $JAR" >&2; exit 2; }
[ -d "$MODELS" ] || { echo "check-live: no models folder $MODELS" >&2; exit 2; }

TMP="$(mktemp -d)"
PID=""
stop() {
  if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
    kill -TERM "$PID"
    for _ in $(seq 1 60); do kill -0 "$PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$PID" 2>/dev/null
  fi
  PID=""
}
trap 'stop; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

cp -a "$MODELS" "$TMP/models"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT="$(free_port)"
MPORT="$(free_port)"
while [ "$MPORT" = "$PORT" ]; do MPORT="$(free_port)"; done
# a free gRPC port too: check-prometheus.sh starts Prometheus beside the jar, and 9090 is its default
GPORT="$(free_port)"
while [ "$GPORT" = "$PORT" ] || [ "$GPORT" = "$MPORT" ]; do GPORT="$(free_port)"; done
# Secrets as the Deployment passes them: random, per run. check-prometheus.sh uses the admin token
# to check the admin API and to run an A/B test.
export DIGITS_ADMIN_TOKEN="check-live-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
export DIGITS_FEEDBACK_KEY="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
(cd "$TMP" && exec java -Dorg.bytedeco.javacpp.cachedir="$TMP/javacpp-cache" -jar "$JAR" \
  --server.port="$PORT" --server.address=127.0.0.1 \
  --management.server.port="$MPORT" --management.server.address=127.0.0.1 \
  --spring.grpc.server.port="$GPORT" --spring.grpc.server.host=127.0.0.1) >"$TMP/service.log" 2>&1 &
PID=$!
started=$(date +%s)
until curl -fsS --max-time 2 "http://127.0.0.1:$MPORT/actuator/health/readiness" >/dev/null 2>&1; do
  if ! kill -0 "$PID" 2>/dev/null || [ $(($(date +%s) - started)) -ge "$STARTUP_TIMEOUT" ]; then
    echo "check-live: the service did not become ready"; tail -40 "$TMP/service.log"
    echo "check-live: 0 passed, 1 failed"
    exit 1
  fi
  sleep 2
done
if ! grep -q "listening on address: \[/127.0.0.1:$GPORT\]" "$TMP/service.log"; then
  echo "check-live: the gRPC server is not on 127.0.0.1:$GPORT"; grep -i "grpc" "$TMP/service.log" | tail -5
  echo "check-live: 0 passed, 1 failed"
  exit 1
fi
echo "service ready on 127.0.0.1:$PORT (management port $MPORT, gRPC port $GPORT) after $(($(date +%s) - started))s"
bash "$ROOT/docker/tests/check-prometheus.sh" "http://127.0.0.1:$PORT" "http://127.0.0.1:$MPORT"
rc=$?
# the digit page in Chromium, as a phone loads it: Lighthouse scores and axe-core (needs
# `npm ci --prefix scripts/page-audit`, which .ci/run does)
if [ -d "$ROOT/scripts/page-audit/node_modules" ]; then
  node "$ROOT/scripts/page-audit/audit.mjs" "http://127.0.0.1:$PORT" "$ROOT/target/page-audit" || rc=1
else
  echo "check-live: page audit skipped (npm ci --prefix scripts/page-audit installs it)"
fi
stop
exit "$rc"
