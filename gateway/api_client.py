"""The CLI's way in: a typed client of Phoenix's HTTP API, authenticated with a bearer token."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any
from uuid import UUID

from adapters.settings import Settings
from gateway.local_tokens import find_token
from gateway.runtime_file import discover


class NotRunning(RuntimeError):
    """No Phoenix API could be found or reached."""


class NoToken(RuntimeError):
    """The CLI has no token to call the API with."""


class ApiError(RuntimeError):
    """The API answered with a problem document (4xx or 5xx)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status, self.problem = status, problem
        detail = problem.get("detail") or problem.get("title") or f"HTTP {status}"
        super().__init__(f"{status} {problem.get('title', '')}: {detail}".strip())


class NoOutcome(TimeoutError):
    """The command was sent but no outcome was recorded in time (is a worker running?)."""


def api_url(settings: Settings) -> tuple[str | None, bool]:
    """PHOENIX_API_URL, or the URL of a `phoenix up` running from the data dir; and whether it is
    that local Phoenix's (whose admin token may then be used).
    """
    local = discover(settings).api_url
    given = os.environ.get("PHOENIX_API_URL", "").rstrip("/") or None
    return given or local, given is None or given == local


def trusted_ca() -> str | bool:
    """PHOENIX_API_CA (a CA file for an API with a private certificate), or the system's CAs."""
    ca = os.environ.get("PHOENIX_API_CA")
    if ca and not os.path.isfile(ca):
        raise NotRunning(f"PHOENIX_API_CA: {ca} is not a file")
    return ca or True


class PhoenixClient:
    """One method per route a person uses; problems become ApiError, with the API's detail."""

    def __init__(self, base_url: str, token: str, *, verify: bool | str = True) -> None:
        import httpx  # loaded by the commands that call the API, not by `phoenix --help`

        self.base_url = base_url
        self.token = token
        self.http = httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=30.0,
            verify=verify,
        )

    @classmethod
    def for_settings(cls, settings: Settings) -> PhoenixClient:
        url, is_local = api_url(settings)
        if url is None:
            raise NotRunning(
                f"no Phoenix is running with data dir {settings.data_dir} and PHOENIX_API_URL is "
                "unset: start it with `phoenix up` (or point PHOENIX_API_URL at its API)"
            )
        found = find_token(settings.data_dir, local_admin=is_local)
        if found is None:
            raise NoToken(
                "no token: set PHOENIX_TOKEN, or save one with `phoenix login` "
                "(an admin can issue one with `phoenix token create`)"
            )
        return cls(url, found[0], verify=trusted_ca())

    def close(self) -> None:
        self.http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        import httpx

        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise NotRunning(f"the API at {self.base_url} cannot be reached: {exc}") from None
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"detail": response.text[:500]}
            raise ApiError(response.status_code, problem)
        return (
            response.json() if "json" in response.headers.get("content-type", "") else response.text
        )

    def whoami(self) -> dict[str, Any]:
        return dict(self._call("GET", "/api/v1/whoami"))

    def send(self, envelope: dict[str, Any]) -> dict[str, Any]:
        """Publish a command; the answer says it is pending (and whether it was a duplicate)."""
        return dict(self._call("POST", "/api/v1/commands", json=envelope))

    def command(self, command_id: UUID | str) -> dict[str, Any]:
        return dict(self._call("GET", f"/api/v1/commands/{command_id}"))

    def wait(self, command_id: UUID | str, *, within: float = 30.0) -> dict[str, Any]:
        """The command's outcome once recorded; for an accepted command, with its events."""
        deadline = time.monotonic() + within
        while (outcome := self.command(command_id))["status"] == "pending":
            if time.monotonic() > deadline:
                raise NoOutcome(f"no outcome for {command_id} within {within:g}s")
            time.sleep(0.05)
        if outcome["status"] == "accepted" and outcome.get("stream_id"):
            events = self.stream(outcome["stream_id"])
            outcome["events"] = [
                f"{e['version']}:{e['type']}"
                for e in events
                if e["metadata"].get("command_id") == str(command_id)
            ]
        return outcome

    def experiments(self, *, phase: str | None = None, limit: int = 50) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit} | ({"phase": phase} if phase else {})
        return dict(self._call("GET", "/api/v1/experiments", params=params))

    def experiment(self, experiment_id: UUID) -> dict[str, Any]:
        return dict(self._call("GET", f"/api/v1/experiments/{experiment_id}"))

    def results(self, experiment_id: UUID) -> dict[str, Any]:
        return dict(self._call("GET", f"/api/v1/experiments/{experiment_id}/results"))

    def events(self, *, after: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        page = self._call("GET", "/api/v1/events", params={"after": after, "limit": limit})
        return list(page["items"])

    def follow(
        self, *, after: int = 0, limit: int = 100, poll: float = 0.5
    ) -> Iterator[dict[str, Any]]:
        """Every event after ``after``, then each new one as it comes (until interrupted)."""
        while True:
            batch = self.events(after=after, limit=limit)
            yield from batch
            if batch:
                after = batch[-1]["position"]
            if len(batch) < limit:
                time.sleep(poll)

    def stream(self, stream_id: str) -> list[dict[str, Any]]:
        return list(self._call("GET", f"/api/v1/streams/{stream_id}/events")["items"])

    def pipelines(self, *, limit: int = 50) -> dict[str, Any]:
        return dict(self._call("GET", "/api/v1/pipelines", params={"limit": limit}))

    def pipeline(self, name: str) -> dict[str, Any]:
        return dict(self._call("GET", f"/api/v1/pipelines/{name}"))

    def pipeline_version(self, name: str, version: int) -> dict[str, Any]:
        return dict(self._call("GET", f"/api/v1/pipelines/{name}/versions/{version}"))

    def recommendations(
        self,
        *,
        experiment_id: UUID | str | None = None,
        pipeline: tuple[str, int] | None = None,
        params: dict[str, Any],
    ) -> dict[str, Any]:
        """Candidates from an experiment's baseline, or from a version on simulated hosts (the
        server runs the evaluator: this can take a while).
        """
        if experiment_id is not None:
            path = f"/api/v1/experiments/{experiment_id}/recommendations"
        else:
            assert pipeline is not None, "an experiment or a pipeline version"
            path = f"/api/v1/pipelines/{pipeline[0]}/versions/{pipeline[1]}/recommendations"
        return dict(self._call("GET", path, params=params, timeout=600.0))

    def dead_letters(self, *, include_redriven: bool = False) -> list[dict[str, Any]]:
        params = {"include_redriven": str(include_redriven).lower()}
        return list(self._call("GET", "/api/v1/deadletters", params=params)["items"])

    def redrive(self, dead_letter_id: int) -> dict[str, Any]:
        return dict(self._call("POST", f"/api/v1/deadletters/{dead_letter_id}/redrive"))
