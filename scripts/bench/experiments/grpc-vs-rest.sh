#!/usr/bin/env bash
# The Open Inference Protocol over gRPC against the same protocol over REST, on one jar started with
# the Dockerfile's memory flags, in one run (GrpcVsRest, service/src/bench/java): for each form
# (liveness as the framework's ceiling, one MNIST image as UINT8 pixels, the same image as a PNG,
# a batch of 32 images in one request, as pixels and as PNGs; and, REST only, the PNG on the
# prediction API without and with ?explain= by each method)
# CLIENTS closed-loop clients for SECONDS after WARMUP, REST with the JDK's HttpClient (HTTP/1.1,
# a connection per client), gRPC with grpc-java's blocking stub on one channel (HTTP/2). The load
# generator runs on the same cores: its CPU share is printed beside every figure. Results are
# appended to target/benchmarks/grpc-vs-rest/results.jsonl, one JSON line per form and round.
#
#   ./mvnw -q package -DskipTests && scripts/bench/experiments/grpc-vs-rest.sh service/target/digit-service-1.0.0.jar
#
# ROUNDS (default 3) repeats the whole set; report every round. FORMS=grpc-png,rest-png (the names
# printed) runs only those. Loopback only, bounded in time.
# Never run two at once on 2 cores.
set -uo pipefail
JAR=$(realpath "${1:?usage: grpc-vs-rest.sh JAR [service arguments]}")
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"; REPO="$(cd "$HERE/../../.." && pwd)"
CLIENTS=${CLIENTS:-8}; SECONDS_EACH=${SECONDS_EACH:-20}; WARMUP=${WARMUP:-5}; ROUNDS=${ROUNDS:-3}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port); MPORT=$(free_port); GPORT=$(free_port)
OUT="$REPO/target/benchmarks/grpc-vs-rest/results.jsonl"
mkdir -p "$(dirname "$OUT")"
OMP_NUM_THREADS=1 LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs "${JAVA:-java}" -XX:MaxRAM=1536m -XX:MaxRAMPercentage=25 -XX:+ExitOnOutOfMemoryError \
	-Dorg.bytedeco.javacpp.maxbytes=100% -Dorg.bytedeco.javacpp.maxphysicalbytes=340% -jar "$JAR" \
	--server.port="$PORT" --server.address=127.0.0.1 --management.server.port="$MPORT" \
	--management.server.address=127.0.0.1 --spring.grpc.server.port="$GPORT" --spring.grpc.server.host=127.0.0.1 \
	--digits.model.dir="$REPO/models" "${@:2}" >"$(dirname "$OUT")/service.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
started=$(date +%s)
until curl -fsS -o /dev/null "http://127.0.0.1:$MPORT/actuator/health/readiness" 2>/dev/null; do
	kill -0 $PID 2>/dev/null || { echo "the service did not start" >&2; exit 1; }
	[ $(($(date +%s) - started)) -lt 300 ] || { echo "the service was not ready within 300 s" >&2; exit 1; }
	sleep 0.5
done
grep -q "listening on address: \[/127.0.0.1:$GPORT\]" "$(dirname "$OUT")/service.log" \
	|| { echo "the gRPC server is not on 127.0.0.1:$GPORT" >&2; exit 1; }
echo "service ready (pid $PID, REST $PORT, gRPC $GPORT); $CLIENTS clients, ${SECONDS_EACH}s per form after ${WARMUP}s, $ROUNDS rounds"
cd "$REPO" || exit 1
./mvnw -o -q -B -pl service -Pbenchmark -Dspring-javaformat.skip -Dcheckstyle.skip test-compile || exit 1
for round in $(seq 1 "$ROUNDS"); do
	echo "== round $round"
	./mvnw -o -q -B -pl service -Pbenchmark exec:exec@grpc-vs-rest -Dbench.args="-Dbench.restUrl=http://127.0.0.1:$PORT \
-Dbench.grpcTarget=127.0.0.1:$GPORT -Dbench.servicePid=$PID -Dbench.clients=$CLIENTS -Dbench.seconds=$SECONDS_EACH \
-Dbench.warmup=$WARMUP -Dbench.forms=${FORMS:-} -Dbench.out=$OUT -Dbench.mnist=$REPO/core/src/test/resources/mnist-tiny" || exit 1
done
