"""Opinion groups by Pol.is's method, checked on matrices small enough to work out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score

from sentinelle.concertation import kmeans, opinion
from sentinelle.concertation.opinion import Method, Votes

A, D, P, _ = 1, -1, 0, None


def test_two_opposed_camps_lie_on_the_first_component() -> None:
    """Two statements, two camps: the means are 0, the first direction is (1, 1)/√2, and a participant
    who voted both lands at ±2/√2 = ±√2 (scale √(2/2) = 1)."""
    votes = Votes.from_dense([[A, A], [A, A], [D, D], [D, D]])
    places = opinion.plane(votes)
    assert places[:, 0] == pytest.approx([math.sqrt(2), math.sqrt(2), -math.sqrt(2), -math.sqrt(2)])
    assert places[:, 1] == pytest.approx([0, 0, 0, 0])


def test_a_participant_who_voted_little_is_pushed_out_from_the_centre() -> None:
    """One vote of two: the centred vote times the component, times √(2 / 1). Statement 0 has mean
    (1 + 1 - 1 - 1 + 1) / 5 = 0.2, statement 1 mean 0."""
    votes = Votes.from_dense([[A, A], [A, A], [D, D], [D, D], [A, _]])
    rows, cols, values = opinion._centred(votes)
    pc = opinion.principal_components(rows, cols, values, (5, 2))[0]
    places = opinion.plane(votes)
    assert places[4, 0] == pytest.approx((1 - 0.2) * pc[0] * math.sqrt(2))
    assert places[0, 0] == pytest.approx(((1 - 0.2) * pc[0] + 1 * pc[1]) * 1.0)


def test_power_iteration_finds_the_leading_eigenvectors() -> None:
    """Against numpy's eigendecomposition of XᵀX on a random centred dense matrix."""
    rng = np.random.default_rng(3)
    dense = rng.choice([-1.0, 0.0, 1.0], size=(40, 6))
    votes = Votes.from_dense(dense.tolist())
    rows, cols, values = opinion._centred(votes)
    centred = dense - dense.mean(axis=0)
    _eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred)
    found = opinion.principal_components(rows, cols, values, (40, 6))
    for n in range(2):
        assert abs(found[n] @ eigenvectors[:, -1 - n]) == pytest.approx(1, abs=1e-6)


def test_a_moderated_out_statement_moves_nobody() -> None:
    """Pol.is sets its column to pass for everyone: it adds nothing to the plane, but counts as seen,
    so each place is scaled by √(3 / 3) instead of √(2 / 2) — the same here — and, for a participant
    with one vote of two, by √(3 / 2) instead of √(2 / 1)."""
    base = Votes.from_dense([[A, A], [A, A], [D, D], [D, D], [A, _]])
    with_out = Votes.from_dense([[A, A, A], [A, A, D], [D, D, A], [D, D, _], [A, _, D]],
                                excluded=frozenset({"2"}))
    before, after = opinion.plane(base), opinion.plane(with_out)
    assert after[:4] == pytest.approx(before[:4])
    # The last participant: 2 votes counted (one real, one moderated out) of 3 statements.
    assert after[4] == pytest.approx(before[4] / math.sqrt(2 / 1) * math.sqrt(3 / 2))


def test_who_is_clustered() -> None:
    """min(7, statements) votes; with fewer than 15 such participants, the most active are added."""
    method = Method(min_votes=2, min_clustered=3)
    votes = Votes.from_dense([[A, A, A], [A, _, _], [_, _, _], [A, D, _], [D, _, _]])
    assert opinion.clustered(votes, method).tolist() == [True, True, False, True, False]
    assert opinion.clustered(votes, Method(min_votes=2, min_clustered=1)).tolist() == [True, False, False, True, False]


def test_kmeans_starts_from_the_first_distinct_points_and_weighs() -> None:
    points = np.array([[0.0, 0.0], [0.0, 0.0], [0.0, 1.0], [10.0, 0.0], [10.0, 2.0]])
    found = kmeans.kmeans(np.arange(5), points, 2)
    # Started at (0, 0) and (0, 1): the second centre moves to the right-hand points after one step.
    assert found.labels().tolist() == [0, 0, 0, 1, 1]
    assert found.centres[0] == pytest.approx([0, 1 / 3])
    found = kmeans.kmeans(np.arange(2), points[3:], 1, weights=np.array([3, 1]))
    assert found.centres[0] == pytest.approx([10, 0.5])


def test_silhouette_by_hand() -> None:
    """Points 0, 1 and 10, 11 on a line. Two clusters: for 0, a = 1 and b = (10 + 11) / 2, so
    s = 9.5 / 10.5; for 1, a = 1 and b = (9 + 10) / 2, s = 8.5 / 9.5; 10 and 11 mirror them.
    Then {0, 1, 10} and {11}: a point alone in its cluster scores 0."""
    x = np.array([0.0, 1.0, 10.0, 11.0])
    distances = np.abs(x[:, None] - x[None, :])
    assert kmeans.silhouette(distances, np.array([0, 0, 1, 1])) == pytest.approx((9.5 / 10.5 + 8.5 / 9.5) / 2)
    s0 = (11 - 5.5) / 11  # a = (1 + 10) / 2, b = 11
    s1 = (10 - 5) / 10  # a = (1 + 9) / 2, b = 10
    s10 = (1 - 9.5) / 9.5  # a = (10 + 9) / 2, b = 1
    assert kmeans.silhouette(distances, np.array([0, 0, 0, 1])) == pytest.approx((s0 + s1 + s10 + 0) / 4)


def camps(sizes: list[int], statements: int = 12, seed: int = 0, missing: float = 0.3) -> tuple[Votes, np.ndarray]:
    """Camps that each agree with their own set of statements and disagree with the others', a share
    of the votes missing."""
    rng = np.random.default_rng(seed)
    rows = []
    truth = []
    for c, size in enumerate(sizes):
        for _ in range(size):
            row = [A if j % len(sizes) == c else D for j in range(statements)]
            rows.append([None if rng.uniform() < missing else v for v in row])
            truth.append(c)
    order = rng.permutation(len(rows))
    return Votes.from_dense([rows[i] for i in order]), np.array(truth)[order]


@pytest.mark.parametrize("sizes", [[30, 30], [40, 12], [25, 20, 15]])
def test_clear_camps_are_found(sizes: list[int]) -> None:
    votes, truth = camps(sizes)
    result = opinion.groups(votes)
    assert result.k == len(sizes)
    assert adjusted_rand_score(truth, result.group) == 1.0


def test_the_same_votes_give_the_same_groups() -> None:
    votes, _ = camps([20, 20, 20], seed=4)
    assert opinion.groups(votes).group.tolist() == opinion.groups(votes).group.tolist()


def test_too_few_votes_to_cluster_still_gets_the_nearest_group() -> None:
    votes, truth = camps([20, 20])
    shy = Votes.from_dense(
        [[v for v in row] for row in _dense(votes)] + [[A if j % 2 == 0 else None for j in range(12)][:3] + [None] * 9])
    result = opinion.groups(shy)
    assert result.base[-1] == -1  # two votes: not clustered
    assert result.group[-1] == result.group[np.flatnonzero(truth == 0)[0]]
    assert opinion.groups(shy, Method(attach=False)).group[-1] == -1


def _dense(votes: Votes) -> list[list[float | None]]:
    out: list[list[float | None]] = [[None] * len(votes.statements) for _ in votes.participants]
    for r, c, v in zip(votes.rows, votes.cols, votes.values):
        out[r][c] = float(v)
    return out


def test_bad_votes_are_refused() -> None:
    with pytest.raises(ValueError, match="1 \\(agree\\)"):
        Votes.from_dense([[2, 1]])
    with pytest.raises(ValueError, match="one vote per participant"):
        Votes(["p"], ["s"], np.array([0, 0]), np.array([0, 0]), np.array([1.0, 1.0]))


def test_representative_statements_and_consensus_by_hand() -> None:
    """Two camps of 10 who all voted both statements: statement 0 split (camp 0 agrees, camp 1
    disagrees), statement 1 agreed by all. For camp 0 on statement 0: share (10 + 1) / (10 + 2) = 11/12,
    the rest's (0 + 1) / 12, ratio 11; z of the two proportions with one added to each count:
    p1 = 11/11, p2 = 1/11, pooled 12/22. Consensus of statement 1: (11/12)², of statement 0: 11/12 × 1/12."""
    votes = Votes.from_dense([[A, A]] * 10 + [[D, A]] * 10)
    result = opinion.groups(votes, Method(min_clustered=20, min_votes=2))
    assert result.k == 2
    g0 = result.group[0]
    reps = opinion.representative(result)[g0]
    first = reps[0]
    assert (first.statement, first.stance, first.votes) == ("0", "agree", 10)
    assert first.share == pytest.approx(11 / 12)
    assert first.ratio == pytest.approx(11)
    pooled = 12 / 22
    assert first.z == pytest.approx((1 - 1 / 11) / math.sqrt(pooled * (1 - pooled) * (2 / 11)))
    assert opinion.consensus(result) == pytest.approx({"0": 11 / 12 * 1 / 12, "1": (11 / 12) ** 2})


def test_common_ground_is_what_every_group_agrees_with() -> None:
    """Two groups of 10, given by hand. Statement 1: both agree (10/10 and 8/10). Statement 2: group 0
    agrees, group 1 rejects it at 7 in 10 — its product of shares, 11/12 × 4/12, is still above
    statement 3's, which nobody voted on ((1/2)²): neither is common ground. Statement 4: group 1
    voted on it twice only (both agreeing): common ground once two votes are enough."""
    rows = ([[A, A, A, None, A]] * 10 + [[D, A, D, None, None]] * 7 + [[D, A, A, None, None]]
            + [[D, D, A, None, A]] * 2)
    votes = Votes.from_dense(rows)
    camps = np.array([0] * 10 + [1] * 10)
    result = opinion.Groups(votes, camps, np.zeros((20, 2)), camps.copy())
    scores = opinion.consensus(result)
    assert scores["2"] == pytest.approx(11 / 12 * 4 / 12) and scores["3"] == pytest.approx(1 / 4)
    assert scores["1"] == pytest.approx(11 / 12 * 9 / 12)
    assert [s for s, _ in opinion.common_ground(result)] == ["1"]
    assert opinion.common_ground(result)[0][1] == pytest.approx(scores["1"])
    loose = opinion.common_ground(result, Method(common_min_votes=2))
    assert {s for s, _ in loose} == {"1", "4"}  # statement 4 scores 11/12 × (2 + 1)/(2 + 2), as 1 does
