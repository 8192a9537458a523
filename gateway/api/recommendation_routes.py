"""Recommendations as API routes: from what an experiment's baseline emitted, or from a
registered version run over simulated hosts; each candidate with its predicted effect.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import Annotated, Any
from uuid import UUID

import re2
from litestar import get
from litestar.params import FromPath, FromQuery, QueryParameter

from domain.telemetry.model import Batch
from gateway.api.pipeline_routes import checked_name, checked_version
from gateway.api.problems import Problem
from gateway.api.routes import Deps
from handlers.experiment_state import critical_patterns, load
from pipelines.recommendations import Recommendations, observe, recommend
from pipelines.wiring import NotWireable, collection_interval_seconds, enabled_metrics
from simulator.fleet import Fleet
from simulator.profiles import PROFILES
from simulator.scrape import DEFAULT_METRICS, OPTIONAL_METRICS

TopK = Annotated[int, QueryParameter(ge=1, le=1000, description="keep-list size")]
Retain = Annotated[
    int, QueryParameter(ge=0, le=1000, description="windows a process stays kept after it drops")
]
Window = Annotated[
    int | None,
    QueryParameter(
        ge=10,
        le=30 * 24 * 3600,
        description="seconds the experiment that tries them will observe (predictions are for "
        "a window that long); default: the experiment's, or 600",
    ),
]
RANKED = 20  # processes shown of the ranking
MAX_HOST_SCRAPES = 3000  # of simulation per request: 10 hosts for 50 minutes at 10 s, ~ a minute


def view(
    found: Recommendations,
    *,
    baseline: str,
    basis: str,
    window: int,
    top_k: int,
    retain: int,
    truncated: bool = False,
) -> dict[str, Any]:
    return {
        "baseline": baseline,
        "basis": basis,
        "truncated": truncated,
        "window_seconds": window,
        "ranking": [
            {
                "executable": p.executable,
                "command_line": p.command_line,
                "series": p.series,
                "cpu_seconds": p.cpu_seconds,
                "memory_mib": p.memory_mib,
            }
            for p in found.ranking[:RANKED]
        ],
        "keep_list": {
            "top_k": top_k,
            "retain": retain,
            "command_lines": sorted(found.keep.final),
            "flap_rate": round(found.keep.flap_rate, 4),
            "flap_rate_without_hysteresis": round(found.keep_without_hysteresis.flap_rate, 4),
        },
        "candidates": [
            {
                "name": c.name,
                "description": c.description,
                "config": c.config,
                "sha256": hashlib.sha256(c.config.encode()).hexdigest(),
                "predicted": c.predicted.as_dict(),
            }
            for c in found.candidates
        ],
    }


def _interval_nanos(config: str, ref: str) -> int:
    try:
        return int(collection_interval_seconds(config) * 1e9)
    except NotWireable as exc:
        raise Problem(409, f"{ref} cannot run as a variant: {exc}") from None


@get("/experiments/{experiment_id:str}/recommendations")
async def from_experiment(
    deps: Deps,
    experiment_id: FromPath[UUID],
    top_k: TopK = 10,
    retain: Retain = 3,
    window: Window = None,
) -> dict[str, Any]:
    """Candidates built on the experiment's baseline pipeline, from what it emitted in the
    window: processes ranked by the series they cost and the CPU they used, a keep-list with
    hysteresis, and each candidate's predicted reductions and critical retention.
    """
    try:
        state = await load(deps.store, experiment_id)
    except LookupError:
        raise Problem(404, f"no experiment {experiment_id}") from None
    ref = state.spec.baseline
    if ref.pipeline_name is None or ref.pipeline_version is None:
        raise Problem(
            409,
            f"its baseline runs the template {ref.template}; recommendations are built on a "
            "registered pipeline: register yours and run an experiment with it as the baseline",
        )
    version = await deps.read.pipeline_version(ref.pipeline_name, ref.pipeline_version)
    if version is None:
        raise Problem(409, f"pipeline {ref.pipeline} is not in the read model yet; try again")
    interval = _interval_nanos(version["config"], str(ref.pipeline))
    observed = await deps.observed.read(experiment_id, interval) if deps.observed else None
    if observed is None or not observed.scrapes:
        raise Problem(
            409,
            f"nothing its baseline emitted was kept (it is {state.phase.value}; Phoenix keeps "
            "a baseline's telemetry while it runs, from its start to the end of its window)",
        )
    span = window or state.spec.duration_seconds
    try:
        found = await asyncio.to_thread(
            recommend,
            version["config"],
            observed.scrapes,
            interval_nanos=interval,
            critical_processes=critical_patterns(state.spec),
            top_k=top_k,
            retain=retain,
            predict_for=span,
        )
    except ValueError as exc:  # a processor of the user's under a name a reduction needs
        raise Problem(409, f"no candidates can be built on {ref.pipeline}: {exc}") from None
    return view(
        found,
        baseline=str(ref.pipeline),
        basis=f"experiment {experiment_id}: {len(observed.scrapes)} scrapes of its baseline",
        window=span,
        top_k=top_k,
        retain=retain,
        truncated=observed.truncated,
    )


@get("/pipelines/{name:str}/versions/{version:int}/recommendations")
async def from_simulation(
    deps: Deps,
    name: FromPath[str],
    version: FromPath[int],
    profile: FromQuery[str] = "realistic",
    hosts: Annotated[int, QueryParameter(ge=1, le=100)] = 10,
    observe_seconds: Annotated[int, QueryParameter(ge=60, le=6 * 3600)] = 600,
    critical: Annotated[list[str] | None, QueryParameter(max_items=100)] = None,
    seed: Annotated[int, QueryParameter(ge=0, le=2**31)] = 1,
    top_k: TopK = 10,
    retain: Retain = 3,
    window: Window = None,
) -> dict[str, Any]:
    """Candidates built on a registered version, from what it emits on simulated hosts of a
    load profile (before any experiment has run it).
    """
    if profile not in PROFILES:
        raise Problem(400, f"unknown profile {profile!r}; known: {', '.join(PROFILES)}")
    found_version = await deps.read.pipeline_version(
        checked_name(name), checked_version(name, version)
    )
    if found_version is None:
        raise Problem(404, f"no pipeline {name}@{version}")
    config = found_version["config"]
    ref = f"{name}@{version}"
    interval = _interval_nanos(config, ref)
    scrapes = hosts * int(observe_seconds * 1e9 // interval)
    if scrapes > MAX_HOST_SCRAPES:
        raise Problem(
            400,
            f"{hosts} hosts for {observe_seconds}s at {ref}'s interval are {scrapes:,} host "
            f"scrapes; at most {MAX_HOST_SCRAPES:,} are simulated for one request",
        )
    span = window or 600
    patterns = critical or ["^postgres$", "^mysqld$", "^redis-server$", "^mongod$", "^nginx$"]
    for pattern in patterns:
        try:
            re2.compile(pattern)
        except re2.error as exc:
            raise Problem(400, f"critical: {pattern!r} is not an RE2 regex: {exc}") from None

    def simulate() -> tuple[list[tuple[int, list[Batch]]], Recommendations]:
        # The hosts as this config scrapes them: with the optional metrics it turns on.
        optional = [m for m in enabled_metrics(config) if m in OPTIONAL_METRICS]
        fleet = Fleet(profile, hosts, seed=seed, metrics=(*DEFAULT_METRICS, *optional))
        scrapes = list(fleet.run(duration_s=observe_seconds, interval_s=interval / 1e9))
        observed = observe(config, scrapes)
        return observed, recommend(
            config,
            observed,
            interval_nanos=interval,
            critical_processes=patterns,
            top_k=top_k,
            retain=retain,
            predict_for=span,
        )

    try:
        observed, found = await asyncio.to_thread(simulate)
    except ValueError as exc:
        raise Problem(409, f"no candidates can be built on {ref}: {exc}") from None
    return view(
        found,
        baseline=ref,
        basis=f"{hosts} simulated {profile} hosts for {observe_seconds}s (seed {seed}): "
        f"{len(observed)} scrapes",
        window=span,
        top_k=top_k,
        retain=retain,
    )
