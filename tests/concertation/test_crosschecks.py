"""Our statistics against well-kept libraries computing the same thing (issue 15, point 10): the
Wilson interval against statsmodels, Pol.is's silhouette against scikit-learn's."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import pairwise_distances, silhouette_score
from statsmodels.stats.proportion import proportion_confint

from sentinelle.concertation.kmeans import silhouette
from sentinelle.concertation.stats import wilson


@given(n=st.integers(min_value=1, max_value=100_000), data=st.data())
def test_wilson_matches_statsmodels(n: int, data: st.DataObject) -> None:
    count = data.draw(st.integers(min_value=0, max_value=n))
    low, high = wilson(count / n, n)
    ref_low, ref_high = proportion_confint(count, n, alpha=0.05, method="wilson")
    assert abs(low - ref_low) < 1e-9 and abs(high - ref_high) < 1e-9


@settings(max_examples=60, deadline=None)
@given(n=st.integers(min_value=3, max_value=40), k=st.integers(min_value=2, max_value=5), seed=st.integers(0, 2**32 - 1))
def test_silhouette_matches_scikit_learn(n: int, k: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(n, 3))
    labels = rng.integers(0, min(k, n - 1), size=n)
    labels[: 2] = [0, 1]  # at least two clusters, as scikit-learn requires
    _, labels = np.unique(labels, return_inverse=True)  # labels 0..k-1 with none empty
    if len(set(labels)) >= n:
        return
    distances = pairwise_distances(points)
    ours = silhouette(distances, labels)
    assert abs(ours - silhouette_score(distances, labels, metric="precomputed")) < 1e-9
