"""The rank test behind every verdict: exact one-sided Wilcoxon signed-rank p-values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    HOLDS = "holds"
    FAILS = "fails"
    UNSURE = "unsure"
    NOT_MEASURED = "not measured"


@dataclass(frozen=True)
class Check:
    outcome: Outcome
    reason: str


def doubled_midranks(values: Sequence[float]) -> list[int]:
    """Twice each value's rank, ties sharing the mean of their ranks (so every one is whole)."""
    order = sorted(range(len(values)), key=values.__getitem__)
    doubled = [0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            doubled[order[position]] = start + end + 2  # 2 x the mean of ranks start+1..end+1
        start = end + 1
    return doubled


def signed_rank_p(differences: Sequence[float]) -> tuple[float, float]:
    """One-sided p-values (greater, less) of the Wilcoxon signed-rank test, from the exact null
    distribution given the ties: every sign assignment of the midranks, counted by dynamic
    programming. Deterministic and fast for any number of intervals; where SciPy is exact (no
    ties, or up to 13 values) it gives the same figures, where it is not it draws an unseeded
    permutation test for seconds and answers differently each run.
    """
    nonzero = [d for d in differences if d != 0]
    doubled = doubled_midranks([abs(d) for d in nonzero])
    observed = sum(r for r, d in zip(doubled, nonzero, strict=True) if d > 0)
    ways = [1] + [0] * sum(doubled)  # ways[w]: sign assignments whose positive ranks sum to w
    for rank in doubled:
        for total in range(len(ways) - 1, rank - 1, -1):
            ways[total] += ways[total - rank]
    assignments = 2 ** len(doubled)
    return (
        sum(ways[observed:]) / assignments,
        sum(ways[: observed + 1]) / assignments,
    )


def rank_test(values: Sequence[float], threshold: float, alpha: float) -> tuple[Outcome, float]:
    """Is the typical value at or above ``threshold``? One-sided Wilcoxon signed-rank tests.

    Holds when every interval clears the threshold or the test says it does at ``alpha``;
    fails when none does or the test says it falls short; otherwise unsure.
    """
    differences = [v - threshold for v in values]
    nonzero = [d for d in differences if d != 0]
    if not nonzero:
        return Outcome.HOLDS, 0.0
    above, below = signed_rank_p(nonzero)
    if min(differences) >= 0 or above < alpha:
        return Outcome.HOLDS, above
    if max(differences) < 0 or below < alpha:
        return Outcome.FAILS, below
    return Outcome.UNSURE, min(above, below)
