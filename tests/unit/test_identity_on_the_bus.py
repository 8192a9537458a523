"""The command worker decides as the verified sender of each command, never as the command claims."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from adapters.auth.local_key import LocalKey
from adapters.measured_intervals import nanos
from domain.command_log import command_stream
from domain.experiment import commands as cmd
from domain.experiment.phase import Phase, Verdict
from domain.identity import Role
from domain.ids import derived_id
from domain.mapper import to_envelope
from domain.messages import Command, CommandMetadata, RecordedEvent
from handlers.lifecycle import SETTLE
from simulator.fleet import Fleet
from tests.identities import token
from tests.in_memory import InMemoryPhoenix, experiment_id, in_memory_phoenix
from tests.unit.test_whole_lifecycle import INTERVAL, create

NOW = datetime(2031, 5, 4, 3, 2, 1, tzinfo=UTC)  # any date: nothing here reads the wall clock


async def send_raw(
    world: InMemoryPhoenix, command: Command, signed: str | None, **claims: object
) -> UUID:
    """Publish on the bus as a program would: with ``signed`` (or no token), claiming ``claims``."""
    command_id = uuid4()
    metadata = CommandMetadata.model_validate(claims)
    await world.bus.send(
        to_envelope(command, command_id=command_id, metadata=metadata), token=signed
    )
    await world.settled()
    return command_id


async def rejection(world: InMemoryPhoenix, command_id: UUID) -> RecordedEvent:
    [rejected] = await world.store.read_stream(command_stream(command_id))
    assert rejected.type == "CommandRejected"
    return rejected


async def test_a_command_without_a_token_is_rejected_with_a_reason_the_sender_can_read() -> None:
    async with in_memory_phoenix(NOW) as world:
        xid = experiment_id("no token")
        command_id = await send_raw(world, create(xid), None, actor="alice", roles=["admin"])
        rejected = await rejection(world, command_id)
        assert "no bearer token came with the command" in rejected.data["reason"]
        assert rejected.metadata.actor == "unauthenticated"  # not what the command claimed
        assert await world.store.read_stream(f"experiment-{xid}") == []


async def test_a_forged_or_expired_token_changes_nothing() -> None:
    async with in_memory_phoenix(NOW) as world:
        xid = experiment_id("forged")
        forged = token("alice", Role.ADMIN, now=NOW, key=LocalKey.generate())
        expired = token("alice", Role.ADMIN, now=NOW - timedelta(hours=3))
        for signed in (forged, expired, "not.a.token"):
            command_id = await send_raw(world, create(xid), signed)
            reason = (await rejection(world, command_id)).data["reason"]
            assert reason.startswith("not authenticated: the bearer token is missing or not valid")
        assert await world.store.read_stream(f"experiment-{xid}") == []


async def test_a_viewer_cannot_create_and_a_claimed_admin_role_in_the_metadata_changes_nothing() -> (
    None
):
    async with in_memory_phoenix(NOW) as world:
        xid = experiment_id("viewer")
        viewer = token("victor", Role.VIEWER, now=NOW)
        command_id = await send_raw(world, create(xid), viewer, actor="root", roles=["admin"])
        rejected = await rejection(world, command_id)
        assert "needs the operator role; victor has viewer" in rejected.data["reason"]
        assert rejected.metadata.actor == "victor"


async def test_an_operator_cannot_forge_a_verdict_to_promote_two_seconds_into_an_hour() -> None:
    """The attack the service identity closes: close the window early, then record a promote."""
    async with in_memory_phoenix(NOW) as world:
        xid = experiment_id("forged verdict")
        spec = create(xid).model_copy(update={"duration_seconds": 3600})
        await world.start(spec)
        operator = token("mallory", Role.OPERATOR, now=NOW)
        admin = token("root", Role.ADMIN, now=NOW)
        closed = await send_raw(world, cmd.CloseObservationWindow(experiment_id=xid), operator)
        verdict = cmd.RecordAnalysis(
            experiment_id=xid,
            results=(cmd.VariantResult(variant="aggregated", verdict=Verdict.PROMOTE),),
        )
        recorded = await send_raw(world, verdict, admin)
        for command_id in (closed, recorded):
            reason = (await rejection(world, command_id)).data["reason"]
            assert "sent only by Phoenix's own handlers" in reason
        assert (await world.state(xid)).phase is Phase.RUNNING


async def test_the_log_of_a_whole_experiment_names_who_really_did_each_step() -> None:
    xid = experiment_id("who did what")
    async with in_memory_phoenix(NOW) as world:
        await world.start(create(xid))  # as alice, an operator
        start = nanos(NOW)
        fleet = Fleet("realistic", 1, seed=3, start=start - 60 * 1_000_000_000)
        for k in range(12):
            await world.deployer.scrape_each(fleet, start + int(k * INTERVAL * 1e9), INTERVAL)
        await world.close_windows(timedelta(seconds=3) + SETTLE)
        override = cmd.PromoteVariant(
            experiment_id=xid, variant="drops-redis", override=True, override_reason="tested"
        )
        await world.send(override, actor="root", roles=(Role.ADMIN,))
        history = await world.store.read_stream(f"experiment-{xid}")
    actors = {(e.type, e.metadata.actor) for e in history}
    assert {
        ("ExperimentCreated", "alice"),
        ("ExperimentStarted", "alice"),
        ("ConfigsGenerated", "reactor:config-generation"),
        ("VariantDeployed", "reactor:deployment"),
        ("ObservationWindowClosed", "scheduler:lifecycle"),
        ("AnalysisRecorded", "reactor:analysis"),
        ("PromotionRequested", "root"),
        ("VariantPromoted", "reactor:promotion"),
    } <= actors, sorted(actors)
    assert {actor for _, actor in actors} <= {
        "alice",
        "root",
        "reactor:config-generation",
        "reactor:deployment",
        "reactor:analysis",
        "reactor:promotion",
        "reactor:lifecycle",
        "scheduler:lifecycle",
    }


async def test_an_override_needs_an_admin_token_whatever_the_metadata_says() -> None:
    xid = experiment_id("override")
    async with in_memory_phoenix(NOW) as world:
        await world.start(create(xid))
        await world.close_windows(timedelta(seconds=3) + SETTLE)
        override = cmd.PromoteVariant(
            experiment_id=xid, variant="drops-redis", override=True, override_reason="trust me"
        )
        operator = token("mallory", Role.OPERATOR, now=world.clock.now())
        command_id = await send_raw(world, override, operator, actor="root", roles=["admin"])
        refused = (await rejection(world, command_id)).data
        assert refused["reason"] == (
            "forbidden: PromoteVariant with override (against the verdict) needs the admin "
            "role; mallory has operator, viewer"
        )
        assert refused["target_stream"] == f"experiment-{xid}"


async def test_nobody_can_take_the_id_of_a_command_phoenix_will_send_before_it_does() -> None:
    """The scheduler's ids are derived from the experiment's: without a secret, anyone could send
    a command with the id of its CloseObservationWindow first, and the window would never close.
    """
    xid = experiment_id("squatted")
    async with in_memory_phoenix(NOW) as world:
        await world.start(create(xid))
        predictable = derived_id("scheduler", "CloseObservationWindow", xid)
        squatter = token("mallory", Role.OPERATOR, now=NOW)
        other = create(experiment_id("decoy"))
        await world.bus.send(
            to_envelope(other, command_id=predictable, metadata=CommandMetadata()), token=squatter
        )
        await world.bus.send(
            to_envelope(
                cmd.CloseObservationWindow(experiment_id=xid),
                command_id=derived_id("reaction", "analysis", xid),
                metadata=CommandMetadata(),
            ),
            token=None,
        )
        await world.settled()
        assert await world.close_windows(timedelta(seconds=3) + SETTLE) == [xid]
        assert (await world.state(xid)).phase is Phase.COMPLETED
