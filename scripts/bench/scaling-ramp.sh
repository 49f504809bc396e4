#!/usr/bin/env bash
# The capacity of one replica and the autoscaling signals under a load ramp, for docs/scaling.md.
#
#   scripts/bench/scaling-ramp.sh              # about 4 minutes: one replica, the ramp, the table
#
# One replica (scripts/replicas/run.sh, the Dockerfile's JVM flags and memory limit), warmed by 30 s
# of unmeasured load, then Gatling's RampSimulation straight at it (no balancer: its own capacity), open
# model, RATES requests a second for DURATION s each. For each step: the rate achieved, the p50 and
# p99, the share refused (503), the mean requests in flight (Little's law, from
# digits_request_seconds_sum), the replica's and Gatling's CPU, and the replicas each autoscaler
# would ask for on that signal (scripts/bench/scaling_table.py): written to target/scaling/ramp.md
# and ramp.json; WRITE_DOCS=1 also writes docs/scaling-ramp.md.
#
# Environment (defaults): RATES (100,200,400,800,1200,1600,2000,2400,3200), DURATION (20), JAR
# (service/target/digit-service-1.0.0.jar), OUT (target/scaling), WRITE_DOCS (0).
# The generator runs on the same 2 cores as the replica: its CPU is in the table.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RATES="${RATES:-100,200,400,800,1200,1600,2000,2400,3200}"
DURATION="${DURATION:-20}"
OUT="$(mkdir -p "${OUT:-$REPO/target/scaling}" && cd "${OUT:-$REPO/target/scaling}" && pwd)"
export JAR="${JAR:-$REPO/service/target/digit-service-1.0.0.jar}"
export REPLICAS=1 PORT="${PORT:-38080}" BASE_PORT="${BASE_PORT:-38100}" STATE="$OUT/replica"
RUN="$REPO/scripts/replicas/run.sh"
trap 'bash "$RUN" down >/dev/null 2>&1 || true' EXIT

rm -rf "$STATE" "$OUT/run" "$OUT/warm"
bash "$RUN" up "$REPO/scripts/replicas/version-6.env"
pid="$(cat "$STATE/replica-1.pid")"
url="http://127.0.0.1:$((BASE_PORT + 1))"
mgmt="http://127.0.0.1:$((BASE_PORT + 101))"
gatling() { # gatling OUTDIR RATES DURATION
	(cd "$REPO" && ./mvnw -B -q -ntp -Pbenchmark gatling:test -Dgatling.simulationClass=dev.digits.bench.RampSimulation \
		-Dgatling.resultsFolder="$1/gatling" -Dbench.out="$1" -Dbench.baseUrl="$url" -Dbench.managementUrl="$mgmt" \
		-Dbench.servicePid="$pid" -Dbench.rates="$2" -Dbench.duration="$3") >"$1.log" 2>&1 \
		|| { tail -30 "$1.log" >&2; exit 1; }
}
echo "warm-up: 200, 500, then 1,000 requests/s for 10 s each, not measured" >&2
gatling "$OUT/warm" 200,500,1000 10
echo "ramp: $RATES requests/s, $DURATION s each" >&2
gatling "$OUT/run" "$RATES" "$DURATION"
python3 "$REPO/scripts/bench/scaling_table.py" "$OUT/run" "$OUT/ramp.md" "$OUT/ramp.json"
cat "$OUT/ramp.md"
if [[ "${WRITE_DOCS:-0}" == "1" ]]; then
	cp "$OUT/ramp.md" "$REPO/docs/scaling-ramp.md"
	echo "wrote docs/scaling-ramp.md" >&2
fi
