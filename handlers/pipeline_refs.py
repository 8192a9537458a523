"""Registered pipelines as variants: each pinned at creation to a version and its sha256, and
admitted only if Phoenix can wire it and, for a candidate, the evaluator predicts it keeps the
experiment's critical processes.
"""

from __future__ import annotations

import asyncio

from domain.analysis.critical import describe_processes
from domain.experiment.commands import CreateExperiment, PromoteVariant
from domain.experiment.spec import ExperimentSpec, PipelineRef
from domain.messages import Command
from domain.pipeline.commands import (
    FromTemplate,
    PromotePipelineVersion,
    RegisterPipeline,
    RevisePipeline,
)
from handlers.admission import SAMPLE_EXPERIMENT, SAMPLE_WIRING, NotAdmitted
from handlers.experiment_state import critical_patterns
from handlers.pipeline_versions import PipelineVersion, pipeline_version, wiring_for
from handlers.ports import CollectorCheck, EventStore, SampleLoad
from pipelines import yaml_text
from pipelines.estimate import estimate
from pipelines.evaluator import Evaluator, EvaluatorError
from pipelines.render import render
from pipelines.validator import ConfigInvalid, validate_text
from pipelines.variables import check_variables
from pipelines.wiring import NotWireable, wire


def rendered(template: FromTemplate) -> str:
    """A template and its variables as the config a version freezes, checked as a variant's
    variables are (types and bounds), and valid; NotAdmitted with the path otherwise.
    """
    try:
        check_variables(template.name, template.variables)
        text = render(template.name, dict(template.variables))
        validate_text(text)
    except ConfigInvalid as exc:
        problems = "; ".join(str(p) for p in exc.problems)
        raise NotAdmitted(
            f"template ({template.name}): its config would be invalid: {problems}"
        ) from None
    except ValueError as exc:
        raise NotAdmitted(f"template ({template.name}): {exc}") from None
    return text


class PipelineRefs:
    """Pins a CreateExperiment's registered-pipeline variants; raises NotAdmitted with the path."""

    def __init__(
        self,
        store: EventStore,
        sample: SampleLoad | None = None,
        collector: CollectorCheck | None = None,
    ) -> None:
        self.store = store
        self.sample = sample  # what predictions run on; None: none are made
        self.collector = collector  # a real collector's own validation, where there is one

    async def __call__(self, command: Command) -> Command:
        if isinstance(command, RegisterPipeline | RevisePipeline) and command.template:
            command = command.model_copy(update={"config": rendered(command.template)})
        if isinstance(command, RegisterPipeline | RevisePipeline | PromotePipelineVersion):
            assert command.config is not None
            checked = await self._collector_accepts(command.config)
            # Whatever the sender wrote here is replaced: only Phoenix says what checked it.
            command = command.model_copy(
                update={"validated_by": ("phoenix validator", *([checked] if checked else []))}
            )
        if isinstance(command, PromoteVariant) and command.to_pipeline:
            await self._promotable(command.to_pipeline)
        if not isinstance(command, CreateExperiment):
            return command
        spec = command.spec()
        if all(ref.pipeline is None for ref in (spec.baseline, *spec.candidates)):
            return command
        baseline = await self._pin("baseline", spec.baseline, spec, candidate=False)
        candidates = tuple(
            [
                await self._pin(f"candidates[{i}]", ref, spec, candidate=True)
                for i, ref in enumerate(spec.candidates)
            ]
        )
        return command.model_copy(update={"baseline": baseline, "candidates": candidates})

    async def _collector_accepts(self, config: str) -> str | None:
        """Phoenix's collector builds the config as Phoenix would run it (wired); a config
        Phoenix cannot wire is left to the experiment that would run it, which says why.
        Returns the check that passed, None if there was none.
        """
        if self.collector is None:
            return None
        wiring = {**SAMPLE_WIRING, "experiment_id": SAMPLE_EXPERIMENT, "variant": "check"}
        try:
            wired = wire(config, wiring)
        except NotWireable:
            return None
        refused = await self.collector.refusal(wired)
        if refused is not None:
            raise NotAdmitted(f"config: the collector (otelcol validate) refuses it: {refused}")
        return "otelcol validate"

    async def _promotable(self, name: str) -> None:
        try:
            found = await pipeline_version(self.store, name, None)
        except LookupError as exc:
            raise NotAdmitted(f"to_pipeline: {exc}") from None
        if found.deprecated is not None:
            raise NotAdmitted(f"to_pipeline: pipeline {name} is deprecated: {found.deprecated}")

    async def _pin(
        self, path: str, ref: PipelineRef, spec: ExperimentSpec, *, candidate: bool
    ) -> PipelineRef:
        name = ref.pipeline_name
        if name is None:
            return ref
        where = f"{path} ({ref.name})"
        try:
            found = await pipeline_version(self.store, name, ref.pipeline_version)
        except LookupError as exc:
            raise NotAdmitted(f"{where}: {exc}") from None
        if found.deprecated is not None:
            raise NotAdmitted(f"{where}: pipeline {name} is deprecated: {found.deprecated}")
        if ref.sha256 is not None and ref.sha256 != found.sha256:
            raise NotAdmitted(
                f"{where}: pipeline {found.ref} holds sha256 {found.sha256}, not the "
                f"{ref.sha256} given"
            )
        sample = {**SAMPLE_WIRING, "experiment_id": SAMPLE_EXPERIMENT, "variant": ref.name}
        try:
            wired = wire(found.config, wiring_for(found, sample))
            validate_text(wired)
        except NotWireable as exc:
            raise NotAdmitted(f"{where}: Phoenix cannot run pipeline {found.ref}: {exc}") from None
        except ConfigInvalid as exc:
            problems = "; ".join(str(p) for p in exc.problems)
            raise NotAdmitted(
                f"{where}: pipeline {found.ref}, wired, is invalid: {problems}"
            ) from None
        if candidate and not spec.allow_critical_loss:
            await self._predict(where, found, wired, critical_patterns(spec))
        return ref.model_copy(update={"pipeline": found.ref, "sha256": found.sha256})

    async def _predict(
        self, where: str, found: PipelineVersion, wired: str, patterns: tuple[str, ...]
    ) -> None:
        """Refuse a candidate the evaluator predicts loses a critical process, or cannot run."""
        if self.sample is None or not patterns:
            return
        allow = "set allow_critical_loss to run it anyway, judged by the guardrail and verdict"
        try:
            evaluator = Evaluator(yaml_text.load(wired))
        except EvaluatorError as exc:
            raise NotAdmitted(
                f"{where}: cannot predict whether pipeline {found.ref} keeps the critical "
                f"processes: {exc}; {allow}"
            ) from None
        sample = self.sample
        result = await asyncio.to_thread(
            estimate,
            sample.scrapes(),
            evaluator,
            critical_processes=patterns,
            interval_nanos=sample.interval_nanos,
        )
        if result.critical_lost:
            raise NotAdmitted(
                f"{where}: predicted critical loss: {describe_processes(result.critical_lost)} "
                f"would be dropped or aggregated away by pipeline {found.ref} on simulated "
                f"load; {allow}"
            )
