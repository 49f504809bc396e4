#!/usr/bin/env bash
# Offline checks of the operations files (no service, no network):
#   promtool check config / check rules / test rules (unit tests of the alerts),
#   promtool check of every dashboard query's syntax,
#   every YAML file parses (compose, Kubernetes, workflows, Prometheus, Grafana), the dashboard
#   JSON parses, and the files agree with each other and with the Dockerfile (static_checks.py).
#   and every Kubernetes manifest against the API's schemas (scripts/k8s-validate, node).
# Needs: promtool (Debian package prometheus), python3 with PyYAML, node with
# `npm ci --prefix scripts/k8s-validate` done. Installs nothing.
# Usage: docker/tests/check-static.sh            (from anywhere)
set -uo pipefail
export PYTHONDONTWRITEBYTECODE=1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PROM="$ROOT/docker/prometheus"

command -v promtool >/dev/null || { echo "check-static: promtool not found (apt-get install prometheus)" >&2; exit 2; }
python3 -c 'import yaml' 2>/dev/null || { echo "check-static: python3 with PyYAML needed (apt-get install python3-yaml)" >&2; exit 2; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

passed=0
failed=0
step() { # step NAME COMMAND...
  local name="$1"; shift
  if "$@" >"$TMP/out" 2>&1; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/     /' "$TMP/out"
  fi
}

echo "== promtool $(promtool --version 2>&1 | head -1 | awk '{print $3}')"
step "promtool check config docker/prometheus/prometheus.yml" promtool check config "$PROM/prometheus.yml"
step "promtool check rules docker/prometheus/rules/*.yml" promtool check rules "$PROM"/rules/*.yml
for t in "$PROM"/tests/*.yml; do
  step "promtool test rules ${t#"$ROOT"/}" bash -c "cd '$PROM/tests' && promtool test rules '$(basename "$t")'"
done

echo "== YAML, JSON and cross-file checks"
python3 "$ROOT/docker/tests/static_checks.py" "$ROOT" "$TMP/panels.yml" | tee "$TMP/static.out"
static_rc=${PIPESTATUS[0]}
summary=$(tail -1 "$TMP/static.out")
p=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed/\1/p' <<<"$summary")
f=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed/\2/p' <<<"$summary")
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-0}))
if [ "$static_rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then failed=$((failed + 1)); echo "FAIL static_checks.py crashed"; fi

if [ -s "$TMP/panels.yml" ]; then
  step "promtool: every dashboard query is valid PromQL" promtool check rules "$TMP/panels.yml"
fi

echo "== Kubernetes manifests against the API's and KEDA's schemas (scripts/k8s-validate)"
if [ -d "$ROOT/scripts/k8s-validate/node_modules" ]; then
  node "$ROOT/scripts/k8s-validate/validate.mjs" $(cd "$ROOT" && find k8s -name '*.yaml' | sort) > "$TMP/k8s.out" 2>&1
  k8s_rc=$?
  (cd "$ROOT" && cat "$TMP/k8s.out")
  passed=$((passed + $(grep -c '^ok ' "$TMP/k8s.out")))
  failed=$((failed + $(grep -c '^FAIL ' "$TMP/k8s.out")))
  if [ "$k8s_rc" -ne 0 ] && ! grep -q '^FAIL ' "$TMP/k8s.out"; then failed=$((failed + 1)); echo "FAIL validate.mjs crashed"; fi
else
  failed=$((failed + 1)); echo "FAIL scripts/k8s-validate is not installed (npm ci --prefix scripts/k8s-validate)"
fi

echo "check-static: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
