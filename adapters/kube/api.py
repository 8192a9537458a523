"""The few Kubernetes API calls Phoenix makes, on kubernetes-asyncio's configured client.

kubernetes-asyncio loads the kubeconfig (or the pod's service account) and signs every request;
the calls go through its ``ApiClient.call_api`` with plain dicts, because Phoenix's objects are
custom resources and server-side apply takes whole objects, which its typed models do not help with.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubernetes_asyncio import client, config

from adapters.kube.crds import GROUP, VERSION
from adapters.kube.manifests import MANAGER

Obj = dict[str, Any]
IN_CLUSTER = "in-cluster"
JSON = "application/json"


class KubeError(Exception):
    """The API server refused a request: its status code and the Status message it gave."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(f"{status} {reason}: {message}")
        self.status, self.reason, self.message = status, reason, message


class Expired(KubeError):
    """A watch's resourceVersion is too old (410 Gone): list again."""


@dataclass(frozen=True)
class Kind:
    """Where a kind lives in the API: ``group/version`` (``v1`` for the core group) and plural."""

    api_version: str
    plural: str
    namespaced: bool = True

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        root = "/api/v1" if self.api_version == "v1" else f"/apis/{self.api_version}"
        if self.namespaced and namespace is not None:
            root += f"/namespaces/{namespace}"
        root += f"/{self.plural}"
        return root if name is None else f"{root}/{name}"


CONFIG_MAPS = Kind("v1", "configmaps")
DAEMON_SETS = Kind("apps/v1", "daemonsets")
EVENTS = Kind("v1", "events")
NODES = Kind("v1", "nodes", namespaced=False)
PODS = Kind("v1", "pods")
LEASES = Kind("coordination.k8s.io/v1", "leases")
EXPERIMENTS = Kind(f"{GROUP}/{VERSION}", "experiments")
PROCESS_PIPELINES = Kind(f"{GROUP}/{VERSION}", "processpipelines")


class KubeApi:
    """An API server, as the identity the kubeconfig (or the pod) gives."""

    def __init__(self, api: client.ApiClient) -> None:
        self._api = api
        api.user_agent = "phoenix"

    @property
    def client(self) -> client.ApiClient:
        """kubernetes-asyncio's client underneath (its leader election takes one)."""
        return self._api

    @classmethod
    async def connect(
        cls, kubeconfig: Path | str | None, *, impersonate: str | None = None
    ) -> KubeApi:
        """From ``kubeconfig``, or from the pod's service account when it is None or
        ``in-cluster``; as ``impersonate`` (a user name) if given and allowed.
        """
        configuration = client.Configuration()
        if kubeconfig is None or str(kubeconfig) == IN_CLUSTER:
            config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
        else:
            await config.load_kube_config(
                config_file=str(kubeconfig), client_configuration=configuration
            )
        api = client.ApiClient(configuration)
        if impersonate:
            api.default_headers["Impersonate-User"] = impersonate
        return cls(api)

    async def close(self) -> None:
        await self._api.close()

    async def _call(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, str | int | bool] | None = None,
        body: Obj | None = None,
        content_type: str = JSON,
        request_timeout: float | None = 30,
    ) -> Any:
        params = [
            (k, str(v).lower() if isinstance(v, bool) else str(v)) for k, v in (query or {}).items()
        ]
        return await self._api.call_api(
            path,
            method,
            query_params=params,
            header_params={"Accept": JSON, "Content-Type": content_type},
            body=body,
            auth_settings=["BearerToken"],
            _preload_content=False,
            _request_timeout=request_timeout,
        )

    async def _json(self, method: str, path: str, **kwargs: Any) -> Obj:
        response = await self._call(method, path, **kwargs)
        async with response:
            text = await response.text()
        data: Obj = json.loads(text) if text else {}
        if not 200 <= response.status < 300:
            raise _error(response.status, data, text)
        return data

    async def get(self, kind: Kind, namespace: str | None, name: str) -> Obj | None:
        try:
            return await self._json("GET", kind.path(namespace, name))
        except KubeError as error:
            if error.status == 404:
                return None
            raise

    async def list(
        self, kind: Kind, namespace: str | None = None, *, labels: str | None = None
    ) -> tuple[list[Obj], str]:
        """Every object (all pages) and the list's resourceVersion, to watch from."""
        items: list[Obj] = []
        query: dict[str, str | int | bool] = {"limit": 500}
        if labels:
            query["labelSelector"] = labels
        while True:
            page = await self._json("GET", kind.path(namespace), query=query)
            items.extend(page.get("items") or [])
            metadata = page.get("metadata") or {}
            if not metadata.get("continue"):
                return items, str(metadata.get("resourceVersion", ""))
            query["continue"] = metadata["continue"]

    async def watch(
        self,
        kind: Kind,
        resource_version: str,
        namespace: str | None = None,
        *,
        labels: str | None = None,
        timeout_seconds: int = 300,
    ) -> AsyncIterator[Obj]:
        """Events after ``resource_version`` (bookmarks included) until the server ends the
        watch; raises Expired when that version is too old.
        """
        query: dict[str, str | int | bool] = {
            "watch": True,
            "resourceVersion": resource_version,
            "allowWatchBookmarks": True,
            "timeoutSeconds": timeout_seconds,
        }
        if labels:
            query["labelSelector"] = labels
        response = await self._call(
            "GET", kind.path(namespace), query=query, request_timeout=timeout_seconds + 30
        )
        async with response:
            if not 200 <= response.status < 300:
                text = await response.text()
                raise _error(response.status, json.loads(text) if text else {}, text)
            while line := await response.content.readline():
                event: Obj = json.loads(line)
                if event.get("type") == "ERROR":
                    status = event.get("object") or {}
                    raise _error(int(status.get("code", 500)), status, json.dumps(status))
                yield event

    async def apply(self, obj: Obj, *, dry_run: bool = False) -> Obj:
        """Server-side apply as Phoenix's field manager, taking back fields others changed."""
        kind = kind_of(obj)
        metadata = obj["metadata"]
        query: dict[str, str | int | bool] = {"fieldManager": MANAGER, "force": True}
        if dry_run:
            query["dryRun"] = "All"
        return await self._json(
            "PATCH",
            kind.path(metadata.get("namespace"), metadata["name"]),
            query=query,
            body=obj,
            content_type="application/apply-patch+yaml",
        )

    async def merge_patch(
        self, kind: Kind, namespace: str | None, name: str, patch: Obj, *, status: bool = False
    ) -> Obj:
        path = kind.path(namespace, name) + ("/status" if status else "")
        return await self._json(
            "PATCH", path, body=patch, content_type="application/merge-patch+json"
        )

    async def create(self, kind: Kind, namespace: str | None, obj: Obj) -> Obj:
        return await self._json("POST", kind.path(namespace), body=obj)

    async def replace(self, kind: Kind, namespace: str | None, name: str, obj: Obj) -> Obj:
        return await self._json("PUT", kind.path(namespace, name), body=obj)

    async def delete(
        self, kind: Kind, namespace: str | None, name: str, *, grace_seconds: int | None = None
    ) -> None:
        """Delete, its dependents first (foreground); gone already is fine."""
        body: Obj = {"propagationPolicy": "Foreground"}
        if grace_seconds is not None:
            body["gracePeriodSeconds"] = grace_seconds
        try:
            await self._json("DELETE", kind.path(namespace, name), body=body)
        except KubeError as error:
            if error.status != 404:
                raise


KINDS = {
    ("v1", "ConfigMap"): CONFIG_MAPS,
    ("apps/v1", "DaemonSet"): DAEMON_SETS,
    ("v1", "Event"): EVENTS,
    ("v1", "Node"): NODES,
    ("v1", "Pod"): PODS,
    ("coordination.k8s.io/v1", "Lease"): LEASES,
    (f"{GROUP}/{VERSION}", "Experiment"): EXPERIMENTS,
    (f"{GROUP}/{VERSION}", "ProcessPipeline"): PROCESS_PIPELINES,
}


def kind_of(obj: Obj) -> Kind:
    key = (obj["apiVersion"], obj["kind"])
    found = KINDS.get(key)
    if found is None:
        raise ValueError(f"Phoenix does not manage {key[1]} ({key[0]})")
    return found


def _error(status: int, data: Obj, text: str) -> KubeError:
    reason = str(data.get("reason") or "")
    message = str(data.get("message") or text[:500])
    return (Expired if status == 410 else KubeError)(status, reason, message)
