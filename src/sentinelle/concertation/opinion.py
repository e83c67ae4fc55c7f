"""Opinion groups from a vote matrix, by the method of Pol.is (compdemocracy/polis, math/src/polismath),
written anew with numpy.

A participant × statement matrix of votes (agree 1, disagree -1, pass 0, most cells empty) is reduced to
a plane: each statement's missing votes are its mean vote, the matrix is centred, and its first two
principal components are found by power iteration. Each participant is placed by their own votes only,
pushed out from the centre by sqrt(statements / their votes) so that someone who voted little is not
drawn to the middle. The participants who voted enough are gathered into about a hundred fine "base"
clusters by k-means, and the base clusters into 2 to 5 opinion groups by k-means weighted by their
sizes, the number of groups being the one with the best silhouette.

Pol.is does this again at each update of a conversation, each clustering starting from the last one,
so its groups are the k-means optimum that the conversation's history led to (often unbalanced: a
small dissenting group beside a large one). Computed once over the final votes, each k-means starts
as Pol.is starts a new one, from the first distinct points in the participants' order (Pol.is numbers
participants as they come): the early participants seed the groups, as they did in the conversation.
(Replaying the arrivals in steps, each clustering from the last, came out no closer to Pol.is's groups
on the open-data conversations: docs/concertation.md.) Each constant is in `Method`.

Sign convention: agree is +1 here, as in Pol.is's open-data exports (its own database stores agree as
-1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sentinelle.concertation import kmeans

AGREE, DISAGREE, PASS = 1, -1, 0


@dataclass(frozen=True)
class Method:
    """Pol.is's constants (polismath conversation.clj and clusters.clj defaults), and ours."""

    components: int = 2  # principal components: the opinion map is a plane
    power_iterations: int = 1000  # per component, at most (Pol.is: 100 per update, from the last update's)
    power_tolerance: float = 1e-9  # ... stopping once the direction no longer moves
    min_votes: int = 7  # a participant is clustered once they voted on min(7, statements)...
    min_clustered: int = 15  # ... and if fewer qualify, the most active are added up to this many
    base_k: int = 100  # fine "base" clusters of participants (:base-k)
    min_k: int = 2  # opinion groups: from this many...
    max_k: int = 5  # ... to this many (:max-k), and at most 2 + base clusters // 12
    kmeans_iterations: int = 100  # Lloyd steps at most (:base-iters, :group-iters)
    kmeans_tolerance: float = 0.01  # ... stopping once every centre moved less than this
    # Ours: a participant who voted too little to be clustered is still given the group of the
    # nearest base cluster (they shape no group; Pol.is's own exports of 2015-2017 group them too).
    attach: bool = True
    # What brings the groups together: a statement every group agrees with, each group having voted
    # on it at least this many times...
    common_min_votes: int = 3
    # ... and agreed with it at this share of its votes or more.
    common_min_share: float = 0.6


@dataclass(frozen=True)
class Votes:
    """A vote matrix in coordinates: one vote per (participant, statement), the latest.
    `rows`/`cols` index `participants` (in the order they joined)/`statements`; `values` are AGREE,
    DISAGREE or PASS. `excluded`: the statements moderated out (Pol.is sets their column to pass for
    everyone: they weigh nothing in the plane but count as seen)."""

    participants: list[str]
    statements: list[str]
    rows: np.ndarray
    cols: np.ndarray
    values: np.ndarray
    excluded: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not (len(self.rows) == len(self.cols) == len(self.values)):
            raise ValueError("rows, cols and values must have the same length")
        if len(self.values) and not np.isin(self.values, (AGREE, DISAGREE, PASS)).all():
            raise ValueError("a vote is 1 (agree), -1 (disagree) or 0 (pass)")
        keys = self.rows.astype(np.int64) * max(len(self.statements), 1) + self.cols
        if len(np.unique(keys)) != len(keys):
            raise ValueError("one vote per participant and statement (keep the latest)")

    @classmethod
    def from_dense(cls, matrix: list[list[float | None]], excluded: frozenset[str] = frozenset()) -> Votes:
        """From rows of votes (None: no vote), participants and statements named by their number from 0."""
        cells = [(i, j, v) for i, row in enumerate(matrix) for j, v in enumerate(row) if v is not None]
        statements = max((len(row) for row in matrix), default=0)
        return cls([str(i) for i in range(len(matrix))], [str(j) for j in range(statements)],
                   np.array([c[0] for c in cells], dtype=np.int64), np.array([c[1] for c in cells], dtype=np.int64),
                   np.array([c[2] for c in cells], dtype=np.float64), excluded)


@dataclass
class Groups:
    """The opinion groups of a conversation."""

    votes: Votes
    group: np.ndarray  # per participant: its group (0..k-1), or -1 when not clustered (too few votes)
    projection: np.ndarray  # per participant: its place on the plane (x, y)
    base: np.ndarray  # per participant: its base cluster, or -1
    silhouettes: dict[int, float] = field(default_factory=dict)  # mean silhouette of each k tried

    @property
    def k(self) -> int:
        return int(self.group.max()) + 1 if (self.group >= 0).any() else 0


# --- The plane -------------------------------------------------------------------------------------

def _centred(votes: Votes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The votes on statements not moderated out, minus their statement's mean vote (a missing vote is
    the mean: centred, it is zero, so the matrix stays sparse): (rows, cols, values)."""
    n = len(votes.statements)
    kept = np.ones(len(votes.values), dtype=bool)
    if votes.excluded:
        out = np.array([s in votes.excluded for s in votes.statements])
        kept = ~out[votes.cols]
    rows, cols, values = votes.rows[kept], votes.cols[kept], votes.values[kept]
    sums = np.bincount(cols, weights=values, minlength=n)
    seen = np.bincount(cols, minlength=n)
    means = np.divide(sums, seen, out=np.zeros(n), where=seen > 0)
    return rows, cols, values - means[cols]


def principal_components(rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int],
                         method: Method = Method()) -> np.ndarray:
    """The first `method.components` principal directions of the centred sparse matrix X, by power
    iteration on XᵀX with deflation against the directions found, as Pol.is does. The start is drawn
    at random as in Pol.is, from a fixed seed (the same votes, the same plane); each direction's sign is
    fixed so that its largest coordinate is positive. A direction with no variance left is zero."""
    def xtx(v: np.ndarray) -> np.ndarray:
        u = np.bincount(rows, weights=values * v[cols], minlength=shape[0])
        return np.bincount(cols, weights=values * u[rows], minlength=shape[1])

    def orthogonal(w: np.ndarray) -> np.ndarray:
        for f in found:
            w = w - (w @ f) * f
        return w

    rng = np.random.default_rng(0)
    found: list[np.ndarray] = []
    # Below this, what is left of a vector after deflation is rounding error, not variance.
    scale = float(np.abs(values).sum()) ** 2 * 1e-12
    for _ in range(method.components):
        v = orthogonal(rng.uniform(0.5, 1.5, size=shape[1]))
        v /= np.linalg.norm(v) or 1.0
        for _ in range(method.power_iterations):
            w = orthogonal(xtx(v))
            norm = np.linalg.norm(w)
            if norm <= scale:
                v = np.zeros(shape[1])
                break
            w /= norm
            moved = np.linalg.norm(w - v)
            v = w
            if moved < method.power_tolerance:
                break
        if v.any() and v[np.argmax(np.abs(v))] < 0:
            v = -v
        found.append(v)
    return np.array(found)


def project(votes: Votes, components: np.ndarray) -> np.ndarray:
    """Each participant on the plane: their centred votes times the components, times
    sqrt(statements / their votes) (Pol.is's sparsity-aware projection; a moderated-out statement
    counts as seen by everyone, its column being set to pass)."""
    shape = (len(votes.participants), len(votes.statements))
    rows, cols, values = _centred(votes)
    plane = np.stack([np.bincount(rows, weights=values * c[cols], minlength=shape[0]) for c in components],
                     axis=1)
    seen = np.bincount(rows, minlength=shape[0]) + len(votes.excluded & set(votes.statements))
    return plane * np.sqrt(shape[1] / np.maximum(seen, 1))[:, None]


def plane(votes: Votes, method: Method = Method()) -> np.ndarray:
    """The participants' places, in one computation over all the votes."""
    rows, cols, values = _centred(votes)
    return project(votes, principal_components(rows, cols, values, (len(votes.participants),
                                                                      len(votes.statements)), method))


def clustered(votes: Votes, method: Method = Method()) -> np.ndarray:
    """Which participants are clustered: those with at least min(7, statements) votes (moderated-out
    statements included), topped up with the most active up to 15."""
    counts = np.bincount(votes.rows, minlength=len(votes.participants))
    keep = counts >= min(method.min_votes, len(votes.statements))
    if keep.sum() < method.min_clustered:
        for i in np.argsort(-counts, kind="stable")[:method.min_clustered]:
            keep[i] |= counts[i] > 0
    return keep


# --- Clusterings -----------------------------------------------------------------------------------

def groups(votes: Votes, method: Method = Method()) -> Groups:
    """The opinion groups: base clusters of the clustered participants' places, then groups of base
    clusters (k-means weighted by their sizes) for each k, keeping the k of best silhouette (ties: the
    smaller). Participants not clustered (too few votes) have group -1."""
    n = len(votes.participants)
    places = plane(votes, method)
    group = np.full(n, -1)
    base = np.full(n, -1)
    keep = np.flatnonzero(clustered(votes, method))
    if len(keep) == 0:
        return Groups(votes, group, places, base)
    fine = kmeans.kmeans(keep, places[keep], method.base_k, iterations=method.kmeans_iterations,
                         tolerance=method.kmeans_tolerance)
    base[keep], centres = fine.labels(), fine.centres
    sizes = np.bincount(base[keep], minlength=len(centres))
    distances = np.linalg.norm(centres[:, None] - centres[None], axis=2)
    best: tuple[float, np.ndarray] | None = None
    silhouettes = {}
    for k in range(method.min_k, min(method.max_k, 2 + len(centres) // 12, len(centres)) + 1):
        labels = kmeans.kmeans(np.arange(len(centres)), centres, k, iterations=method.kmeans_iterations,
                               tolerance=method.kmeans_tolerance, weights=sizes).labels()
        silhouettes[k] = kmeans.silhouette(distances, labels)
        if best is None or silhouettes[k] > best[0]:
            best = (silhouettes[k], labels)
    labels = best[1] if best is not None else np.zeros(len(centres), dtype=np.int64)
    group[keep] = labels[base[keep]]
    if method.attach:
        voted = np.bincount(votes.rows, minlength=n) > 0
        rest = np.flatnonzero(voted & (base < 0))
        if len(rest):
            group[rest] = labels[kmeans.nearest(places[rest], centres)[0]]
    return Groups(votes, group, places, base, silhouettes)


# --- What each group stands for --------------------------------------------------------------------

Z_90 = 1.2816  # one-sided z at 90 %: Pol.is's threshold of significance


def _prop_test(successes: np.ndarray, trials: np.ndarray) -> np.ndarray:
    """Pol.is's one-proportion z against 1/2, with a count of one added to each side."""
    return 2 * np.sqrt(trials + 1) * ((successes + 1) / (trials + 1) - 0.5)


def _two_prop_test(in_s: np.ndarray, out_s: np.ndarray, in_n: np.ndarray, out_n: np.ndarray) -> np.ndarray:
    """Pol.is's two-proportion z (the group against the rest), with one added to each count."""
    in_s, out_s, in_n, out_n = in_s + 1, out_s + 1, in_n + 1, out_n + 1
    pooled = (in_s + out_s) / (in_n + out_n)
    spread = np.sqrt(np.maximum(pooled * (1 - pooled) * (1 / in_n + 1 / out_n), 0))
    return np.divide(in_s / in_n - out_s / out_n, spread, out=np.zeros_like(spread), where=spread > 0)


@dataclass(frozen=True)
class Representative:
    statement: str
    stance: str  # "agree" or "disagree": what the group does more than the others
    votes: int  # the group's votes on it
    share: float  # smoothed share of the group taking that stance, (n + 1) / (votes + 2)
    ratio: float  # that share against the rest of the participants'
    z: float  # two-proportion z of that difference


def _counts(votes: Votes, group: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group × statement: agrees, disagrees and votes, over the grouped participants' votes on
    statements not moderated out."""
    out = np.array([s in votes.excluded for s in votes.statements], dtype=bool)
    g = group[votes.rows]
    kept = (g >= 0) & ~out[votes.cols]
    shape = (k, len(votes.statements))
    agree, disagree, seen = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    np.add.at(agree, (g[kept], votes.cols[kept]), votes.values[kept] == AGREE)
    np.add.at(disagree, (g[kept], votes.cols[kept]), votes.values[kept] == DISAGREE)
    np.add.at(seen, (g[kept], votes.cols[kept]), 1)
    return agree, disagree, seen


def representative(result: Groups, top: int = 5) -> dict[int, list[Representative]]:
    """Per group, the statements that set it apart (Pol.is's repness): those where the group's share
    of agreement (or disagreement) is significantly above one half and above the rest's (both z over
    1.2816), ranked by ratio × z × share × its own z, at most `top`, agreements first; when none
    passes, the single statement of highest z. Only clustered participants count."""
    votes, k = result.votes, result.k
    member = np.where(result.base >= 0, result.group, -1)
    agree, disagree, seen = _counts(votes, member, k)
    out: dict[int, list[Representative]] = {}
    for g in range(k):
        rest = [h for h in range(k) if h != g]
        picks = []
        for stance, n in (("agree", agree), ("disagree", disagree)):
            share = (n[g] + 1) / (seen[g] + 2)
            rest_n, rest_seen = n[rest].sum(axis=0), seen[rest].sum(axis=0)
            ratio = share / ((rest_n + 1) / (rest_seen + 2))
            z = _two_prop_test(n[g], rest_n, seen[g], rest_seen)
            own_z = _prop_test(n[g], seen[g])
            picks.append((stance, share, ratio, z, own_z))
        agree_pick, disagree_pick = picks
        candidates = []
        for j, statement in enumerate(votes.statements):
            if statement in votes.excluded or seen[g, j] == 0:
                continue
            stance, share, ratio, z, own_z = (agree_pick if agree_pick[3][j] > disagree_pick[3][j]
                                              else disagree_pick)
            passes = any(p[3][j] > Z_90 and p[4][j] > Z_90 for p in picks)
            candidates.append((passes, ratio[j] * z[j] * share[j] * own_z[j], z[j],
                               Representative(statement, stance, int(seen[g, j]), float(share[j]),
                                              float(ratio[j]), float(z[j]))))
        chosen = sorted((c for c in candidates if c[0]), key=lambda c: -c[1])[:top]
        if not chosen and candidates:
            chosen = [max(candidates, key=lambda c: c[2])]
        out[g] = [c[3] for c in chosen if c[3].stance == "agree"] + [c[3] for c in chosen if c[3].stance == "disagree"]
    return out


def consensus(result: Groups) -> dict[str, float]:
    """Group-informed consensus of each statement (Pol.is): the product over the groups of each group's
    smoothed share of agreement, (agrees + 1) / (votes + 2). High only when every group agrees, however
    small; moderated-out statements are left out."""
    votes = result.votes
    member = np.where(result.base >= 0, result.group, -1)
    agree, _, seen = _counts(votes, member, result.k)
    scores = np.prod((agree + 1) / (seen + 2), axis=0) if result.k else np.zeros(len(votes.statements))
    return {s: float(scores[j]) for j, s in enumerate(votes.statements) if s not in votes.excluded}


def common_ground(result: Groups, method: Method = Method()) -> list[tuple[str, float]]:
    """What brings the groups together, best first: the statements every group agrees with (in each,
    at least `common_min_votes` votes and `common_min_share` of them agreeing), ranked by their
    group-informed consensus. A statement one group rejects, or that a group has hardly voted on,
    is not common ground, however high its product of shares."""
    if not result.k:
        return []
    member = np.where(result.base >= 0, result.group, -1)
    agree, _, seen = _counts(result.votes, member, result.k)
    scores = consensus(result)
    share = np.divide(agree, seen, out=np.zeros_like(agree), where=seen > 0)
    held = np.all((seen >= method.common_min_votes) & (share >= method.common_min_share), axis=0)
    found = [(s, scores[s]) for j, s in enumerate(result.votes.statements) if held[j] and s in scores]
    return sorted(found, key=lambda kv: -kv[1])
