"""Telemetry as OTLP shapes it: Resource → Metric → DataPoint, series identity, cardinality."""
