"""Measure every template's series reduction on every profile, over several seeds.

The ranges it prints are what pipelines/templates/catalog.yaml records as expected_reduction.
Run: uv run python -m bench.template_reductions [--seeds 3]
"""

from __future__ import annotations

import argparse
import json

from gateway.pipeline_cli import DEFAULT_CRITICAL
from pipelines.catalog import catalog
from pipelines.estimate import estimate
from pipelines.evaluator import Evaluator
from pipelines.recommend import top_by_cpu
from pipelines.render import render_config
from simulator.fleet import Fleet
from simulator.profiles import PROFILES

SIZE = {
    "realistic": (10, 600),
    "high-cardinality": (2, 300),
    "high-churn": (10, 600),
    "chaos": (10, 600),
}
INTERVAL = 10


def measure(template: str, profile: str, seed: int) -> tuple[float, float]:
    hosts, duration = SIZE[profile]
    variables: dict[str, object] = {"critical_processes": DEFAULT_CRITICAL}
    if template == "process-topk-v1":
        warmup = Fleet(profile, hosts, seed=seed)
        observed = (b for _, bs in warmup.run(duration_s=120, interval_s=INTERVAL) for b in bs)
        variables["keep_command_lines"] = top_by_cpu(observed, 5)
    result = estimate(
        Fleet(profile, hosts, seed=seed).run(duration_s=duration, interval_s=INTERVAL),
        Evaluator(render_config(template, variables)),
        critical_processes=DEFAULT_CRITICAL,
        interval_nanos=INTERVAL * 1_000_000_000,
    )
    if result.critical_retention is None:
        raise RuntimeError(f"{template} on {profile} (seed {seed}): no critical process seen")
    return result.series_reduction, result.critical_retention


def main(seeds: int) -> None:
    ranges: dict[str, dict[str, list[float]]] = {}
    for template in catalog():
        for profile in PROFILES:
            runs = [measure(template, profile, seed) for seed in range(1, seeds + 1)]
            reductions = [r for r, _ in runs]
            retention = min(c for _, c in runs)
            ranges.setdefault(template, {})[profile] = [
                round(min(reductions), 3),
                round(max(reductions), 3),
            ]
            print(
                f"{template:27} {profile:17} reduction {min(reductions):6.1%} .. {max(reductions):6.1%}  critical retention {retention:.0%}",
                flush=True,
            )
    print(json.dumps(ranges))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    main(parser.parse_args().seeds)
