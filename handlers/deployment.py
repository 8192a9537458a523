"""Deployment: run each variant's generated config through the Deployer port, and take it down."""

from __future__ import annotations

import logging
from uuid import UUID

from domain.experiment.phase import Phase
from domain.messages import RecordedEvent
from handlers.experiment_state import load
from handlers.ports import Deployer, DeploymentError, EventStore, ExperimentIndex
from handlers.reactor import Reaction

log = logging.getLogger(__name__)


class DeploymentHandler:
    """ConfigsGenerated -> deploy every variant; TeardownRequested -> tear them down."""

    name = "deployment"
    event_types = frozenset({"ConfigsGenerated", "TeardownRequested"})

    def __init__(self, store: EventStore, deployer: Deployer) -> None:
        self.store, self.deployer = store, deployer

    async def react(self, event: RecordedEvent) -> Reaction:
        experiment_id = str(event.data["experiment_id"])
        if event.type == "TeardownRequested":
            variants = [str(v) for v in event.data["variants"]]
            for variant in variants:
                await self.deployer.teardown(UUID(experiment_id), variant)
            return Reaction(
                commands=[
                    ("RecordTeardown", {"experiment_id": experiment_id, "variants": variants})
                ]
            )
        state = await load(self.store, experiment_id)
        if state.phase is not Phase.DEPLOYING:
            return Reaction()  # cancelled or failed before its turn came: deploy nothing
        commands: list[tuple[str, dict[str, object]]] = []
        for generated in state.configs:
            try:
                deployment = await self.deployer.deploy(
                    state.experiment_id, generated.variant, generated.config
                )
            except DeploymentError as exc:
                commands.append(
                    (
                        "RecordDeploymentFailed",
                        {
                            "experiment_id": experiment_id,
                            "variant": generated.variant,
                            "reason": str(exc),
                        },
                    )
                )
                break  # the experiment fails; the teardown takes down what did start
            commands.append(
                (
                    "RecordVariantDeployed",
                    {
                        "experiment_id": experiment_id,
                        "variant": generated.variant,
                        "details": deployment.details,
                    },
                )
            )
        return Reaction(commands=commands)

    async def recover(self, index: ExperimentIndex) -> int:
        """After a restart, bring back what was deployed for experiments still under way."""
        restored = 0
        for experiment_id in await index.in_phases([Phase.DEPLOYING, Phase.RUNNING]):
            state = await load(self.store, experiment_id)
            if state.phase not in (Phase.DEPLOYING, Phase.RUNNING):
                continue
            for generated in state.configs:
                if generated.variant in state.deployed:
                    try:
                        await self.deployer.deploy(
                            state.experiment_id, generated.variant, generated.config
                        )
                        restored += 1
                    except DeploymentError:
                        log.exception("could not restore %s/%s", experiment_id, generated.variant)
        return restored
