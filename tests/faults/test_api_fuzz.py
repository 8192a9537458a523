"""Schemathesis against the live API: no server errors, no status or content type it does not document."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Callable
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import content_type_conformance, status_code_conformance

from gateway.runtime import Runtime
from tests.runtimes import admin_headers

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance]
EXAMPLES = 40  # per operation; derandomized, so every run sends the same requests
# A stream never ends, so a case cannot read its answer whole: its answers to bad input are
# tested in tests/e2e/test_event_stream.py.
ENDLESS = {"/api/v1/events/stream"}


def fuzz(base_url: str, headers: dict[str, str]) -> tuple[int, Counter[str], list[str]]:
    """Every operation, EXAMPLES cases per mode, with a valid admin token in ``headers`` (so
    every route is reached); (operations, requests by status, failures).
    """
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json")
    statuses: Counter[str] = Counter()
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), (
            f"the document has an operation schemathesis cannot read: {result}"
        )
        operation = result.ok()
        if operation.path in ENDLESS:
            continue
        operations += 1
        for mode in schemathesis.GenerationMode:
            strategy = operation.as_strategy(generation_mode=mode)
            _fuzz_one(strategy, base_url, headers, statuses, failures)
    return operations, statuses, failures


def _fuzz_one(
    strategy: Any,
    base_url: str,
    headers: dict[str, str],
    statuses: Counter[str],
    failures: list[str],
) -> None:
    """EXAMPLES cases of one operation in one mode (valid inputs, or inputs its schema refuses)."""

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers)
        statuses[f"{response.status_code}"] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as exc:  # each failure is counted and reported, then the next case
            failures.append(f"{case.method} {case.path}: {str(exc).splitlines()[0][:300]}")

    # An operation with no inputs has nothing to make invalid: no negative cases exist.
    with contextlib.suppress(Unsatisfiable):
        check()


async def test_the_api_answers_every_generated_request_as_its_openapi_document_says(
    runtime: Runtime, report: Callable[[str], None]
) -> None:
    assert runtime.api_url is not None
    headers = admin_headers(runtime.settings.data_dir)
    operations, statuses, failures = await asyncio.to_thread(fuzz, runtime.api_url, headers)
    requests = sum(statuses.values())
    report(
        f"schemathesis: {operations} operations, {requests} requests "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))}), "
        f"{len(failures)} failures"
    )
    assert failures == []
    assert not any(status.startswith("5") and status != "503" for status in statuses)
    # Most cases reach their route with the token; the 401s are schemathesis's own bad tokens
    # (its negative mode generates them from the declared bearer scheme).
    assert statuses["200"] + statuses["404"] > statuses["401"]
