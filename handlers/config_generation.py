"""Config generation: when an experiment starts, render and validate every variant's collector config."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any
from uuid import UUID

from domain.experiment import commands as cmd
from domain.experiment import events as ev
from domain.experiment.commands import VariantConfig
from domain.experiment.spec import ExperimentSpec, PipelineRef
from domain.mapper import Occurred
from domain.messages import Command, Event
from handlers.experiment_state import load
from handlers.pipeline_versions import pipeline_version, template_on, wiring_for
from handlers.ports import EventStore
from pipelines.render import RenderError, render
from pipelines.validator import ConfigInvalid, validate_text
from pipelines.wiring import NotWireable, wire


class ConfigGeneration:
    """Reacts to ExperimentStarted with RecordConfigsGenerated, or FailExperiment and the reason."""

    name = "config-generation"
    event_types = (ev.ExperimentStarted,)

    def __init__(
        self,
        store: EventStore,
        *,
        defaults: dict[str, Any] | None = None,
        per_variant: Callable[[str], dict[str, Any]] | None = None,
    ) -> None:
        self.store = store
        self.defaults = defaults or {}  # deployment-wide variables, e.g. the sink's endpoint
        # Variables each variant needs of its own, e.g. a health-check port per collector.
        self.per_variant = per_variant

    async def react(self, occurred: Occurred[Event]) -> list[Command]:
        event = occurred.event
        assert isinstance(event, ev.ExperimentStarted)
        xid = event.experiment_id
        experiment_id = str(xid)
        spec = (await load(self.store, xid)).spec
        configs = []
        for ref in (spec.baseline, *spec.candidates):
            try:
                if ref.template is None:
                    text = await self._wire(ref, experiment_id)
                elif spec.baseline.pipeline is not None:
                    text = await self._on_baseline(ref, spec, experiment_id)
                else:
                    text = self._render(ref, experiment_id, list(spec.critical_processes))
                validate_text(text)
            except (RenderError, NotWireable, LookupError) as exc:
                return _fail(xid, f"variant {ref.name} ({ref.source}): {exc}")
            except ConfigInvalid as exc:
                problems = "; ".join(str(p) for p in exc.problems)
                return _fail(xid, f"variant {ref.name} ({ref.source}) is invalid: {problems}")
            except ValueError as exc:  # an unknown template, or a value it cannot render
                return _fail(xid, f"variant {ref.name}: {exc}")
            except Exception as exc:
                return _fail(xid, f"variant {ref.name}: {type(exc).__name__}: {exc}")
            configs.append(
                VariantConfig(
                    variant=ref.name, config=text, sha256=hashlib.sha256(text.encode()).hexdigest()
                )
            )
        return [cmd.RecordConfigsGenerated(experiment_id=xid, configs=tuple(configs))]

    def _wiring(self, ref: PipelineRef) -> dict[str, Any]:
        return {**self.defaults, **(self.per_variant(ref.name) if self.per_variant else {})}

    def _render(self, ref: PipelineRef, experiment_id: str, critical: list[str]) -> str:
        return render_variant(ref, experiment_id, critical, self._wiring(ref))

    async def _on_baseline(self, ref: PipelineRef, spec: ExperimentSpec, experiment_id: str) -> str:
        """A template's candidate beside a registered baseline runs as that baseline's config
        with the template's processors: compared like with like (the same receivers, the same
        attributes added by the user's own processors), and promotable into that pipeline.
        """
        base = spec.baseline
        assert base.pipeline_name is not None
        found = await pipeline_version(self.store, base.pipeline_name, base.pipeline_version)
        config = template_on(found.config, ref, spec.critical_processes)
        wiring = {**self._wiring(ref), "experiment_id": experiment_id, "variant": ref.name}
        return wire(config, wiring)

    async def _wire(self, ref: PipelineRef, experiment_id: str) -> str:
        """A registered pipeline's pinned version, wired; its bytes checked against the hash
        recorded at creation.
        """
        assert ref.pipeline_name is not None and ref.sha256 is not None, "pinned at creation"
        found = await pipeline_version(self.store, ref.pipeline_name, ref.pipeline_version)
        if hashlib.sha256(found.config.encode()).hexdigest() != ref.sha256:
            raise LookupError(f"pipeline {found.ref} no longer holds sha256 {ref.sha256}")
        wiring = {**self._wiring(ref), "experiment_id": experiment_id, "variant": ref.name}
        return wire(found.config, wiring_for(found, wiring))


def render_variant(
    ref: PipelineRef, experiment_id: str, critical: list[str], wiring: dict[str, Any]
) -> str:
    """A variant's config: the user's variables, then Phoenix's wiring, which they cannot
    override (where to export, where to listen, the experiment's headers).
    """
    assert ref.template is not None, "a template's variant"
    variables = dict(ref.variables)
    if critical:
        variables.setdefault("critical_processes", critical)
    variables |= {**wiring, "experiment_id": experiment_id, "variant": ref.name}
    return render(ref.template, variables)


def _fail(experiment_id: UUID, reason: str) -> list[Command]:
    return [cmd.FailExperiment(experiment_id=experiment_id, reason=reason)]
