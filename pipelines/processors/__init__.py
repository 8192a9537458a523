"""The collector processors Phoenix knows, one package each: adding a processor is adding a package
here with a ``KIND`` (its keys, rules and evaluator) and ``examples/`` of valid and invalid configs.
"""

from __future__ import annotations

import importlib
import pkgutil

from pipelines.processors.base import ProcessorKind


def _discovered() -> dict[str, ProcessorKind]:
    kinds: dict[str, ProcessorKind] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.ispkg:
            kind: ProcessorKind = importlib.import_module(f"{__name__}.{module.name}").KIND
            kinds.update((name, kind) for name in kind.names)
    return kinds


KINDS: dict[str, ProcessorKind] = _discovered()
"""Every processor by each of its names (v0.159 renamed some; the old names stay as aliases)."""
