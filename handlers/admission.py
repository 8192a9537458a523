"""Admission: what an experiment may ask for is checked when it is created, so what passes can run."""

from __future__ import annotations

from domain.experiment.commands import CreateExperiment
from domain.experiment.spec import ExperimentSpec
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
    for path, ref in refs:
        if ref.template is None:
            continue  # a registered pipeline: pinned and checked by handlers.pipeline_refs
        try:
            check_variables(ref.template, ref.variables)
            validate_text(
                render_variant(ref, SAMPLE_EXPERIMENT, list(spec.critical_processes), SAMPLE_WIRING)
            )
        except ConfigInvalid as exc:
            problems = "; ".join(str(p) for p in exc.problems)
            raise NotAdmitted(
                f"{path} ({ref.name}): its config would be invalid: {problems}"
            ) from None
        except ValueError as exc:
            raise NotAdmitted(f"{path} ({ref.name}): {exc}") from None
