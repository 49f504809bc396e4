"""Grafana's dashboard variables and the values the checks put in their place, so that a panel
query can be run by promtool (static) or by a live Prometheus (check-prometheus.sh)."""

GRAFANA_VARS = [
    ("$__rate_interval", "1m"),
    ("$__interval", "15s"),
    ("$__range", "5m"),
    ("$instance", ".*"),
    ("$job", "digit-service"),
    ("$model_version", ".*"),
]


def substitute(expr):
    for var, value in GRAFANA_VARS:
        expr = expr.replace(var, value)
    return expr
