#!/usr/bin/env bash
# One warm client (wrk -t1 -c1, 15 s each): a multipart PNG upload, then the same PNG as a raw body,
# against a jar started with the Dockerfile's memory flags and JSON (ECS) logs, after 30 s of warm-up
# with 4 connections. Prints wrk's p50/p90/p99 and req/s. For an A/B, run it for each jar in turn,
# alternating, at least twice (docs/performance-gap.md, section 4):
#
#   for r in 1 2; do scripts/bench/experiments/one-client.sh old.jar old; \
#     scripts/bench/experiments/one-client.sh service/target/digit-service-1.0.0.jar new; done
#
# JAVA=/path/to/bin/java runs the jar on another Java (default: the java on the PATH). Arguments
# after NAME go to the service (e.g. --digits.inference.inline-when-idle=false). Prints the
# process's resident memory after the warm-up and at the end, and how many of the measured requests
# ran their own forward pass and how many were handed to a worker (0 and 0 for a jar that does not
# count them).
# Needs wrk (Debian package). Never run two at once on 2 cores.
set -uo pipefail
command -v wrk >/dev/null || { echo "wrk is not installed (Debian package wrk)" >&2; exit 1; }
JAR=$(realpath "$1"); NAME=$2
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; REPO="$(cd "$HERE/../../.." && pwd)"
PORT=${PORT:-18190}; MPORT=${MPORT:-18191}
export IMAGE="$REPO/docs/examples/seven.png"
LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs "${JAVA:-java}" -XX:MaxRAM=1536m -XX:MaxRAMPercentage=25 -XX:+ExitOnOutOfMemoryError \
	-Dorg.bytedeco.javacpp.maxbytes=100% -Dorg.bytedeco.javacpp.maxphysicalbytes=340% -jar "$JAR" \
	--server.port="$PORT" --server.address=127.0.0.1 --management.server.port="$MPORT" \
	--management.server.address=127.0.0.1 --digits.model.dir="$REPO/models" "${@:3}" >/dev/null 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null' EXIT
until curl -fsS -o /dev/null "http://127.0.0.1:$MPORT/actuator/health/readiness" 2>/dev/null; do
	kill -0 $PID 2>/dev/null || { echo "the service did not start" >&2; exit 1; }
	sleep 0.5
done
URL="http://127.0.0.1:$PORT/api/v1/predictions"
wrk -t1 -c4 -d20s -s "$HERE/one-client-multipart.lua" "$URL" >/dev/null
wrk -t1 -c4 -d10s -s "$HERE/one-client-raw.lua" "$URL" >/dev/null
rss() { echo "$1: $(awk '/VmRSS/ {print $2, $3}' /proc/$PID/status)"; }
rss "resident after the warm-up"
# requests computed on their own thread and handed to a worker (jars that count them)
passes() { curl -fsS "http://127.0.0.1:$MPORT/actuator/prometheus" |
	awk '/^digits_inference_requests_total/ { split($0, a, "thread=\""); split(a[2], b, "\""); n[b[1]] = $NF }
		END { printf "%d %d", n["caller"], n["worker"] }'; }
for kind in multipart raw; do
	echo "== $NAME $kind"
	read -r c0 w0 <<<"$(passes)"
	wrk -t1 -c1 -d15s --latency -s "$HERE/one-client-$kind.lua" "$URL" | grep -E "^ +(50|90|99)%|Requests/sec|Non-2xx"
	read -r c1 w1 <<<"$(passes)"
	echo "computed by the request's own thread: $((c1 - c0)), handed to a worker: $((w1 - w0))"
done
rss "resident at the end"
