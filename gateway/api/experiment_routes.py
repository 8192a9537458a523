"""The /api/v1 routes for experiment results, variant configs, and the template catalog."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any, cast
from uuid import UUID

from litestar import Response, get
from litestar.params import FromPath

from domain.experiment.spec import VARIANT_NAME
from gateway.api.dependencies import ApiDeps
from gateway.api.problems import Problem
from gateway.api.routes import Deps
from gateway.api.views import (
    MeasurementsView,
    ResultsView,
    TemplateList,
    TemplateView,
    VariantSeries,
)
from handlers.analysis import window_cut
from handlers.experiment_state import load
from pipelines.catalog import catalog, template
from pipelines.render import render


@get("/experiments/{experiment_id:str}/results")
async def experiment_results(deps: Deps, experiment_id: FromPath[UUID]) -> ResultsView:
    """Per variant: series, datapoints per minute, critical retention, cost, per-interval
    measurements and the verdict with its reasons; ``available`` is false until analysed.
    """
    found = await deps.read.experiment_results(experiment_id)
    if found is None:
        raise Problem(404, f"no experiment {experiment_id}")
    for variant in found["variants"]:
        variant["predicted"] = await _predicted(deps, variant.get("pipeline"))
    return cast(ResultsView, found)


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
async def list_templates() -> TemplateList:
    """The template catalog: each pipeline template, its variables and measured reductions."""
    return cast(TemplateList, {"items": [_describe(name) for name in catalog()]})


@get("/templates/{name:str}")
async def get_template(name: FromPath[str]) -> TemplateView:
    """One template, with its config rendered from the defaults."""
    if name not in catalog():
        raise Problem(404, f"no template {name!r}; known: {', '.join(catalog())}")
    return cast(TemplateView, {**_describe(name), "rendered_with_defaults": render(name, {})})


@get("/experiments/{experiment_id:str}/measurements")
async def experiment_measurements(deps: Deps, experiment_id: FromPath[UUID]) -> MeasurementsView:
    """Each variant's distinct series and datapoints per interval of the window, as measured so
    far (the intervals that have ended; while it runs, this grows); none before it starts.
    """
    try:
        state = await load(deps.store, experiment_id)
    except LookupError:
        raise Problem(404, f"no experiment {experiment_id}") from None
    if state.started_at is None or state.window_ends_at is None:
        return {"started_at": None, "interval_seconds": None, "of": 0, "variants": []}
    if deps.source is None:
        raise Problem(503, "this API runs without a metrics source")
    count, length = window_cut(state)
    elapsed = (datetime.now(UTC) - state.started_at).total_seconds()
    ended = max(0, min(count, int(elapsed // length)))
    variants: list[VariantSeries] = []
    for name in state.spec.variant_names:
        series: list[int] = []
        points: list[int] = []
        if ended:
            window = await deps.source.window(
                experiment_id,
                name,
                start=state.started_at,
                end=state.started_at + timedelta(seconds=ended * length),
                intervals=ended,
                critical_processes=(),
            )
            series = [s.series for s in window.intervals]
            points = [s.datapoints for s in window.intervals]
        variants.append({"name": name, "series": series, "datapoints": points})
    return {
        "started_at": state.started_at,
        "interval_seconds": length,
        "of": count,
        "variants": variants,
    }
