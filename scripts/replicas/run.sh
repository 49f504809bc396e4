#!/usr/bin/env bash
# Several replicas of the service behind HAProxy on this machine, as a cluster would run them:
# each replica is the jar started with the Dockerfile's JVM flags and ENV (with -XX:MaxRAM at the
# Kubernetes memory limit), all with one configuration file and one shared secret; the balancer is
# docker/haproxy/haproxy.cfg with its server lines pointed at them.
#
#   scripts/replicas/run.sh up [CONFIG]     start REPLICAS (3) replicas and the balancer, return
#                                           when every replica is ready (http://127.0.0.1:8080)
#   scripts/replicas/run.sh roll [CONFIG]   restart the replicas one by one, with CONFIG from now
#                                           on (a new default version is deployed this way), never
#                                           fewer than REPLICAS - 1 serving
#   scripts/replicas/run.sh crash I         kill replica I at once (SIGKILL: no drain, no graceful
#                                           shutdown), as a node failure or an OOM kill would
#   scripts/replicas/run.sh start I         start replica I again with its last CONFIG
#   scripts/replicas/run.sh status          each replica's state in the balancer
#   scripts/replicas/run.sh down            stop everything
#
# CONFIG: a file of KEY=VALUE lines, the replicas' environment (scripts/replicas/*.env); default
# scripts/replicas/ab-test.env. The shared feedback key and admin token are made once by `up` and
# kept in STATE/secrets.env (like a Kubernetes Secret), never in CONFIG.
#
# Environment (defaults): JAR (service/target/digit-service-1.0.0.jar), MODELS (models), REPLICAS (3),
# PORT (8080, the balancer), GRPC_PORT (9090, the balancer's gRPC port), BASE_PORT (18100: replica i listens on BASE_PORT+i, its management port
# on BASE_PORT+100+i, its gRPC port on BASE_PORT+200+i), STATE (target/replicas), READY_TIMEOUT (300 s),
# DIGITS_CONTAINER_JAVA_HOME (the runtime image's Java release: a JDK under /usr/lib/jvm named for it
# is found otherwise; the machine's java last).
# Needs: java, haproxy (Debian's package), curl, python3 with PyYAML.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAR="$(realpath "${JAR:-$REPO/service/target/digit-service-1.0.0.jar}")"
MODELS="$(realpath "${MODELS:-$REPO/models}")"
REPLICAS="${REPLICAS:-3}"
PORT="${PORT:-8080}"
GRPC_PORT="${GRPC_PORT:-9090}"
BASE_PORT="${BASE_PORT:-18100}"
STATE="${STATE:-$REPO/target/replicas}"
READY_TIMEOUT="${READY_TIMEOUT:-300}"
SOCKET="$STATE/haproxy.sock"

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { log "error: $*"; exit 1; }

http_port() { echo $((BASE_PORT + $1)); }
management_port() { echo $((BASE_PORT + 100 + $1)); }
grpc_port() { echo $((BASE_PORT + 200 + $1)); }

# the runtime image's JVM flags and ENV, read from the Dockerfile (as the benchmarks and the
# container check do)
runtime() {
	mkdir -p "$STATE/app/tmp"
	eval "$(python3 "$REPO/docker/tests/dockerfile_runtime.py" "$REPO" "$STATE/app")"
	JAVA_CMD="java"
	local release
	release="$(grep -oP '^FROM\s+\S*temurin:\K[0-9]+' "$REPO/Dockerfile" | tail -1)"
	if [[ -n "${DIGITS_CONTAINER_JAVA_HOME:-}" ]]; then
		JAVA_CMD="$DIGITS_CONTAINER_JAVA_HOME/bin/java"
	elif [[ -n "$release" ]]; then
		for d in /usr/lib/jvm/*-"$release" /usr/lib/jvm/*-"$release"-*; do
			if [[ -x "$d/bin/java" ]]; then JAVA_CMD="$d/bin/java"; break; fi
		done
	fi
	JVM_FLAGS=("-XX:MaxRAM=$MEMORY_LIMIT")
	for arg in "${JVM_OPTIONS[@]}"; do
		case "$arg" in
			-Dorg.bytedeco.javacpp.cachedir=*) JVM_FLAGS+=("-Dorg.bytedeco.javacpp.cachedir=$STATE/app/tmp/javacpp-cache") ;;
			*) JVM_FLAGS+=("$arg") ;;
		esac
	done
}

secrets() {
	if [[ ! -f "$STATE/secrets.env" ]]; then
		umask 077
		{
			echo "DIGITS_FEEDBACK_KEY=$(head -c 32 /dev/urandom | base64 | tr -d '=+/')"
			echo "DIGITS_ADMIN_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '=+/')"
		} >"$STATE/secrets.env"
	fi
}

# start_replica I CONFIG: replica I with the Dockerfile's ENV, then CONFIG, then the secrets
start_replica() {
	local i="$1" config="$2"
	(
		cd "$STATE" || exit 1
		for kv in "${ENV_VARS[@]}"; do export "${kv?}"; done
		set -a
		# shellcheck disable=SC1090
		source "$config"
		# shellcheck disable=SC1091
		source "$STATE/secrets.env"
		set +a
		export DIGITS_MODEL_DIR="$MODELS" SERVER_PORT="$(http_port "$i")" SERVER_ADDRESS=127.0.0.1 \
			MANAGEMENT_SERVER_PORT="$(management_port "$i")" MANAGEMENT_SERVER_ADDRESS=127.0.0.1 \
			DIGITS_GRPC_PORT="$(grpc_port "$i")"
		exec "$JAVA_CMD" "${JVM_FLAGS[@]}" -Djava.io.tmpdir="$STATE/app/tmp" -jar "$JAR"
	) >>"$STATE/replica-$i.log" 2>&1 &
	echo $! >"$STATE/replica-$i.pid"
	[[ "$config" -ef "$STATE/replica-$i.env" ]] || cp "$config" "$STATE/replica-$i.env"
	log "replica $i: pid $!, http $(http_port "$i"), management $(management_port "$i"), config $(basename "$config")"
}

pid_of() { cat "$STATE/replica-$1.pid" 2>/dev/null || true; }

wait_ready() { # wait_ready I
	local i="$1" pid deadline=$((SECONDS + READY_TIMEOUT))
	pid="$(pid_of "$i")"
	until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$(management_port "$i")/actuator/health/readiness" 2>/dev/null; do
		kill -0 "$pid" 2>/dev/null || { tail -30 "$STATE/replica-$i.log" >&2; die "replica $i exited"; }
		((SECONDS < deadline)) || die "replica $i not ready after $READY_TIMEOUT s"
		sleep 0.5
	done
}

# the balancer's runtime API
haproxy_cmd() {
	python3 - "$SOCKET" "$*" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
sys.stdout.write(out.decode())
EOF
}

# the servers' status and current sessions: "backend/server status scur"
servers() {
	haproxy_cmd "show stat" | python3 -c '
import csv, sys
rows = csv.DictReader(l.lstrip("# ") for l in sys.stdin if l.strip())
for r in rows:
    if r["svname"] not in ("FRONTEND", "BACKEND"):
        print(r["pxname"] + "/" + r["svname"], r["status"], r["scur"])'
}

wait_up() { # wait_up I: the balancer sends it traffic again
	local i="$1" deadline=$((SECONDS + 60))
	until servers | grep "^replicas/r$i UP" >/dev/null; do
		((SECONDS < deadline)) || die "the balancer did not mark replica $i up"
		sleep 0.5
	done
}

start_balancer() {
	local cfg="$STATE/haproxy.cfg" servers="" grpc="" i
	for ((i = 1; i <= REPLICAS; i++)); do
		servers+="    server r$i 127.0.0.1:$(http_port "$i")\n"
		grpc+="    server r$i 127.0.0.1:$(grpc_port "$i") proto h2 check port $(http_port "$i") check-proto h1\n"
	done
	# the committed file, its server lines (between the SERVERS markers) pointed at the local
	# replicas, and no Docker DNS
	python3 - "$REPO/docker/haproxy/haproxy.cfg" "$cfg" "$servers" "$grpc" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
servers = sys.argv[3].replace("\\n", "\n")
grpc = sys.argv[4].replace("\\n", "\n")
text = re.sub(r"    # GRPC SERVERS\n.*?    # GRPC SERVERS END\n", lambda m: grpc, text, flags=re.S)
text = re.sub(r"    # SERVERS\n.*?    # SERVERS END\n", lambda m: servers, text, flags=re.S)
text = re.sub(r"\n# the Docker network's DNS.*", "\n", text, flags=re.S)
open(sys.argv[2], "w").write(text)
EOF
	export HAPROXY_BIND="127.0.0.1:$PORT" HAPROXY_GRPC_BIND="127.0.0.1:$GRPC_PORT" HAPROXY_STATS="$SOCKET"
	haproxy -c -q -f "$cfg" || die "haproxy refused $cfg"
	haproxy -W -f "$cfg" >>"$STATE/haproxy.log" 2>&1 &
	echo $! >"$STATE/haproxy.pid"
	local deadline=$((SECONDS + 10))
	until [[ -S "$SOCKET" ]]; do ((SECONDS < deadline)) || die "haproxy did not start"; sleep 0.2; done
	log "balancer: http://127.0.0.1:$PORT, gRPC 127.0.0.1:$GRPC_PORT (haproxy pid $(cat "$STATE/haproxy.pid"))"
}

stop_replica() { # stop_replica I: drained first, as a Kubernetes endpoint is removed before SIGTERM
	local i="$1" pid deadline
	pid="$(pid_of "$i")"
	[[ -n "$pid" ]] || return 0
	if [[ -S "$SOCKET" ]]; then
		for backend in replicas feedback grpc; do haproxy_cmd "set server $backend/r$i state drain" >/dev/null; done
		# its requests in progress finish (at most 5 s, as the pod's preStop pause)
		deadline=$((SECONDS + 5))
		while servers | grep -E "^(replicas|feedback|grpc)/r$i \S+ [1-9]" >/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
	fi
	kill -TERM "$pid" 2>/dev/null || true
	deadline=$((SECONDS + 40))
	while kill -0 "$pid" 2>/dev/null; do
		((SECONDS < deadline)) || { log "replica $i did not stop in 40 s: killed"; kill -KILL "$pid"; }
		sleep 0.2
	done
	rm -f "$STATE/replica-$i.pid"
}

config_arg() {
	local config="${1:-$REPO/scripts/replicas/ab-test.env}"
	[[ -f "$config" ]] || die "no configuration file $config"
	realpath "$config"
}

case "${1:-}" in
	up)
		config="$(config_arg "${2:-}")"
		[[ -f "$JAR" ]] || die "no jar $JAR (./mvnw -B package -DskipTests)"
		command -v haproxy >/dev/null || die "haproxy is not installed (apt-get install haproxy)"
		[[ ! -f "$STATE/haproxy.pid" ]] || ! kill -0 "$(cat "$STATE/haproxy.pid")" 2>/dev/null \
			|| die "already up ($STATE); run.sh down first"
		for p in "$PORT" "$GRPC_PORT" $(for ((i = 1; i <= REPLICAS; i++)); do echo "$(http_port "$i") $(management_port "$i") $(grpc_port "$i")"; done); do
			python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$p" 2>/dev/null \
				|| die "port $p is in use (another balancer or replica?)"
		done
		mkdir -p "$STATE"
		rm -f "$STATE"/replica-*.log
		runtime
		secrets
		log "java: $JAVA_CMD; flags: ${JVM_FLAGS[*]}"
		for ((i = 1; i <= REPLICAS; i++)); do start_replica "$i" "$config"; done
		for ((i = 1; i <= REPLICAS; i++)); do wait_ready "$i"; done
		start_balancer
		for ((i = 1; i <= REPLICAS; i++)); do wait_up "$i"; done
		log "up: $REPLICAS replicas behind http://127.0.0.1:$PORT"
		;;
	roll)
		config="$(config_arg "${2:-}")"
		runtime
		start=$SECONDS
		for ((i = 1; i <= REPLICAS; i++)); do
			t=$SECONDS
			stop_replica "$i"
			start_replica "$i" "$config"
			wait_ready "$i"
			for backend in replicas feedback grpc; do haproxy_cmd "set server $backend/r$i state ready" >/dev/null; done
			wait_up "$i"
			log "replica $i replaced in $((SECONDS - t)) s"
		done
		log "rolled $REPLICAS replicas in $((SECONDS - start)) s"
		;;
	crash)
		i="${2:?which replica}"
		kill -KILL "$(pid_of "$i")"
		rm -f "$STATE/replica-$i.pid"
		log "replica $i killed"
		;;
	start)
		i="${2:?which replica}"
		runtime
		t=$SECONDS
		start_replica "$i" "$STATE/replica-$i.env"
		wait_ready "$i"
		wait_up "$i"
		log "replica $i back in $((SECONDS - t)) s"
		;;
	status)
		servers
		;;
	down)
		for f in "$STATE"/replica-*.pid; do
			[[ -f "$f" ]] || continue
			i="${f##*/replica-}"
			i="${i%.pid}"
			stop_replica "$i"
		done
		if [[ -f "$STATE/haproxy.pid" ]]; then
			kill "$(cat "$STATE/haproxy.pid")" 2>/dev/null || true
			rm -f "$STATE/haproxy.pid" "$SOCKET"
		fi
		log "down"
		;;
	*)
		sed -n '2,25p' "$0" >&2
		exit 2
		;;
esac
