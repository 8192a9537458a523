"""An Experiment object made into Phoenix's experiment: created and started by commands whose ids
derive from the object's uid (a re-delivery or an operator restart sends the same ids, which
Phoenix handles once), cancelled when the object is deleted (a finalizer holds the object until
its variants are torn down), and its status written from Phoenix's read model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from pydantic import ValidationError

from adapters.kube.api import EXPERIMENTS, KubeApi, Obj
from adapters.kube.crds import GROUP
from domain.experiment.commands import CancelExperiment, CreateExperiment, StartExperiment
from domain.experiment.phase import Phase, Verdict
from domain.messages import Command, CommandEnvelope
from handlers.ports import CommandBus
from projections.read_model import ReadModel

log = logging.getLogger(__name__)

FINALIZER = f"{GROUP}/cancel-and-tear-down"
EXPERIMENT_IDS = UUID("5e2b8c1a-9d4f-5a7e-8b3c-1f6d0e9a2c47")
POLL = 1.0  # seconds between status refreshes while the experiment is under way


def experiment_id(uid: str) -> UUID:
    """Phoenix's id of the experiment an Experiment object (by its uid) stands for."""
    return uuid5(EXPERIMENT_IDS, uid)


def _command_id(uid: str, what: str) -> UUID:
    return uuid5(EXPERIMENT_IDS, f"{uid}/{what}")


def _time(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def overall(variants: list[dict[str, Any]], winner: str | None) -> str | None:
    """The experiment's verdict: promote (a winner), else inconclusive if any candidate was,
    else reject; None before any verdict.
    """
    verdicts = {v.get("verdict") for v in variants if v.get("role") != "baseline"} - {None}
    if winner:
        return Verdict.PROMOTE.value
    if not verdicts:
        return None
    return (Verdict.INCONCLUSIVE if Verdict.INCONCLUSIVE in verdicts else Verdict.REJECT).value


def status_of(experiment: dict[str, Any], results: dict[str, Any] | None, generation: int) -> Obj:
    """The Experiment object's status from the read model's experiment and results."""
    phase = str(experiment["phase"])
    variants = (results or {}).get("variants") or []
    winner = (results or {}).get("winner")
    by_name = {v["variant"]: v for v in variants}
    reduction = ((by_name.get(winner) or {}).get("measures") or {}).get("series_reduction")
    terminal = Phase(phase).terminal
    status: Obj = {
        "observedGeneration": generation,
        "experimentId": str(experiment["experiment_id"]),
        "phase": phase,
        "phaseHistory": [
            {"phase": p["phase"], "at": _time(p["at"])} for p in experiment.get("phase_history", [])
        ],
        "variants": [
            {
                "name": v["variant"],
                **({"verdict": v["verdict"]} if v.get("verdict") else {}),
                **{
                    camel: float(value)
                    for key, camel in (
                        ("series_reduction", "seriesReduction"),
                        ("critical_retention", "criticalRetention"),
                    )
                    if (value := (v.get("measures") or {}).get(key)) is not None
                },
            }
            for v in variants
        ],
        "conditions": [
            {
                "type": "Ready",
                "status": "True" if phase == Phase.RUNNING else "False",
                "reason": phase,
                "message": str(experiment.get("reason") or phase),
            },
            {
                "type": "Completed",
                "status": "True" if terminal else "False",
                "reason": phase,
                "message": str(experiment.get("reason") or phase),
            },
        ],
    }
    optional = {
        "windowEndsAt": _time(experiment.get("window_ends_at")),
        "winner": winner,
        "winnerSeriesReduction": f"{reduction:.0%}" if reduction is not None else None,
        "verdict": overall(variants, winner) if phase == Phase.COMPLETED else None,
        "promotionCommit": (results or {}).get("promotion_commit"),
        "reason": experiment.get("reason"),
    }
    status.update({k: v for k, v in optional.items() if v is not None})
    return status


class ExperimentReconciler:
    """Reconciles Experiment objects by key (``namespace/name``); returns when to look again."""

    def __init__(
        self,
        api: KubeApi,
        bus: CommandBus,
        read: ReadModel,
        keyed: Callable[[UUID], UUID] = lambda command_id: command_id,
    ) -> None:
        """``keyed``: the id a command really gets on ``bus`` (the service bus keys them)."""
        self.api, self.bus, self.read, self.keyed = api, bus, read, keyed

    async def reconcile(self, key: str) -> float | None:
        namespace, name = key.split("/", 1)
        obj = await self.api.get(EXPERIMENTS, namespace, name)
        if obj is None:
            return None
        metadata = obj["metadata"]
        uid = str(metadata["uid"])
        xid = experiment_id(uid)
        finalizers = list(metadata.get("finalizers") or [])
        experiment = await self.read.get_experiment(xid)
        if metadata.get("deletionTimestamp"):
            return await self._deleted(obj, xid, experiment, finalizers)
        if FINALIZER not in finalizers:
            await self.api.merge_patch(
                EXPERIMENTS,
                namespace,
                name,
                {
                    "metadata": {
                        "finalizers": [*finalizers, FINALIZER],
                        "resourceVersion": metadata["resourceVersion"],
                    }
                },
            )
        generation = int(metadata.get("generation") or 1)
        if experiment is None:
            return await self._create(obj, xid, generation)
        if experiment["phase"] == Phase.PENDING:
            await self._send(uid, "start", StartExperiment(experiment_id=xid))
        results = await self.read.experiment_results(xid)
        await self._status(obj, status_of(experiment, results, generation))
        # The results read model can trail the experiment's phase: a Completed experiment is
        # looked at again until its verdicts are there too.
        settled = Phase(experiment["phase"]).terminal and (
            experiment["phase"] != Phase.COMPLETED or bool((results or {}).get("available"))
        )
        return None if settled else POLL

    async def _create(self, obj: Obj, xid: UUID, generation: int) -> float | None:
        uid = str(obj["metadata"]["uid"])
        try:
            command = CreateExperiment(experiment_id=xid, **obj["spec"])
        except ValidationError as error:
            await self._refused(obj, generation, "Invalid", str(error))
            return None
        outcome = await self.read.command_outcome(self.keyed(_command_id(uid, "create")))
        if outcome is not None and outcome.get("outcome") == "rejected":
            await self._refused(obj, generation, "Rejected", str(outcome.get("reason")))
            return None
        await self._send(uid, "create", command)
        return POLL  # start it once it exists: a start sent first would be refused

    async def _refused(self, obj: Obj, generation: int, reason: str, message: str) -> None:
        condition = {"status": "False", "reason": reason, "message": message[:2000]}
        await self._status(
            obj,
            {
                "observedGeneration": generation,
                "reason": message[:2000],
                "conditions": [{"type": "Ready", **condition}, {"type": "Completed", **condition}],
            },
        )

    async def _status(self, obj: Obj, status: Obj) -> None:
        if obj.get("status") == status:
            return
        metadata = obj["metadata"]
        await self.api.merge_patch(
            EXPERIMENTS, metadata["namespace"], metadata["name"], {"status": status}, status=True
        )

    async def _deleted(
        self, obj: Obj, xid: UUID, experiment: dict[str, Any] | None, finalizers: list[str]
    ) -> float | None:
        if FINALIZER not in finalizers:
            return None
        metadata = obj["metadata"]
        uid = str(metadata["uid"])
        if experiment is not None:
            if Phase(experiment["phase"]).cancellable:
                reason = (
                    f"its Experiment object {metadata['namespace']}/{metadata['name']} was deleted"
                )
                await self._send(uid, "cancel", CancelExperiment(experiment_id=xid, reason=reason))
                return POLL
            results = await self.read.experiment_results(xid)
            variants = (results or {}).get("variants") or []
            if not Phase(experiment["phase"]).terminal or any(
                v.get("deployed_at") and not v.get("torn_down_at") for v in variants
            ):
                return POLL  # wait for the teardown
        await self.api.merge_patch(
            EXPERIMENTS,
            metadata["namespace"],
            metadata["name"],
            {
                "metadata": {
                    "finalizers": [f for f in finalizers if f != FINALIZER],
                    "resourceVersion": metadata["resourceVersion"],
                }
            },
        )
        return None

    async def _send(self, uid: str, what: str, command: Command) -> None:
        await self.bus.send(
            CommandEnvelope(
                command_id=_command_id(uid, what),
                type=type(command).__name__,
                data=command.model_dump(mode="json", exclude_none=True),
            )
        )
