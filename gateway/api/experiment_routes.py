"""The /api/v1 routes for experiment results, variant configs, and the template catalog."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

from litestar import Response, get
from litestar.params import FromPath

from domain.experiment.spec import VARIANT_NAME
from gateway.api.dependencies import ApiDeps
from gateway.api.problems import Problem
from gateway.api.routes import Deps
from pipelines.catalog import catalog, template
from pipelines.render import render


@get("/experiments/{experiment_id:str}/results")
async def experiment_results(deps: Deps, experiment_id: FromPath[UUID]) -> dict[str, Any]:
    """Per variant: series, datapoints per minute, critical retention, cost, per-interval
    measurements and the verdict with its reasons; ``available`` is false until analysed.
    """
    found = await deps.read.experiment_results(experiment_id)
    if found is None:
        raise Problem(404, f"no experiment {experiment_id}")
    for variant in found["variants"]:
        variant["predicted"] = await _predicted(deps, variant.get("pipeline"))
    return found


async def _predicted(deps: ApiDeps, pipeline: str | None) -> dict[str, Any] | None:
    """What the evaluator predicted of a recommended pipeline version, to set beside what the
    experiment measured; None for anything else.
    """
    if not pipeline:
        return None
    name, _, version = pipeline.partition("@")
    found = await deps.read.pipeline_version(name, int(version))
    recommended = (found or {}).get("recommended")
    return dict(recommended["predicted"]) if recommended else None


@get("/experiments/{experiment_id:str}/variants/{variant:str}/config", media_type="text/yaml")
async def variant_config(
    deps: Deps, experiment_id: FromPath[UUID], variant: FromPath[str]
) -> Response[str]:
    """The collector config rendered for the variant, exactly as deployed (YAML)."""
    if not re.fullmatch(VARIANT_NAME, variant):  # nothing by that name can exist
        raise Problem(404, f"{variant!r} is not a variant name")
    found = await deps.read.variant(experiment_id, variant)
    experiment = await deps.read.get_experiment(experiment_id) if found is None else None
    if found is None:
        if experiment is None:
            raise Problem(404, f"no experiment {experiment_id}")
        raise Problem(404, f"experiment {experiment_id} has no variant {variant!r}")
    if found["config"] is None:
        raise Problem(404, f"the config of {variant!r} is not generated yet")
    return Response(
        found["config"],
        media_type="text/yaml",
        headers={"X-Config-Sha256": found["config_sha256"] or ""},
    )


def _describe(name: str) -> dict[str, Any]:
    t = template(name)
    return {
        "name": t.name,
        "description": t.description,
        "variables": [
            {"name": v.name, "default": v.default, "description": v.description}
            for v in t.variables
        ],
        "expected_reduction": {k: list(v) for k, v in t.expected_reduction.items()},
    }


@get("/templates")
async def list_templates() -> dict[str, Any]:
    """The template catalog: each pipeline template, its variables and measured reductions."""
    return {"items": [_describe(name) for name in catalog()]}


@get("/templates/{name:str}")
async def get_template(name: FromPath[str]) -> dict[str, Any]:
    """One template, with its config rendered from the defaults."""
    if name not in catalog():
        raise Problem(404, f"no template {name!r}; known: {', '.join(catalog())}")
    return {**_describe(name), "rendered_with_defaults": render(name, {})}
