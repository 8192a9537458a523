"""The /api/v1/pipelines routes: users' registered pipelines and every version's config."""

from __future__ import annotations

import re
from typing import Any

from litestar import get
from litestar.params import FromPath

from domain.pipeline.commands import PIPELINE_NAME
from gateway.api.problems import Problem
from gateway.api.routes import Deps, Limit, Offset

MAX_VERSION = 2**31 - 1  # versions are stored as a 32-bit integer


def checked_name(name: str) -> str:
    if not re.fullmatch(PIPELINE_NAME, name):  # nothing by that name can exist
        raise Problem(404, f"{name!r} is not a pipeline name")
    return name


def checked_version(name: str, version: int) -> int:
    if not 1 <= version <= MAX_VERSION:  # no such version can exist (nor be stored)
        raise Problem(404, f"pipeline {name!r} has no version {version}")
    return version


@get("/pipelines")
async def list_pipelines(deps: Deps, limit: Limit = 50, offset: Offset = 0) -> dict[str, Any]:
    """Registered pipelines by name, each with its latest version and whether it is deprecated."""
    items, total = await deps.read.list_pipelines(limit=limit, offset=offset)
    return {"items": items, "total": total, "limit": limit, "offset": offset}


@get("/pipelines/{name:str}")
async def get_pipeline(deps: Deps, name: FromPath[str]) -> dict[str, Any]:
    """One pipeline with its versions: number, sha256, note, when and by whom."""
    found = await deps.read.get_pipeline(checked_name(name))
    if found is None:
        raise Problem(404, f"no pipeline {name!r}")
    return found


@get("/pipelines/{name:str}/versions/{version:int}")
async def pipeline_version(
    deps: Deps, name: FromPath[str], version: FromPath[int]
) -> dict[str, Any]:
    """One version of a pipeline, with its collector config exactly as registered."""
    found = await deps.read.pipeline_version(checked_name(name), checked_version(name, version))
    if found is None:
        if await deps.read.get_pipeline(name) is None:
            raise Problem(404, f"no pipeline {name!r}")
        raise Problem(404, f"pipeline {name!r} has no version {version}")
    return found
