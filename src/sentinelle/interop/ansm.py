"""The ANSM availability list (BDPM file CIS_CIP_Dispo_Spec.txt) as published signals.

8 tab-separated columns, no header: CIS, CIP13, status code, status label, start date,
update date, date of return to supply, URL. An event is identified by (CIS, CIP13, URL); the
file is a rolling window, so an event absent from a newer snapshot is noted, not deleted.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.catalogue import codes
from sentinelle.catalogue.models import Product
from sentinelle.errors import Invalid, require
from sentinelle.importing import ImportReport, Progress, read_text
from sentinelle.interop import policy
from sentinelle.schemas_common import MAX_URL, safe_url
from sentinelle.signals.models import Event, Signal
from sentinelle.text import fold

STATUS_BY_CODE = {"1": "rupture", "2": "tension", "3": "discontinuation", "4": "resolved"}
STATUS_BY_LABEL = {
    "rupture de stock": "rupture",
    "tension d'approvisionnement": "tension",
    "arrêt de commercialisation": "discontinuation",
    "remise à disposition": "resolved",
}
# The ANSM's own words for each status, quoted in the public messages it is the source of.
LABELS = {"rupture": "rupture de stock", "tension": "tension d'approvisionnement",
          "discontinuation": "arrêt de commercialisation", "resolved": "remise à disposition"}


@dataclass
class Row:
    line: int
    cis: str
    cip13: str
    status: str  # rupture | tension | discontinuation | resolved
    started_at: date
    updated_at: date
    back_at: date | None
    url: str

    @property
    def ref(self) -> str:
        digest = hashlib.sha1(self.url.encode()).hexdigest()[:12]
        return f"ansm:{self.cis}:{self.cip13}:{digest}"


MAX_NAME = 200  # a product name made from the URL


def _date(text: str) -> date:
    return datetime.strptime(text.strip(), "%d/%m/%Y").date()


def parse(text: str, report: ImportReport) -> list[Row]:
    rows: dict[str, Row] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) < 8:
            report.reject(number, "row", f"{len(cells)} colonnes au lieu de 8")
            continue
        cis, cip13, code, label = (c.strip() for c in cells[:4])
        if not codes.cis_ok(cis):
            report.reject(number, "CIS", f"code CIS invalide : {cis!r}")
            continue
        if cip13 and not codes.cip13_ok(cip13):
            report.reject(number, "CIP13", f"code CIP13 invalide : {cip13!r}")
            continue
        try:
            started = _date(cells[4])
            updated = _date(cells[5])
            back = _date(cells[6]) if cells[6].strip() else None
        except ValueError as exc:
            report.reject(number, "date", f"date illisible (attendu JJ/MM/AAAA) : {exc}")
            continue
        by_label = STATUS_BY_LABEL.get(label.lower())
        by_code = STATUS_BY_CODE.get(code)
        if by_label is None and by_code is None:
            report.reject(number, "statut", f"statut inconnu : {code!r} {label!r}")
            continue
        # The label wins over the code when they disagree (known quirk: code 4 with a
        # "tension" label and no return date); a return date means the product is back.
        status = "resolved" if back else (by_label or by_code)
        if by_label and by_code and by_label != by_code:
            report.notes.append(f"ligne {number} : code {code} et libellé « {label} » en désaccord, retenu : {status}")
        url = cells[7].strip()
        if not safe_url(url):
            shown = url[:80] + ("…" if len(url) > 80 else "")
            report.reject(number, "URL", f"adresse refusée (http ou https, {MAX_URL} caractères au plus) : {shown!r}")
            continue
        row = Row(number, cis, cip13, status or "tension", started, updated, back, url)
        if row.ref in rows:
            report.notes.append(f"ligne {number} : doublon exact de la ligne {rows[row.ref].line}, ignorée")
            continue
        rows[row.ref] = row
    return list(rows.values())


def shortages(paths: Iterable[Path]) -> list[tuple[str, date, str]]:
    """Every shortage the given snapshots of the list hold, once: (CIS, the day it began, its status).
    The list is a rolling window: several snapshots see further back than one."""
    seen: dict[tuple[str, date], str] = {}
    for path in paths:
        for row in parse(read_text(path), ImportReport(source=path.name)):
            seen.setdefault((row.cis, row.started_at), row.status)
    return [(cis, day, status) for (cis, day), status in seen.items()]


def _products_by_cis(session: Session, cis: set[str]) -> dict[str, Product]:
    """By chunks: one IN list of every code would pass PostgreSQL's driver limit of 65,535 parameters."""
    found: dict[str, Product] = {}
    wanted = sorted(cis)
    for start in range(0, len(wanted), 5000):
        chunk = wanted[start:start + 5000]
        found.update(session.execute(select(Product.cis, Product).where(Product.cis.in_(chunk))).tuples().all())  # type: ignore[arg-type]
    return found


def _name_from_url(url: str) -> str:
    slug = url.rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"-+", " ", slug).strip().capitalize()[:MAX_NAME] or "Médicament"


# An import that would mark more than this share of the published list absent asks for confirmation.
MOST = 0.5


def import_file(session: Session, actor: User | None, path: Path, *, reject_all_on_error: bool = False,
                confirm_removals: bool = False, progress: Progress | None = None) -> ImportReport:
    """Load one snapshot. All rows are written in the caller's transaction, or none: a preview is this
    same call rolled back by its caller.

    The file is a rolling window: a record absent from it is noted (« Absent de la liste ANSM du … »,
    publicly), never deleted — and only from a complete, valid snapshot: no row rejected, at least one
    read. A snapshot that would note absent more than half of what is published is refused unless
    `confirm_removals`: a truncated or wrong file must not rewrite the public record."""
    if actor is not None:
        require(actor, policy.can_import_ansm(actor), "seule l'agence nationale importe la liste de l'ANSM")
    report = ImportReport(source=str(path))
    rows = parse(read_text(path), report)
    if reject_all_on_error:
        report.refuse_if_rejected()
    if not rows:
        raise Invalid("aucune ligne lisible : ce fichier n'est pas une liste de disponibilité de l'ANSM "
                      f"({len(report.rejected)} ligne(s) rejetée(s)), rien n'a été importé", "file")
    snapshot_date = max(r.updated_at for r in rows)
    existing = {s.external_ref: s for s in session.scalars(select(Signal).where(Signal.source == "ansm"))}
    listed = {r.ref for r in rows}
    absent = [s for ref, s in existing.items() if ref not in listed and s.status == "published"]
    published = sum(1 for s in existing.values() if s.status == "published")
    complete = not report.rejected
    report.needs_confirmation = complete and published > 0 and len(absent) > MOST * published
    if report.needs_confirmation and not confirm_removals:
        raise Invalid(f"ce fichier ne liste plus {len(absent)} des {published} pénuries publiées d'après "
                      "l'ANSM : vérifiez qu'il est complet, puis confirmez pour les noter absentes", "confirm_removals")
    # New products, signals and their first events go in as three bulk INSERTs (multi-row, with
    # RETURNING where the ids are needed): one ORM flush per row cost 3.5 ms a row (106 s for 30,000).
    products = {cis: p.id for cis, p in _products_by_cis(session, {r.cis for r in rows}).items()}
    missing: dict[str, dict[str, object]] = {}
    for row in rows:
        if row.cis not in products and row.cis not in missing:
            name = _name_from_url(row.url)
            missing[row.cis] = {"kind": "medicine", "name": name, "name_lower": fold(name), "cis": row.cis,
                                "cip13": row.cip13 or None}
            report.notes.append(f"ligne {row.line} : CIS {row.cis} absent de la BDPM, produit créé d'après l'URL")
    if missing:
        products.update((cis, pid) for pid, cis in session.execute(  # type: ignore[misc]
            insert(Product).returning(Product.id, Product.cis), list(missing.values())))
    now = datetime.now().replace(microsecond=0)
    new_rows: dict[str, Row] = {}
    for row in rows:
        signal = existing.get(row.ref)
        if signal is None:
            new_rows[row.ref] = row
            report.created += 1
        else:
            old = (signal.status, signal.kind, signal.started_at)
            new_status = "resolved" if row.status == "resolved" else "published"
            new_kind = signal.kind if row.status == "resolved" else row.status
            if old == (new_status, new_kind, row.started_at):
                report.unchanged += 1
            else:
                _event(session, signal, f"Liste ANSM du {snapshot_date:%d/%m/%Y} : {LABELS[row.status]} depuis le "
                       f"{row.started_at:%d/%m/%Y}", signal.status, new_status)
                signal.status, signal.kind, signal.started_at = new_status, new_kind, row.started_at
                signal.resolved_at = datetime.combine(row.back_at, datetime.min.time()) if row.back_at else (
                    signal.resolved_at if new_status == "resolved" else None)
                signal.public_message = f"ANSM : {LABELS[row.status]} depuis le {row.started_at:%d/%m/%Y}."
                signal.updated_at = now
                report.updated += 1
        if progress:
            progress(1)
    if new_rows:
        signals = [{
            "kind": row.status if row.status != "resolved" else "tension",
            "status": "resolved" if row.status == "resolved" else "published", "source": "ansm",
            "product_id": products[row.cis], "region_code": None, "started_at": row.started_at,
            "external_ref": row.ref, "external_url": row.url,
            "published_at": datetime.combine(row.updated_at, datetime.min.time()),
            "resolved_at": datetime.combine(row.back_at, datetime.min.time()) if row.back_at else None,
            "public_message": f"ANSM : {LABELS[row.status]} depuis le {row.started_at:%d/%m/%Y}.",
        } for row in new_rows.values()]  # the columns' own defaults fill the rest
        ids = session.execute(insert(Signal).returning(Signal.id, Signal.external_ref, Signal.status), signals)
        session.execute(insert(Event), [{
            "signal_id": signal_id, "actor_label": "ANSM (import)", "kind": "import", "public": True,
            "message": f"Importé de la liste ANSM du {snapshot_date:%d/%m/%Y} : {LABELS[new_rows[ref].status]}",  # type: ignore[index]
            "from_status": None, "to_status": status} for signal_id, ref, status in ids])
    if not complete:
        report.notes.append(f"{len(report.rejected)} ligne(s) rejetée(s) : instantané incomplet, aucune absence "
                            "notée (corrigez le fichier pour noter ce qui a quitté la liste)")
    else:
        note = f"Absent de la liste ANSM du {snapshot_date:%d/%m/%Y}"
        report.absent = len(absent)  # the same count as the confirmation's
        for signal in absent:
            if len(report.absent_examples) < 20:
                report.absent_examples.append(f"{signal.product.name} ({signal.external_ref})")
            if not session.scalar(select(Event.id).where(Event.signal_id == signal.id, Event.message == note)):
                _event(session, signal, note, signal.status, signal.status)
        if report.absent:
            report.notes.append(f"{report.absent} pénurie(s) publiée(s) absente(s) de cette liste (historique "
                                "conservé)")
    session.flush()
    audit.record(session, actor, audit.Action.IMPORT_ANSM, "signal", None,
                 after={"file": path.name, "created": report.created, "updated": report.updated,
                        "rejected": len(report.rejected), "absent": report.absent})
    return report


def _event(session: Session, signal: Signal, message: str, from_status: str | None, to_status: str | None) -> None:
    session.add(Event(signal_id=signal.id, actor_label="ANSM (import)", kind="import", message=message,
                      from_status=from_status, to_status=to_status, public=True))
