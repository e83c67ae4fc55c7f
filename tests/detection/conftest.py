from __future__ import annotations

from pathlib import Path

import pytest

from sentinelle.detection.simulate import Config, simulate


@pytest.fixture(scope="session")
def small_sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated history with its ground truth (about 100,000 order lines)."""
    out = tmp_path_factory.mktemp("sim")
    simulate(Config(establishments=40, products=80, days=500, seed=7), out)
    return out


@pytest.fixture(scope="session")
def every_path_sim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated history whose alerts come from every path: slow, pooled (two regional distributors
    failing) and fast."""
    out = tmp_path_factory.mktemp("sim-every-path")
    simulate(Config(establishments=40, products=80, days=500, seed=1, distributors=2), out)
    return out
