"""Process-load simulator: fleets of hosts per profile (seeded), their scrapes, and exporters (OTLP, Prometheus)."""
