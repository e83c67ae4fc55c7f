"""The assembly's draw by lot: reproducible from the published seed, stratified, renewed by half."""

from __future__ import annotations

import hashlib
import random
from collections import Counter

import pytest

from sentinelle.concertation import lottery
from sentinelle.concertation.lottery import Volunteer

PROFILES = ("patient", "carer", "professional", "industry", "citizen")


def volunteers(n: int, seed: int = 0) -> list[Volunteer]:
    rng = random.Random(seed)
    return [Volunteer(f"v{i}", rng.choice(PROFILES), rng.choice(("11", "84", "93"))) for i in range(n)]


def test_anyone_can_redo_the_draw() -> None:
    pool = volunteers(2000)
    first = lottery.draw(pool, 300, "tirage-2026-seed-7f3a")
    shuffled = random.Random(5).sample(pool, len(pool))
    assert [v.id for v in lottery.draw(shuffled, 300, "tirage-2026-seed-7f3a")] == [v.id for v in first]
    assert [v.id for v in lottery.draw(pool, 300, "another seed")] != [v.id for v in first]
    # The lot of a volunteer is a plain SHA-256 anyone can compute.
    assert lottery.rank("s", "v1") == hashlib.sha256(b"s:v1").hexdigest()


def test_strata_get_their_share_by_largest_remainder() -> None:
    """Targets 1/2, 1/3, 1/6 of 10 seats: 5, 3.33, 1.67 → 5, 3, 2 (the largest remainder takes the last)."""
    pool = [Volunteer(f"{p}{i}", p, "11") for p in ("patient", "carer", "citizen") for i in range(20)]
    chosen = lottery.draw(pool, 10, "x", targets={("patient", "11"): 0.5, ("carer", "11"): 1 / 3,
                                                   ("citizen", "11"): 1 / 6})
    assert Counter(v.profile for v in chosen) == {"patient": 5, "carer": 3, "citizen": 2}


def test_a_small_stratum_gives_its_seats_to_the_others() -> None:
    pool = [Volunteer("p0", "patient", "11")] + [Volunteer(f"c{i}", "citizen", "11") for i in range(20)]
    chosen = lottery.draw(pool, 10, "x", targets={("patient", "11"): 0.5, ("citizen", "11"): 0.5})
    assert Counter(v.profile for v in chosen) == {"patient": 1, "citizen": 9}
    assert len(lottery.draw(pool, 100, "x")) == 21  # no more seats than volunteers


def test_duplicates_are_refused() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        lottery.draw([Volunteer("a", "patient", "11"), Volunteer("a", "carer", "11")], 1, "x")


def test_half_leaves_the_longest_serving_first() -> None:
    members = [("a", 2026), ("b", 2026), ("c", 2026), ("d", 2027), ("e", 2027), ("f", 2027)]
    out = lottery.leaving(members, "renouvellement-2028")
    assert len(out) == 3 and set(out) == {"a", "b", "c"}
    first_year = [(f"m{i}", 2026) for i in range(300)]
    half = lottery.leaving(first_year, "renouvellement-2027")
    assert len(half) == 150 and half == lottery.leaving(list(reversed(first_year)), "renouvellement-2027")
