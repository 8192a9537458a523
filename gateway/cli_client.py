"""What every CLI command that talks to Phoenix shares: the API client, sending, and failing well."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from uuid import UUID, uuid4

import typer
from rich.console import Console

from gateway.api_client import ApiError, NoOutcome, NoToken, NotRunning, PhoenixClient
from gateway.cli_options import settings_for

console = Console()
err = Console(stderr=True)
T = TypeVar("T")


def when(text: str | None, form: str = "%Y-%m-%d %H:%M:%S") -> str:
    """An ISO time from the API, as a table shows it (blank for none)."""
    return format(datetime.fromisoformat(text), form) if text else ""


def fail(lines: list[str], code: int = 2) -> NoReturn:
    for line in lines:
        err.print(f"[red]error:[/red] {line}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _problem_lines(exc: ApiError) -> list[str]:
    lines = [str(exc.problem.get("detail") or exc)]
    for e in exc.problem.get("errors") or []:
        if isinstance(e, dict):
            lines.append(f"data.{e.get('path')}: {e.get('message')}")
    return lines


def calling(data_dir: Path | None, call: Callable[[PhoenixClient], T]) -> T:
    """Run ``call`` on a client of the running Phoenix; what goes wrong is said, not raised."""
    try:
        client = PhoenixClient.for_settings(settings_for(data_dir))
    except (NotRunning, NoToken, OSError, ValueError) as exc:
        fail([str(exc)])
    try:
        return call(client)
    except NotRunning as exc:
        fail([str(exc)])
    except NoOutcome as exc:
        fail([f"{exc}; is `phoenix up` running?"])
    except ApiError as exc:
        if exc.status == 401:
            fail([f"the API refused the token: {exc.problem.get('detail')}", "get a new one: "
                  "`phoenix login` (or `phoenix token create` on Phoenix's machine)"])  # fmt: skip
        if exc.status == 403:
            fail([f"forbidden: {exc.problem.get('detail')}"], 1)
        if exc.status in (404, 409, 422):
            fail(_problem_lines(exc), 1)
        fail([f"the API answered {exc}"])
    finally:
        client.close()


def send(
    data_dir: Path | None,
    kind: str,
    data: dict[str, Any],
    *,
    command_id: UUID | None = None,
    wait: float = 30.0,
) -> dict[str, Any]:
    """Send a command through the API as the token's subject and wait for its outcome: a dict
    with ``status`` (accepted or rejected), ``reason``, ``stream_id`` and ``events``.
    """
    envelope = {"command_id": str(command_id or uuid4()), "type": kind, "data": data}

    def go(client: PhoenixClient) -> dict[str, Any]:
        try:
            sent = client.send(envelope)
        except ApiError as exc:
            if exc.status not in (400, 422):
                raise
            reason = "; ".join(_problem_lines(exc))
            return {"command_id": envelope["command_id"], "status": "rejected", "reason": reason}
        if wait <= 0:
            return sent
        return client.wait(sent["command_id"], within=wait)

    return calling(data_dir, go)


def report(result: dict[str, Any], output: str, done: str) -> None:
    """Print the outcome (the message ``done`` when accepted); exit 1 when rejected."""
    if output == "json":
        console.print_json(json.dumps(result, default=str))
    elif result["status"] == "rejected":
        err.print(f"[red]rejected[/red]: {result['reason']}", highlight=False)
    else:
        console.print(done, highlight=False)
    if result["status"] == "rejected":
        raise typer.Exit(1)
