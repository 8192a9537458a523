"""Put a template's processors into a user's own config: the recommended candidates are the
user's pipeline, exporters and all, with Phoenix's reduction added to its process pipeline.

The user's text is edited, not regenerated (ruamel.yaml's round trip): comments, order, quoting
and indentation stay, so the diff of a recommended or promoted version is the reduction alone.
"""

from __future__ import annotations

import copy
import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.util import load_yaml_guess_indent

from pipelines import yaml_text
from pipelines.evaluator import metrics_pipeline
from pipelines.render import render_config
from pipelines.wiring import process_pipeline

# What every template has and a user's config has of its own, or needs not twice.
NOT_SPLICED = ("memory_limiter", "batch")


def mapping_indent(text: str) -> int:
    """How far the text indents a nested mapping's keys (the least indentation of a key line)."""
    found = [
        len(line) - len(line.lstrip(" "))
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith(("#", "-")) and line.startswith(" ")
    ]
    return min(found, default=2)


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
    """``text`` with ``template``'s reducing processors added to its process pipeline."""
    return add_processors(text, reduction(template, variables))


def add_processors(text: str, reducing: dict[str, Any]) -> str:
    """``text`` with the processors of ``reducing`` (a config of just them, as ``reduction``
    makes) added to its process pipeline, right after its memory_limiter (so they see every
    process before the user's own processors).
    """
    config = yaml_text.load(text)
    found = process_pipeline(config)
    added = list(reducing["processors"])
    mine = config.get("processors") or {}
    taken = sorted(set(added) & set(mine))
    if taken:
        raise ValueError(
            f"processors: {', '.join(taken)} already defined; the reduction adds its own"
        )
    order = list(found.processors)
    at = next(
        (i + 1 for i, p in reversed(list(enumerate(order))) if p.startswith("memory_limiter")),
        0,
    )
    document, sequence, dash = load_yaml_guess_indent(text)
    mapping = mapping_indent(text)
    editor = YAML()
    editor.width = 1_000_000
    if dash is None:  # no block sequences to learn from: as the mappings
        sequence, dash = mapping, 0
    editor.indent(mapping=mapping, sequence=sequence or mapping, offset=dash)
    if not document.get("processors"):
        document["processors"] = CommentedMap()
    for name in added:
        document["processors"][name] = copy.deepcopy(reducing["processors"][name])
    pipeline = document["service"]["pipelines"][found.name]
    if pipeline.get("processors") is None:
        pipeline["processors"] = CommentedSeq()
    for offset, name in enumerate(added):
        pipeline["processors"].insert(at + offset, name)
    out = io.StringIO()
    editor.dump(document, out)
    return out.getvalue()
