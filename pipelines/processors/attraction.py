"""Attribute actions (insert, update, upsert, delete, hash, extract, convert), as resource and attributes run them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import re2

from pipelines.processors.base import ProcessorError

ACTIONS = ("insert", "update", "upsert", "delete", "hash", "extract", "convert")
FIELDS = {
    "key",
    "action",
    "value",
    "from_attribute",
    "from_context",
    "pattern",
    "converted_type",
    "default_value",
}


@dataclass(frozen=True)
class AttrAction:
    key: str | None
    action: str
    value: Any = None
    from_attribute: str | None = None
    pattern: Any = None  # an RE2 pattern
    converted_type: str | None = None
    # Whether each attribute key seen matches the pattern: keys repeat on every point, and an
    # RE2 search costs a few microseconds from Python.
    _matched: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def apply(self, attrs: dict[str, Any]) -> None:
        key, action = self.key, self.action
        if action in ("insert", "update", "upsert"):
            assert key is not None
            value = attrs.get(self.from_attribute) if self.from_attribute else self.value
            if value is None:
                return
            present = key in attrs
            if (
                action == "upsert"
                or (action == "insert" and not present)
                or (action == "update" and present)
            ):
                attrs[key] = value
        elif action in ("delete", "hash"):
            names = [
                k for k in attrs if k == key or (self.pattern is not None and self._matches(k))
            ]
            for name in names:
                if action == "delete":
                    del attrs[name]
                else:
                    attrs[name] = hashlib.sha256(str(attrs[name]).encode()).hexdigest()
        elif action == "extract":
            assert key is not None and self.pattern is not None
            value = attrs.get(key)
            if isinstance(value, str):
                match = _search(self.pattern, value)
                if match:
                    attrs.update({k: v for k, v in match.groupdict().items() if v is not None})
        elif action == "convert" and key in attrs:
            attrs[key] = _convert(attrs[key], self.converted_type)

    def _matches(self, name: str) -> bool:
        found = self._matched.get(name)
        if found is None:
            found = _search(self.pattern, name) is not None
            if len(self._matched) < MATCHES_KEPT:
                self._matched[name] = found
        return found


MATCHES_KEPT = 10_000


def _search(pattern: Any, text: str) -> Any:
    """``pattern``'s first match in ``text``, or None (a lone surrogate is not UTF-8, and RE2
    reads nothing else: no match).
    """
    try:
        return pattern.search(text)
    except UnicodeEncodeError:
        return None


def _convert(value: Any, kind: str | None) -> Any:
    try:
        if kind == "int":
            return int(float(value))
        if kind == "double":
            return float(value)
        return (
            value
            if isinstance(value, str)
            else str(value).lower()
            if isinstance(value, bool)
            else str(value)
        )
    except (TypeError, ValueError):
        return value


def parse_actions(raw: Any, where: str) -> list[AttrAction]:
    if not isinstance(raw, list) or not raw:
        raise ProcessorError(f"{where}: missing required list of actions")
    actions = []
    for i, item in enumerate(raw):
        here = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise ProcessorError(f"{here}: must be a map")
        unknown = set(item) - FIELDS
        if unknown:
            raise ProcessorError(f"{here}: has invalid keys: {', '.join(sorted(unknown))}")
        action = str(item.get("action", "")).lower()
        if action not in ACTIONS:
            raise ProcessorError(
                f"{here}.action: must be one of {', '.join(ACTIONS)}, not {item.get('action')!r}"
            )
        key, pattern = item.get("key"), item.get("pattern")
        sources = [s for s in ("value", "from_attribute", "from_context") if s in item]
        if action in ("insert", "update", "upsert"):
            if not key or len(sources) != 1 or pattern or "converted_type" in item:
                raise ProcessorError(
                    f"{here}: {action} needs key and exactly one of value, from_attribute, from_context"
                )
            if "from_context" in item:
                raise ProcessorError(
                    f"{here}: from_context is not supported by Phoenix's evaluator"
                )
        elif action in ("delete", "hash") and not (key or pattern):
            raise ProcessorError(f"{here}: {action} needs key or pattern")
        elif action == "extract":
            if not key or not pattern:
                raise ProcessorError(f"{here}: extract needs key and pattern")
        elif action == "convert" and (
            not key or item.get("converted_type") not in ("int", "double", "string")
        ):
            raise ProcessorError(
                f"{here}: convert needs key and converted_type int, double or string"
            )
        # RE2, as the collector (Go's regexp): linear time whatever the pattern.
        try:
            compiled = re2.compile(pattern) if pattern else None
        except re2.error as exc:
            raise ProcessorError(f"{here}.pattern: {exc} (RE2 syntax)") from None
        if (
            action == "extract"
            and compiled is not None
            and compiled.groups != len(compiled.groupindex)
        ):
            raise ProcessorError(f"{here}.pattern: every group of an extract pattern must be named")
        actions.append(
            AttrAction(
                key,
                action,
                item.get("value"),
                item.get("from_attribute"),
                compiled,
                item.get("converted_type"),
            )
        )
    return actions
