"""Embedded servers Phoenix starts itself: nats-server with JetStream and PostgreSQL."""
