#!/usr/bin/env bash
# One runtime against the same jar: the service on JAVA with the Dockerfile's memory flags, the
# benchmark profile (POST /bench/noop) and JSON logs, warmed up by 25 s of predictions at 64
# connections, then two rounds of: predictions at 64 connections (10 s), the no-op endpoint with
# the same body at 64 connections (10 s), one client (10 s, p50 and p99). wrk on the same cores;
# the body is docs/examples/seven.png sent raw (image/png). For an A/B, alternate the runtimes:
#
#   cp service/target/digit-service-1.0.0.jar /tmp/svc.jar
#   for i in 1 2; do scripts/bench/experiments/runtime-ab.sh /tmp/svc.jar /usr/bin/java; \
#     scripts/bench/experiments/runtime-ab.sh /tmp/svc.jar /usr/lib/jvm/temurin-25-jdk-amd64/bin/java; done
#
# Arguments after JAVA go to the service (e.g. --digits.inference.inline-when-idle=false).
# Needs wrk (Debian package). Never run two at once on 2 cores.
set -uo pipefail
command -v wrk >/dev/null || { echo "wrk is not installed (Debian package wrk)" >&2; exit 1; }
JAR=$(realpath "$1"); JAVA=$2
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; REPO="$(cd "$HERE/../../.." && pwd)"
PORT=${PORT:-18290}; MPORT=${MPORT:-18291}
export IMAGE="$REPO/docs/examples/seven.png"
OMP_NUM_THREADS=1 LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs "$JAVA" --enable-native-access=ALL-UNNAMED \
	-XX:MaxRAM=1536m -XX:MaxRAMPercentage=25 -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
	-Dorg.bytedeco.javacpp.maxbytes=100% -Dorg.bytedeco.javacpp.maxphysicalbytes=340% -jar "$JAR" \
	--spring.profiles.active=benchmark --server.port="$PORT" --server.address=127.0.0.1 \
	--management.server.port="$MPORT" --management.server.address=127.0.0.1 \
	--digits.model.dir="$REPO/models" "${@:3}" >/dev/null 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null' EXIT
until curl -fsS -o /dev/null "http://127.0.0.1:$MPORT/actuator/health/readiness" 2>/dev/null; do
	kill -0 $PID 2>/dev/null || { echo "the service did not start" >&2; exit 1; }
	sleep 0.5
done
URL="http://127.0.0.1:$PORT/api/v1/predictions"; NOOP="http://127.0.0.1:$PORT/bench/noop"
L="$HERE/one-client-raw.lua"
wrk -t1 -c64 -d25s -s "$L" "$URL" >/dev/null
wrk -t1 -c64 -d5s -s "$L" "$NOOP" >/dev/null
echo "== $("$JAVA" -version 2>&1 | head -1)"
for round in 1 2; do
	echo "round $round"
	echo -n "  predictions, 64 connections: "; wrk -t1 -c64 -d10s -s "$L" "$URL" | grep -E "Requests/sec|Non-2xx" | tr -s ' \n' ' '; echo
	echo -n "  no-op, 64 connections:       "; wrk -t1 -c64 -d10s -s "$L" "$NOOP" | grep -E "Requests/sec|Non-2xx" | tr -s ' \n' ' '; echo
	echo -n "  one client:                  "; wrk -t1 -c1 -d10s --latency -s "$L" "$URL" | grep -E "^ +(50|99)%|Requests/sec" | tr -s ' \n' ' '; echo
done
