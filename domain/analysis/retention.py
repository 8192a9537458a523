"""Which critical processes a candidate kept: compared only where a collector was sure to see them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from domain.analysis.windows import Slice, VariantWindow
from domain.telemetry.model import Attributes

# A critical process is compared only if the baseline saw it in at least this many intervals:
# it then lived through a whole interval (a collection interval or more) with a scrape of the
# baseline at each end, so every candidate scraping as often, at whatever phase, had a scrape
# while it lived. See ADR 0006 for the rule and the rates it was measured at.
COMPARABLE_INTERVALS = 3


@dataclass(frozen=True)
class Retention:
    """Critical processes the baseline saw: kept and lost by a candidate, or set aside."""

    kept: frozenset[Attributes]
    lost: frozenset[Attributes]
    set_aside: frozenset[Attributes]


def retention_of(
    baseline: VariantWindow, candidate: VariantWindow, *, at_least: int = COMPARABLE_INTERVALS
) -> Retention:
    """Which of the baseline's critical processes the candidate kept or lost, setting aside
    those too short-lived for a collector on its own clock to have been sure to see.
    """
    if baseline.intervals:
        seen = Counter(r for piece in baseline.intervals for r in piece.critical)
        compared = {r for r, n in seen.items() if n >= at_least}
    else:  # no intervals to tell lifetimes by: compare everything
        compared = set(baseline.critical)
    return Retention(
        kept=frozenset(compared & candidate.critical),
        lost=frozenset(compared - candidate.critical),
        set_aside=frozenset(baseline.critical - compared),
    )


def disappeared(
    baseline: list[Slice], candidate: list[Slice], *, confirm: int = 2
) -> set[Attributes]:
    """Critical processes the candidate reported, then missed for the last ``confirm`` intervals
    while the baseline, which saw them before too, went on reporting them: lost by the
    candidate, not ended on the host, nor too short-lived to compare (the guardrail's rule).
    """
    if len(candidate) <= confirm or len(baseline) != len(candidate):
        return set()
    seen: set[Attributes] = set()
    before: set[Attributes] = set()
    for mine, theirs in zip(candidate[:-confirm], baseline[:-confirm], strict=True):
        seen |= mine.critical
        before |= theirs.critical
    # As COMPARABLE_INTERVALS for the analysis: the baseline saw it before the last intervals
    # as well, so it lived long enough for any collector to be sure to see it.
    gone = seen & before
    for b, c in zip(baseline[-confirm:], candidate[-confirm:], strict=True):
        gone &= b.critical - c.critical
    return gone
