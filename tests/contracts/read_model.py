"""What every read model must answer the API: experiments, results, audit trails, command outcomes."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from domain.messages import CommandEnvelope, CommandMetadata
from domain.pipeline.decide import sha256_of
from handlers.clock import FixedClock
from handlers.command_handler import CommandHandler
from pipelines.render import render
from projections.read_model import ReadModel
from tests.contracts.experiments import VARIANTS, Seeded, experiment, registered
from tests.identities import EVERYONE

AT = datetime(2029, 9, 8, 7, 6, 5, tzinfo=UTC)
ONE = render("process-aggregated-v1")
TWO = render("process-topk-v1")


Readable = Seeded[ReadModel]


class ReadModelContract:
    """Subclass with a ``readable`` fixture over an empty store."""

    async def test_experiments_are_listed_newest_first_by_phase_and_by_page(
        self, readable: Readable
    ) -> None:
        older = await experiment(readable.store, at=AT)
        newer = await experiment(readable.store, at=AT.replace(year=2030), completed=True)
        await readable.catch_up()
        items, total = await readable.of.list_experiments(phase=None, limit=10, offset=0)
        assert ([i["experiment_id"] for i in items], total) == ([newer, older], 2)
        assert items[0]["phase"] == "Completed" and items[0]["name"] == "contract"
        assert items[0]["verdicts"] == [
            {"variant": VARIANTS[1], "verdict": "reject", "series_reduction": None}
        ]
        assert items[1]["verdicts"] == []  # not analysed yet
        running, total = await readable.of.list_experiments(phase="Running", limit=10, offset=0)
        assert ([i["experiment_id"] for i in running], total) == ([older], 1)
        page, total = await readable.of.list_experiments(phase=None, limit=1, offset=1)
        assert ([i["experiment_id"] for i in page], total) == ([older], 2)

    async def test_an_experiment_has_its_phases_in_order_and_who_created_it(
        self, readable: Readable
    ) -> None:
        xid = await experiment(readable.store, at=AT, completed=True)
        await readable.catch_up()
        found = await readable.of.get_experiment(xid)
        assert found is not None
        assert [p["phase"] for p in found["phase_history"]] == [
            "Pending",
            "Initializing",
            "Deploying",
            "Running",
            "Analyzing",
            "Completed",
        ]
        assert found["created_by"] == "t" and found["created_at"] == AT
        assert await readable.of.get_experiment(uuid4()) is None

    async def test_the_audit_trail_pages_a_stream_by_version(self, readable: Readable) -> None:
        xid = await experiment(readable.store, at=AT)
        await readable.catch_up()
        stream = f"experiment-{xid}"
        first = await readable.of.stream_audit(stream, after_version=0, limit=2)
        assert [(e["version"], e["type"]) for e in first] == [
            (1, "ExperimentCreated"),
            (2, "ExperimentStarted"),
        ]
        rest = await readable.of.stream_audit(stream, after_version=2, limit=100)
        assert rest[0]["version"] == 3 and rest[0]["actor"] == "t"
        assert rest[0]["command_id"] is not None

    async def test_a_command_is_accepted_with_its_events_or_rejected_with_the_reason(
        self, readable: Readable
    ) -> None:
        handler = CommandHandler(readable.store, FixedClock(AT))
        refused = CommandEnvelope(
            command_id=uuid4(),
            type="StartExperiment",
            data={"experiment_id": str(uuid4())},
            metadata=CommandMetadata(actor="t"),
        )
        await handler.handle(refused, EVERYONE)
        xid = await experiment(readable.store, at=AT)
        await readable.catch_up()
        rejected = await readable.of.command_outcome(refused.command_id)
        assert rejected is not None
        assert (rejected["outcome"], rejected["events"]) == ("rejected", 0)
        assert "does not exist" in rejected["reason"]
        [started] = await readable.of.stream_audit(f"experiment-{xid}", after_version=1, limit=1)
        accepted = await readable.of.command_outcome(started["command_id"])
        assert accepted is not None
        assert (accepted["outcome"], accepted["events"]) == ("accepted", 1)
        assert accepted["stream_id"] == f"experiment-{xid}"
        assert await readable.of.command_outcome(uuid4()) is None

    async def test_results_show_each_variant_and_are_available_once_judged(
        self, readable: Readable
    ) -> None:
        running = await experiment(readable.store, at=AT)
        judged = await experiment(readable.store, at=AT, completed=True)
        await readable.catch_up()
        before = await readable.of.experiment_results(running)
        assert before is not None and before["available"] is False
        assert [v["variant"] for v in before["variants"]] == list(VARIANTS)
        assert before["variants"][0]["role"] == "baseline"
        after = await readable.of.experiment_results(judged)
        assert after is not None and after["available"] is True
        assert after["variants"][1]["verdict"] == "reject"
        assert after["phase"] == "Completed"
        assert await readable.of.experiment_results(uuid4()) is None

    async def test_a_variant_has_its_config_and_deployment(self, readable: Readable) -> None:
        xid = await experiment(readable.store, at=AT)
        await readable.catch_up()
        found = await readable.of.variant(xid, VARIANTS[1])
        assert found is not None
        assert found["role"] == "candidate" and found["config_sha256"] == "0" * 64
        assert found["deployed_at"] == AT and found["deployment"] == {}
        assert await readable.of.variant(xid, "nobody") is None

    async def test_pipelines_are_listed_by_name_with_their_latest_version(
        self, readable: Readable
    ) -> None:
        await registered(readable.store, "zeta", [ONE], at=AT)
        await registered(readable.store, "alpha", [ONE, TWO], at=AT, deprecated="old")
        await readable.catch_up()
        items, total = await readable.of.list_pipelines(limit=10, offset=0)
        assert [(i["name"], i["latest_version"], i["deprecated"]) for i in items] == [
            ("alpha", 2, "old"),
            ("zeta", 1, None),
        ]
        assert total == 2 and items[1]["created_by"] == "t"
        page, _ = await readable.of.list_pipelines(limit=1, offset=1)
        assert [i["name"] for i in page] == ["zeta"]

    async def test_a_pipeline_has_its_versions_and_each_version_its_config(
        self, readable: Readable
    ) -> None:
        await registered(readable.store, "prod", [ONE, TWO], at=AT)
        await readable.catch_up()
        found = await readable.of.get_pipeline("prod")
        assert found is not None
        assert [(v["version"], v["sha256"]) for v in found["versions"]] == [
            (1, sha256_of(ONE)),
            (2, sha256_of(TWO)),
        ]
        assert "config" not in found["versions"][0]
        second = await readable.of.pipeline_version("prod", 2)
        assert second is not None and second["config"] == TWO
        assert second["validated_by"] == ["phoenix validator"]
        assert await readable.of.pipeline_version("prod", 3) is None
        assert await readable.of.get_pipeline("nobody") is None

    async def test_a_promoted_version_says_which_experiment_promoted_it(
        self, readable: Readable
    ) -> None:
        xid = uuid4()
        await registered(readable.store, "prod", [ONE, TWO], at=AT, promoted_by=xid)
        await readable.catch_up()
        found = await readable.of.get_pipeline("prod")
        assert found is not None and found["promoted_version"] == 2
        assert [v["promoted_from"] for v in found["versions"]] == [
            None,
            {"experiment_id": str(xid), "variant": "candidate", "commit_id": None},
        ]

    async def test_a_version_names_the_experiments_that_ran_it_with_their_verdicts(
        self, readable: Readable
    ) -> None:
        await registered(readable.store, "prod", [ONE, TWO], at=AT)
        xid = await experiment(readable.store, at=AT, completed=True, pipeline="prod@2")
        await readable.catch_up()
        second = await readable.of.pipeline_version("prod", 2)
        assert second is not None
        assert second["used_by"] == [
            {
                "experiment_id": xid,
                "name": "contract",
                "phase": "Completed",
                "variant": VARIANTS[1],
                "role": "candidate",
                "verdict": "reject",
            }
        ]
        first = await readable.of.pipeline_version("prod", 1)
        assert first is not None and first["used_by"] == []
        variant = await readable.of.variant(xid, VARIANTS[1])
        assert variant is not None
        assert (variant["pipeline"], variant["pipeline_sha256"]) == ("prod@2", sha256_of(TWO))
