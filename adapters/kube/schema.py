"""A pydantic model's JSON schema as a Kubernetes structural schema (OpenAPI v3 for a CRD).

Pydantic writes JSON Schema 2020-12; a CRD takes a structural subset of OpenAPI 3.0: references
written in place, no titles, ``nullable`` instead of ``anyOf`` with null, boolean exclusive
bounds, and ``additionalProperties`` only as a map's value schema (unknown fields are pruned).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

DROPPED = {"title", "$defs", "examples"}


def structural(model: type[BaseModel]) -> dict[str, Any]:
    raw = model.model_json_schema()
    converted: dict[str, Any] = _convert(raw, raw.get("$defs", {}))
    return converted


def _convert(schema: Any, defs: dict[str, Any]) -> Any:
    if isinstance(schema, list):
        return [_convert(item, defs) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str):
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        return _convert({**defs[ref.removeprefix("#/$defs/")], **rest}, defs)
    if "allOf" in schema and len(schema["allOf"]) == 1:
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        return _convert({**schema["allOf"][0], **rest}, defs)
    if "anyOf" in schema:
        options = [o for o in schema["anyOf"] if o != {"type": "null"}]
        if len(options) == 1 and len(options) < len(schema["anyOf"]):
            rest = {k: v for k, v in schema.items() if k != "anyOf"}
            return {**_convert({**options[0], **rest}, defs), "nullable": True}
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in DROPPED or (key == "default" and value is None):
            continue
        if key == "properties":
            out[key] = {name: _convert(body, defs) for name, body in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = _convert(value, defs)
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
            out["minimum" if key == "exclusiveMinimum" else "maximum"] = value
            out[key] = True
        else:
            out[key] = value
    if out.get("type") == "object":
        if "properties" in out:
            out.pop("additionalProperties", None)  # unknown fields are pruned, not refused
        elif out.get("additionalProperties") in (None, True, {}):
            out.pop("additionalProperties", None)
            out["x-kubernetes-preserve-unknown-fields"] = True  # free-form: any values
    return out
