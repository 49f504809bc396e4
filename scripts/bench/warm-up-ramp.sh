#!/usr/bin/env bash
# How fast a new replica answers over its first minute, with and without the self warm-up:
# starts the packaged jar twice (digits.warm-up.requests=2000, then 0), and from the moment
# readiness says UP runs wrk (8 connections, raw PNG uploads of docs/examples/seven.png) for
# twelve 5-second windows, printing requests/s per window (WARM_UPS="500 0" tries other counts).
# Writes target/warm-up/ramp.md.
#   ./mvnw -o -q -DskipTests package && scripts/bench/warm-up-ramp.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=service/target/digit-service-1.0.0.jar
OUT=target/warm-up
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is needed (Debian package wrk)"; exit 1; }
cat > "$OUT/post.lua" <<'LUA'
local f = io.open("docs/examples/seven.png", "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "image/png"
LUA
report="$OUT/ramp.md"
{
  echo "# A new replica's first minute, with and without the self warm-up"
  echo
  echo "\`scripts/bench/warm-up-ramp.sh\` on $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores; wrk -c8, raw PNG uploads, from readiness UP."
  echo
  echo "| warm-up requests | start to ready (s) | req/s in each 5 s window from ready |"
  echo "|---:|---:|---|"
} > "$report"
for requests in ${WARM_UPS:-2000 0}; do
  port=18180; mport=18181
  start=$(date +%s.%N)
  java -Xmx384m -jar "$JAR" --server.port=$port --management.server.port=$mport \
    --digits.warm-up.requests=$requests > "$OUT/service-$requests.log" 2>&1 &
  pid=$!
  until curl -fsS -o /dev/null "http://127.0.0.1:$mport/actuator/health/readiness" 2>/dev/null; do sleep 0.2; done
  ready=$(echo "$(date +%s.%N) - $start" | bc)
  windows=()
  for w in $(seq 1 12); do
    rps=$(wrk -t1 -c8 -d5s -s "$OUT/post.lua" "http://127.0.0.1:$port/api/v1/predictions" | awk '/Requests\/sec/ {print int($2)}')
    windows+=("$rps")
  done
  kill "$pid"; wait "$pid" 2>/dev/null || true
  printf '| %s | %.1f | %s |\n' "$requests" "$ready" "$(IFS=' / '; echo "${windows[*]}")" >> "$report"
  echo "warm-up $requests: ready in ${ready}s; req/s per 5 s: ${windows[*]}"
done
echo >> "$report"
echo "The load generator shares the cores with the service (wrk's own use is not subtracted)." >> "$report"
cat "$report"
