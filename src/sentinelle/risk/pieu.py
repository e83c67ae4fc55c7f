"""P.I.E.U risk mapping (roadmap axis I.1): grids, each hospital's mapping, its scores per EMDN
category, the shared reference mappings, the CSV import, and the region's aggregated view."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.catalogue.models import EmdnCode, Organisation, Product, Purchase
from sentinelle.errors import Invalid, NotFound, require
from sentinelle.importing import ImportReport
from sentinelle.risk import grids, policy
from sentinelle.risk.models import CRITERIA, RISK_CLASSES, RiskGrid, RiskMapping, RiskScore
from sentinelle.risk.schemas import GridIn, ScoreIn
from sentinelle.store.base import utcnow
from sentinelle.store.db import by_id

# An EMDN category is mapped from its group (level 2, « A01 ») down; a whole category letter is too broad.
MIN_EMDN_LEVEL = 2
# The most rows one import takes (EMDN holds about 7,000 codes from level 2 down).
MAX_IMPORT_ROWS = 10_000


# Grids ----------------------------------------------------------------------------------------------

def grids_of(session: Session) -> list[RiskGrid]:
    """Every grid version, newest first within each code."""
    return list(session.scalars(select(RiskGrid).order_by(RiskGrid.code, RiskGrid.version.desc())))


def current_grid(session: Session, code: str = grids.DEFAULT.code) -> RiskGrid:
    """The latest version of grid `code`; the default grid is made on first use (two first uses at
    once make one: the unique (code, version) key decides)."""
    latest = session.scalar(select(RiskGrid).where(RiskGrid.code == code).order_by(RiskGrid.version.desc()).limit(1))
    if latest is not None:
        return latest
    if code != grids.DEFAULT.code:
        raise NotFound(f"grille introuvable : {code}", "grid")
    d = grids.DEFAULT
    try:
        with session.begin_nested():
            made = RiskGrid(code=d.code, version=1, name=d.name, combination=d.combination, scale_min=d.scale_min,
                            scale_max=d.scale_max, thresholds=list(d.thresholds), guide=d.guide, source=d.source)
            session.add(made)
        return made
    except IntegrityError:
        return session.scalars(select(RiskGrid).where(RiskGrid.code == code, RiskGrid.version == 1)).one()


def publish_grid(session: Session, user: User | None, data: GridIn) -> RiskGrid:
    """A new grid, or the next version of one: the versions scores were made on stay as they were."""
    require(user, policy.can_publish_grid(user), "seule l'agence nationale publie les grilles de cotation")
    if data.scale_max <= data.scale_min:
        raise Invalid("l'échelle va d'une valeur à une plus grande", "scale_max")
    error = grids.thresholds_error(data.combination, data.scale_min, data.scale_max, data.thresholds)
    if error:
        raise Invalid(f"seuils des classes : {error}", "thresholds")
    for criterion, levels in data.guide.items():
        unknown = [k for k in levels if not k.isdigit() or not data.scale_min <= int(k) <= data.scale_max]
        if unknown:
            raise Invalid(f"guide du critère {criterion.upper()} : niveau hors de l'échelle ({unknown[0]})", "guide")
    if data.code == grids.DEFAULT.code:
        current_grid(session)  # version 1 exists before a version 2 is made
    latest = session.scalar(select(func.max(RiskGrid.version)).where(RiskGrid.code == data.code)) or 0
    made = RiskGrid(code=data.code, version=latest + 1, name=data.name.strip(), combination=data.combination,
                    scale_min=data.scale_min, scale_max=data.scale_max, thresholds=data.thresholds,
                    guide={k: dict(v) for k, v in data.guide.items()}, source=data.source.strip(),
                    created_by_id=user.id if user else None)
    try:
        with session.begin_nested():
            session.add(made)
    except IntegrityError as exc:
        raise Invalid("une autre version de cette grille vient d'être publiée : recommencez", "code") from exc
    audit.record(session, user, audit.Action.RISK_GRID_PUBLISH, "risk_grid", made.id,
                 after={"code": made.code, "version": made.version, "thresholds": made.thresholds})
    return made


# Mappings -------------------------------------------------------------------------------------------

def get(session: Session, user: User | None, mapping_id: int) -> RiskMapping:
    """A mapping its reader may read; NotFound otherwise (its existence is the hospital's business)."""
    found = by_id(session, RiskMapping, mapping_id)
    if found is None or not policy.reads_mapping(user, found):
        raise NotFound(f"cartographie introuvable : {mapping_id}", "mapping_id")
    return found


def mine(session: Session, user: User | None) -> RiskMapping | None:
    """The user's hospital's latest mapping (on the newest grid it started)."""
    if not policy.can_map(user):
        return None
    assert user is not None
    return session.scalar(select(RiskMapping).where(RiskMapping.organisation_id == user.organisation_id)
                          .order_by(RiskMapping.id.desc()).limit(1))


@dataclass
class Started:
    mapping: RiskMapping
    copied: int = 0
    kept: int = 0  # categories the mapping already scored, left as they were
    skipped: list[str] = field(default_factory=list)  # the reference's categories outside the new scale


def start(session: Session, user: User | None, reference_id: int | None = None) -> Started:
    """Start one's mapping on the current grid, empty or from a reference mapping (one shared by another
    hospital, or one's own on an older grid version): its four criteria are copied and scored by the
    current grid, then the hospital adapts them. What the mapping already scored is never overwritten."""
    require(user, policy.can_map(user), "seul un établissement de santé tient sa cartographie des risques")
    assert user is not None and user.organisation_id is not None
    reference = get(session, user, reference_id) if reference_id is not None else None
    current = current_grid(session, reference.grid.code if reference is not None else grids.DEFAULT.code)
    mapping = session.scalar(select(RiskMapping).where(RiskMapping.organisation_id == user.organisation_id,
                                                       RiskMapping.grid_id == current.id))
    created = mapping is None
    if mapping is None:
        try:
            with session.begin_nested():
                mapping = RiskMapping(organisation_id=user.organisation_id, grid_id=current.id,
                                      based_on_id=reference.id if reference is not None else None)
                session.add(mapping)
        except IntegrityError:  # the same hospital started it at the same instant: join it
            mapping = session.scalars(select(RiskMapping).where(RiskMapping.organisation_id == user.organisation_id,
                                                                RiskMapping.grid_id == current.id)).one()
    result = Started(mapping)
    if reference is not None and reference.id != mapping.id:
        have = set(session.scalars(select(RiskScore.emdn_code).where(RiskScore.mapping_id == mapping.id)))
        for row in session.scalars(select(RiskScore).where(RiskScore.mapping_id == reference.id)
                                   .order_by(RiskScore.emdn_code)):
            if row.emdn_code in have:
                result.kept += 1
                continue
            values = (row.p, row.i, row.e, row.u)
            if not all(current.scale_min <= v <= current.scale_max for v in values):
                result.skipped.append(row.emdn_code)
                continue
            # A note is its author's: copied, it says whose it is.
            note = row.note if reference.organisation_id == user.organisation_id or not row.note else (
                f"Note de la référence ({reference.organisation.name}) : {row.note}")
            session.add(_scored(current, mapping.id, row.emdn_code, values, note[:2000], user))
            result.copied += 1
        if mapping.based_on_id is None:
            mapping.based_on_id = reference.id
        mapping.updated_at = utcnow()
    session.flush()
    audit.record(session, user, audit.Action.RISK_MAPPING_START, "risk_mapping", mapping.id,
                 after={"grid": f"{current.code} v{current.version}", "reference": reference_id,
                        "created": created, "copied": result.copied, "kept": result.kept,
                        "skipped": len(result.skipped)})
    return result


def _scored(grid_row: RiskGrid, mapping_id: int, code: str, values: tuple[int, int, int, int], note: str,
            user: User | None) -> RiskScore:
    score = grids.combine(grid_row.combination, values)
    p, i, e, u = values
    return RiskScore(mapping_id=mapping_id, emdn_code=code, p=p, i=i, e=e, u=u, score=score,
                     level=grids.level(grid_row, score), risk_class=grids.classify(grid_row.thresholds, score),
                     note=note, scored_by_id=user.id if user else None, scored_at=utcnow())


def _editable(session: Session, user: User | None, mapping_id: int) -> RiskMapping:
    mapping = get(session, user, mapping_id)
    if not policy.can_edit(user, mapping):  # a reader who may not write: 403 (401 without a log-in)
        require(user, False, "seul l'établissement qui la tient modifie une cartographie")
    return mapping


def category_problem(code: str, level: int | None) -> str | None:
    """Why `code` (at `level` in the nomenclature, None when it is not there) is not an EMDN category one
    can map, or None: the form and the import say it alike."""
    if level is None:
        return f"inconnu de la nomenclature EMDN : {code}"
    if level < MIN_EMDN_LEVEL:
        return f"code EMDN {code} : une catégorie entière est trop large, cotez ses groupes (ex. {code}01)"
    return None


def category_error(session: Session, code: str) -> str | None:
    row = session.get(EmdnCode, code)
    return category_problem(code, row.level if row is not None else None)


def values_error(grid_row: RiskGrid, data: ScoreIn) -> tuple[str, str] | None:
    """The first criterion outside the grid's scale, as (field, reason), or None."""
    for criterion in CRITERIA:
        value = getattr(data, criterion)
        if not grid_row.scale_min <= value <= grid_row.scale_max:
            return criterion, (f"{criterion.upper()} = {value} : hors de l'échelle de la grille "
                               f"({grid_row.scale_min} à {grid_row.scale_max})")
    return None


def set_score(session: Session, user: User | None, mapping_id: int, data: ScoreIn) -> RiskScore:
    """Score a category, or change its score (one row per category: two saves at once leave the last)."""
    mapping = _editable(session, user, mapping_id)
    code = data.emdn_code.strip().upper()
    error = category_error(session, code)
    if error:
        raise Invalid(error, "emdn_code")
    bad = values_error(mapping.grid, data)
    if bad:
        raise Invalid(bad[1], bad[0])
    fresh = _scored(mapping.grid, mapping.id, code, (data.p, data.i, data.e, data.u), data.note.strip(), user)
    row, before = _upsert(session, mapping, fresh)
    mapping.updated_at = utcnow()
    audit.record(session, user, audit.Action.RISK_SCORE, "risk_mapping", mapping.id, before=before,
                 after={"emdn_code": code, **_criteria(row)})
    return row


def _criteria(row: RiskScore) -> dict[str, Any]:
    return {"p": row.p, "i": row.i, "e": row.e, "u": row.u, "score": row.score, "risk_class": row.risk_class}


def _upsert(session: Session, mapping: RiskMapping, fresh: RiskScore) -> tuple[RiskScore, dict[str, Any] | None]:
    mine_q = select(RiskScore).where(RiskScore.mapping_id == mapping.id, RiskScore.emdn_code == fresh.emdn_code)
    existing = session.scalar(mine_q)
    if existing is None:
        try:
            with session.begin_nested():  # another save of the same category first: update theirs
                session.add(fresh)
            return fresh, None
        except IntegrityError:
            existing = session.scalars(mine_q).one()
    before = {"emdn_code": existing.emdn_code, **_criteria(existing)}
    session.execute(update(RiskScore).where(RiskScore.id == existing.id).values(
        p=fresh.p, i=fresh.i, e=fresh.e, u=fresh.u, score=fresh.score, level=fresh.level,
        risk_class=fresh.risk_class, note=fresh.note, scored_by_id=fresh.scored_by_id, scored_at=fresh.scored_at))
    session.expire(existing)
    return existing, before


def remove_score(session: Session, user: User | None, mapping_id: int, emdn_code: str) -> None:
    mapping = _editable(session, user, mapping_id)
    row = session.scalar(select(RiskScore).where(RiskScore.mapping_id == mapping.id,
                                                 RiskScore.emdn_code == emdn_code.strip().upper()))
    if row is None:
        raise NotFound(f"catégorie non cotée dans cette cartographie : {emdn_code}", "emdn_code")
    before = {"emdn_code": row.emdn_code, **_criteria(row)}
    session.delete(row)
    mapping.updated_at = utcnow()
    session.flush()
    audit.record(session, user, audit.Action.RISK_SCORE_REMOVE, "risk_mapping", mapping.id, before=before)


def share(session: Session, user: User | None, mapping_id: int, shared: bool) -> RiskMapping:
    """The hospital chooses to offer its mapping as a reference to others (or withdraws it)."""
    mapping = _editable(session, user, mapping_id)
    if mapping.shared != shared:
        before = {"shared": mapping.shared}
        mapping.shared = shared
        mapping.shared_at = utcnow() if shared else None
        session.flush()
        audit.record(session, user, audit.Action.RISK_MAPPING_SHARE, "risk_mapping", mapping.id, before=before,
                     after={"shared": shared})
    return mapping


# Reading --------------------------------------------------------------------------------------------

@dataclass
class Row:
    """A line of the heat map: a category, its four criteria, its score and class."""

    score: RiskScore
    term: str | None


def rows(session: Session, mapping: RiskMapping) -> list[Row]:
    """The mapping's categories, the riskiest first (the heat map's order)."""
    found = session.execute(select(RiskScore, EmdnCode.term).join(EmdnCode, EmdnCode.code == RiskScore.emdn_code)
                            .where(RiskScore.mapping_id == mapping.id)
                            .order_by(RiskScore.score.desc(), RiskScore.emdn_code))
    return [Row(s, t) for s, t in found]


def class_counts(found: list[Row]) -> dict[str, int]:
    counts = dict.fromkeys(RISK_CLASSES, 0)
    for r in found:
        counts[r.score.risk_class] += 1
    return counts


@dataclass
class Reference:
    mapping: RiskMapping
    categories: int


def references(session: Session, user: User | None) -> list[Reference]:
    """The mappings hospitals shared, the most complete first: who, when, on which grid."""
    require(user, policy.can_read_mappings(user),
            "vous n'avez pas accès aux cartographies des risques : elles se lisent entre établissements et agences")
    count = func.count(RiskScore.id).label("n")
    found = session.execute(select(RiskMapping, count).outerjoin(RiskScore, RiskScore.mapping_id == RiskMapping.id)
                            .where(RiskMapping.shared.is_(True), policy.visible_mappings(user))
                            .group_by(RiskMapping.id).order_by(count.desc(), RiskMapping.id)).unique()
    return [Reference(m, n) for m, n in found]


@dataclass
class Unmapped:
    code: str
    term: str | None
    products: int


def unmapped(session: Session, mapping: RiskMapping, *, limit: int = 30) -> list[Unmapped]:
    """The EMDN groups of what the hospital buys that its mapping does not score yet, most bought first:
    where to start."""
    group = func.substr(Product.emdn_code, 1, 3)
    scored = select(RiskScore.emdn_code).where(RiskScore.mapping_id == mapping.id)
    n = func.count(func.distinct(Product.id)).label("n")
    found = session.execute(
        select(group, EmdnCode.term, n).join(Purchase, Purchase.product_id == Product.id)
        .join(EmdnCode, EmdnCode.code == group)
        .where(Purchase.establishment_id == mapping.organisation_id, Product.emdn_code.is_not(None),
               group.not_in(scored))
        .group_by(group, EmdnCode.term).order_by(n.desc(), group).limit(limit))
    return [Unmapped(code, term, products) for code, term, products in found]


@dataclass
class RegionCategory:
    code: str
    term: str | None
    hospitals: int
    classes: dict[str, int]
    mean_level: float
    max_level: int


@dataclass
class RegionHospital:
    organisation: Organisation
    mapping_id: int | None
    categories: int
    classes: dict[str, int]


@dataclass
class RegionMap:
    region_code: str
    hospitals: list[RegionHospital]
    categories: list[RegionCategory]


def region_map(session: Session, user: User | None, region_code: str) -> RegionMap:
    """A region's hospitals' mappings put together for its agency: per category, how many hospitals
    scored it and in which class, their mean and highest level (0–100, comparable across grids); per
    hospital, its classes, and those that have no mapping yet."""
    require(user, policy.reads_region(user, region_code),
            "vous n'avez pas accès à cette vue : elle est réservée à l'agence de la région et à l'agence nationale")
    hospitals = list(session.scalars(select(Organisation).where(Organisation.kind == "establishment",
                                                                Organisation.region_code == region_code)
                                     .order_by(Organisation.name)))
    ids = [h.id for h in hospitals]
    latest = (select(func.max(RiskMapping.id)).where(RiskMapping.organisation_id.in_(ids))
              .group_by(RiskMapping.organisation_id)) if ids else None
    by_org: dict[int, RegionHospital] = {h.id: RegionHospital(h, None, 0, dict.fromkeys(RISK_CLASSES, 0))
                                         for h in hospitals}
    categories: dict[str, RegionCategory] = {}
    if latest is not None:
        for mapping_id, org_id in session.execute(select(RiskMapping.id, RiskMapping.organisation_id)
                                                  .where(RiskMapping.id.in_(latest))):
            by_org[org_id].mapping_id = mapping_id
        per_class = session.execute(
            select(RiskScore.emdn_code, EmdnCode.term, RiskMapping.organisation_id, RiskScore.risk_class,
                   RiskScore.level)
            .join(RiskMapping, RiskMapping.id == RiskScore.mapping_id).join(EmdnCode, EmdnCode.code == RiskScore.emdn_code)
            .where(RiskScore.mapping_id.in_(latest)))
        levels: dict[str, list[int]] = {}
        for code, term, org_id, risk_class, lvl in per_class:
            entry = categories.setdefault(code, RegionCategory(code, term, 0, dict.fromkeys(RISK_CLASSES, 0), 0.0, 0))
            entry.hospitals += 1
            entry.classes[risk_class] += 1
            levels.setdefault(code, []).append(lvl)
            by_org[org_id].categories += 1
            by_org[org_id].classes[risk_class] += 1
        for code, entry in categories.items():
            entry.mean_level = round(sum(levels[code]) / len(levels[code]), 1)
            entry.max_level = max(levels[code])
    ordered = sorted(categories.values(), key=lambda c: (-c.classes["critical"], -c.classes["high"], -c.mean_level,
                                                         c.code))
    return RegionMap(region_code, list(by_org.values()), ordered)


def score_of(session: Session, mapping: RiskMapping, code: str) -> RiskScore | None:
    """A category's score in a mapping (to fill the form that changes it)."""
    return session.scalar(select(RiskScore).where(RiskScore.mapping_id == mapping.id,
                                                  RiskScore.emdn_code == code.strip().upper()))


def groups(session: Session) -> list[tuple[str, str]]:
    """The EMDN groups (level 2), for the form's list of codes."""
    return [(c, t) for c, t in session.execute(select(EmdnCode.code, EmdnCode.term)
                                               .where(EmdnCode.level == MIN_EMDN_LEVEL).order_by(EmdnCode.code))]


def mapped_by_region(session: Session, user: User | None) -> dict[str, int]:
    """How many hospitals of each region keep a mapping (the national agency's choice of a region)."""
    require(user, policy.can_publish_grid(user), "réservé à l'agence nationale")
    found = session.execute(select(Organisation.region_code, func.count(func.distinct(RiskMapping.organisation_id)))
                            .join(Organisation, Organisation.id == RiskMapping.organisation_id)
                            .group_by(Organisation.region_code))
    return {code: n for code, n in found if code}


# Import ---------------------------------------------------------------------------------------------

HEADERS = {"emdn_code": ("emdn_code", "code_emdn", "emdn", "code"), "p": ("p",), "i": ("i",), "e": ("e",),
           "u": ("u",), "note": ("note", "commentaire", "remarque"), "finess": ("finess",)}


@dataclass
class Planned:
    line: int
    data: ScoreIn
    change: str  # "created" | "updated" | "unchanged"


def _columns(header: list[str]) -> dict[str, int]:
    wanted = {alias: name for name, aliases in HEADERS.items() for alias in aliases}
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        name = wanted.get(title.strip().lower())
        if name and name not in found:
            found[name] = index
    return found


def plan_import(session: Session, user: User | None, mapping_id: int, content: str) -> tuple[ImportReport,
                                                                                            list[Planned]]:
    """Read a CSV of scores (columns emdn_code, p, i, e, u, and optionally note and finess; comma or
    semicolon) against a mapping the user keeps: every row checked, each refusal naming its line and
    field; nothing written."""
    mapping = _editable(session, user, mapping_id)
    report = ImportReport(source="cartographie P.I.E.U")
    try:
        dialect: Any = csv.Sniffer().sniff(content[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(content), dialect)
    header = next(reader, None)
    if header is None:
        raise Invalid("fichier vide : il faut une ligne d'en-tête (emdn_code, p, i, e, u)", "file")
    columns = _columns(header)
    missing = [name for name in ("emdn_code", *CRITERIA) if name not in columns]
    if missing:
        raise Invalid(f"colonne(s) manquante(s) : {', '.join(missing)} (en-tête attendu : emdn_code, p, i, e, u, "
                      "note)", "file")
    existing = {s.emdn_code: s for s in session.scalars(select(RiskScore).where(RiskScore.mapping_id == mapping.id))}
    known = {c: lvl for c, lvl in session.execute(select(EmdnCode.code, EmdnCode.level))}
    finess = mapping.organisation.finess
    seen: dict[str, int] = {}
    planned: list[Planned] = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(planned) + len(report.rejected) >= MAX_IMPORT_ROWS:
            raise Invalid(f"au plus {MAX_IMPORT_ROWS} lignes par import", "file")

        def cell(name: str, cells: list[str] = cells) -> str:
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        code = cell("emdn_code").upper()
        if "finess" in columns and cell("finess") and cell("finess") != finess:
            report.reject(line, "finess", f"FINESS {cell('finess')} : ce n'est pas votre établissement ({finess})")
            continue
        if not code:
            report.reject(line, "emdn_code", "code EMDN manquant")
            continue
        problem = category_problem(code, known.get(code))
        if problem:
            report.reject(line, "emdn_code", problem)
            continue
        if code in seen:
            report.reject(line, "emdn_code", f"{code} déjà coté ligne {seen[code]}")
            continue
        values: dict[str, int] = {}
        for criterion in CRITERIA:  # every bad criterion of the line is named, not only the first
            raw = cell(criterion)
            if not raw.isdigit() or not mapping.grid.scale_min <= int(raw) <= mapping.grid.scale_max:
                report.reject(line, criterion, f"{criterion.upper()} = « {raw[:20]} » : entier de "
                              f"{mapping.grid.scale_min} à {mapping.grid.scale_max} attendu")
            else:
                values[criterion] = int(raw)
        if len(values) == len(CRITERIA):
            old = existing.get(code)
            # A file without a note column keeps the notes already written.
            note = cell("note") if "note" in columns else (old.note if old is not None else "")
            if len(note) > 2000:
                report.reject(line, "note", f"note de {len(note)} caractères, au plus 2000")
                continue
            seen[code] = line
            data = ScoreIn(emdn_code=code, note=note, **values)
            change = "created" if old is None else (
                "unchanged" if (old.p, old.i, old.e, old.u, old.note) == (data.p, data.i, data.e, data.u, data.note)
                else "updated")
            setattr(report, change, getattr(report, change) + 1)
            planned.append(Planned(line, data, change))
    return report, planned


def import_scores(session: Session, user: User | None, mapping_id: int, content: str, *, apply: bool,
                  progress: Callable[[int], None] | None = None) -> ImportReport:
    """Preview (apply False) or apply a CSV of scores: all or nothing — a file with a rejected row
    writes nothing, and says every row it rejected."""
    report, planned = plan_import(session, user, mapping_id, content)
    if not apply:
        return report
    report.refuse_if_rejected()
    mapping = get(session, user, mapping_id)
    for n, item in enumerate(planned, start=1):
        if item.change != "unchanged":
            d = item.data
            _upsert(session, mapping, _scored(mapping.grid, mapping.id, d.emdn_code, (d.p, d.i, d.e, d.u), d.note,
                                              user))
        if progress is not None:
            progress(n)
    mapping.updated_at = utcnow()
    session.flush()
    audit.record(session, user, audit.Action.RISK_IMPORT, "risk_mapping", mapping.id,
                 after={"created": report.created, "updated": report.updated, "unchanged": report.unchanged})
    return report
