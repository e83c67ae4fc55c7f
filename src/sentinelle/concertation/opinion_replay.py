"""Opinion groups as Pol.is reaches them: by updates replayed over the conversation's vote history.

Pol.is does not compute its groups once over the final votes. Its math worker updates a conversation
each time it picks up new votes, and each update starts from the last one: the principal components
from the last components (new statements' coordinates start at 1), the hundred base clusters from the
last base clusters (recentred on their members' new places; the points farthest from any centre open
new clusters until there are enough), each clustering into k groups from the last one for that k.
Who is clustered grows and never shrinks: a participant is in once they have voted on min(7, the
statements so far), so that the first participants of a conversation, who voted when it had one or two
statements, are in for good. The number of groups changes only when another k has had the best
silhouette for 4 updates in a row. The groups of a conversation are thus the k-means optimum its
history led to, which one computation over the final votes (`opinion.groups`) need not find.

`replay` redoes that history from the time-stamped votes (Pol.is's `votes.csv`). When Pol.is ran
each update is not recorded; we update once per `Replay.window` seconds of votes (the batch of votes
within that time of its first one). Statements moderated out are out from the start (when they were
is not recorded either). Pol.is stores with a conversation its components, base clusters and who is
clustered, not its clusterings per k nor the smoother: a restart of its worker, or loading the
conversation to export it, makes one more update that starts the groups afresh from the base
clusters, k by silhouette alone (`Replay.restart_at_end`). The constants are Pol.is's
(conversation.clj, clusters.clj, pca.clj); the window and the final restart are ours, chosen on the
eleven open-data conversations (bench/RESULTS.md gives each setting tried).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from sentinelle.concertation import kmeans
from sentinelle.concertation.kmeans import Clustering
from sentinelle.concertation.opinion import Groups, Method, Votes


@dataclass(frozen=True)
class Replay:
    window: float = 600.0  # seconds of votes per update (see the module's docstring)
    pca_iterations: int = 100  # power iterations per update, from the last components (:pca-iters)
    base_iterations: int = 100  # Lloyd steps of the base clustering (:base-iters)
    group_iterations: int = 20  # ... of the groups (kmeans's default: Pol.is passes :cluster-iters, unread)
    k_buffer: int = 4  # updates a new best k must last before the groups follow it (:group-k-buffer)
    same_centres: float = 0.01  # a clustering has converged when no centre moved this much
    # A worker restart keeps the components, base clusters and who is clustered (stored with the
    # conversation) but loses the clusterings per k and the k smoother: the next update starts the
    # groups afresh. True: one such update after the last votes (as loading the conversation does).
    restart_at_end: bool = True


@dataclass(frozen=True)
class Vote:
    at: int  # milliseconds since the epoch
    participant: str
    statement: str
    value: float  # 1 agree, -1 disagree, 0 pass


@dataclass
class State:
    components: dict[int, dict[int, float]] = field(default_factory=dict)  # component → statement → value
    in_conv: set[int] = field(default_factory=set)
    base: Clustering | None = None
    groups: dict[int, Clustering] = field(default_factory=dict)  # k → clustering of base-cluster ids
    silhouettes: dict[int, float] = field(default_factory=dict)  # of the last update, per k
    last_k: int | None = None
    last_k_count: int = 0
    smoothed_k: int | None = None


def _components(state: State, centred: np.ndarray, columns: Sequence[int], replay: Replay) -> np.ndarray:
    rng = np.random.default_rng(0)
    data = centred
    found = []
    for c in range(min(2, *centred.shape)):
        last = state.components.get(c)
        v = (np.array([last.get(j, 1.0) for j in columns]) if last and any(last.values())
             else rng.uniform(size=len(columns)))
        previous = 0.0
        for _ in range(replay.pca_iterations):
            product = data.T @ (data @ v)
            value = float(np.linalg.norm(product))
            if value == 0:
                v = np.zeros(len(columns))
                break
            v = product / value
            if abs(value - previous) <= 1e-12 * value:
                break
            previous = value
        found.append(v)
        if v @ v > 0:
            data = data - np.outer(data @ v, v)
    while len(found) < 2:
        found.append(np.zeros(len(columns)))
    state.components = {c: dict(zip(columns, v.tolist())) for c, v in enumerate(found)}
    return np.array(found)


def smooth_k(state: State, silhouettes: dict[int, float], buffer: int) -> None:
    """Pol.is's k smoother: the best k of this update (by silhouette; ties to the larger) becomes the
    groups' k once it has been the best `buffer` updates in a row, or at once when there is no k yet
    or the last one is no longer among those computed."""
    if not silhouettes:
        return
    best = max(silhouettes, key=lambda k: (silhouettes[k], k))
    state.last_k_count = state.last_k_count + 1 if best == state.last_k else 1
    state.last_k = best
    if state.last_k_count >= buffer or state.smoothed_k is None or state.smoothed_k not in silhouettes:
        state.smoothed_k = best


def _update(state: State, matrix: np.ndarray, columns: Sequence[int], out: np.ndarray, method: Method,
            replay: Replay) -> tuple[np.ndarray, np.ndarray]:
    """One update over the votes so far (`matrix`: participants × statements, nan where no vote):
    the places of the participants, and the base cluster of each (-1 when not clustered)."""
    n, m = matrix.shape
    rating = matrix.copy()
    rating[:, out] = 0.0  # moderated out: a pass for everyone
    voted = ~np.isnan(rating)
    seen = voted.sum(axis=0)
    means = np.divide(np.where(voted, rating, 0).sum(axis=0), seen, out=np.zeros(m), where=seen > 0)
    centred = np.where(voted, rating - means, 0.0)
    components = _components(state, centred, columns, replay)
    places = (centred @ components.T) * np.sqrt(m / np.maximum(voted.sum(axis=1), 1))[:, None]
    counts = (~np.isnan(matrix)).sum(axis=1)
    state.in_conv |= set(np.flatnonzero(counts >= min(method.min_votes, m)).tolist())
    if len(state.in_conv) < method.min_clustered:
        for i in np.argsort(-counts, kind="stable"):
            if len(state.in_conv) >= method.min_clustered or counts[i] == 0:
                break
            state.in_conv.add(int(i))
    rows = np.array(sorted(state.in_conv), dtype=np.int64)
    base = np.full(n, -1)
    if len(rows) == 0:
        return places, base
    state.base = kmeans.kmeans(rows, places[rows], method.base_k, state.base, iterations=replay.base_iterations,
                               tolerance=replay.same_centres)
    base_ids, centres = state.base.ids, state.base.centres
    base[state.base.members] = state.base.labels()
    sizes = np.bincount(base[rows], minlength=len(base_ids)).astype(float)
    distances = np.linalg.norm(centres[:, None] - centres[None], axis=2)
    silhouettes: dict[int, float] = {}
    clusterings: dict[int, Clustering] = {}
    for k in range(method.min_k, min(method.max_k, 2 + len(base_ids) // 12) + 1):
        if len(base_ids) < k:
            break
        clusterings[k] = kmeans.kmeans(base_ids, centres, k, state.groups.get(k), iterations=replay.group_iterations,
                                       tolerance=replay.same_centres, weights=sizes)
        silhouettes[k] = kmeans.silhouette(distances, clusterings[k].labels())  # members: the base ids in order
    state.groups, state.silhouettes = clusterings, silhouettes
    smooth_k(state, silhouettes, replay.k_buffer)
    return places, base


def _restart(state: State) -> None:
    """What a worker restart loses: the clusterings per k and the k smoother's memory."""
    state.groups, state.last_k, state.last_k_count, state.smoothed_k = {}, None, 0, None


def votes_of(history: Sequence[Vote], excluded: Iterable[str] = ()) -> Votes:
    """The final vote matrix of a history (the latest vote per participant and statement), participants
    and statements in the order they first voted or were voted on."""
    participants: dict[str, int] = {}
    statements: dict[str, int] = {}
    cells: dict[tuple[int, int], float] = {}
    for v in sorted(history, key=lambda v: v.at):
        p = participants.setdefault(v.participant, len(participants))
        s = statements.setdefault(v.statement, len(statements))
        cells[(p, s)] = v.value
    keys = np.array(list(cells), dtype=np.int64).reshape(-1, 2)
    return Votes(list(participants), list(statements), keys[:, 0], keys[:, 1],
                 np.array(list(cells.values()), dtype=np.float64), frozenset(excluded) & set(statements))


def replay(history: Sequence[Vote], excluded: Iterable[str] = (), method: Method = Method(),
           replay: Replay = Replay(), progress: Callable[[int], None] | None = None) -> Groups:
    """The opinion groups Pol.is's updates reach over `history` (the groups of the last update, by its
    smoothed k). Participants never clustered get the group of the nearest base cluster when
    `method.attach`, else -1. `progress` is told how many more votes each update took in."""
    events = sorted(history, key=lambda v: v.at)
    votes = votes_of(events, excluded)
    p_index = {p: i for i, p in enumerate(votes.participants)}
    s_index = {s: j for j, s in enumerate(votes.statements)}
    out_all = np.array([s in votes.excluded for s in votes.statements], dtype=bool)
    matrix = np.full((len(votes.participants), len(votes.statements)), np.nan)
    state = State()
    places = np.zeros((len(votes.participants), 2))
    base = np.full(len(votes.participants), -1)
    n_rows = n_cols = 0
    i = taken = 0
    while i < len(events):
        end = events[i].at + replay.window * 1000
        while i < len(events) and events[i].at <= end:
            e = events[i]
            r, c = p_index[e.participant], s_index[e.statement]
            matrix[r, c] = e.value
            n_rows, n_cols = max(n_rows, r + 1), max(n_cols, c + 1)
            i += 1
        places_now, base_now = _update(state, matrix[:n_rows, :n_cols], list(range(n_cols)), out_all[:n_cols],
                                       method, replay)
        places[:n_rows], base[:n_rows] = places_now, base_now
        if progress is not None:
            progress(i - taken)
        taken = i
    if replay.restart_at_end and n_rows:
        _restart(state)
        places[:n_rows], base[:n_rows] = _update(state, matrix[:n_rows, :n_cols], list(range(n_cols)),
                                                 out_all[:n_cols], method, replay)
    group = np.full(len(votes.participants), -1)
    if state.smoothed_k is not None and state.base is not None:
        base_group = state.groups[state.smoothed_k].labels()  # per base cluster, in the order of their ids
        clustered = base >= 0
        group[clustered] = base_group[base[clustered]]
        if method.attach:
            rest = np.flatnonzero(~clustered & (np.bincount(votes.rows, minlength=len(group)) > 0))
            if len(rest):
                group[rest] = base_group[kmeans.nearest(places[rest], state.base.centres)[0]]
    return Groups(votes, group, places, base, state.silhouettes)
