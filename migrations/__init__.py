"""Alembic migrations for the event store and the read tables."""
