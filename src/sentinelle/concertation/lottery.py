"""The assembly's draw by lot, stratified and reproducible: anyone holding the published seed and the
published list of volunteers gets the same members.

Seats are shared out among the strata (profile × region) in proportion to their target shares by the
largest-remainder method (Hamilton), never more than a stratum has volunteers (what is left over goes
to the strata with volunteers to spare, again by largest remainder). Within a stratum, volunteers are
ranked by SHA-256 of "seed:volunteer id" and the first ones are drawn. Renewal by half: at the end of a
term, the members who leave are drawn the same way among the sitting members (the longest-serving half
leave; ties among those who started the same year are broken by the lot)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Volunteer:
    id: str
    profile: str
    region: str


def rank(seed: str, identifier: str) -> str:
    """The lot of one volunteer: a hash anyone can compute from the published seed."""
    return hashlib.sha256(f"{seed}:{identifier}".encode()).hexdigest()


def _hamilton(seats: int, shares: Mapping[tuple[str, str], Fraction], room: Mapping[tuple[str, str], int]
              ) -> dict[tuple[str, str], int]:
    """Seats per stratum in proportion to `shares` (largest remainders, ties by stratum name), capped by
    `room`; seats a full stratum cannot take go round again among the others."""
    quota = {s: 0 for s in shares}
    left = seats
    while left > 0:
        open_ = {s: w for s, w in shares.items() if quota[s] < room.get(s, 0) and w > 0}
        if not open_:
            break
        total = sum(open_.values())
        exact = {s: Fraction(left) * w / total for s, w in open_.items()}
        given = {s: min(int(exact[s]), room[s] - quota[s]) for s in open_}
        remaining = left - sum(given.values())
        for s in sorted(open_, key=lambda s: (-(exact[s] - int(exact[s])), s)):
            if remaining == 0:
                break
            if quota[s] + given[s] < room[s]:
                given[s] += 1
                remaining -= 1
        for s, n in given.items():
            quota[s] += n
        if sum(given.values()) == 0:
            break
        left -= sum(given.values())
    return quota


def draw(volunteers: Sequence[Volunteer], seats: int, seed: str,
         targets: Mapping[tuple[str, str], float] | None = None) -> list[Volunteer]:
    """`seats` members drawn from `volunteers`, stratified by (profile, region) in proportion to
    `targets` (shares of the population; default: each stratum's share of the volunteers). The order
    of `volunteers` does not matter; duplicate ids are refused."""
    if seats < 0:
        raise ValueError("seats must be positive")
    ids = [v.id for v in volunteers]
    if len(set(ids)) != len(ids):
        raise ValueError("duplicate volunteer ids")
    by_stratum: dict[tuple[str, str], list[Volunteer]] = {}
    for v in volunteers:
        by_stratum.setdefault((v.profile, v.region), []).append(v)
    shares = {s: Fraction(len(vs)) for s, vs in by_stratum.items()} if targets is None else {
        s: Fraction(str(targets.get(s, 0))) for s in by_stratum}
    quota = _hamilton(min(seats, len(volunteers)), shares, {s: len(vs) for s, vs in by_stratum.items()})
    chosen = []
    for s, vs in by_stratum.items():
        chosen += sorted(vs, key=lambda v: rank(seed, v.id))[:quota[s]]
    return sorted(chosen, key=lambda v: rank(seed, v.id))


def leaving(members: Sequence[tuple[str, int]], seed: str) -> list[str]:
    """Renewal by half: of the sitting members (id, year their term began), the half that leaves —
    the longest-serving first, the lot deciding among those who began the same year."""
    order = sorted(members, key=lambda m: (m[1], rank(seed, m[0])))
    return [m[0] for m in order[:len(members) // 2]]
