"""Deployment: run each variant's generated config through the Deployer port, and take it down."""

from __future__ import annotations

import logging
from uuid import UUID

from domain.experiment import commands as cmd
from domain.experiment import events as ev
from domain.experiment.phase import Phase
from domain.mapper import Occurred
from domain.messages import Command, Event
from handlers.experiment_state import load
from handlers.ports import Deployer, DeploymentError, EventStore, ExperimentIndex

log = logging.getLogger(__name__)


class DeploymentHandler:
    """ConfigsGenerated -> deploy every variant; TeardownRequested -> tear them down."""

    name = "deployment"
    event_types = (ev.ConfigsGenerated, ev.TeardownRequested)

    def __init__(self, store: EventStore, deployer: Deployer) -> None:
        self.store, self.deployer = store, deployer

    async def react(self, occurred: Occurred[Event]) -> list[Command]:
        match occurred.event:
            case ev.TeardownRequested(experiment_id=xid, variants=variants):
                for variant in variants:
                    await self.deployer.teardown(xid, variant)
                return [cmd.RecordTeardown(experiment_id=xid, variants=variants)]
            case ev.ConfigsGenerated(experiment_id=xid):
                return await self._deploy(xid)
        raise TypeError(f"{self.name} does not take {type(occurred.event).__name__}")

    async def _deploy(self, experiment_id: UUID) -> list[Command]:
        state = await load(self.store, experiment_id)
        if state.phase is not Phase.DEPLOYING:
            return []  # cancelled or failed before its turn came: deploy nothing
        commands: list[Command] = []
        for generated in state.configs:
            try:
                deployment = await self.deployer.deploy(
                    experiment_id, generated.variant, generated.config, target=state.spec.target
                )
            except DeploymentError as exc:
                commands.append(
                    cmd.RecordDeploymentFailed(
                        experiment_id=experiment_id, variant=generated.variant, reason=str(exc)
                    )
                )
                break  # the experiment fails; the teardown takes down what did start
            commands.append(
                cmd.RecordVariantDeployed(
                    experiment_id=experiment_id,
                    variant=generated.variant,
                    details=deployment.details,
                )
            )
        return commands

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
                            state.experiment_id,
                            generated.variant,
                            generated.config,
                            target=state.spec.target,
                        )
                        restored += 1
                    except DeploymentError:
                        log.exception("could not restore %s/%s", experiment_id, generated.variant)
        return restored
