#!/usr/bin/env bash
# Runs a real Prometheus against a running digit-service with the repository's own scrape
# configuration and rules, drives a little traffic, and asserts through Prometheus' HTTP API:
# the target is up, the service exposes the metrics the rules and dashboard use, every rule
# evaluates without error and every recording rule has a value, histogram quantiles exist,
# and every dashboard query evaluates.
#
# Usage: docker/tests/check-prometheus.sh SERVICE_URL [MANAGEMENT_URL]
#   e.g. http://127.0.0.1:8080 http://127.0.0.1:8081
# SERVICE_URL is the request port (predictions, admin API); MANAGEMENT_URL the management port,
# where /actuator/** is served and Prometheus scrapes (default: SERVICE_URL's host, port 8081).
# With DIGITS_ADMIN_TOKEN set (the service's admin token; check-live.sh sets one), it also checks
# that the admin API refuses a request without it, and runs an A/B test (50% to version 2, which
# shadows version 1) so that the per-version, feedback and shadow rules and panels get data.
# Needs: prometheus (Debian package prometheus), curl, python3 with PyYAML. Loopback only;
# Prometheus gets a free port and a temporary storage dir and is stopped on exit.
# Bounded: ~2 minutes at most.
set -uo pipefail
export PYTHONDONTWRITEBYTECODE=1

SERVICE_URL="${1:?usage: check-prometheus.sh SERVICE_URL [MANAGEMENT_URL]}"
SERVICE_URL="${SERVICE_URL%/}"
service_hostport="${SERVICE_URL#*://}"; service_hostport="${service_hostport%%/*}"
MANAGEMENT_URL="${2:-${SERVICE_URL%%://*}://${service_hostport%:*}:8081}"
MANAGEMENT_URL="${MANAGEMENT_URL%/}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/docker/tests"

for tool in prometheus curl python3; do
  command -v "$tool" >/dev/null || { echo "check-prometheus: $tool not found" >&2; exit 2; }
done

# the scrape target: the management port
hostport="${MANAGEMENT_URL#*://}"; hostport="${hostport%%/*}"
for hp in "$service_hostport" "$hostport"; do
  case "$hp" in
    127.*|localhost:*|\[::1\]:*) ;;
    *) echo "check-prometheus: loopback targets only, got $hp" >&2; exit 2 ;;
  esac
done

TMP="$(mktemp -d)"
PROM_PID=""
cleanup() {
  if [ -n "$PROM_PID" ] && kill -0 "$PROM_PID" 2>/dev/null; then
    kill -TERM "$PROM_PID" 2>/dev/null
    for _ in $(seq 1 20); do kill -0 "$PROM_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$PROM_PID" 2>/dev/null
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "check-prometheus: $*"; echo "check-prometheus: 0 passed, 1 failed"; exit 1; }

curl -fsS --max-time 5 "$MANAGEMENT_URL/actuator/health/readiness" >/dev/null \
  || fail "the service's management port at $MANAGEMENT_URL is not ready"

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
PROM="http://127.0.0.1:$PORT"
python3 "$HERE/prometheus_checks.py" config "$ROOT" "$hostport" "$TMP/prometheus.yml" || fail "could not write the config"
promtool check config "$TMP/prometheus.yml" >/dev/null 2>&1 || fail "the derived config does not pass promtool"

prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/data" \
  --web.listen-address="127.0.0.1:$PORT" --log.level=warn >"$TMP/prometheus.log" 2>&1 &
PROM_PID=$!
echo "prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') on $PROM scraping $hostport every 1s"

for _ in $(seq 1 30); do
  curl -fsS --max-time 2 "$PROM/-/ready" >/dev/null 2>&1 && break
  kill -0 "$PROM_PID" 2>/dev/null || { cat "$TMP/prometheus.log"; fail "prometheus exited"; }
  sleep 1
done
python3 "$HERE/prometheus_checks.py" wait-up "$PROM" 30 || { cat "$TMP/prometheus.log"; fail "target never up"; }

# A/B set-up, when the admin token is known (check-live.sh sets one): version 1 the default, 50%
# of the traffic to version 2, which also shadows version 1, so that the per-version, feedback and
# shadow rules all get data. The policy is put back at the end.
AB=0
if [ -n "${DIGITS_ADMIN_TOKEN:-}" ]; then
  unauth=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "$SERVICE_URL/admin/traffic") || unauth=000
  [ "$unauth" = 401 ] || fail "the admin API answered $unauth without a token (expected 401)"
  before=$(curl -fsS --max-time 5 -H "Authorization: Bearer $DIGITS_ADMIN_TOKEN" "$SERVICE_URL/admin/traffic") \
    || fail "the admin API refused the admin token"
  for _ in $(seq 1 60); do  # version 2 loads in the background
    curl -fsS --max-time 5 "$SERVICE_URL/api/v1/models/2" 2>/dev/null | grep -q '"state":"READY"' && break
    sleep 1
  done
  if curl -fsS -o /dev/null --max-time 10 -X PUT -H "Authorization: Bearer $DIGITS_ADMIN_TOKEN" \
      -H 'Content-Type: application/json' -d '{"defaultVersion":"1","weights":{"1":50,"2":50},"shadow":"2"}' \
      "$SERVICE_URL/admin/traffic"; then
    AB=1
    echo "A/B policy set: version 1 default, 50% to version 2, version 2 shadows 1 (was: $before)"
  else
    echo "could not set an A/B policy (is version 2 in the models folder?): the shadow rules will have no data"
  fi
fi
export AB

# Traffic after the first scrape, spread over several scrapes, so that rate() sees increases.
python3 "$HERE/make_digits.py" "$TMP/in"
declare -A codes=()
post() { # post LABEL CURL_ARGS...
  local label="$1"; shift
  local code
  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 "$@") || code=000
  codes["$label $code"]=$(( ${codes["$label $code"]:-0} + 1 ))
}
feedback() { # feedback DIGIT ROUND: a prediction of that round's image, then its feedbackToken with the true digit
  local token code
  token=$(curl -sS --max-time 10 -F "file=@$TMP/in/digit-$1-$2.png;type=image/png" "$SERVICE_URL/api/v1/predictions" \
    | sed -nE 's/.*"feedbackToken":"([^"]+)".*/\1/p')
  [ -n "$token" ] || { codes["feedback(no token)"]=$(( ${codes["feedback(no token)"]:-0} + 1 )); return; }
  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 10 -H 'Content-Type: application/json' \
    -d "{\"token\":\"$token\",\"digit\":$1}" "$SERVICE_URL/api/v1/feedback") || code=000
  codes["feedback $code"]=$(( ${codes["feedback $code"]:-0} + 1 ))
}
for round in $(seq 1 8); do
  for d in 0 1 7; do
    post "png" -F "file=@$TMP/in/digit-$d.png;type=image/png" "$SERVICE_URL/api/v1/predictions"
    feedback "$d" "$round"
  done
  # 404s: an unknown path, and an unknown path under the prediction API (client_error)
  post "unknown path(404)" "$SERVICE_URL/no-such-path"
  post "unknown version(4xx)" -F "file=@$TMP/in/digit-7.png;type=image/png" "$SERVICE_URL/api/v1/models/no-such-version/predictions"
  post "raw-png" -H 'Content-Type: image/png' --data-binary "@$TMP/in/digit-7.png" "$SERVICE_URL/api/v1/predictions"
  post "pixels" -H 'Content-Type: application/json' --data-binary "@$TMP/in/pixels.json" "$SERVICE_URL/api/v1/predictions"
  if [ $((round % 2)) -eq 0 ]; then
    post "batch" -F "files=@$TMP/in/digit-0.png;type=image/png" -F "files=@$TMP/in/digit-1.png;type=image/png" \
      "$SERVICE_URL/api/v1/predictions/batch"
    post "blank(4xx)" -F "file=@$TMP/in/blank.png;type=image/png" "$SERVICE_URL/api/v1/predictions"
    post "text(4xx)" -F "file=@$TMP/in/not-an-image.txt;type=text/plain" "$SERVICE_URL/api/v1/predictions"
  fi
  sleep 1
done
echo "traffic (request kind, HTTP status: count):"
for k in "${!codes[@]}"; do echo "  $k: ${codes[$k]}"; done | sort
ok200=0
for k in "${!codes[@]}"; do case "$k" in "png 200") ok200=${codes[$k]};; esac; done
[ "$ok200" -gt 0 ] || fail "no PNG prediction succeeded"

if [ "$AB" = 1 ]; then
  curl -fsS -o /dev/null --max-time 10 -X PUT -H "Authorization: Bearer $DIGITS_ADMIN_TOKEN" \
    -H 'Content-Type: application/json' -d "$before" "$SERVICE_URL/admin/traffic" || echo "could not restore the policy $before"
fi

python3 "$HERE/prometheus_checks.py" wait-data "$PROM" 30 || true
sleep 3
python3 "$HERE/prometheus_checks.py" assert "$ROOT" "$PROM" | tee "$TMP/assert.out"
rc=${PIPESTATUS[0]}
summary=$(tail -1 "$TMP/assert.out")
case "$summary" in
  "prometheus checks: "*" passed, "*" failed") echo "check-prometheus: ${summary#prometheus checks: }" ;;
  *) echo "check-prometheus: 0 passed, 1 failed (the assertions did not complete)"; rc=1 ;;
esac
exit "$rc"
