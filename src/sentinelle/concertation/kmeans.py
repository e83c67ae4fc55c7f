"""Pol.is's k-means (polismath clusters.clj), started cold or from the last clustering, and the
silhouette that chooses k. Used by the groups computed once (`opinion`) and by the replayed updates
(`opinion_replay`), so that both cluster the same way."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Clustering:
    """Clusters by id (ascending, as Pol.is sorts them), their centres in that order, and who is in
    which: `members` (the names of the points clustered, e.g. participant numbers) and the id of each
    one's cluster."""

    ids: np.ndarray
    centres: np.ndarray
    members: np.ndarray
    member_ids: np.ndarray

    def labels(self) -> np.ndarray:
        """Each member's cluster as an index into `ids` (and `centres`), in the order of `members`."""
        return np.searchsorted(self.ids, self.member_ids)


def weighted_centres(points: np.ndarray, weights: np.ndarray, index: np.ndarray, k: int) -> np.ndarray:
    """The weighted mean of the points of each cluster 0..k-1 (`index`: each point's cluster)."""
    total = np.bincount(index, weights=weights, minlength=k)
    return np.stack([np.bincount(index, weights=weights * points[:, d], minlength=k)
                     for d in range(points.shape[1])], axis=1) / np.where(total > 0, total, 1)[:, None]


def nearest(points: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each point's nearest centre and its distance; of equally near centres, the last (as Clojure's
    min-key, which Pol.is uses)."""
    d = np.linalg.norm(points[:, None, :] - centres[None, :, :], axis=2)
    chosen = d.shape[1] - 1 - d[:, ::-1].argmin(axis=1)
    return chosen, d[np.arange(len(points)), chosen]


def _sorted_rows(a: np.ndarray) -> np.ndarray:
    return a[np.lexsort(a.T[::-1])]


def start_clusters(names: np.ndarray, points: np.ndarray, weights: np.ndarray, k: int,
                   last: Clustering | None) -> tuple[np.ndarray, np.ndarray]:
    """The clusters a k-means starts from (ids, centres): the first k distinct points when there is
    no last clustering; else the last clusters recentred on their members' places (members gone
    dropped, clusters left empty dropped, identical ones merged), then, while there are fewer
    clusters than k and than distinct points, the point farthest from every centre taken out of its
    cluster into a new one (id: the largest so far + 1)."""
    if last is None or len(last.ids) == 0:
        _, first = np.unique(points, axis=0, return_index=True)
        chosen = np.sort(first)[:k]
        return np.arange(len(chosen)), points[chosen].copy()
    where = {int(n): i for i, n in enumerate(names)}
    at = np.array([where.get(int(n), -1) for n in last.members], dtype=np.int64)
    present = at >= 0
    rows, cids = at[present], last.member_ids[present]
    still = set(cids.tolist())
    ids = np.array([c for c in last.ids.tolist() if c in still], dtype=np.int64)
    assign = np.full(len(points), -1)
    position = {int(c): i for i, c in enumerate(ids)}
    assign[rows] = [position[int(c)] for c in cids]

    def recentre() -> np.ndarray:  # only members count toward a centre
        member = assign >= 0
        return weighted_centres(points[member], weights[member], assign[member], len(ids))

    # Clusters whose centres are now identical are merged, into the id of the larger.
    centres = recentre()
    _, first, inverse = np.unique(centres, axis=0, return_index=True, return_inverse=True)
    if len(first) < len(ids):
        sizes = np.bincount(assign[assign >= 0], minlength=len(ids))
        keeper: dict[int, int] = {}
        for i, g in enumerate(inverse.ravel().tolist()):
            if g not in keeper or sizes[i] > sizes[keeper[g]]:
                keeper[g] = i
        kept = np.array(sorted(set(keeper.values())))
        renumber = np.array([int(np.searchsorted(kept, keeper[g])) for g in inverse.ravel().tolist()])
        assign = np.where(assign >= 0, renumber[np.maximum(assign, 0)], -1)
        ids = ids[kept]
        centres = recentre()
    possible = min(k, len(np.unique(points, axis=0)))
    while len(ids) < possible:
        far = 0
        if len(ids):
            _, distance = nearest(points, centres)
            far = int(np.argmax(distance))
            if distance[far] <= 0:
                break
        assign[far] = len(ids)
        ids = np.append(ids, (ids.max() + 1) if len(ids) else 0)
        sizes = np.bincount(assign[assign >= 0], minlength=len(ids))
        if (sizes == 0).any():  # the point was the last member of its cluster
            keep = np.flatnonzero(sizes > 0)
            renumber = np.full(len(ids), -1)
            renumber[keep] = np.arange(len(keep))
            assign = np.where(assign >= 0, renumber[np.maximum(assign, 0)], -1)
            ids = ids[keep]
        centres = recentre()
    return ids, centres


def kmeans(names: np.ndarray, points: np.ndarray, k: int, last: Clustering | None = None, *,
           iterations: int = 20, tolerance: float = 0.01, weights: np.ndarray | None = None) -> Clustering:
    """Pol.is's k-means: from `start_clusters`, Lloyd steps (weighted by `weights`; clusters left
    empty dropped) until no centre moves by `tolerance` (comparing the sorted centres) or after
    `iterations` more steps."""
    w = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=float)
    ids, centres = start_clusters(names, points, w, k, last)
    labels = np.zeros(len(points), dtype=np.int64)
    for _ in range(iterations + 1):
        labels, _ = nearest(points, centres)
        used = np.unique(labels)
        renumber = np.full(len(ids), -1)
        renumber[used] = np.arange(len(used))
        labels = renumber[labels]
        new = weighted_centres(points, w, labels, len(used))
        n = min(len(new), len(centres))
        same = bool((np.linalg.norm(_sorted_rows(new)[:n] - _sorted_rows(centres)[:n], axis=1) < tolerance).all())
        ids, centres = ids[used], new
        if same:
            break
    order = np.argsort(ids)
    return Clustering(ids[order], centres[order], np.asarray(names).copy(), ids[labels])


def silhouette(distances: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette over the points (Pol.is: a point alone in its cluster scores 0), from the
    points' pairwise `distances` and their cluster `labels` (0..k-1)."""
    n = len(labels)
    onehot = np.eye(int(labels.max()) + 1)[labels]
    sums = distances @ onehot  # per point, its summed distance to each cluster
    counts = onehot.sum(axis=0)
    own_count = counts[labels] - 1
    a = np.divide(sums[np.arange(n), labels], own_count, out=np.zeros(n), where=own_count > 0)
    other = sums / np.where(counts > 0, counts, 1)
    other[np.arange(n), labels] = np.inf
    b = other.min(axis=1)
    top = np.maximum(a, b)
    scores = np.divide(b - a, top, out=np.zeros(n), where=(top > 0) & np.isfinite(b))
    scores[own_count <= 0] = 0.0
    return float(scores.mean())
