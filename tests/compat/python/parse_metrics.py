"""Parses graphmeet's /metrics text (stdin) with prometheus_client's OpenMetrics parser, the
one Prometheus' own Python client ships; prints every sample as JSON for the Rust test.
"""
import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for s in family.samples:
        samples.append({"family": family.name, "type": family.type, "name": s.name, "labels": s.labels, "value": s.value})
print(json.dumps(samples))
