"""Survey statistics: Wilson intervals, raking to known margins, Kish's effective sample size."""

from __future__ import annotations

import math
from collections.abc import Mapping

Z_95 = 1.959963984540054  # two-sided 95 %


def wilson(share: float, n: float, z: float = Z_95) -> tuple[float, float]:
    """95 % Wilson score interval of a proportion observed on n answers (n may be an effective,
    non-integer size); (0, 1) when n is 0. Unlike share ± 1.96·√(share(1−share)/n), it stays within
    [0, 1] and is not empty at 0 % or 100 %."""
    if n <= 0:
        return 0.0, 1.0
    centre = (share + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(share * (1 - share) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


Cell = tuple[str, str]  # (profile, region)


def rake(cells: Mapping[Cell, float], margins: Mapping[str, Mapping[str, float]], iterations: int = 100,
         tolerance: float = 1e-9) -> dict[Cell, float]:
    """Weights per (profile, region) cell such that the weighted respondents match the known shares
    (`margins`: {"profile": {value: share}, "region": {value: share}}; either may be absent), by
    iterative proportional fitting. A weight is per respondent of its cell; they average 1. A cell
    whose value has no target keeps weight 0 for that dimension (it is not in the population)."""
    axes = {"profile": 0, "region": 1}
    unknown = set(margins) - set(axes)
    if unknown:
        raise ValueError(f"marges inconnues : {', '.join(sorted(unknown))} (profile, region)")
    total = sum(cells.values())
    weights = {cell: 1.0 for cell in cells}
    if total == 0:
        return weights
    for _ in range(iterations):
        moved = 0.0
        for name, target in margins.items():
            axis = axes[name]
            norm = sum(target.values())
            current: dict[str, float] = {}
            for cell, n in cells.items():
                current[cell[axis]] = current.get(cell[axis], 0.0) + n * weights[cell]
            for cell in cells:
                want = target.get(cell[axis], 0.0) / norm * total
                have = current[cell[axis]]
                new = weights[cell] * (want / have if have > 0 else 0.0)
                moved = max(moved, abs(new - weights[cell]))
                weights[cell] = new
        if moved < tolerance:
            break
    return weights


def effective_size(counts_and_weights: list[tuple[float, float]]) -> float:
    """Kish's effective sample size, (Σ n·w)² / Σ n·w², of groups of n respondents of weight w."""
    top = sum(n * w for n, w in counts_and_weights) ** 2
    bottom = sum(n * w * w for n, w in counts_and_weights)
    return top / bottom if bottom > 0 else 0.0
