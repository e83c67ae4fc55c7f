"""Shortages abroad against French specialities, on the real files (issue 17, point 3).

1. Coverage: how many French specialities marketed today (BDPM, « Commercialisée ») share their
   active substances' key with a shortage the FDA (five snapshots, 2023-04 to 2026-06) or the EMA
   (catalogue of December 2025) posted.
2. Precision of the matching, on a sample of matched pairs checked by hand: the sample is drawn once
   (seeded) into bench/data/abroad_match_sample.csv, whose `correct` column a person fills (yes / no);
   the bench reads it back and never rewrites a checked row.
3. Early warning: for each French rupture or tension (the ANSM list, four snapshots), was a shortage
   on the same substances posted abroad in the 365 days before it began, and how many days before
   (the earliest such posting)? Beside it, the same share for every French speciality marketed today
   on the same dates (does a foreign posting say more than chance?).

    .venv/bin/python bench/abroad_matching.py [--draw]
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from sentinelle.catalogue import substances
from sentinelle.catalogue.importers import composition
from sentinelle.importing import ImportReport, read_text
from sentinelle.interop import ansm, foreign

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SAMPLE = Path(__file__).resolve().parent / "data" / "abroad_match_sample.csv"
FIELDS = ["fr_cis", "fr_name", "fr_substances", "source", "foreign_name", "foreign_substances", "key", "correct",
          "note"]


def foreign_postings() -> dict[str, list[tuple[date, str, str, str]]]:
    """Every foreign record of every snapshot, by substance key: (posted on, source, name, substances)."""
    by_key: dict[str, dict[tuple[str, str], tuple[date, str, str, str]]] = defaultdict(dict)
    files = [("fda-drugs", p) for p in sorted((DATA / "fda-drug-shortages").glob("*.*")) if p.suffix in (".csv", ".json")]
    files.append(("ema", DATA / "ema-shortages" / "medicines_output_shortages_en.json"))
    for source, path in files:
        snapshot = foreign.read(source, path, ImportReport(source=path.name))
        for r in snapshot.records:
            if not r.substance_key or r.posted_on is None:
                continue
            seen = by_key[r.substance_key].get((source, r.key))
            if seen is None or r.posted_on < seen[0]:
                by_key[r.substance_key][(source, r.key)] = (r.posted_on, source, r.name, " ; ".join(r.names))
    return {k: sorted(v.values()) for k, v in by_key.items()}


def french() -> tuple[dict[str, str], dict[str, str], dict[str, list[str]]]:
    """Specialities marketed today: their key, their name, their substances."""
    names, marketed = {}, set()
    for line in read_text(DATA / "bdpm" / "CIS_bdpm.txt").splitlines():
        cells = line.split("\t")
        if len(cells) > 6:
            names[cells[0].strip()] = cells[1].strip()
            if cells[6].strip() == "Commercialisée":
                marketed.add(cells[0].strip())
    comp = composition(DATA / "bdpm" / "CIS_COMPO_bdpm.txt")
    keys = {cis: substances.key(names_) for cis, names_ in comp.items() if cis in marketed and names_}
    return keys, names, comp


def events() -> list[tuple[str, date]]:
    found: dict[tuple[str, date], None] = {}
    for path in sorted((DATA / "ansm-disponibilite").glob("CIS_CIP_Dispo_Spec_*.txt")):
        if "raw" in path.name:
            continue
        for row in ansm.parse(read_text(path), ImportReport(source=path.name)):
            if row.status in ("rupture", "tension", "resolved"):
                found[(row.cis, row.started_at)] = None
    return list(found)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--draw", action="store_true", help="draw the hand-check sample (never over checked rows)")
    parser.add_argument("--sample", type=int, default=80)
    args = parser.parse_args()
    postings = foreign_postings()
    keys, names, comp = french()
    fda_keys = {k for k, v in postings.items() if any(s == "fda-drugs" for _, s, _, _ in v)}
    ema_keys = {k for k, v in postings.items() if any(s == "ema" for _, s, _, _ in v)}
    print(f"foreign substance keys: {len(fda_keys)} FDA, {len(ema_keys)} EMA; French specialities marketed with a "
          f"known composition: {len(keys)}")
    for label, pool in (("FDA", fda_keys), ("EMA", ema_keys), ("FDA or EMA", fda_keys | ema_keys)):
        hit = [c for c, k in keys.items() if k in pool]
        matched_keys = {keys[c] for c in hit}
        print(f"| {label} | {len(hit)} specialities ({100 * len(hit) / len(keys):.1f} %) | {len(matched_keys)} French "
              f"substance keys | {len(matched_keys)} of {len(pool)} foreign keys ({100 * len(matched_keys) / len(pool):.0f} %) |")

    # The hand-checked sample.
    pairs = sorted({(keys[c], c) for c in keys if keys[c] in postings})
    if args.draw:
        checked = _read_sample()
        rng = random.Random(17)
        by_key: dict[str, list[str]] = defaultdict(list)
        for k, c in pairs:
            by_key[k].append(c)
        chosen = rng.sample(sorted(by_key), min(args.sample, len(by_key)))  # one pair per substance key
        rows = list(checked)
        for k in chosen:
            if any(r["key"] == k for r in rows):
                continue
            cis = rng.choice(by_key[k])
            _posted, source, name, subst = rng.choice(postings[k])
            rows.append({"fr_cis": cis, "fr_name": names.get(cis, ""), "fr_substances": " + ".join(comp[cis]),
                         "source": source, "foreign_name": name, "foreign_substances": subst, "key": k,
                         "correct": "", "note": ""})
        SAMPLE.parent.mkdir(exist_ok=True)
        with SAMPLE.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, FIELDS)
            writer.writeheader()
            writer.writerows(rows)
        print(f"sample: {len(rows)} pairs in {SAMPLE}")
    checked = [r for r in _read_sample() if r["correct"] in ("yes", "no")]
    if checked:
        good = sum(r["correct"] == "yes" for r in checked)
        print(f"precision on the hand-checked sample: {good} / {len(checked)} = {good / len(checked):.2f}")

    # Early warning.
    french_events = [(cis, start) for cis, start in events() if cis in keys]
    print(f"\nFrench ruptures and tensions with a known composition: {len(french_events)}")
    print("| French start | events | posted abroad in the 365 days before | median days before | "
          "same share, every marketed speciality on those dates | lift |")
    print("|---|---|---|---|---|---|")
    all_keys = list(keys.values())
    for label, low, high in (("2023", date(2023, 1, 1), date(2024, 1, 1)), ("2024", date(2024, 1, 1), date(2025, 1, 1)),
                             ("2025-26", date(2025, 1, 1), date(2027, 1, 1)), ("all from 2023", date(2023, 1, 1),
                                                                               date(2027, 1, 1))):
        chosen_events = [(c, s) for c, s in french_events if low <= s < high]
        leads = []
        for cis, start in chosen_events:
            before = [p for p, *_ in postings.get(keys[cis], []) if start - timedelta(days=365) <= p < start]
            if before:
                leads.append((start - min(before)).days)
        share = len(leads) / len(chosen_events) if chosen_events else float("nan")
        base = statistics.mean(_posted_share(postings, all_keys, start) for _, start in chosen_events[::10]) \
            if chosen_events else float("nan")
        print(f"| {label} | {len(chosen_events)} | {len(leads)} ({100 * share:.1f} %) | "
              f"{statistics.median(leads) if leads else '—'} | {100 * base:.1f} % | {share / base:.1f} |")


def _posted_share(postings: dict[str, list[tuple[date, str, str, str]]], keys: list[str], day: date) -> float:
    low = day - timedelta(days=365)
    return sum(any(low <= p < day for p, *_ in postings.get(k, [])) for k in keys) / len(keys)


def _read_sample() -> list[dict[str, str]]:
    if not SAMPLE.exists():
        return []
    with SAMPLE.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


if __name__ == "__main__":
    main()
