"""Pol.is's updates replayed: warm-started clusters worked by hand, the k smoother, who stays clustered,
and the restart that starts the groups afresh."""

from __future__ import annotations

import numpy as np
import pytest

from sentinelle.concertation import opinion
from sentinelle.concertation.kmeans import Clustering, silhouette, start_clusters
from sentinelle.concertation.opinion_replay import Replay, State, Vote, replay, smooth_k, votes_of


def test_a_cold_start_takes_the_first_distinct_points() -> None:
    points = np.array([[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [5.0, 5.0]])
    ids, centres = start_clusters(np.arange(4), points, np.ones(4), 2, None)
    assert ids.tolist() == [0, 1] and centres.tolist() == [[0.0, 0.0], [1.0, 0.0]]


def test_a_warm_start_recentres_drops_the_vanished_and_splits_off_the_farthest_point() -> None:
    # Last time: cluster 7 held participants 10 and 11, cluster 9 held 12 (who has left since).
    last = Clustering(np.array([7, 9]), np.zeros((2, 2)), np.array([10, 11, 12]), np.array([7, 7, 9]))
    names = np.array([10, 11, 13])  # 13 is new
    points = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0]])
    ids, centres = start_clusters(names, points, np.ones(3), 3, last)
    # Cluster 9 is gone; 7 is recentred on its members (1, 0); the farthest point from it (13, at
    # distance 9) opens cluster 8 = max id + 1; then the farthest again (10 or 11, at 1 from the
    # centre (1, 0)) leaves 7 for cluster 9.
    assert ids.tolist()[:2] == [7, 8] and centres[1].tolist() == [10.0, 0.0]
    assert len(ids) == 3 and ids[2] == 9


def test_identical_centres_merge_into_the_larger_cluster() -> None:
    last = Clustering(np.array([1, 2]), np.zeros((2, 2)), np.array([0, 1, 2]), np.array([1, 2, 2]))
    points = np.array([[3.0, 3.0], [3.0, 3.0], [3.0, 3.0]])
    ids, centres = start_clusters(np.arange(3), points, np.ones(3), 2, last)
    assert ids.tolist() == [2] and centres.tolist() == [[3.0, 3.0]]  # one distinct point: one cluster


def test_the_silhouette_is_the_one_computed_point_by_point() -> None:
    rng = np.random.default_rng(3)
    points = rng.normal(size=(30, 2))
    labels = rng.integers(0, 3, size=30)
    labels[0] = 3  # alone in its cluster: scores 0
    distances = np.linalg.norm(points[:, None] - points[None], axis=2)
    scores = []
    for i in range(30):
        own = (labels == labels[i]) & (np.arange(30) != i)
        if not own.any():
            scores.append(0.0)
            continue
        a = distances[i, own].mean()
        b = min(distances[i, labels == c].mean() for c in set(labels.tolist()) - {labels[i]})
        scores.append((b - a) / max(a, b))
    assert silhouette(distances, labels) == pytest.approx(np.mean(scores))


def test_the_groups_follow_a_new_k_after_four_updates_in_a_row() -> None:
    state = State()
    smooth_k(state, {2: 0.5, 3: 0.4}, 4)
    assert state.smoothed_k == 2  # the first k is taken at once
    for n in range(3):
        smooth_k(state, {2: 0.4, 3: 0.5}, 4)
        assert state.smoothed_k == 2, n
    smooth_k(state, {2: 0.4, 3: 0.5}, 4)
    assert state.smoothed_k == 3
    smooth_k(state, {2: 0.6, 3: 0.6}, 4)  # a tie goes to the larger k (Pol.is's max-key)
    assert (state.last_k, state.smoothed_k) == (3, 3)
    smooth_k(state, {2: 0.9}, 4)  # k = 3 no longer computed: the best one at once
    assert state.smoothed_k == 2


def camps_history(late_camp: bool) -> list[Vote]:
    """Two camps voting over ten hours on 12 statements, the first participant on one statement only
    before any other statement existed; optionally a third camp in the last minute."""
    rng = np.random.default_rng(0)
    hour = 3_600_000
    votes = [Vote(0, "first", "0", 1.0)]
    for p in range(40):
        camp = p % 2
        for s in range(12):
            value = 1.0 if (s < 6) == (camp == 0) else -1.0
            votes.append(Vote(hour * (1 + p // 4) + s, f"p{p}", str(s), value if rng.random() < 0.9 else -value))
    if late_camp:
        for p in range(30):
            for s in range(12):
                value = 1.0 if s % 2 else -1.0
                votes.append(Vote(hour * 12 + p * 12 + s, f"c{p}", str(s), value if rng.random() < 0.9 else -value))
    return votes


def test_a_participant_clustered_early_stays_clustered() -> None:
    result = replay(camps_history(late_camp=False), replay=Replay(window=60))
    first = result.votes.participants.index("first")
    assert result.base[first] >= 0  # one vote, but when the conversation had one statement
    cold = opinion.groups(votes_of(camps_history(late_camp=False)), opinion.Method(attach=False))
    assert cold.base[first] == -1  # computed once, one vote is not enough
    camps = [result.group[result.votes.participants.index(f"p{p}")] for p in range(40)]
    assert len(set(camps[0::2])) == 1 and len(set(camps[1::2])) == 1 and camps[0] != camps[1]


def test_a_late_camp_waits_for_the_smoother_unless_the_worker_restarts() -> None:
    history = camps_history(late_camp=True)
    kept = replay(history, replay=Replay(window=3600, restart_at_end=False))
    restarted = replay(history, replay=Replay(window=3600, restart_at_end=True))
    assert kept.k == 2  # the third group has been the best once: not yet shown
    assert restarted.k == 3
    late = {restarted.group[restarted.votes.participants.index(f"c{p}")] for p in range(30)}
    assert len(late) == 1


def test_votes_of_keeps_the_latest_vote() -> None:
    votes = votes_of([Vote(2, "a", "s", -1.0), Vote(1, "a", "s", 1.0), Vote(3, "b", "t", 0.0)], excluded=["t", "x"])
    assert votes.participants == ["a", "b"] and votes.values.tolist() == [-1.0, 0.0]
    assert votes.excluded == frozenset({"t"})


def test_the_replay_reports_its_progress_vote_by_vote() -> None:
    history = camps_history(late_camp=False)
    told: list[int] = []
    replay(history, replay=Replay(window=3600), progress=told.append)
    assert sum(told) == len(history) and len(told) > 5  # one report per update
