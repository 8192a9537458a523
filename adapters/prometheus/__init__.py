"""Prometheus as a metrics source: PromQL over its HTTP API."""
