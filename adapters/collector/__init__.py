"""Real OpenTelemetry Collector processes: finding the binary, validating and running configs."""
