"""Collector configs as the dashboard's builder works on them: the components Phoenix knows, live
validation with each problem's path, and an estimate on simulated hosts before anything runs.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, cast

import re2
from litestar import get, post
from litestar.params import JSONBody
from pydantic import BaseModel, ConfigDict, Field

from domain.telemetry.model import resource_value
from gateway.api.problems import Problem
from gateway.api.views import (
    ComponentsView,
    ConfigProblem,
    EstimateView,
    ValidationView,
)
from pipelines.estimate import Prices, estimate
from pipelines.evaluator import Evaluator, EvaluatorError
from pipelines.processors import KINDS
from pipelines.schemas import SECTIONS
from pipelines.validator import ConfigInvalid, validate_text
from pipelines.wiring import NotWireable, collection_interval_seconds, enabled_metrics
from simulator.fleet import Fleet
from simulator.profiles import PROFILES
from simulator.scrape import DEFAULT_METRICS, OPTIONAL_METRICS

MAX_CONFIG = 256 * 1024
MAX_HOST_SCRAPES = 3000  # of simulation per request, as for recommendations: about a minute
DEFAULT_CRITICAL = ["^postgres$", "^mysqld$", "^redis-server$", "^mongod$", "^nginx$"]
ALIASES = {"otlp_http": "otlphttp", "otlp_grpc": "otlp", "host_metrics": "hostmetrics"}


class ConfigText(BaseModel):
    """A collector config, as YAML."""

    model_config = ConfigDict(extra="forbid")
    config: Annotated[str, Field(max_length=MAX_CONFIG)]


class EstimateRequest(ConfigText):
    """A collector config and the simulated hosts to run it over."""

    profile: str = "realistic"
    hosts: Annotated[int, Field(ge=1, le=100)] = 10
    duration_seconds: Annotated[int, Field(ge=10, le=6 * 3600)] = 600
    critical_processes: Annotated[
        list[Annotated[str, Field(max_length=500)]], Field(max_length=100)
    ] = Field(default_factory=lambda: list(DEFAULT_CRITICAL))
    seed: Annotated[int, Field(ge=0, le=2**31)] = 1
    price_per_series: Annotated[float, Field(ge=0)] = 0.05
    price_per_million_datapoints: Annotated[float, Field(ge=0)] = 0.10


def _kinds(section: str) -> list[dict[str, Any]]:
    known = SECTIONS[section]
    kinds = []
    for name in sorted(n for n in known if n not in ALIASES):
        entry: dict[str, Any] = {"type": name, "keys": known[name]}
        if section == "processors":
            kind = KINDS[name]
            entry["aliases"] = list(kind.names[1:])
            entry["evaluated"] = kind.build is not None
        kinds.append(entry)
    return kinds


@get("/configs/components")
async def config_components() -> ComponentsView:
    """The components Phoenix's validator knows, with the keys each accepts (a type name or a
    nested map of them); processors say whether the evaluator can run them (``evaluated``); and
    the load profiles an estimate can simulate.
    """
    found = {section: _kinds(section) for section in SECTIONS}
    return cast(ComponentsView, {**found, "profiles": list(PROFILES)})


def _problems(text: str) -> list[ConfigProblem]:
    try:
        validate_text(text)
    except ConfigInvalid as exc:
        return [{"path": p.path, "message": p.message} for p in exc.problems]
    return []


@post("/configs/validate", status_code=200)
async def validate_config(data: JSONBody[ConfigText]) -> ValidationView:
    """Every problem of a config, each at its path (``processors.filter/x.metrics``); and whether
    Phoenix can estimate it (None if so, else why not).
    """
    problems = _problems(data.config)
    estimable: str | None = None
    if not problems:
        try:
            Evaluator(validate_text(data.config))
            collection_interval_seconds(data.config)
        except (EvaluatorError, NotWireable, ValueError) as exc:
            estimable = str(exc)
    return {"valid": not problems, "problems": problems, "not_estimable": estimable}


@post("/configs/estimate", status_code=200)
async def estimate_config(data: JSONBody[EstimateRequest]) -> EstimateView:
    """What the config would do to simulated hosts of a load profile: series, datapoints, cost,
    and critical retention (with the critical processes it would lose), before it is deployed.
    """
    if data.profile not in PROFILES:
        raise Problem(400, f"profile: unknown {data.profile!r}; known: {', '.join(PROFILES)}")
    for index, pattern in enumerate(data.critical_processes):
        try:
            re2.compile(pattern)
        except re2.error as exc:
            raise Problem(
                400, f"critical_processes[{index}]: {pattern!r} is not an RE2 regex: {exc}"
            ) from None
    problems = _problems(data.config)
    if problems:
        raise Problem(422, "the config is invalid", problems=problems)
    try:
        evaluator = Evaluator(validate_text(data.config))
        interval = collection_interval_seconds(data.config)
        optional = [m for m in enabled_metrics(data.config) if m in OPTIONAL_METRICS]
    except (EvaluatorError, NotWireable, ValueError) as exc:
        raise Problem(422, f"this config cannot be estimated: {exc}") from None
    scrapes = data.hosts * int(data.duration_seconds // interval)
    if scrapes > MAX_HOST_SCRAPES:
        raise Problem(
            400,
            f"{data.hosts} hosts for {data.duration_seconds}s at a {interval:g}s interval are "
            f"{scrapes:,} host scrapes; at most {MAX_HOST_SCRAPES:,} are simulated for one request",
        )

    def simulate() -> dict[str, Any]:
        fleet = Fleet(
            data.profile, data.hosts, seed=data.seed, metrics=(*DEFAULT_METRICS, *optional)
        )
        found = estimate(
            fleet.run(duration_s=data.duration_seconds, interval_s=interval),
            evaluator,
            critical_processes=data.critical_processes,
            interval_nanos=int(interval * 1e9),
            prices=Prices(data.price_per_series, data.price_per_million_datapoints),
        )
        lost = sorted(
            {str(resource_value(r, "process.executable.name")) for r in found.critical_lost}
        )
        return {**found.as_dict(), "critical_lost": lost}

    try:
        result = await asyncio.to_thread(simulate)
    except (EvaluatorError, ValueError) as exc:  # the data met a processor that refuses it
        raise Problem(422, f"the evaluator failed on simulated data: {exc}") from None
    basis = (
        f"{data.hosts} simulated {data.profile} hosts for {data.duration_seconds}s "
        f"(seed {data.seed}), scraped every {interval:g}s"
    )
    return cast(EstimateView, {"basis": basis, **result})
