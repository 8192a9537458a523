"""What Phoenix knows of a processor (its keys, its rules, how it runs), and what they share."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from domain.telemetry.model import Batch
from pipelines.ottl.functions import OttlEvaluationError, regex
from pipelines.problems import Problem

log = logging.getLogger(__name__)

ERROR_MODES = ("ignore", "silent", "propagate")


class ProcessorError(ValueError):
    """A processor failed on the data (error_mode: propagate), or its config cannot run."""


class Processor(Protocol):
    def process(self, batch: Batch) -> Batch: ...


Builder = Callable[[str, dict[str, Any], int], Processor]
"""Builds the evaluator's processor from (component id path, its config, the start in ns)."""

Check = Callable[[dict[str, Any], str], list[Problem]]
"""The rules of a config beyond its keys' names and types: problems at their paths."""


def keys_by_type(**names: str) -> dict[str, str]:
    """A flat key spec by type: ``keys_by_type(int="limit_mib spike_limit_mib", str="timeout")``."""
    return {key: kind for kind, listed in names.items() for key in listed.split()}


def no_rules(body: dict[str, Any], path: str) -> list[Problem]:
    return []


@dataclass(frozen=True)
class ProcessorKind:
    """One collector processor, whole: the type names it goes by (the first is its own), the keys
    it accepts (a spec as ``pipelines.schemas`` writes them), the rules the validator checks,
    and how Phoenix's evaluator runs it (None: the validator knows it, the evaluator does not).
    """

    names: tuple[str, ...]
    keys: dict[str, Any]
    check: Check = no_rules
    build: Builder | None = None

    @property
    def name(self) -> str:
        return self.names[0]


class PassThrough:
    """What a processor is to the evaluator when it changes nothing a pipeline emits."""

    def process(self, batch: Batch) -> Batch:
        return batch


def pass_through(component: str, config: dict[str, Any], started_at: int) -> Processor:
    return PassThrough()


def refuse_unknown(config: dict[str, Any], keys: dict[str, Any], where: str) -> None:
    """The evaluator's own refusal of keys the processor does not have (as the collector's)."""
    unknown = set(config) - set(keys)
    if unknown:
        raise ProcessorError(f"{where}: has invalid keys: {', '.join(sorted(unknown))}")


def check_error_mode(body: dict[str, Any], path: str) -> list[Problem]:
    if "error_mode" in body and body["error_mode"] not in ERROR_MODES:
        return [Problem(f"{path}.error_mode", "must be ignore, silent or propagate")]
    return []


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
