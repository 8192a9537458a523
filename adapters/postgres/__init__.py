"""PostgreSQL adapters: the event store, migrations and the read-side plumbing."""
