"""The event store's tables: the log, handled commands, checkpoints, reactor effects, dead letters."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
Json = JSON().with_variant(JSONB(), "postgresql")

events = Table(
    "events",
    metadata,
    Column("position", BigInteger, Identity(always=False), primary_key=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("stream_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", Text, nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("data", Json, nullable=False),
    Column("metadata", Json, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("stream_id", "version", name="events_stream_version_key"),
)

handled_commands = Table(
    "handled_commands",
    metadata,
    Column("command_id", Uuid, primary_key=True),
    Column("command_type", Text, nullable=False),
    Column("stream_id", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("name", Text, primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

reactor_effects = Table(
    "reactor_effects",
    metadata,
    Column("reactor", Text, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("reactor", "event_id"),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", BigInteger, Identity(always=False), primary_key=True),
    Column("consumer", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("message_id", Text),
    Column("headers", Json, nullable=False),
    Column("payload", LargeBinary, nullable=False),  # the raw bytes, whatever they are
    Column("error", Text, nullable=False),
    Column("deliveries", Integer, nullable=False),
    # A message is dead-lettered once per consumer, even if the ack after it is lost.
    Column("stream_sequence", BigInteger, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("redriven_at", DateTime(timezone=True)),
    UniqueConstraint("consumer", "stream_sequence", name="dead_letters_once"),
    Index("dead_letters_open", "consumer", postgresql_where="redriven_at IS NULL"),
)

# Each variant's measurements per interval of its experiment's window (the `local` source):
# the distinct series as sorted 64-bit hashes (so unions across intervals stay exact), the
# datapoints, and the critical processes' identities.
measured_intervals = Table(
    "measured_intervals",
    metadata,
    Column("experiment_id", Uuid, nullable=False),
    Column("variant", Text, nullable=False),
    Column("index", Integer, nullable=False),
    Column("series", LargeBinary, nullable=False),
    Column("datapoints", BigInteger, nullable=False),
    Column("critical", Json, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("experiment_id", "variant", "index"),
)
