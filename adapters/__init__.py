"""Phoenix adapters: implementations of the ports (Postgres, NATS, embedded servers)."""
