"""Promotion: commit the promoted variant's config to the GitOps repository, then record it."""

from __future__ import annotations

import re
from uuid import UUID

from domain.analysis.measures import Measures
from domain.experiment import commands as cmd
from domain.experiment import events as ev
from domain.experiment.state import Experiment
from domain.mapper import Occurred
from domain.messages import Command, Event
from domain.pipeline.commands import PromotePipelineVersion
from handlers.experiment_state import load
from handlers.pipeline_versions import pipeline_version, template_on
from handlers.ports import EventStore, GitOps
from handlers.report import markdown_table, result_rows
from pipelines.cluster_manifests import (
    KUSTOMIZATION_FILE,
    PIPELINE_FILE,
    kustomization,
    process_pipeline,
)

CONFIG_DIR = "otelcol/process-metrics"
PRODUCTION_PIPELINE = "process-metrics"  # the ProcessPipeline's name when no pipeline is named


def branch_name(state: Experiment, variant: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", state.spec.name.lower()).strip("-")[:40] or "experiment"
    return f"phoenix/{slug}-{str(state.experiment_id)[:8]}-{variant}"


class Promotion:
    """Reacts to PromotionRequested with a commit on a branch, and RecordPromotion."""

    name = "promotion"
    event_types = (ev.PromotionRequested,)

    def __init__(self, store: EventStore, gitops: GitOps, *, api_url: str | None = None) -> None:
        self.store, self.gitops, self.api_url = store, gitops, api_url

    async def react(self, occurred: Occurred[Event]) -> list[Command]:
        event = occurred.event
        assert isinstance(event, ev.PromotionRequested)
        state = await load(self.store, event.experiment_id)
        variant = event.variant
        generated = next(c for c in state.configs if c.variant == variant)
        production = await self.production_config(state, variant) if event.to_pipeline else None
        description = self.describe(state, event)
        commit = await self.gitops.commit(
            branch=branch_name(state, variant),
            files={
                f"{CONFIG_DIR}/config.yaml": production or generated.config,
                f"{CONFIG_DIR}/PROMOTION.md": description,
                # What Argo CD or Flux applies: Phoenix's operator rolls it out fleet-wide.
                f"{CONFIG_DIR}/{PIPELINE_FILE}": process_pipeline(
                    event.to_pipeline or PRODUCTION_PIPELINE,
                    state.spec.target.namespace,
                    production or generated.config,
                    experiment_id=str(state.experiment_id),
                    variant=variant,
                ),
                f"{CONFIG_DIR}/{KUSTOMIZATION_FILE}": kustomization([PIPELINE_FILE]),
            },
            message=self.message(state, variant, description, occurred.event_id),
            key=f"Phoenix-Promotion: {occurred.event_id}",
        )
        recorded: list[Command] = [
            cmd.RecordPromotion(
                experiment_id=state.experiment_id,
                variant=variant,
                commit_id=commit.commit_id,
                repository=commit.repository,
                branch=commit.branch,
            )
        ]
        if event.to_pipeline and production is not None:
            recorded.append(
                PromotePipelineVersion(
                    name=event.to_pipeline,
                    config=production,
                    experiment_id=state.experiment_id,
                    variant=variant,
                    commit_id=commit.commit_id,
                )
            )
        return recorded

    async def production_config(self, state: Experiment, variant: str) -> str:
        """The winner as production runs it (no experiment wiring): a registered pipeline's own
        bytes, or the baseline pipeline's config with the winning template's processors.
        """
        ref = next(c for c in state.spec.candidates if c.name == variant)
        if ref.pipeline_name is not None:
            return (
                await pipeline_version(self.store, ref.pipeline_name, ref.pipeline_version)
            ).config
        base = state.spec.baseline
        assert base.pipeline_name is not None, "checked when the promotion was requested"
        found = await pipeline_version(self.store, base.pipeline_name, base.pipeline_version)
        return template_on(found.config, ref, state.spec.critical_processes)

    def _audit(self, state: Experiment) -> str:
        command = f"phoenix replay experiment-{state.experiment_id}"
        if self.api_url:
            return (
                f"{self.api_url}/api/v1/experiments/{state.experiment_id}/events (or `{command}`)"
            )
        return f"`{command}`"

    def describe(self, state: Experiment, event: ev.PromotionRequested) -> str:
        """The change description: what was compared, the results, and why this one."""
        variant = event.variant
        ref = next(c for c in state.spec.candidates if c.name == variant)
        generated = next(c for c in state.configs if c.variant == variant)
        result = state.verdict_of(variant)
        lines = [
            f"# Promote `{variant}` ({ref.source}) for process metrics",
            "",
            f"Experiment **{state.spec.name}** (`{state.experiment_id}`) ran "
            f"{len(state.spec.candidates)} candidates beside the baseline "
            f"`{state.spec.baseline.name}` ({state.spec.baseline.source}) "
            f"for {state.spec.duration_seconds} s.",
            "",
            markdown_table(result_rows(state)),
            "",
        ]
        if event.override:
            lines += [
                f"**Admin override** by {event.requested_by}: "
                f"{event.override_reason} "
                f"(verdict was {result.verdict.value if result else 'none'}).",
                "",
            ]
        if result is not None:
            lines += [f"Why `{variant}` ({result.verdict.value}):", ""]
            lines += [f"* {reason}" for reason in result.reasons]
            lines.append("")
        lines += [
            f"Config sha256 `{generated.sha256}`, exactly as measured.",
            *(
                [
                    f"It becomes the next version of the pipeline `{event.to_pipeline}` (its "
                    "registered config, without the experiment's wiring), promoted by this "
                    "experiment."
                ]
                if event.to_pipeline
                else []
            ),
            f"Requested by {event.requested_by}.",
            f"Audit trail: {self._audit(state)}",
            "",
        ]
        return "\n".join(lines)

    def message(self, state: Experiment, variant: str, description: str, promotion: UUID) -> str:
        result = state.verdict_of(variant)
        measures = result.measures if result else Measures()
        summary = ", ".join(
            f"{label} {-value:+.1%}"
            for label, value in (
                ("series", measures.series_reduction),
                ("datapoints", measures.datapoint_reduction),
                ("cost", measures.cost_reduction),
            )
            if value is not None
        )
        title = f"Promote {variant} for process metrics ({summary or 'override'})"
        return (
            f"{title}\n\n{description}\n"
            f"Phoenix-Experiment: {state.experiment_id}\n"
            f"Phoenix-Variant: {variant}\n"
            f"Phoenix-Promotion: {promotion}\n"
        )
