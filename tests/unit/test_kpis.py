"""Phoenix's KPIs on /metrics come from the read model: experiments by phase, verdicts, each
experiment's figures per variant, and what the alert rules watch.
"""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.memory.event_store import InMemoryEventStore
from adapters.memory.read_model import InMemoryReadModel
from adapters.metrics import Metrics
from gateway.api.kpis import refresh_kpis
from tests.contracts.experiments import experiment

AT = datetime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)


async def test_a_running_and_a_completed_experiment_show_in_the_kpis() -> None:
    store = InMemoryEventStore()
    running = str(await experiment(store, at=AT, seconds=600))
    done = str(await experiment(store, at=AT, seconds=60, completed=True))
    metrics = Metrics()

    await refresh_kpis(InMemoryReadModel(store), metrics)

    def value(name: str, **labels: str) -> float | None:
        return metrics.registry.get_sample_value(name, labels)

    assert value("phoenix_experiments", phase="Running") == 1
    assert value("phoenix_experiments", phase="Completed") == 1
    assert value("phoenix_candidate_verdicts", verdict="reject") == 1
    # The running one: since when it runs, when its window ends, its collectors' budget.
    entered = "phoenix_experiment_phase_entered_timestamp_seconds"
    assert value(entered, experiment=running, phase="Running") == AT.timestamp()
    ends = "phoenix_experiment_window_end_timestamp_seconds"
    assert value(ends, experiment=running) == AT.timestamp() + 600
    assert value("phoenix_experiment_collector_cpu_budget_cores", experiment=running) == 0.05
    # The completed one left the unfinished gauges; its figures were not measured (a bare
    # verdict), so none is exposed rather than zeros.
    assert value(entered, experiment=done, phase="Completed") is None
    reduction = "phoenix_pipeline_cardinality_reduction_ratio"
    assert value(reduction, experiment=done, variant="candidate") is None
    assert value("phoenix_guardrail_trips") == 0
