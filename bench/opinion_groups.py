"""Opinion groups (issue 4): agreement with Pol.is's own groups on its open-data conversations, beside a
plain PCA + k-means baseline measured in the same run, and the time for 100,000 participants and a
million votes.

    .venv/bin/python bench/opinion_groups.py [--polis ../shared/data/polis] [--participants 100000 --votes 1000000]

Agreement: the adjusted Rand index (scikit-learn) between our groups and the `group-id` Pol.is wrote in
`participants-votes.csv`, over the participants Pol.is grouped. Ours two ways: Pol.is's updates
replayed over `votes.csv` (`opinion_replay`, what `opinion-groups` does by default; `--window` and
`--no-restart` try other settings), and one computation over the final votes (`opinion.groups`). The
baseline: the same vote matrix
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

from sentinelle.concertation import opinion, opinion_replay, polis

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


def _ari(conv: polis.Conversation, participants: list[str], groups: np.ndarray) -> float:
    at = {p: i for i, p in enumerate(participants)}
    common = [p for p in conv.polis_group if p in at]
    return adjusted_rand_score([conv.polis_group[p] for p in common], [groups[at[p]] for p in common])


def agreement(folder: Path, settings: opinion_replay.Replay) -> dict[str, object]:
    conv = polis.read(folder)
    votes = conv.votes
    history = polis.read_history(folder) or []
    start = time.perf_counter()
    replayed = opinion_replay.replay(history, votes.excluded, replay=settings)
    replay_seconds = time.perf_counter() - start
    start = time.perf_counter()
    once = opinion.groups(votes)
    seconds = time.perf_counter() - start
    plain = baseline(votes)
    truth = set(conv.polis_group.values())
    return {"name": folder.name, "participants": len(votes.participants), "grouped": len(conv.polis_group),
            "k": len(truth), "replay": _ari(conv, replayed.votes.participants, replayed.group),
            "replay_k": replayed.k, "replay_s": replay_seconds, "updates": len(history),
            "once": _ari(conv, votes.participants, once.group), "once_k": once.k, "once_s": seconds,
            "plain": _ari(conv, votes.participants, plain)}


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
    ap.add_argument("--window", type=float, default=opinion_replay.Replay().window)
    ap.add_argument("--no-restart", action="store_true")
    ap.add_argument("--skip-scale", action="store_true")
    args = ap.parse_args()
    settings = opinion_replay.Replay(window=args.window, restart_at_end=not args.no_restart)
    print(f"replay: window {settings.window:g} s, restart at the end: {settings.restart_at_end}")
    rows = [agreement(d, settings) for d in sorted(args.polis.iterdir()) if (d / "participants-votes.csv").exists()]
    print("| conversation | participants | grouped by Pol.is | Pol.is groups | ours, replayed: ARI (groups) "
          "| ours, once: ARI (groups) | plain PCA + k-means: ARI | replay (s) | once (s) |\n"
          "|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']} | {r['participants']} | {r['grouped']} | {r['k']} | {r['replay']:.3f} ({r['replay_k']}) "
              f"| {r['once']:.3f} ({r['once_k']}) | {r['plain']:.3f} | {r['replay_s']:.1f} | {r['once_s']:.2f} |")
    for key, label in (("replay", "ours, replayed"), ("once", "ours, once"), ("plain", "baseline")):
        values = [float(r[key]) for r in rows]  # type: ignore[arg-type]
        print(f"median ARI {label}: {statistics.median(values):.3f} (lowest {min(values):.3f}, "
              f"{sum(v >= 0.6 for v in values)} of {len(values)} at 0.6 or more)")
    if args.skip_scale:
        return
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
