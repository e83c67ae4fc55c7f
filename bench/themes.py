"""Themes of free-text contributions (issue 4): agreement with the human labels of the 2,204 annotated
Grand Débat contributions, beside a plain TF-IDF + k-means baseline in the same run, and the time for
100,000 contributions.

    .venv/bin/python bench/themes.py [--data ../shared/data/grand-debat] [--contributions 100000]

Reference label of a contribution: its most frequent annotation category once the generic ones are set
aside ("Idée marquée", "Z Autres", "A Aucun", "Sans réponse / Hors sujet / Inclassable"); the 433
contributions with none are left out of the score (1,771 scored, 315 labels). Score: adjusted mutual
information (scikit-learn). Baseline: scikit-learn's TfidfVectorizer with its defaults and KMeans
(10 starts, seed 0), the same k. The 100,000 contributions are the annotated ones' sentences drawn
again at random into new contributions of 1 to 6 sentences (seed 1).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import random
import re
import resource
import time
from pathlib import Path

from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_mutual_info_score

from sentinelle.concertation import themes

HERE = Path(__file__).resolve().parent
GENERIC = {"Idée marquée", "Z Autres", "A Aucun", "Sans réponse / Hors sujet / Inclassable"}


def load(folder: Path) -> tuple[list[str], list[str | None]]:
    items = json.loads((folder / "annotated-contributions" / "idees_marquantes.json").read_text(encoding="utf-8"))
    texts, labels = [], []
    for item in items:
        counts = collections.Counter(c for c in item["Categories"] if c not in GENERIC)
        texts.append(item["reponse"])
        labels.append(counts.most_common(1)[0][0] if counts else None)
    return texts, labels


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data" / "grand-debat")
    ap.add_argument("--contributions", type=int, default=100_000)
    args = ap.parse_args()
    texts, labels = load(args.data)
    scored = [i for i, label in enumerate(labels) if label]
    truth = [labels[i] for i in scored]
    print(f"{len(texts)} contributions, {len(scored)} with a reference label ({len(set(truth))} labels)\n")
    print("| k | ours: AMI | ours: time (s) | TF-IDF + k-means: AMI | baseline: time (s) |\n|---|---|---|---|---|")
    for k in (10, 20, 40):
        start = time.perf_counter()
        ours = themes.find(texts, themes.Method(themes=k)).assignment
        ours_s = time.perf_counter() - start
        start = time.perf_counter()
        plain = KMeans(n_clusters=k, n_init=10, random_state=0).fit_predict(TfidfVectorizer().fit_transform(texts))
        plain_s = time.perf_counter() - start
        print(f"| {k} | {adjusted_mutual_info_score(truth, ours[scored]):.3f} | {ours_s:.1f} | "
              f"{adjusted_mutual_info_score(truth, plain[scored]):.3f} | {plain_s:.1f} |")
    sentences = [s for t in texts for s in re.split(r"(?<=[.!?])\s+", t) if len(s) > 20]
    rng = random.Random(1)
    many = [" ".join(rng.choices(sentences, k=rng.randint(1, 6))) for _ in range(args.contributions)]
    start = time.perf_counter()
    result = themes.find(many)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"\n{len(many)} contributions ({sum(len(t) for t in many) / len(many):.0f} characters on average): "
          f"{seconds:.1f} s for {len(result.themes)} themes, peak memory of the process {peak:.2f} GiB")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")


if __name__ == "__main__":
    main()
