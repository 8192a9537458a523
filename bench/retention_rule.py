"""How often the critical-retention rule errs when collectors scrape on their own clocks.

Not a speed benchmark: for each profile and seed, a baseline, a candidate that keeps every
critical process (priority-filter) and one that drops postgres (minimal without it) each scrape
the same simulated hosts at their own phase of every interval, as real collectors do; the
retention check then runs with each rule (compare every critical process the baseline saw, or
only those it saw in at least 2 or 3 intervals). A false reject is the keeping candidate judged
to lose one; a false accept is the dropping candidate judged to lose none, counted over the runs
whose baseline had a long-lived postgres to compare (some draws of hosts run no PostgreSQL).

    uv run python -m bench.retention_rule [--seeds 20] [--hosts 5] [--intervals 12]
"""

from __future__ import annotations

import argparse
import random

import yaml

from domain.analysis.retention import retention_of
from domain.analysis.windows import Slice, VariantWindow
from domain.telemetry.model import Attributes, resource_value
from pipelines.evaluator import Evaluator
from pipelines.render import render
from simulator.fleet import EPOCH, Fleet

CRITICAL = ["^postgres$", "^mysqld$", "^redis-server$", "^mongod$", "^nginx$"]
WITHOUT_POSTGRES = [p for p in CRITICAL if p != "^postgres$"]
INTERVAL_S = 10
RULES = {"every process": 1, "seen in >= 2 intervals": 2, "seen in >= 3 intervals": 3}


def variants() -> dict[str, Evaluator]:
    def config(template: str, critical: list[str]) -> Evaluator:
        variables = {"collection_interval": f"{INTERVAL_S}s", "critical_processes": critical}
        return Evaluator(yaml.safe_load(render(template, variables)))

    return {
        "baseline": config("process-baseline-v1", CRITICAL),
        "keeps": config("process-priority-filter-v1", CRITICAL),
        "drops-postgres": config("process-minimal-v1", WITHOUT_POSTGRES),
    }


def critical(resource: Attributes) -> bool:
    name = str(resource_value(resource, "process.executable.name"))
    return any(name == p.strip("^$") for p in CRITICAL)


def windows(profile: str, seed: int, hosts: int, intervals: int) -> dict[str, VariantWindow]:
    fleet = Fleet(
        profile, hosts, seed=seed, processes=200 if profile == "high-cardinality" else None
    )
    rng = random.Random(f"phases/{profile}/{seed}")
    evaluators = variants()
    phases = {name: rng.randrange(INTERVAL_S * 1000) * 1_000_000 for name in evaluators}
    pieces: dict[str, list[set[Attributes]]] = {name: [] for name in evaluators}
    for k in range(intervals):
        start = EPOCH + k * INTERVAL_S * 1_000_000_000
        for name in sorted(evaluators, key=phases.__getitem__):
            seen: set[Attributes] = set()
            for batch in fleet.scrape(start + phases[name]):
                seen |= {rm.resource for rm in evaluators[name].run(batch) if critical(rm.resource)}
            pieces[name].append(seen)
    return {
        name: VariantWindow(
            series=0,
            datapoints=0,
            critical=frozenset(set().union(*sets)),
            intervals=tuple(Slice(0, 0, frozenset(s)) for s in sets),
        )
        for name, sets in pieces.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=5)
    parser.add_argument("--intervals", type=int, default=12)
    args = parser.parse_args()
    print(f"{args.seeds} seeds x {args.hosts} hosts x {args.intervals} intervals of {INTERVAL_S}s")
    print(
        f"{'profile':<18}{'rule':<26}{'false reject':>14}{'false accept':>14}{'set aside/run':>15}"
    )
    for profile in ("realistic", "chaos", "high-churn", "high-cardinality"):
        runs = [
            windows(profile, seed, args.hosts, args.intervals) for seed in range(1, args.seeds + 1)
        ]
        for label, at_least in RULES.items():
            false_reject = false_accept = with_postgres = set_aside = 0
            for run in runs:
                keeps = retention_of(run["baseline"], run["keeps"], at_least=at_least)
                drops = retention_of(run["baseline"], run["drops-postgres"], at_least=at_least)
                false_reject += bool(keeps.lost)
                compared = keeps.kept | keeps.lost
                if any(
                    resource_value(r, "process.executable.name") == "postgres" for r in compared
                ):
                    with_postgres += 1  # a dropping candidate had something to lose
                    false_accept += not drops.lost
                set_aside += len(keeps.set_aside)
            print(
                f"{profile:<18}{label:<26}{false_reject:>9}/{len(runs):<4}"
                f"{false_accept:>9}/{with_postgres:<4}{set_aside / len(runs):>15.1f}"
            )


if __name__ == "__main__":
    main()
