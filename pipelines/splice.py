"""Put a template's processors into a user's own config: the recommended candidates are the
user's pipeline, exporters and all, with Phoenix's reduction added to its process pipeline.
"""

from __future__ import annotations

import copy
from typing import Any

import yaml

from pipelines import yaml_text
from pipelines.evaluator import metrics_pipeline
from pipelines.render import render_config
from pipelines.wiring import process_pipeline

# What every template has and a user's config has of its own, or needs not twice.
NOT_SPLICED = ("memory_limiter", "batch")


def reduction(template: str, variables: dict[str, Any]) -> dict[str, Any]:
    """``template``'s reducing processors, in their order, as a config of their own (a metrics
    pipeline of just them: what the evaluator runs to predict their effect).
    """
    rendered = render_config(template, variables)
    _, ids = metrics_pipeline(rendered)
    added = [p for p in ids if p.split("/", 1)[0] not in NOT_SPLICED]
    return {
        "processors": {p: rendered["processors"][p] for p in added},
        "service": {"pipelines": {"metrics": {"processors": added}}},
    }


def splice(text: str, template: str, variables: dict[str, Any]) -> str:
    """``text`` with ``template``'s reducing processors added to its process pipeline, right
    after its memory_limiter (so they see every process before the user's own processors).
    """
    config = yaml_text.load(text)
    found = process_pipeline(config)
    reducing = reduction(template, variables)
    added = list(reducing["processors"])
    mine = config.get("processors") or {}
    taken = sorted(set(added) & set(mine))
    if taken:
        raise ValueError(
            f"processors: {', '.join(taken)} already defined; {template} would add its own"
        )
    order = list(found.processors)
    at = next(
        (i + 1 for i, p in reversed(list(enumerate(order))) if p.startswith("memory_limiter")),
        0,
    )
    config["processors"] = {**mine, **copy.deepcopy(reducing["processors"])}
    config["service"]["pipelines"][found.name]["processors"] = order[:at] + added + order[at:]
    return yaml.safe_dump(config, sort_keys=False, width=1_000_000)
