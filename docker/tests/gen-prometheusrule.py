#!/usr/bin/env python3
"""Prints k8s/prometheusrule.yaml: the rules of docker/prometheus/rules/ as a prometheus-operator
PrometheusRule. Usage (from the repository root):

    python3 docker/tests/gen-prometheusrule.py > k8s/prometheusrule.yaml

check-static.sh compares the committed file with this output.
"""
import os
import sys

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RULE_FILES = ["docker/prometheus/rules/recording.yml", "docker/prometheus/rules/alerts.yml"]

HEADER = """\
# The rules of docker/prometheus/rules/*.yml for prometheus-operator. Generated from those files;
# docker/tests/check-static.sh fails when the two differ, so edit the rules there and regenerate:
#   python3 docker/tests/gen-prometheusrule.py > k8s/prometheusrule.yaml
# Your Prometheus resource's ruleSelector must match these labels (kube-prometheus-stack: add
# release: <helm release name>).
"""


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def render():
    groups = []
    for name in RULE_FILES:
        with open(os.path.join(ROOT, name), encoding="utf-8") as f:
            groups += yaml.safe_load(f)["groups"]
    doc = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "digit-service", "labels": {"app.kubernetes.io/name": "digit-service"}},
        "spec": {"groups": groups},
    }
    return HEADER + yaml.dump(doc, Dumper=_Dumper, sort_keys=False, width=200)


if __name__ == "__main__":
    sys.stdout.write(render())
