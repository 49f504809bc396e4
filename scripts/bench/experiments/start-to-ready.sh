#!/usr/bin/env bash
# Start to ready of the packaged jar: the seconds from starting the JVM to readiness UP on the
# management port (which comes after the service's self warm-up), with the Dockerfile's memory
# flags plus EXTRA JVM flags. On Java 25, the AOT cache (JEP 483/514/515) is made by one run with
# -XX:AOTCacheOutput (the cache is written when that JVM exits) and used with -XX:AOTCache:
#
#   J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
#   JAVA=$J scripts/bench/experiments/start-to-ready.sh /tmp/svc.jar               # without
#   JAVA=$J LOAD=200 scripts/bench/experiments/start-to-ready.sh /tmp/svc.jar -XX:AOTCacheOutput=/tmp/app.aot
#   JAVA=$J scripts/bench/experiments/start-to-ready.sh /tmp/svc.jar -XX:AOTCache=/tmp/app.aot
#
# LOAD=N sends N multipart predictions after ready (a training run's workload). Never run two at
# once on 2 cores.
set -uo pipefail
JAR=$(realpath "$1"); shift
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
PORT=${PORT:-18390}; MPORT=${MPORT:-18391}
start=$(date +%s.%N)
OMP_NUM_THREADS=1 "${JAVA:-java}" --enable-native-access=ALL-UNNAMED -XX:MaxRAM=1536m -XX:MaxRAMPercentage=25 \
	-XX:+UseG1GC -Dorg.bytedeco.javacpp.maxbytes=100% -Dorg.bytedeco.javacpp.maxphysicalbytes=340% "$@" \
	-jar "$JAR" --server.port="$PORT" --server.address=127.0.0.1 --management.server.port="$MPORT" \
	--management.server.address=127.0.0.1 --digits.model.dir="$REPO/models" >/dev/null 2>&1 &
PID=$!
until curl -fsS -o /dev/null "http://127.0.0.1:$MPORT/actuator/health/readiness" 2>/dev/null; do
	kill -0 $PID 2>/dev/null || { echo "the service did not start" >&2; exit 1; }
	sleep 0.05
done
end=$(date +%s.%N)
echo "start to ready: $(echo "$end - $start" | bc) s"
for _ in $(seq 1 "${LOAD:-0}"); do
	curl -s -o /dev/null -F file=@"$REPO/docs/examples/seven.png" "http://127.0.0.1:$PORT/api/v1/predictions"
done
kill $PID
wait $PID 2>/dev/null
