#!/usr/bin/env bash
# One client's cost to the service: a jar started with the Dockerfile's memory flags and JSON logs
# on JAVA (default: the java on the PATH), 40 s of warm-up with 4 connections, then wrk -t1 -c1 for
# 20 s (multipart PNG, docs/examples/seven.png), and the service's CPU time (/proc/<pid>/stat, all
# its threads: request threads, inference workers, the JIT, GC) over those 20 s per request
# answered. For an A/B, alternate the jars at least three times (docs/performance-gap.md, section 11):
#
#   for i in 1 2 3; do for v in old new; do scripts/bench/experiments/one-client-cpu.sh /tmp/$v.jar $v; done; done
#
# Needs wrk (Debian package). Never run two at once on 2 cores.
set -uo pipefail
command -v wrk >/dev/null || { echo "wrk is not installed (Debian package wrk)" >&2; exit 1; }
JAR=$(realpath "$1"); NAME=$2
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; REPO="$(cd "$HERE/../../.." && pwd)"
PORT=${PORT:-18390}; MPORT=${MPORT:-18391}
export IMAGE="$REPO/docs/examples/seven.png"
OMP_NUM_THREADS=1 LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs "${JAVA:-java}" --enable-native-access=ALL-UNNAMED \
	-XX:MaxRAM=1536m -XX:MaxRAMPercentage=25 -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
	-Dorg.bytedeco.javacpp.maxbytes=100% -Dorg.bytedeco.javacpp.maxphysicalbytes=340% -jar "$JAR" \
	--server.port="$PORT" --server.address=127.0.0.1 --management.server.port="$MPORT" \
	--management.server.address=127.0.0.1 --digits.model.dir="$REPO/models" >/dev/null 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null' EXIT
until curl -fsS -o /dev/null "http://127.0.0.1:$MPORT/actuator/health/readiness" 2>/dev/null; do
	kill -0 $PID 2>/dev/null || { echo "the service did not start" >&2; exit 1; }
	sleep 0.5
done
URL="http://127.0.0.1:$PORT/api/v1/predictions"
wrk -t1 -c4 -d40s -s "$HERE/one-client-multipart.lua" "$URL" >/dev/null
ticks() { awk '{print $14 + $15}' "/proc/$PID/stat"; }
t0=$(ticks)
out=$(wrk -t1 -c1 -d20s --latency -s "$HERE/one-client-multipart.lua" "$URL")
t1=$(ticks)
hz=$(getconf CLK_TCK)
requests=$(echo "$out" | awk '/requests in/ {print $1}')
p50=$(echo "$out" | awk '$1 == "50%" {print $2}'); p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
python3 -c "import sys; n, t, hz = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]); \
print(f'$NAME multipart: {n} requests, service CPU {t * 1000 // hz} ms, {t * 1e6 / hz / n:.1f} us/request, p50 $p50 p99 $p99')" \
	"$requests" "$((t1 - t0))" "$hz"
