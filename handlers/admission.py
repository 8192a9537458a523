"""Admission: what an experiment may ask for is checked when it is created, so what passes can run."""

from __future__ import annotations

import functools
import json

from domain.experiment.commands import CreateExperiment
from domain.experiment.spec import ExperimentSpec, PipelineRef
from domain.messages import Command
from domain.pipeline.commands import PromotePipelineVersion, RegisterPipeline, RevisePipeline
from handlers.config_generation import render_variant
from pipelines.validator import ConfigInvalid, validate_text
from pipelines.variables import check_variables

# What Phoenix fills in at deployment, with stand-ins of the same shape for the check.
SAMPLE_WIRING = {
    "otlp_endpoint": "http://127.0.0.1:4318",
    "health_check_endpoint": "127.0.0.1:13133",
    "otlp_receiver_endpoint": "127.0.0.1:4319",
}
SAMPLE_EXPERIMENT = "00000000-0000-0000-0000-000000000000"


class NotAdmitted(ValueError):
    """The experiment asks for something that could not run; the message says what and where."""


def admit(command: Command) -> None:
    """Raise NotAdmitted for a command that would pass the domain's rules but could not run."""
    if isinstance(command, CreateExperiment):
        admit_spec(command.spec())
    elif (
        isinstance(command, RegisterPipeline | RevisePipeline | PromotePipelineVersion)
        and command.config is not None  # else a template, rendered by handlers.pipeline_refs
    ):
        admit_config(command.config)


def admit_config(config: str) -> None:
    """A pipeline's config is valid for the collector, or refused with each problem's path."""
    try:
        validate_text(config)
    except ConfigInvalid as exc:
        problems = "; ".join(str(p) for p in exc.problems)
        raise NotAdmitted(f"config: the collector would refuse it: {problems}") from None


def admit_spec(spec: ExperimentSpec) -> None:
    """Every variant's variables are typed and in bounds, and its config renders and is valid."""
    refs = [("baseline", spec.baseline)] + [
        (f"candidates[{i}]", ref) for i, ref in enumerate(spec.candidates)
    ]
    critical = list(spec.critical_processes)
    for path, ref in refs:
        if ref.template is None:
            continue  # a registered pipeline: pinned and checked by handlers.pipeline_refs
        key = json.dumps([ref.model_dump(mode="json"), critical], sort_keys=True)
        refused = _variant_refused(key)
        if refused is not None:
            raise NotAdmitted(f"{path} ({ref.name}): {refused}")


@functools.lru_cache(maxsize=512)
def _variant_refused(key: str) -> str | None:
    """Why a variant (a template, its variables, the critical processes) could not run, or
    None. Rendering and validating take milliseconds and depend on nothing else: the answer
    for the same variant is kept.
    """
    fields, critical = json.loads(key)
    ref = PipelineRef.model_validate(fields)
    assert ref.template is not None
    try:
        check_variables(ref.template, ref.variables)
        validate_text(render_variant(ref, SAMPLE_EXPERIMENT, critical, SAMPLE_WIRING))
    except ConfigInvalid as exc:
        return "its config would be invalid: " + "; ".join(str(p) for p in exc.problems)
    except ValueError as exc:
        return str(exc)
    return None
