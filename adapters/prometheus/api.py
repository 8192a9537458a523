"""Prometheus's HTTP API, the few calls Phoenix makes: instant and range queries, label values,
the loaded config.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import yaml


class PrometheusUnavailable(Exception):
    """Prometheus could not answer (unreachable, or it refused the query); the message says why."""


Sample = tuple[float, float]


class PrometheusApi:
    """An httpx client of one Prometheus; at most ``concurrency`` queries in flight."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 60.0,
        headers: dict[str, str] | None = None,
        concurrency: int = 8,
    ) -> None:
        self.url = url.rstrip("/")
        self._client = httpx.AsyncClient(base_url=self.url, timeout=timeout, headers=headers)
        self._slots = asyncio.Semaphore(concurrency)

    async def close(self) -> None:
        await self._client.aclose()

    async def _call(
        self, path: str, params: dict[str, Any] | None = None, *, method: str = "GET"
    ) -> Any:
        """The ``data`` of a successful answer; PrometheusUnavailable, saying why, otherwise."""
        async with self._slots:
            try:
                if method == "POST":
                    response = await self._client.post(path, data=params)
                else:
                    response = await self._client.get(path, params=params)
            except httpx.HTTPError as exc:
                raise PrometheusUnavailable(f"Prometheus at {self.url}: {exc!r}") from exc
        try:
            body = response.json()
        except ValueError:
            raise PrometheusUnavailable(
                f"Prometheus at {self.url} answered {response.status_code}: {response.text[:200]}"
            ) from None
        if body.get("status") != "success":
            asked = (params or {}).get("query") or (params or {}).get("match[]") or path
            raise PrometheusUnavailable(
                f"Prometheus at {self.url} refused {asked!r}: "
                f"{body.get('errorType')}: {body.get('error')}"
            )
        return body["data"]

    async def _query(self, path: str, params: dict[str, Any]) -> Any:
        # POST: a long PromQL expression does not fit every proxy's URL limit.
        return await self._call(path, params, method="POST")

    async def instant(self, query: str, at: float) -> list[tuple[dict[str, str], float]]:
        """An instant vector: each series' labels and value at ``at`` (seconds since the epoch)."""
        data = await self._query("/api/v1/query", {"query": query, "time": f"{at:.3f}"})
        if data["resultType"] == "scalar":
            return [({}, float(data["result"][1]))]
        return [(r["metric"], float(r["value"][1])) for r in data["result"]]

    async def range(
        self, query: str, *, start: float, end: float, step: float
    ) -> list[tuple[dict[str, str], list[Sample]]]:
        """A range query: each series' labels and its (timestamp, value) samples."""
        data = await self._query(
            "/api/v1/query_range",
            {"query": query, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:.3f}"},
        )
        return [
            (r["metric"], [(float(t), float(v)) for t, v in r["values"]]) for r in data["result"]
        ]

    async def metric_names(self, selector: str, *, start: float, end: float) -> list[str]:
        """The metric names of the series ``selector`` matches between ``start`` and ``end``."""
        return await self.label_values("__name__", selector, start=start, end=end)

    async def label_values(
        self, label: str, selector: str, *, start: float | None = None, end: float | None = None
    ) -> list[str]:
        """The values ``label`` takes on the series ``selector`` matches (in the time range)."""
        params = {"match[]": selector}
        if start is not None and end is not None:
            params |= {"start": f"{start:.3f}", "end": f"{end:.3f}"}
        return sorted(await self._call(f"/api/v1/label/{label}/values", params))

    async def config(self) -> dict[str, Any]:
        """The configuration Prometheus has loaded (``/api/v1/status/config``)."""
        loaded = yaml.safe_load((await self._call("/api/v1/status/config"))["yaml"])
        return loaded if isinstance(loaded, dict) else {}
