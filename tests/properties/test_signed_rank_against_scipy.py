"""The exact signed-rank p-values agree with SciPy's wherever SciPy is exact too."""

from __future__ import annotations

import random

import pytest

from domain.analysis.ranks import signed_rank_p


def test_the_signed_rank_p_values_equal_scipy_s_exact_ones_with_and_without_ties() -> None:
    from scipy.stats import wilcoxon  # the reference, for the tests only

    rng = random.Random(4)
    # SciPy enumerates every sign assignment up to 13 values; up to 9 keeps this test quick.
    for n in range(1, 10):
        for _ in range(8):
            values = [rng.choice([-0.2, -0.1, 0.1, 0.2, 0.3]) for _ in range(n)]
            values = [v + (rng.random() / 100 if rng.random() < 0.5 else 0) for v in values]
            greater, less = signed_rank_p(values)
            assert greater == pytest.approx(wilcoxon(values, alternative="greater").pvalue)
            assert less == pytest.approx(wilcoxon(values, alternative="less").pvalue)
