"""Opinion groups (issue 4): agreement with Pol.is's own groups on its open-data conversations, beside a
plain PCA + k-means baseline measured in the same run, and the time for 100,000 participants and a
million votes.

    .venv/bin/python bench/opinion_groups.py [--polis ../shared/data/polis] [--participants 100000 --votes 1000000]

Agreement: the adjusted Rand index (scikit-learn) between our groups and the `group-id` Pol.is wrote in
`participants-votes.csv`, over the participants Pol.is grouped. The baseline: the same vote matrix
(moderated-out statements left out), each missing vote the statement's mean, scikit-learn's PCA to two
components and KMeans (10 starts, seed 0) with k from 2 to 5 chosen by scikit-learn's silhouette, on
the participants with at least one vote.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import time
from pathlib import Path

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, silhouette_score

from sentinelle.concertation import opinion, polis

HERE = Path(__file__).resolve().parent


def baseline(votes: opinion.Votes) -> np.ndarray:
    """Plain PCA + k-means: group per participant (-1 for those without a vote)."""
    kept = [j for j, s in enumerate(votes.statements) if s not in votes.excluded]
    column = {j: n for n, j in enumerate(kept)}
    dense = np.full((len(votes.participants), len(kept)), np.nan)
    for r, c, v in zip(votes.rows, votes.cols, votes.values):
        if c in column:
            dense[r, column[c]] = v
    voted = ~np.isnan(dense).all(axis=1)
    means = np.nan_to_num(np.nanmean(np.where(np.isnan(dense).all(axis=0), 0, dense), axis=0))
    filled = np.where(np.isnan(dense), means, dense)[voted]
    plane = PCA(n_components=2, random_state=0).fit_transform(filled)
    best = None
    for k in range(2, 6):
        labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(plane)
        score = silhouette_score(plane, labels)
        if best is None or score > best[0]:
            best = (score, labels)
    out = np.full(len(votes.participants), -1)
    out[voted] = best[1]
    return out


def agreement(folder: Path) -> tuple[str, int, int, int, float, int, float, float]:
    conv = polis.read(folder)
    votes = conv.votes
    start = time.perf_counter()
    ours = opinion.groups(votes)
    seconds = time.perf_counter() - start
    plain = baseline(votes)
    grouped = [i for i, p in enumerate(votes.participants) if p in conv.polis_group]
    truth = [conv.polis_group[votes.participants[i]] for i in grouped]
    return (folder.name, len(votes.participants), len(grouped), len(set(truth)),
            adjusted_rand_score(truth, ours.group[grouped]), ours.k,
            adjusted_rand_score(truth, plain[grouped]), seconds)


def synthetic(participants: int, votes: int, statements: int, seed: int = 0) -> opinion.Votes:
    """Three camps of sizes 5:3:2, each statement agreed by each camp with its own probability; each
    participant votes on votes / participants statements drawn at random (one vote per statement)."""
    rng = np.random.default_rng(seed)
    camp = rng.choice(3, size=participants, p=[0.5, 0.3, 0.2])
    p_agree = rng.uniform(0.05, 0.95, size=(3, statements))
    per = votes // participants
    rows = np.repeat(np.arange(participants), per)
    cols = np.concatenate([rng.choice(statements, size=per, replace=False) for _ in range(participants)])
    u = rng.uniform(size=len(rows))
    p = p_agree[camp[rows], cols]
    values = np.where(u < p * 0.9, 1.0, np.where(u < 0.9, -1.0, 0.0))
    return opinion.Votes([str(i) for i in range(participants)], [str(j) for j in range(statements)],
                         rows, cols, values)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--polis", type=Path, default=HERE.parent.parent / "shared" / "data" / "polis")
    ap.add_argument("--participants", type=int, default=100_000)
    ap.add_argument("--votes", type=int, default=1_000_000)
    ap.add_argument("--statements", type=int, default=1_000)
    args = ap.parse_args()
    rows = [agreement(d) for d in sorted(args.polis.iterdir()) if (d / "participants-votes.csv").exists()]
    print("| conversation | participants | grouped by Pol.is | Pol.is groups | ours: ARI | ours: groups "
          "| plain PCA + k-means: ARI | ours: time (s) |\n|---|---|---|---|---|---|---|---|")
    for name, n, grouped, k, ari, ours_k, plain, seconds in rows:
        print(f"| {name} | {n} | {grouped} | {k} | {ari:.3f} | {ours_k} | {plain:.3f} | {seconds:.2f} |")
    ours_ari, plain_ari = [r[4] for r in rows], [r[6] for r in rows]
    print(f"\nmedian ARI: ours {statistics.median(ours_ari):.3f} (lowest {min(ours_ari):.3f}), "
          f"baseline {statistics.median(plain_ari):.3f} (lowest {min(plain_ari):.3f})")
    big = synthetic(args.participants, args.votes, args.statements)
    start = time.perf_counter()
    result = opinion.groups(big)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"\n{args.participants} participants, {len(big.values)} votes, {args.statements} statements: "
          f"{seconds:.1f} s, {result.k} groups, peak memory of the process {peak:.2f} GiB")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}")


if __name__ == "__main__":
    main()
