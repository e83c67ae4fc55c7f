"""Loading the public nomenclatures: EMDN (devices) and the BDPM (medicines)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.catalogue import codes, substances
from sentinelle.catalogue.models import EmdnCode, PriceObservation, Product
from sentinelle.importing import ImportReport, Progress, read_text
from sentinelle.store.db import upsert_rows
from sentinelle.text import fold, plain

MAX_TERM = 1000  # the longest EMDN term is under 300 characters


def import_emdn(session: Session, path: Path, progress: Progress | None = None) -> ImportReport:
    """The EMDN export: a title line, a header, then tab-separated rows (one term holds a quoted line break)."""
    report = ImportReport(source=str(path))
    reader = csv.reader(io.StringIO(read_text(path)), delimiter="\t", quotechar='"')
    rows: list[dict[str, object]] = []
    for number, row in enumerate(reader, start=1):
        if number <= 2:
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 6:
            report.reject(reader.line_num, "row", f"{len(row)} colonnes au lieu de 6")
            continue
        category, _desc, code, term, level, terminal = (c.strip() for c in row[:6])
        if not codes.emdn_ok(code):
            report.reject(reader.line_num, "CODE", f"code EMDN invalide : {code!r}")
            continue
        if not level.isdigit():
            report.reject(reader.line_num, "LEVEL", f"niveau invalide : {level!r}")
            continue
        term = " ".join(term.split())
        if len(term) > MAX_TERM:
            report.reject(reader.line_num, "TERM", f"terme de {len(term)} caractères (au plus {MAX_TERM})")
            continue
        rows.append({"code": code, "term": term, "level": int(level),
                     "terminal": terminal.upper() == "YES", "category": category[:1] or code[0],
                     "parent_code": code[:-2] if len(code) > 1 else None})
        if progress:
            progress(1)
    existing = set(session.scalars(select(EmdnCode.code)))
    new = [r for r in rows if r["code"] not in existing]
    if new:
        session.execute(insert(EmdnCode), new)
    for r in rows:
        if r["code"] in existing:
            session.execute(update(EmdnCode).where(EmdnCode.code == r["code"]).values(**r))
    report.created, report.updated = len(new), len(rows) - len(new)
    audit.record(session, None, audit.Action.IMPORT_EMDN, "emdn", None,
                 after={"file": path.name, "created": report.created, "updated": report.updated})
    return report


def composition(path: Path) -> dict[str, list[str]]:
    """Each speciality's active substances, in the file's order: the therapeutic fraction (« MORPHINE »)
    when the file gives one, else the substance as named (« SULFATE DE MORPHINE »)."""
    if not path.exists():
        return {}
    by_link: dict[str, dict[str, str]] = {}
    for line in read_text(path).splitlines():
        cells = line.split("\t")
        if len(cells) < 8:
            continue
        cis, name, nature, link = cells[0].strip(), plain(cells[3]).strip(), cells[6].strip(), cells[7].strip()
        if not name or nature not in ("SA", "FT"):
            continue
        links = by_link.setdefault(cis, {})
        if nature == "FT" or link not in links:
            links[link] = name
    return {cis: list(links.values()) for cis, links in by_link.items()}


def bdpm_price(text: str) -> float | None:
    """A BDPM price: « 1,195,27 » is 1195.27 (the last comma is the decimal one, the others group
    thousands); None when empty or unreadable. risk/vulnerability.py's SQL reads the files' prices by
    the same rule, in DuckDB (its back-test reads the files, not the catalogue)."""
    text = text.strip()
    if len(text) < 4 or text[-3] != ",":
        return None
    try:
        return float(text[:-3].replace(",", "") + "." + text[-2:])
    except ValueError:
        return None


def import_bdpm(session: Session, folder: Path, progress: Progress | None = None,
                observed_on: date | None = None) -> ImportReport:
    """Medicines from CIS_bdpm.txt, with ATC from CIS_MITM.txt, the first CIP13 from CIS_CIP_bdpm.txt and
    the active substances from CIS_COMPO_bdpm.txt; each priced presentation's price kept as observed on
    `observed_on` (the snapshot's day; default today): successive imports make its history."""
    report = ImportReport(source=str(folder))
    atc: dict[str, str] = {}
    mitm = folder / "CIS_MITM.txt"
    if mitm.exists():
        for line in read_text(mitm).splitlines():
            cells = line.split("\t")
            if len(cells) >= 2 and codes.atc_ok(cells[1].strip()):
                atc.setdefault(cells[0].strip(), cells[1].strip())
    cip: dict[str, str] = {}
    prices: dict[str, tuple[str, float]] = {}  # cip13 → (cis, price)
    cip_file = folder / "CIS_CIP_bdpm.txt"
    if cip_file.exists():
        for line in read_text(cip_file).splitlines():
            cells = line.split("\t")
            if len(cells) >= 7 and codes.cip13_ok(cells[6].strip()):
                cip.setdefault(cells[0].strip(), cells[6].strip())
                price = bdpm_price(cells[9]) if len(cells) > 9 else None
                if price is not None and price > 0:
                    prices[cells[6].strip()] = (cells[0].strip(), price)
    composition_of = composition(folder / "CIS_COMPO_bdpm.txt")
    existing = dict(session.execute(select(Product.cis, Product.id).where(Product.cis.is_not(None))).all())
    new_rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for number, line in enumerate(read_text(folder / "CIS_bdpm.txt").splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) < 11:
            report.reject(number, "row", f"{len(cells)} colonnes au lieu de 12")
            continue
        cis, name, holder = cells[0].strip(), plain(cells[1]), plain(cells[10])
        if not codes.cis_ok(cis):
            report.reject(number, "CIS", f"code CIS invalide : {cis!r}")
            continue
        if cis in seen:
            report.reject(number, "CIS", f"code CIS en double : {cis}")
            continue
        seen.add(cis)
        values = {"kind": "medicine", "name": name[:500], "name_lower": fold(name)[:500], "cis": cis,
                  "cip13": cip.get(cis), "atc_code": atc.get(cis), "holder": holder[:300] or None,
                  "substances": " + ".join(composition_of.get(cis, [])) or None,
                  "substance_key": substances.key(composition_of.get(cis, []))[:300] or None}
        if cis in existing:
            session.execute(update(Product).where(Product.id == existing[cis]).values(**values))
            report.updated += 1
        else:
            new_rows.append(values)  # type: ignore[arg-type]
        if progress:
            progress(1)
    for start in range(0, len(new_rows), 2000):
        session.execute(insert(Product), new_rows[start:start + 2000])
    report.created = len(new_rows)
    day = observed_on or date.today()
    rows = [{"cip13": c, "observed_on": day, "cis": cis, "price": price} for c, (cis, price) in prices.items()]
    upsert_rows(session, PriceObservation, rows, ["cip13", "observed_on"], 5000)  # the same day again: replaced
    if rows:
        report.notes.append(f"{len(rows)} prix de présentations relevés au {day:%d/%m/%Y}")
    audit.record(session, None, audit.Action.IMPORT_BDPM, "product", None,
                 after={"folder": folder.name, "created": report.created, "prices": len(rows),
                        "observed_on": day.isoformat()})
    return report
