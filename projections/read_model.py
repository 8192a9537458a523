"""The read side as the API and the CLI ask it: experiments and results, pipelines, audit trails, command outcomes."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

Row = dict[str, Any]

VARIANT_FIELDS = (
    "variant",
    "role",
    "template",
    "pipeline",
    "pipeline_sha256",
    "verdict",
    "reasons",
    "measures",
    "intervals",
    "config_sha256",
    "deployed_at",
    "deployment",
    "deployment_error",
    "torn_down_at",
)


def verdicts_of(results: list[dict[str, Any]] | None) -> list[Row]:
    """Each judged candidate's verdict and series reduction, from an experiment's recorded
    results (none before its analysis): what a list of experiments shows.
    """
    return [
        {
            "variant": r["variant"],
            "verdict": r["verdict"],
            "series_reduction": (r.get("measures") or {}).get("series_reduction"),
        }
        for r in results or []
    ]


class ReadModel(Protocol):
    async def list_experiments(
        self, *, phase: str | None, limit: int, offset: int
    ) -> tuple[list[Row], int]:
        """A page of experiments, newest first (then by id), and how many there are in all; each
        with its candidates' ``verdicts`` once analysed.
        """
        ...

    async def get_experiment(self, experiment_id: UUID) -> Row | None:
        """One experiment with its ``phase_history``; None if there is none."""
        ...

    async def stream_audit(self, stream_id: str, *, after_version: int, limit: int) -> list[Row]:
        """A stream's events after a version, with actor, causation and correlation."""
        ...

    async def command_outcome(self, command_id: UUID) -> Row | None:
        """Accepted (with its events) or rejected (with the reason); None while pending."""
        ...

    async def variant(self, experiment_id: UUID, name: str) -> Row | None:
        """One variant: its config, deployment, measures and verdict."""
        ...

    async def experiment_results(self, experiment_id: UUID) -> Row | None:
        """Per variant its measures, intervals and verdict, and the experiment's winner."""
        ...

    async def list_pipelines(self, *, limit: int, offset: int) -> tuple[list[Row], int]:
        """A page of registered pipelines by name, and how many there are in all."""
        ...

    async def get_pipeline(self, name: str) -> Row | None:
        """One pipeline with its ``versions`` (number, sha256, note, when, by whom)."""
        ...

    async def pipeline_version(self, name: str, version: int) -> Row | None:
        """One version of a pipeline, with its config, and ``used_by``: the experiments whose
        variants ran it (oldest first), with each variant's role and verdict.
        """
        ...


def results_view(experiment: Row, variants: list[Row]) -> Row:
    """The results read model from an experiment's row and its variants' rows, in order."""
    return {
        "experiment_id": experiment["experiment_id"],
        "name": experiment["name"],
        "phase": experiment["phase"],
        # From the variants view itself: the experiments view may be ahead of it (own checkpoint).
        "available": any(v["verdict"] is not None for v in variants),
        "window_ends_at": experiment["window_ends_at"],
        "winner": experiment["winner"],
        "promoted_variant": experiment["promoted_variant"],
        "promotion_commit": experiment["promotion_commit"],
        "reason": experiment["reason"],
        "variants": [{key: v[key] for key in VARIANT_FIELDS} for v in variants],
    }
