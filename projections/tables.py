"""The read tables the projectors write and the API reads."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

metadata = MetaData()
Json = JSON().with_variant(JSONB(), "postgresql")

experiments = Table(
    "experiments",
    metadata,
    Column("experiment_id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("phase", Text, nullable=False),
    Column("spec", Json, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False),
    Column("reason", Text),
    Column("window_ends_at", DateTime(timezone=True)),
    Column("winner", Text),
    Column("results", Json),
    Column("promoted_variant", Text),
    Column("promotion_commit", Text),
    Index("experiments_phase", "phase", "created_at"),
)

experiment_phases = Table(
    "experiment_phases",
    metadata,
    Column("experiment_id", Uuid, nullable=False),
    Column("version", Integer, nullable=False),
    Column("phase", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("position", BigInteger, nullable=False),
    PrimaryKeyConstraint("experiment_id", "version"),
)

command_outcomes = Table(
    "command_outcomes",
    metadata,
    Column("command_id", Uuid, primary_key=True),
    Column("command_type", Text),
    Column("outcome", Text, nullable=False),
    Column("reason", Text),
    Column("stream_id", Text),
    Column("events", Integer, nullable=False),
    Column("first_position", BigInteger, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("stream_id", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("type", Text, nullable=False),
    Column("actor", Text, nullable=False),
    Column("command_id", Uuid),
    Column("correlation_id", Uuid),
    Column("causation_id", Uuid),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("data", Json, nullable=False),
    Index("audit_log_stream", "stream_id", "version"),
)

experiment_variants = Table(
    "experiment_variants",
    metadata,
    Column("experiment_id", Uuid, nullable=False),
    Column("variant", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("position", Integer, nullable=False),
    Column("template", Text),
    Column("variables", Json, nullable=False),
    Column("config", Text),
    Column("config_sha256", Text),
    Column("deployed_at", DateTime(timezone=True)),
    Column("deployment", Json),
    Column("deployment_error", Text),
    Column("verdict", Text),
    Column("reasons", Json),
    Column("measures", Json),
    Column("intervals", Json),
    Column("torn_down_at", DateTime(timezone=True)),
    Column("pipeline", Text),  # NAME@VERSION, for a variant on a registered pipeline
    Column("pipeline_sha256", Text),
    PrimaryKeyConstraint("experiment_id", "variant"),
    Index("experiment_variants_by_pipeline", "pipeline"),
)

pipelines = Table(
    "pipelines",
    metadata,
    Column("name", Text, primary_key=True),
    Column("description", Text, nullable=False),
    Column("owner", Text),
    Column("labels", Json, nullable=False),
    Column("latest_version", Integer, nullable=False),
    Column("deprecated", Text),
    Column("promoted_version", Integer),  # the version an experiment promoted last
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False),
)

pipeline_versions = Table(
    "pipeline_versions",
    metadata,
    Column("name", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("config", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=False),
    Column("recommended", Json),  # where a recommended version came from, what it predicted
    Column("promoted_from", Json),  # the experiment, variant and commit that promoted it
    Column("validated_by", Json),  # what checked it before it was recorded
    PrimaryKeyConstraint("name", "version"),
)

READ_TABLES = (
    experiments,
    experiment_phases,
    experiment_variants,
    command_outcomes,
    audit_log,
    pipelines,
    pipeline_versions,
)
