"""What every evaluated processor is, and how OTTL errors are handled per error_mode."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol

from domain.telemetry.model import Batch
from pipelines.ottl.functions import OttlEvaluationError, regex

log = logging.getLogger(__name__)

ERROR_MODES = ("ignore", "silent", "propagate")


class ProcessorError(ValueError):
    """A processor failed on the data (error_mode: propagate), or its config cannot run."""


class Processor(Protocol):
    def process(self, batch: Batch) -> Batch: ...


def error_mode(config: dict[str, Any], component: str) -> str:
    mode = config.get("error_mode", "propagate")
    if mode not in ERROR_MODES:
        raise ProcessorError(f"{component}: error_mode must be one of {', '.join(ERROR_MODES)}")
    return str(mode)


def guarded(mode: str, component: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with OTTL evaluation errors handled as the collector's error_mode says."""

    def run(*args: Any) -> Any:
        try:
            return fn(*args)
        except OttlEvaluationError as exc:
            if mode == "propagate":
                raise ProcessorError(f"{component}: {exc}") from exc
            if mode == "ignore":
                log.debug("%s: %s (ignored)", component, exc)
            return None

    return run


def name_matcher(names: Any, match_type: Any, where: str) -> Callable[[str], bool]:
    """A metric-name test as the collector's include/exclude blocks configure it.

    Strict compares whole names; regexp searches (unanchored, RE2) as the collector does.
    """
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ProcessorError(f"{where}: needs a list of metric names")
    if match_type == "strict":
        wanted = set(names)
        return lambda name: name in wanted
    if match_type == "regexp":
        patterns = [regex(n) for n in names]
        return lambda name: any(p.search(name) for p in patterns)
    raise ProcessorError(f"{where}.match_type: must be strict or regexp, not {match_type!r}")
