"""Survey statistics worked by hand."""

from __future__ import annotations

import math

import pytest

from sentinelle.concertation import stats


def test_wilson_interval() -> None:
    # Half of 100: centre 0.5, half-width 1.96·√(0.25/100 + 1.96²/40000) / (1 + 1.96²/100).
    z = stats.Z_95
    half = z * math.sqrt(0.25 / 100 + z * z / 40000) / (1 + z * z / 100)
    assert stats.wilson(0.5, 100) == pytest.approx((0.5 - half, 0.5 + half))
    assert stats.wilson(0.5, 100) == pytest.approx((0.4038, 0.5962), abs=1e-4)
    low, high = stats.wilson(0.0, 10)  # none of 10: not an empty interval
    assert low == 0.0 and high == pytest.approx(z * z / (10 + z * z))
    assert stats.wilson(0.3, 0) == (0.0, 1.0)


def test_raking_matches_the_margins() -> None:
    """3 patients and 1 professional, all in one region, against half and half: each patient weighs
    2/3, the professional 2 (the weighted respondents still number 4)."""
    weights = stats.rake({("patient", "84"): 3, ("professional", "84"): 1},
                         {"profile": {"patient": 0.5, "professional": 0.5}})
    assert weights == pytest.approx({("patient", "84"): 2 / 3, ("professional", "84"): 2})


def test_raking_on_two_dimensions_converges_to_both_margins() -> None:
    cells = {("patient", "84"): 30, ("patient", "11"): 10, ("citizen", "84"): 20, ("citizen", "11"): 40}
    margins = {"profile": {"patient": 0.3, "citizen": 0.7}, "region": {"84": 0.4, "11": 0.6}}
    weights = stats.rake(cells, margins)
    total = sum(cells.values())
    for axis, name in ((0, "profile"), (1, "region")):
        for value, share in margins[name].items():
            weighted = sum(n * weights[c] for c, n in cells.items() if c[axis] == value)
            assert weighted / total == pytest.approx(share, abs=1e-6)


def test_raking_refuses_an_unknown_margin() -> None:
    with pytest.raises(ValueError, match="age"):
        stats.rake({("patient", "84"): 1}, {"age": {"18-25": 1.0}})


def test_effective_size() -> None:
    """Kish: (3·2/3 + 1·2)² / (3·4/9 + 1·4) = 16 / (16/3) = 3."""
    assert stats.effective_size([(3, 2 / 3), (1, 2)]) == pytest.approx(3)
    assert stats.effective_size([(5, 1.0)]) == 5
