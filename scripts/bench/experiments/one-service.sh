#!/usr/bin/env bash
# The experiments behind docs/performance-gap.md, sections 2-6: one service from a jar, with the
# Dockerfile's memory flags plus EXTRA JVM flags and service arguments, warmed up by one unmeasured
# closed-model run, then measured (closed model; open model at 1,000 and 3,000 req/s unless OPEN=0;
# overload at OVER req/s when set). Prints the phases' figures (phases.py).
#
#   scripts/bench/experiments/one-service.sh NAME JAR "EXTRA JVM FLAGS" [service arguments...]
#   e.g. one-service.sh parallel service/target/digit-service-1.0.0.jar "-XX:+UseParallelGC"
#        OVER=6000 one-service.sh ac service/target/digit-service-1.0.0.jar "" --server.tomcat.accept-count=1024
#
# Results: ${OUT_ROOT:-target/experiments}/NAME/{jit,closed,open1000,open3000,overload}/bench.json.
# The environment is passed on: LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs gives the image's JSON logs.
# JAVA=/path/to/bin/java runs the jar on another Java (default: the java on the PATH).
# Copy the jar first if you rebuild while it runs. Never run two at once on 2 cores.
set -uo pipefail
NAME=$1; JAR=$(realpath "$2"); XJVM=$3; shift 3
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
PORT=${PORT:-18090}; MPORT=${MPORT:-18091}; DUR=${DUR:-15}; JIT=${JIT:-20}
OUT="$(realpath -m "${OUT_ROOT:-$REPO/target/experiments}")/$NAME"; rm -rf "$OUT"; mkdir -p "$OUT"
# shellcheck disable=SC2086 # XJVM is a list of flags
"${JAVA:-java}" -XX:MaxRAM=1536m -XX:MaxRAMPercentage=25 -XX:+ExitOnOutOfMemoryError -Dorg.bytedeco.javacpp.maxbytes=100% \
	-Dorg.bytedeco.javacpp.maxphysicalbytes=340% -Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp-cache $XJVM -jar "$JAR" \
	--spring.profiles.active=benchmark --server.port="$PORT" --server.address=127.0.0.1 \
	--management.server.port="$MPORT" --management.server.address=127.0.0.1 --digits.model.dir="$REPO/models" "$@" \
	> >(tail -n 2000 > "$OUT/service.log.tail") 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null' EXIT
until curl -fsS -o /dev/null "http://127.0.0.1:$MPORT/actuator/health/readiness" 2>/dev/null; do
	kill -0 $PID 2>/dev/null || { echo "the service did not start" >&2; exit 1; }
	sleep 0.5
done
g() { local dir=$1 sim=$2; shift 2; mkdir -p "$OUT/$dir"
	(cd "$REPO" && ./mvnw -q -o -B -Pbenchmark gatling:test -Dgatling.simulationClass="dev.digits.bench.$sim" \
		-Dgatling.resultsFolder="$OUT/$dir/gatling" -Dbench.out="$OUT/$dir" -Dbench.baseUrl="http://127.0.0.1:$PORT" \
		-Dbench.managementUrl="http://127.0.0.1:$MPORT" \
		-Dbench.servicePid=$PID "$@" > "$OUT/$dir/gatling.log" 2>&1) || tail -20 "$OUT/$dir/gatling.log"; }
g jit ClosedModelSimulation -Dbench.duration="$JIT" -Dbench.warmup=5 -Dbench.users=64
g closed ClosedModelSimulation -Dbench.duration="$DUR" -Dbench.warmup=5 -Dbench.users=64
if [[ "${OPEN:-1}" == 1 ]]; then
	g open1000 OpenModelSimulation -Dbench.duration="$DUR" -Dbench.warmup=5 -Dbench.rate=1000
	g open3000 OpenModelSimulation -Dbench.duration="$DUR" -Dbench.warmup=5 -Dbench.rate=3000
fi
[[ -n "${OVER:-}" ]] && g overload OverloadSimulation -Dbench.duration="$DUR" -Dbench.warmup=5 -Dbench.rate="$OVER" -Dbench.recoveryRate=500
kill $PID; wait $PID 2>/dev/null
python3 "$REPO/scripts/bench/experiments/phases.py" "$OUT"/*/bench.json
