"""What the OpenAPI document says beyond Litestar's defaults: the command body, and every problem
answer each route really gives (as application/problem+json), so clients and fuzzers see them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Litestar
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Reference,
    RequestBody,
    Schema,
    SecurityScheme,
)

from domain.messages import CommandEnvelope
from gateway.api.problems import PROBLEM

_TEXT = Schema(type=OpenAPIType.STRING)
PROBLEM_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    required=["type", "title", "status"],
    properties={
        "type": _TEXT,
        "title": _TEXT,
        "status": Schema(type=OpenAPIType.INTEGER),
        "detail": _TEXT,
        "instance": _TEXT,
        "command_id": _TEXT,
        "errors": Schema(type=OpenAPIType.ARRAY),
    },
)

BEARER = "BearerToken"
BEARER_SCHEME = SecurityScheme(
    type="http",
    scheme="bearer",
    bearer_format="JWT",
    description="A token from `phoenix token create` or from the configured OIDC provider.",
)

WHY = {
    "400": "The request's parameters or body cannot be read (not JSON, nested too deeply, out of range)",
    "401": "No bearer token, or one that is not valid (expired, or not signed by a trusted issuer)",
    "403": "The token's roles do not allow this",
    "429": "Too many commands from this subject; RateLimit-Reset says when to try again",
    "404": "Nothing by that id or name",
    "409": "Not possible in its present state; the detail says what is missing",
    "413": "The body is larger than 512 KiB",
    "422": "The command does not match its schema (the command_id, when it has one, comes back); "
    "or the config cannot be run (each problem at its path)",
    "503": "A dependency is unavailable; for a command: retry with the same command_id (safe)",
}


def _inlined(schema: Any, defs: dict[str, Any]) -> Any:
    """Pydantic's JSON schema with its ``$defs`` references written in place."""
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inlined(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inlined(v, defs) for k, v in schema.items() if k != "$defs"}
    if isinstance(schema, list):
        return [_inlined(v, defs) for v in schema]
    return schema


def _command_schema() -> dict[str, Any]:
    raw = CommandEnvelope.model_json_schema()
    schema: dict[str, Any] = _inlined(raw, raw.get("$defs", {}))
    # The id is optional on the way in: the API assigns one when it is missing.
    schema["required"] = [r for r in schema.get("required", []) if r != "command_id"]
    return schema


@dataclass
class CommandOperation(Operation):
    """POST /api/v1/commands reads its body raw (to answer any bytes well), so Litestar cannot
    see its shape: the command envelope is declared here instead.
    """

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="A command envelope: type, data, and optionally command_id and metadata.",
            content={"application/json": OpenAPIMediaType(schema=_command_schema())},  # type: ignore[arg-type]
        )


def document_problems(app: Litestar) -> None:
    """Add to every operation the problem answers it can give; replaces Litestar's default 400,
    which it documents as application/json while Phoenix answers application/problem+json.
    """
    openapi = app.openapi_schema
    assert openapi.components is not None and openapi.paths is not None
    schemas = openapi.components.schemas
    assert schemas is not None
    schemas["Problem"] = PROBLEM_SCHEMA
    ref = Reference(ref="#/components/schemas/Problem")
    for path, item in openapi.paths.items():
        for method in ("get", "post"):
            operation: Operation | None = getattr(item, method)
            if operation is None or operation.responses is None:
                continue
            codes = ["400"] if operation.parameters or method == "post" else []
            if "{" in path:
                codes.append("404")
            if path.endswith("/recommendations"):
                codes.append("409")
            if path == "/api/v1/commands" and method == "post":
                codes += ["413", "422", "429", "503"]
            if path == "/api/v1/configs/estimate":
                codes += ["413", "422"]
            if path == "/api/v1/configs/validate":
                codes.append("413")
            if path.endswith("/measurements"):
                codes.append("503")
            if path == "/readyz":
                codes = ["503"]
            if path.startswith("/api/"):
                codes += ["401", "403"]
                operation.security = [{BEARER: []}]
            for code in codes:
                operation.responses[code] = OpenAPIResponse(
                    description=WHY[code], content={PROBLEM: OpenAPIMediaType(schema=ref)}
                )
