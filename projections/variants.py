"""The variants read model: each variant's config, deployment, measures and verdict."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table

from domain.experiment import events as ev
from domain.mapper import to_event
from domain.messages import RecordedEvent
from projections.rows import Rows
from projections.tables import experiment_variants

T = experiment_variants


class VariantsProjector:
    name = "experiment-variants"
    tables: tuple[Table, ...] = (experiment_variants,)

    async def apply(self, rows: Rows, event: RecordedEvent) -> None:
        if event.aggregate != "experiment":
            return
        typed = to_event(event)
        at = event.metadata.occurred_at
        match typed:
            case ev.ExperimentCreated(spec=spec):
                refs = [("baseline", spec.baseline), *(("candidate", c) for c in spec.candidates)]
                await rows.insert(
                    T,
                    *(
                        {
                            "experiment_id": typed.experiment_id,
                            "variant": ref.name,
                            "role": role,
                            "position": position,
                            "template": ref.template,
                            "pipeline": ref.pipeline,
                            "pipeline_sha256": ref.sha256,
                            "variables": ref.variables,
                        }
                        for position, (role, ref) in enumerate(refs)
                    ),
                )
            case ev.ConfigsGenerated(configs=configs):
                for generated in configs:
                    await self._set(
                        rows,
                        typed,
                        generated.variant,
                        config=generated.config,
                        config_sha256=generated.sha256,
                    )
            case ev.VariantDeployed(variant=variant, details=details):
                await self._set(rows, typed, variant, deployed_at=at, deployment=details)
            case ev.VariantDeploymentFailed(variant=variant, reason=reason):
                await self._set(rows, typed, variant, deployment_error=reason)
            case ev.AnalysisRecorded(results=results, baseline=baseline):
                if baseline is not None:
                    await self._set(
                        rows,
                        typed,
                        baseline.variant,
                        measures=baseline.measures.figures(),
                        intervals=[i.model_dump(mode="json") for i in baseline.intervals],
                    )
                for result in results:
                    await self._set(
                        rows,
                        typed,
                        result.variant,
                        verdict=result.verdict.value,
                        reasons=list(result.reasons),
                        measures=result.measures.figures(),
                        intervals=[i.model_dump(mode="json") for i in result.intervals],
                    )
            case ev.CollectorsTornDown(variants=variants):
                for variant in variants:
                    await self._set(rows, typed, variant, torn_down_at=at)

    @staticmethod
    async def _set(rows: Rows, event: ev.ExperimentEvent, variant: str, **values: Any) -> None:
        await rows.update(T, (event.experiment_id, variant), values)
