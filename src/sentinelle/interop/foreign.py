"""Shortages posted abroad: the FDA's drug shortage list (its CSV download or the openFDA JSON), the
FDA's medical device shortage list, the EMA's shortages catalogue. Each file is a snapshot: importing
it again changes nothing, a newer one updates each record and keeps what the older said, an older one
adds its history without overwriting; every record it cannot read is named, the others are kept."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.catalogue import substances
from sentinelle.errors import Invalid
from sentinelle.importing import ImportReport, read_text
from sentinelle.risk.models import FOREIGN_SOURCES, ForeignShortage, ForeignShortageEvent
from sentinelle.schemas_common import safe_url
from sentinelle.text import fold

FDA_DRUGS_PAGE = "https://www.accessdata.fda.gov/scripts/drugshortages/default.cfm"
FDA_DEVICES_PAGE = "https://www.fda.gov/medical-devices/medical-device-supply-chain-and-shortages/medical-device-shortages-list"
STATUSES = {"current": "current", "to be discontinued": "discontinuation", "resolved": "resolved",
            "ongoing": "current"}


@dataclass
class Record:
    line: int
    key: str
    name: str
    names: list[str]  # its substances, as the source names them
    status: str
    posted_on: date | None
    updated_on: date | None
    company: str = ""
    reason: str = ""
    url: str = ""
    substance_key: str = ""


@dataclass
class Snapshot:
    source: str
    taken_on: date
    records: list[Record] = field(default_factory=list)


def _date(text: str | None, formats: tuple[str, ...]) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


US_DATES = ("%m/%d/%Y", "%m/%d/%y")
EU_DATES = ("%d/%m/%Y",)


def _status(text: str) -> str | None:
    return STATUSES.get(" ".join(text.lower().split()))


def _ndc(presentation: str) -> str | None:
    found = re.search(r"NDC\s*([0-9]{4,5}-[0-9]{3,4}-[0-9]{1,2})", presentation)
    return found.group(1) if found else None


def _fda_record(report: ImportReport, line: int, values: dict[str, Any]) -> Record | None:
    name = str(values.get("generic_name") or "").strip()
    if not name:
        report.reject(line, "generic_name", "nom générique manquant")
        return None
    status = _status(str(values.get("status") or ""))
    if status is None:
        report.reject(line, "status", f"statut inconnu : « {str(values.get('status'))[:40]} »")
        return None
    try:
        posted = _date(values.get("initial_posting_date"), US_DATES)
        updated = _date(values.get("update_date"), US_DATES)
    except ValueError as exc:
        report.reject(line, "date", f"date illisible (MM/JJ/AAAA attendu) : « {str(exc)[:20]} »")
        return None
    presentation = str(values.get("presentation") or "")
    key = str(values.get("package_ndc") or "") or _ndc(presentation) or \
        fold(f"{name}|{values.get('company_name', '')}|{presentation}")[:300]
    names = values.get("substance_names") or substances.english_names(name)
    return Record(line, key, name[:500], list(names), status, posted, updated,
                  str(values.get("company_name") or "")[:300], str(values.get("shortage_reason") or ""),
                  FDA_DRUGS_PAGE, substances.key(names, english=True)[:300])


def parse_fda_drugs(text: str, report: ImportReport) -> Snapshot:
    """The FDA's drug shortages: the openFDA bulk JSON or the « Download current drug shortages » CSV
    (a blank first line, headers with spaces around them, dates as MM/DD/YYYY or m/d/yy)."""
    records: list[Record] = []
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            document = json.loads(stripped)
            results = document["results"]
            taken = _date(document.get("meta", {}).get("last_updated"), ("%Y-%m-%d",))
        except (ValueError, KeyError, TypeError) as exc:
            raise Invalid(f"fichier openFDA illisible : {str(exc)[:120]}", "file") from exc
        for index, item in enumerate(results, start=1):
            if not isinstance(item, dict):
                report.reject(index, "record", "enregistrement qui n'est pas un objet")
                continue
            item = dict(item)
            item["substance_names"] = (item.get("openfda") or {}).get("substance_name")
            record = _fda_record(report, index, item)
            if record:
                records.append(record)
    else:
        reader = csv.reader(io.StringIO(stripped))
        header = [h.strip().lower() for h in next(reader, [])]
        if "generic name" not in header or "status" not in header:
            raise Invalid("ce n'est pas la liste de la FDA : colonnes « Generic Name » et « Status » attendues", "file")
        col = {h: i for i, h in enumerate(header)}
        names = {"generic name": "generic_name", "company name": "company_name", "presentation": "presentation",
                 "date of update": "update_date", "reason for shortage": "shortage_reason", "status": "status",
                 "initial posting date": "initial_posting_date"}
        for line, cells in enumerate(reader, start=2 + (len(text) - len(stripped) > 0)):
            if not any(c.strip() for c in cells):
                continue
            values = {target: cells[col[h]].strip() if h in col and col[h] < len(cells) else ""
                      for h, target in names.items()}
            record = _fda_record(report, line, values)
            if record:
                records.append(record)
        taken = max((r.updated_on for r in records if r.updated_on), default=None)
    if taken is None:
        raise Invalid("date du fichier introuvable (meta.last_updated, ou aucune date de mise à jour)", "file")
    return Snapshot("fda-drugs", taken, records)


def parse_ema(text: str, report: ImportReport) -> Snapshot:
    """The EMA's shortages catalogue, as JSON (its Excel export made a list of objects)."""
    try:
        entries = json.loads(text)
    except ValueError as exc:
        raise Invalid(f"JSON illisible : {str(exc)[:120]}", "file") from exc
    if not isinstance(entries, list):
        raise Invalid("liste d'entrées attendue (le catalogue des pénuries de l'EMA)", "file")
    records: list[Record] = []
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            report.reject(index, "record", "entrée qui n'est pas un objet")
            continue
        if str(entry.get("category", "Human")).strip().lower() != "human":
            report.notes.append(f"entrée {index} : médicament vétérinaire, laissé de côté")
            continue
        name = str(entry.get("medicine_affected") or "").strip()
        inn = str(entry.get("international_non_proprietary_name_inn_or_common_name") or "").strip()
        url = str(entry.get("shortage_url") or "").strip()
        if not name:
            report.reject(index, "medicine_affected", "médicament manquant")
            continue
        if not inn:  # « Fiasp (insulin aspart) »: the substance in brackets, else the name itself
            bracket = re.search(r"\(([^)]+)\)", name)
            inn = bracket.group(1) if bracket else name
            report.notes.append(f"entrée {index} : pas de DCI, « {inn[:60]} » lu à sa place")
        if not safe_url(url):
            report.reject(index, "shortage_url", "adresse de la fiche manquante ou refusée")
            continue
        status = _status(str(entry.get("supply_shortage_status") or ""))
        if status is None:
            report.reject(index, "supply_shortage_status",
                          f"statut inconnu : « {str(entry.get('supply_shortage_status'))[:40]} »")
            continue
        try:
            started = _date(entry.get("start_of_shortage_date"), EU_DATES)
            published = _date(entry.get("first_published_date"), EU_DATES)
            updated = _date(entry.get("last_updated_date"), EU_DATES)
        except ValueError as exc:
            report.reject(index, "date", f"date illisible (JJ/MM/AAAA attendu) : « {str(exc)[:20]} »")
            continue
        names = [n for n in re.split(r"\s*/\s*|;", inn) if n.strip()]
        records.append(Record(index, url[:300], name[:500], names, status, started or published, updated, "",
                              str(entry.get("availability_of_alternatives") or ""), url,
                              substances.key(names, english=True)[:300]))
    taken = max((r.updated_on for r in records if r.updated_on), default=None)
    if taken is None:
        raise Invalid("aucune date de mise à jour dans le fichier", "file")
    return Snapshot("ema", taken, records)


def parse_fda_devices(text: str, report: ImportReport) -> Snapshot:
    """The FDA's medical device shortage list (its table as CSV): a product code and its description,
    and a history cell of dated events (« 2024/11/15 Initial2025/07/16 Reverified »)."""
    reader = csv.DictReader(io.StringIO(text.lstrip()))
    if not reader.fieldnames or "product_code_description" not in reader.fieldnames:
        raise Invalid("colonne « product_code_description » attendue (liste des pénuries de dispositifs de la FDA)",
                      "file")
    records: list[Record] = []
    for line, row in enumerate(reader, start=2):
        described = (row.get("product_code_description") or "").strip()
        code = re.match(r"^([A-Z]{3})\b", described)
        if not code:
            report.reject(line, "product_code_description", f"code produit FDA (3 lettres) manquant : « {described[:40]} »")
            continue
        dates = re.findall(r"(\d{4}/\d{2}/\d{2})", row.get("date_yyyy_mm_dd") or "")
        try:
            days = sorted(datetime.strptime(d, "%Y/%m/%d").date() for d in dates)
        except ValueError:
            report.reject(line, "date_yyyy_mm_dd", "date illisible (AAAA/MM/JJ attendu)")
            continue
        if not days:
            report.reject(line, "date_yyyy_mm_dd", "aucune date")
            continue
        records.append(Record(line, f"device:{code.group(1)}", described[:500], [], "current", days[0], days[-1], "",
                              (row.get("reason_for_interruption_per_506j") or "").strip(), FDA_DEVICES_PAGE,
                              f"device:{code.group(1)}"))
    taken = max((r.updated_on for r in records if r.updated_on), default=None)
    if taken is None:
        raise Invalid("aucune entrée lisible dans le fichier", "file")
    return Snapshot("fda-devices", taken, records)


PARSERS: dict[str, Callable[[str, ImportReport], Snapshot]] = {
    "fda-drugs": parse_fda_drugs, "ema": parse_ema, "fda-devices": parse_fda_devices}


def read(source: str, path: Path, report: ImportReport) -> Snapshot:
    if source not in PARSERS:
        raise Invalid(f"source inconnue : {source} (attendu : {', '.join(FOREIGN_SOURCES)})", "source")
    return PARSERS[source](read_text(path), report)


def import_file(session: Session, actor: User | None, source: str, path: Path,
                progress: Callable[[int], None] | None = None) -> ImportReport:
    """Apply a snapshot: new records created, known ones updated when the snapshot is newer than the
    last one seen (an older snapshot only adds its history), a line of history per change; records of
    earlier snapshots it no longer lists are counted absent, never deleted."""
    report = ImportReport(source=f"{source} : {path.name}")
    snapshot = read(source, path, report)
    known = {s.record_key: s for s in session.scalars(select(ForeignShortage).where(ForeignShortage.source == source))}
    seen: set[str] = set()
    for record in snapshot.records:
        if record.key in seen:
            report.notes.append(f"enregistrement {record.line} : {record.key} déjà lu plus haut, ignoré")
            continue
        seen.add(record.key)
        row = known.get(record.key)
        if row is None:
            row = ForeignShortage(source=source, record_key=record.key, first_snapshot=snapshot.taken_on,
                                  last_snapshot=snapshot.taken_on, **_fields(record))
            session.add(row)
            session.flush()
            report.created += 1
        elif snapshot.taken_on > row.last_snapshot:
            changed = {k: v for k, v in _fields(record).items() if getattr(row, k) != v}
            for name, value in changed.items():
                setattr(row, name, value)
            row.last_snapshot = snapshot.taken_on
            report.updated += bool(changed)
            report.unchanged += not changed
        else:
            if snapshot.taken_on < row.first_snapshot:
                row.first_snapshot = snapshot.taken_on
            report.unchanged += 1
        _remember(session, row, snapshot.taken_on, record)
        if progress:
            progress(1)
    absent = [s for key, s in known.items() if key not in seen and s.last_snapshot < snapshot.taken_on]
    report.absent = len(absent)
    report.absent_examples = [s.name for s in absent[:10]]
    session.flush()
    audit.record(session, actor, audit.Action.IMPORT_FOREIGN, "foreign_shortage", None,
                 after={"source": source, "file": path.name, "snapshot": snapshot.taken_on.isoformat(),
                        "created": report.created, "updated": report.updated, "rejected": len(report.rejected)})
    return report


def _fields(record: Record) -> dict[str, Any]:
    return {"name": record.name, "substances": " ; ".join(record.names)[:2000], "substance_key": record.substance_key,
            "company": record.company, "status": record.status, "posted_on": record.posted_on,
            "updated_on": record.updated_on, "reason": record.reason[:5000], "url": record.url[:500]}


def _remember(session: Session, row: ForeignShortage, taken_on: date, record: Record) -> None:
    """The snapshot's word on the record, once per snapshot (importing it again adds nothing)."""
    exists = session.scalar(select(ForeignShortageEvent.id).where(ForeignShortageEvent.shortage_id == row.id,
                                                                 ForeignShortageEvent.snapshot == taken_on))
    if exists is None:
        session.add(ForeignShortageEvent(shortage_id=row.id, snapshot=taken_on, status=record.status,
                                         updated_on=record.updated_on))
