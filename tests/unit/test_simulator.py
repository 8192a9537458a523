"""The simulator is deterministic, true to its profiles, and knows its ground truth."""

from __future__ import annotations

import pytest

from domain.telemetry.model import resource_value, series_of
from simulator.fleet import Fleet
from simulator.process import NANOS
from simulator.scrape import ALL_METRICS


def snapshot(fleet: Fleet) -> list[tuple[object, ...]]:
    return [
        s
        for _, batches in fleet.run(duration_s=30, interval_s=10)
        for b in batches
        for s in series_of(b)
    ]


def test_the_same_seed_gives_the_same_telemetry_and_another_seed_does_not() -> None:
    assert snapshot(Fleet("chaos", 2, seed=9)) == snapshot(Fleet("chaos", 2, seed=9))
    assert snapshot(Fleet("chaos", 2, seed=9)) != snapshot(Fleet("chaos", 2, seed=10))


def test_process_identity_is_on_the_resource_and_metric_names_are_the_scrapers() -> None:
    [[batch]] = [
        b
        for _, b in Fleet("realistic", 1, seed=1, metrics=ALL_METRICS).run(
            duration_s=10, interval_s=10
        )
    ]
    rm = batch[0]
    keys = {k for k, _ in rm.resource}
    assert {
        "process.pid",
        "process.parent_pid",
        "process.executable.name",
        "process.executable.path",
        "process.command",
        "process.command_line",
        "process.owner",
        "host.name",
    } <= keys
    assert {m.name for m in rm.metrics} == set(ALL_METRICS)
    cpu = next(m for m in rm.metrics if m.name == "process.cpu.time")
    assert sorted(dict(p.attributes)["state"] for p in cpu.points) == ["system", "user", "wait"]


def test_each_process_is_stamped_a_little_apart_like_the_real_scraper() -> None:
    [[batch]] = [b for _, b in Fleet("realistic", 1, seed=1).run(duration_s=10, interval_s=10)]
    times = {rm.metrics[0].points[0].time_unix_nano for rm in batch}
    assert len(times) == len(batch)


def test_high_cardinality_hosts_run_one_to_two_thousand_processes_with_unique_command_lines() -> (
    None
):
    fleet = Fleet("high-cardinality", 2, seed=4)
    for host in fleet.hosts:
        assert 1000 <= len(host.processes) <= 2100
        lines = [
            p.command_line for p in host.processes.values() if p.archetype.category == "worker"
        ]
        assert len(lines) == len(set(lines))


def test_high_churn_starts_twenty_to_thirty_processes_a_second() -> None:
    fleet = Fleet("high-churn", 1, seed=2)
    host = fleet.hosts[0]
    before = host.next_pid
    list(fleet.run(duration_s=60, interval_s=10))
    assert 20 * 60 * 0.9 <= host.flash_started <= 30 * 60 * 1.1
    assert host.next_pid - before > 20 * 60


START = 1_900_000_000 * NANOS  # any moment: the fleet's clock is its own


def test_what_a_scrape_sees_does_not_depend_on_who_scraped_before() -> None:
    """Scraped once an interval, or three times at other moments too: at the same moment the
    same short-lived processes are alive, in number within noise.
    """
    alone = Fleet("high-churn", 3, seed=11, start=START)
    crowded = Fleet("high-churn", 3, seed=11, start=START)
    seen_alone = seen_crowded = 0
    for k in range(1, 13):
        at = START + k * 10 * NANOS
        seen_alone += sum(len(b) for b in alone.scrape(at + 4 * NANOS))
        crowded.scrape(at + 1 * NANOS)
        seen_crowded += sum(len(b) for b in crowded.scrape(at + 4 * NANOS))
        crowded.scrape(at + 7 * NANOS)
    assert abs(seen_crowded - seen_alone) / seen_alone < 0.02


def test_ground_truth_names_the_critical_processes_alive() -> None:
    fleet = Fleet("realistic", 3, seed=2)
    [[*batches]] = [b for _, b in fleet.run(duration_s=10, interval_s=10)]
    seen = {
        resource_value(rm.resource, "process.pid")
        for b in batches
        for rm in b
        if resource_value(rm.resource, "process.executable.name") == "postgres"
    }
    assert {p.pid for p in fleet.critical(["^postgres$"])} == seen


def test_simulated_pids_are_never_reused_while_alive_and_systemd_is_pid_1() -> None:
    fleet = Fleet("high-churn", 1, seed=5)
    host = fleet.hosts[0]
    assert host.processes[1].executable_name == "systemd"
    host.next_pid = 4_194_300  # about to wrap
    for _, [batch] in fleet.run(duration_s=30, interval_s=10):
        pids = [resource_value(rm.resource, "process.pid") for rm in batch]
        assert len(pids) == len(set(pids))
    assert 1 in host.processes


def test_processes_already_running_at_boot_carry_their_whole_lifetimes_cpu() -> None:
    fleet = Fleet("realistic", 1, seed=2)
    systemd = fleet.hosts[0].processes[1]
    age = (fleet.hosts[0].now - systemd.started_at) / 1e9
    lifetime_cores = (systemd.cpu_user + systemd.cpu_system + systemd.cpu_wait) / age
    assert lifetime_cores == pytest.approx(systemd.cpu_cores, rel=0.9)
