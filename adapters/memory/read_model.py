"""The read model in memory, for unit tests: the projections' rows, worked out from the store itself.

It follows each projector's rules (``projections/``) on the in-memory store's events and answers
as the PostgreSQL queries do; the read-model contract holds both to the same answers.
"""

from __future__ import annotations

from uuid import UUID

from adapters.memory.event_store import InMemoryEventStore
from domain.experiment import events as ev
from domain.experiment.phase import Phase
from domain.experiment.state import PHASE_AFTER
from domain.mapper import to_event
from domain.messages import RecordedEvent
from domain.pipeline import events as pev
from projections.audit import audit_row
from projections.command_outcomes import outcome_row
from projections.experiments import created_row
from projections.pipelines import pipeline_row, promotion, version_row
from projections.read_model import Row, results_view, verdicts_of


class _Experiment:
    """One experiment's rows: the experiment, its phase changes and its variants."""

    def __init__(self, created: ev.ExperimentCreated, event: RecordedEvent) -> None:
        spec, at = created.spec, event.metadata.occurred_at
        self.row: Row = {
            **created_row(created, event),
            "reason": None,
            "window_ends_at": None,
            "winner": None,
            "results": None,
            "promoted_variant": None,
            "promotion_commit": None,
        }
        self.phases: list[Row] = [
            {"phase": Phase.PENDING.value, "at": at, "version": event.version}
        ]
        refs = [("baseline", spec.baseline), *(("candidate", c) for c in spec.candidates)]
        self.variants: dict[str, Row] = {
            ref.name: {
                "experiment_id": created.experiment_id,
                "variant": ref.name,
                "role": role,
                "position": position,
                "template": ref.template,
                "pipeline": ref.pipeline,
                "pipeline_sha256": ref.sha256,
                "variables": ref.variables,
                **dict.fromkeys(
                    ("config", "config_sha256", "deployed_at", "deployment", "deployment_error"),
                ),
                **dict.fromkeys(("verdict", "reasons", "measures", "intervals", "torn_down_at")),
            }
            for position, (role, ref) in enumerate(refs)
        }

    def apply(self, typed: ev.ExperimentEvent, event: RecordedEvent) -> None:
        at = event.metadata.occurred_at
        self.row |= {"version": event.version, "updated_at": at}
        match typed:
            case ev.ExperimentRunning(window_ends_at=ends):
                self.row["window_ends_at"] = ends
            case ev.AnalysisRecorded(results=results, winner=winner, baseline=baseline):
                self.row["results"] = [r.model_dump(mode="json") for r in results]
                self.row["winner"] = winner
                for measured in (*((baseline,) if baseline else ()), *results):
                    self.variants[measured.variant] |= {
                        "measures": measured.measures.figures(),
                        "intervals": [i.model_dump(mode="json") for i in measured.intervals],
                    }
                for result in results:
                    self.variants[result.variant] |= {
                        "verdict": result.verdict.value,
                        "reasons": list(result.reasons),
                    }
            case ev.ExperimentFailed(reason=reason) | ev.ExperimentCancelled(reason=reason):
                self.row["reason"] = reason
            case ev.VariantPromoted(variant=variant, commit_id=commit_id):
                self.row |= {"promoted_variant": variant, "promotion_commit": commit_id}
            case ev.ConfigsGenerated(configs=configs):
                for generated in configs:
                    self.variants[generated.variant] |= {
                        "config": generated.config,
                        "config_sha256": generated.sha256,
                    }
            case ev.VariantDeployed(variant=variant, details=details):
                self.variants[variant] |= {"deployed_at": at, "deployment": details}
            case ev.VariantDeploymentFailed(variant=variant, reason=reason):
                self.variants[variant]["deployment_error"] = reason
            case ev.CollectorsTornDown(variants=variants):
                for variant in variants:
                    self.variants[variant]["torn_down_at"] = at
        phase = PHASE_AFTER.get(type(typed))
        if phase is not None:
            self.row["phase"] = phase.value
            self.phases.append({"phase": phase.value, "at": at, "version": event.version})


class InMemoryReadModel:
    def __init__(self, store: InMemoryEventStore) -> None:
        self.store = store

    async def _events(self) -> list[RecordedEvent]:
        return await self.store.read_all(0, limit=await self.store.head_position())

    async def _experiments(self) -> dict[UUID, _Experiment]:
        found: dict[UUID, _Experiment] = {}
        for event in await self._events():
            if event.aggregate != "experiment":
                continue
            typed = to_event(event)
            if isinstance(typed, ev.ExperimentCreated):
                found[typed.experiment_id] = _Experiment(typed, event)
            elif isinstance(typed, ev.ExperimentEvent) and typed.experiment_id in found:
                found[typed.experiment_id].apply(typed, event)
        return found

    async def list_experiments(
        self, *, phase: str | None, limit: int, offset: int
    ) -> tuple[list[Row], int]:
        rows = [x.row for x in (await self._experiments()).values()]
        rows = [r for r in rows if phase is None or r["phase"] == phase]
        rows.sort(key=lambda r: r["experiment_id"])
        rows.sort(key=lambda r: r["created_at"], reverse=True)
        keys = ("experiment_id", "name", "phase", "created_at", "updated_at", "winner")
        page = [
            {**{k: r[k] for k in keys}, "verdicts": verdicts_of(r.get("results"))}
            for r in rows[offset : offset + limit]
        ]
        return page, len(rows)

    async def get_experiment(self, experiment_id: UUID) -> Row | None:
        found = (await self._experiments()).get(experiment_id)
        if found is None:
            return None
        return {**found.row, "phase_history": list(found.phases)}

    async def stream_audit(self, stream_id: str, *, after_version: int, limit: int) -> list[Row]:
        events = await self.store.read_stream(stream_id, after_version + 1)
        return [audit_row(e) for e in events[:limit]]

    async def command_outcome(self, command_id: UUID) -> Row | None:
        outcome: Row | None = None
        for event in await self._events():
            if event.metadata.command_id != command_id:
                continue
            row = outcome_row(event)
            if outcome is None:
                outcome = row
            elif row is not None:  # as the projector's upsert: each later event adds its own
                outcome["events"] += row["events"]
        return outcome

    async def variant(self, experiment_id: UUID, name: str) -> Row | None:
        found = (await self._experiments()).get(experiment_id)
        return None if found is None else found.variants.get(name)

    async def experiment_results(self, experiment_id: UUID) -> Row | None:
        found = (await self._experiments()).get(experiment_id)
        if found is None:
            return None
        return results_view(found.row, list(found.variants.values()))

    async def _pipelines(self) -> dict[str, tuple[Row, list[Row]]]:
        found: dict[str, tuple[Row, list[Row]]] = {}
        for event in await self._events():
            if event.aggregate != "pipeline":
                continue
            typed, at = to_event(event), event.metadata.occurred_at
            match typed:
                case pev.PipelineRegistered(name=name):
                    found[name] = (pipeline_row(typed, event), [])
                case pev.PipelineVersionAdded(name=name, version=number) if name in found:
                    found[name][1].append(version_row(typed, event))
                    found[name][0].update(latest_version=number, updated_at=at)
                case pev.PipelineDeprecated(name=name, reason=reason) if name in found:
                    found[name][0].update(deprecated=reason, updated_at=at)
                case pev.PipelinePromoted(name=name, version=number) if name in found:
                    found[name][0].update(promoted_version=number, updated_at=at)
                    for row in found[name][1]:
                        if row["version"] == number:
                            row["promoted_from"] = promotion(typed)
        return found

    async def list_pipelines(self, *, limit: int, offset: int) -> tuple[list[Row], int]:
        rows = [row for row, _ in (await self._pipelines()).values()]
        rows.sort(key=lambda r: r["name"])
        return rows[offset : offset + limit], len(rows)

    async def get_pipeline(self, name: str) -> Row | None:
        found = (await self._pipelines()).get(name)
        if found is None:
            return None
        row, versions = found
        listed = [{k: v for k, v in version.items() if k != "config"} for version in versions]
        return {**row, "versions": listed}

    async def pipeline_version(self, name: str, version: int) -> Row | None:
        _, versions = (await self._pipelines()).get(name, ({}, []))
        found = next((v for v in versions if v["version"] == version), None)
        if found is None:
            return None
        ref = f"{name}@{version}"
        used = [
            {
                "experiment_id": x.row["experiment_id"],
                "name": x.row["name"],
                "phase": x.row["phase"],
                "variant": v["variant"],
                "role": v["role"],
                "verdict": v["verdict"],
            }
            for x in sorted(
                (await self._experiments()).values(),
                key=lambda x: (x.row["created_at"], str(x.row["experiment_id"])),
            )
            for v in x.variants.values()
            if v["pipeline"] == ref
        ]
        return {**found, "used_by": used}


_OUTCOMES = ("CommandRejected", "CommandHadNoEffect")
