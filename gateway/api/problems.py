"""Errors as RFC 9457 problem details; a client's mistake is a 4xx, never a 500."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.types import ExceptionHandlersMap

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"


class Problem(Exception):
    """Raised by a route to answer with a problem document."""

    def __init__(self, status: int, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail or HTTPStatus(status).phrase)
        self.status = status
        self.detail = detail
        self.extensions = extensions


def problem_response(
    request: Request[Any, Any, Any],
    status: int,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "instance": request.url.path,
    }
    if detail:
        body["detail"] = detail
    body.update(extensions)
    return Response(body, status_code=status, media_type=PROBLEM, headers=headers)


def on_problem(request: Request[Any, Any, Any], exc: Problem) -> Response[dict[str, Any]]:
    return problem_response(request, exc.status, exc.detail, **exc.extensions)


def on_validation(
    request: Request[Any, Any, Any], exc: ValidationException
) -> Response[dict[str, Any]]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    return problem_response(request, 400, "Invalid request parameters", exc.headers, errors=errors)


def on_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    phrase = HTTPStatus(exc.status_code).phrase
    detail = None if exc.detail == phrase else exc.detail
    return problem_response(request, exc.status_code, detail, exc.headers)


def on_unhandled(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, 500)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    Problem: on_problem,
    ValidationException: on_validation,
    HTTPException: on_http,
    Exception: on_unhandled,
}
