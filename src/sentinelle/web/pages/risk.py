"""Pages of the P.I.E.U risk mapping: a hospital's mapping (heat map, scoring, import, sharing), the
shared reference mappings, a region's aggregated map, and the grids with their source."""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from sentinelle.accounts.models import User
from sentinelle.accounts.roles import Role
from sentinelle.catalogue import countries
from sentinelle.catalogue.regions import BY_CODE
from sentinelle.errors import DomainError, Invalid, NotFound, Problem, require
from sentinelle.importing import decode
from sentinelle.risk import criticality, declarations, epidemic, impacts, pieu, policy, priority, supply, watch
from sentinelle.risk import ranking as vulnerability_ranking
from sentinelle.risk.models import CRITERIA, RISK_CLASS_LABELS, WAVE_LABELS, RiskMapping
from sentinelle.risk.schemas import GridIn, ScoreIn, WatchListIn
from sentinelle.web.deps import DbDep, FormDep, LoggedInDep, UserDep
from sentinelle.web.forms import flag, integer, redisplay, text, validated
from sentinelle.web.templating import render

router = APIRouter()
# An uploaded CSV waits here between its preview and its application, a day at most.
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _mapping_page(request: Request, db: Session, user: User, mapping: RiskMapping | None, *,
                  refusal: DomainError | None = None, form: dict[str, Any] | None = None, code: str = "",
                  status_code: int = 200) -> Response:
    editable = mapping is not None and policy.can_edit(user, mapping)
    found = pieu.rows(db, mapping) if mapping is not None else []
    current = pieu.current_grid(db)
    if editable and mapping is not None and code and not form:  # « Modifier »: the form holds its score
        existing = pieu.score_of(db, mapping, code)
        if existing is not None:
            form = {"emdn_code": existing.emdn_code, "note": existing.note,
                    **{c: str(getattr(existing, c)) for c in CRITERIA}}
    references = [r for r in pieu.references(db, user) if mapping is None or r.mapping.id != mapping.id] \
        if policy.can_map(user) else []
    return render(request, "risk_mapping.html", {
        "m": mapping, "rows": found, "counts": pieu.class_counts(found), "editable": editable,
        "grid": mapping.grid if mapping is not None else current, "current": current,
        "unmapped": pieu.unmapped(db, mapping) if editable and mapping is not None else [],
        "references": references, "can_start": policy.can_map(user), "groups": pieu.groups(db) if editable else [],
        "based_on": db.get(RiskMapping, mapping.based_on_id) if mapping is not None and mapping.based_on_id else None,
        "form": form or {}, "code": code, "refusal": refusal}, status_code=status_code)


@router.get("/risques")
def risk_home(request: Request, user: LoggedInDep, db: DbDep, code: str = "") -> Response:
    """A hospital's own mapping; an agency's region; the national agency picks a region."""
    require(user, policy.can_read_mappings(user), "la cartographie des risques se lit entre établissements et agences")
    if user.role == Role.REGION and user.region_code:
        return RedirectResponse(f"/risques/regions/{user.region_code}", status_code=303)
    if user.role == Role.NATIONAL:
        return render(request, "risk_national.html", {"references": pieu.references(db, user),
                                                      "mapped": pieu.mapped_by_region(db, user)})
    return _mapping_page(request, db, user, pieu.mine(db, user), code=code[:16])


@router.get("/risques/cartographies/{mapping_id}")
def mapping_page(request: Request, mapping_id: int, user: LoggedInDep, db: DbDep) -> Response:
    mapping = pieu.get(db, user, mapping_id)
    if policy.can_edit(user, mapping) and (mine := pieu.mine(db, user)) is not None and mine.id == mapping.id:
        return RedirectResponse("/risques", status_code=303)
    return _mapping_page(request, db, user, mapping)


@router.post("/risques/commencer")
def start(request: Request, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    reference_id = integer(form, "reference_id")
    started = pieu.start(db, user, reference_id)
    if reference_id is None:
        request.session["flash"] = "Votre cartographie est ouverte : cotez vos catégories ci-dessous."
    else:
        skipped = f" ; {len(started.skipped)} hors de l'échelle de la grille, non reprises" if started.skipped else ""
        kept = f" ; {started.kept} déjà cotées chez vous, gardées telles quelles" if started.kept else ""
        request.session["flash"] = (f"{started.copied} catégorie(s) reprise(s) de la cartographie de référence"
                                    f"{kept}{skipped}. Adaptez-les à votre établissement.")
    return RedirectResponse("/risques", status_code=303)


@router.post("/risques/cartographies/{mapping_id}/cotation")
def score(request: Request, mapping_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    mapping = pieu.get(db, user, mapping_id)  # out of sight: 404 before anything else
    typed = {name: text(form, name, 2000) for name in ("emdn_code", *CRITERIA, "note")}
    try:
        levels = {c: integer(form, c) for c in CRITERIA}
        missing: list[Problem] = [(c, "choisissez un niveau") for c, v in levels.items() if v is None]
        if missing:
            raise Invalid.all_of(missing)
        data = validated(ScoreIn, emdn_code=typed["emdn_code"].strip(), note=typed["note"], **levels)
        row = pieu.set_score(db, user, mapping_id, data)
    except DomainError as exc:
        redisplay(db, exc)
        return _mapping_page(request, db, user, mapping, refusal=exc, form=typed, status_code=exc.status)
    request.session["flash"] = (f"{row.emdn_code} coté : criticité {row.score}, risque "
                                f"{RISK_CLASS_LABELS[row.risk_class]}.")
    return RedirectResponse(f"/risques#cat-{row.emdn_code}", status_code=303)


@router.post("/risques/cartographies/{mapping_id}/retirer")
def remove(request: Request, mapping_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    code = text(form, "emdn_code", 16)
    pieu.remove_score(db, user, mapping_id, code)
    request.session["flash"] = f"La cotation de {code} est retirée de votre cartographie."
    return RedirectResponse("/risques", status_code=303)


@router.post("/risques/cartographies/{mapping_id}/partage")
def share(request: Request, mapping_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    shared = flag(form, "shared")
    pieu.share(db, user, mapping_id, shared)
    request.session["flash"] = ("Votre cartographie est partagée : les autres établissements et les agences la lisent "
                                "parmi les références, avec le nom de votre établissement." if shared else
                                "Votre cartographie n'est plus partagée : seules votre agence régionale et l'agence "
                                "nationale la lisent.")
    return RedirectResponse("/risques", status_code=303)


def _uploads(request: Request) -> Path:
    folder: Path = request.app.state.settings.var_dir / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    limit = time.time() - 86400
    for old in folder.glob("pieu-*.csv"):
        if old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)
    return folder


@router.post("/risques/cartographies/{mapping_id}/import")
async def import_preview(request: Request, mapping_id: int, form: FormDep, user: LoggedInDep,
                         db: DbDep) -> Response:
    """Check the file against the mapping and show what it would change; nothing is written yet."""
    mapping = pieu.get(db, user, mapping_id)
    file = form.get("file")
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise Invalid("choisissez le fichier CSV de vos cotations", "file")
        raw = await file.read()
        content = decode(raw)
        report, planned = pieu.plan_import(db, user, mapping_id, content)
    except DomainError as exc:
        redisplay(db, exc)
        return _mapping_page(request, db, user, mapping, refusal=exc, status_code=exc.status)
    token = secrets.token_hex(16)
    if not report.rejected:
        (_uploads(request) / f"pieu-{token}.csv").write_bytes(raw)
    changed = [p for p in planned if p.change != "unchanged"]
    before = {s.emdn_code: s for s in (pieu.score_of(db, mapping, p.data.emdn_code) for p in changed) if s}
    return render(request, "risk_import.html", {"m": mapping, "report": report, "changed": changed[:500],
                                                "before": before, "token": token, "name": Path(file.filename).name})


@router.post("/risques/cartographies/{mapping_id}/import/appliquer")
def import_apply(request: Request, mapping_id: int, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    token = text(form, "token", 40)
    path = _uploads(request) / f"pieu-{token}.csv"
    if not _TOKEN.match(token) or not path.exists():
        raise NotFound("ce fichier n'est plus là (un jour au plus après l'aperçu) : déposez-le de nouveau", "file")
    report = pieu.import_scores(db, user, mapping_id, decode(path.read_bytes()), apply=True)
    path.unlink(missing_ok=True)
    request.session["flash"] = (f"Import appliqué : {report.created} catégorie(s) ajoutée(s), {report.updated} "
                                f"modifiée(s), {report.unchanged} inchangée(s).")
    return RedirectResponse("/risques", status_code=303)


@router.get("/risques/references")
def references(request: Request, user: LoggedInDep, db: DbDep) -> Response:
    mine = pieu.mine(db, user)
    return render(request, "risk_references.html", {
        "references": [r for r in pieu.references(db, user) if mine is None or r.mapping.id != mine.id],
        "can_start": policy.can_map(user), "m": mine})


@router.get("/risques/regions/{region_code}")
def region(request: Request, region_code: str, user: LoggedInDep, db: DbDep) -> Response:
    if region_code not in BY_CODE:
        raise NotFound(f"région inconnue : {region_code[:4]}", "region_code")
    found = pieu.region_map(db, user, region_code)
    mapped = sum(1 for h in found.hospitals if h.mapping_id is not None)
    return render(request, "risk_region.html", {"r": found, "mapped": mapped,
                                                "national": user.role == Role.NATIONAL})


def _grids(request: Request, db: Session, user: User | None, *, refusal: DomainError | None = None,
           form: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    current = pieu.current_grid(db)
    return render(request, "risk_grids.html", {"grids": pieu.grids_of(db), "current": current,
                                               "can_publish": policy.can_publish_grid(user), "form": form or {},
                                               "refusal": refusal}, status_code=status_code)


@router.get("/risques/grilles")
def grid_page(request: Request, user: UserDep, db: DbDep) -> Response:
    """The grids and their sources: the method is public, the scores are not."""
    return _grids(request, db, user)


@router.post("/risques/grilles")
def publish_grid(request: Request, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    """The next version of the current grid: new name, class thresholds and source; its scale, its
    combination and the meaning of its levels carried over (other changes through the API)."""
    typed = {name: text(form, name, 5000) for name in ("name", "t1", "t2", "t3", "source")}
    try:
        current = pieu.current_grid(db)
        thresholds = [integer(form, f"t{k}") for k in (1, 2, 3)]
        if any(t is None for t in thresholds):
            raise Invalid("les trois seuils sont à renseigner", "thresholds")
        data = validated(GridIn, code=current.code, name=typed["name"], combination=current.combination,
                         scale_min=current.scale_min, scale_max=current.scale_max, thresholds=thresholds,
                         source=typed["source"], guide=current.guide)
        made = pieu.publish_grid(db, user, data)
    except DomainError as exc:
        redisplay(db, exc)
        return _grids(request, db, user, refusal=exc, form=typed, status_code=exc.status)
    request.session["flash"] = (f"Version {made.version} publiée : les nouvelles cartographies l'utilisent ; celles "
                                "déjà faites gardent leur version jusqu'à ce que chaque établissement y passe.")
    return RedirectResponse(f"/risques/grilles#grille-{made.id}", status_code=303)


@router.get("/impacts")
def impact_statistics(request: Request, user: LoggedInDep, db: DbDep, by: str = "signal") -> Response:
    """The agencies' statistics of impacts on care, per shortage, category or region, and the export."""
    by = by if by in impacts.BY else "signal"
    stats = impacts.statistics(db, user, by)
    return render(request, "impacts.html", {"stats": stats, "by": by, "BY_LABELS": impacts.BY_LABELS,
                                            "region": user.region_code if user.role == Role.REGION else None,
                                            "most": max([s.deprogrammed for s in stats] + [1])})


@router.get("/priorites")
def priority_list(request: Request, user: LoggedInDep, db: DbDep, region: str = "", category: str = "",
                  page: int = 1) -> Response:
    """The national priority list: what the agency opens on Monday morning."""
    page = max(1, min(page, 100000))
    region = region if region in BY_CODE else ""
    category = "".join(c for c in category.upper() if c.isalnum())[:16]
    lines, total = priority.page(db, user, region=region or None, category=category or None,
                                 offset=(page - 1) * 50, limit=50)
    return render(request, "priority.html", {
        "lines": lines, "total": total, "page": page, "pages": max(1, (total + 49) // 50),
        "region": user.region_code if user.role == Role.REGION else region, "category": category,
        "own_region": user.role == Role.REGION, "can_refresh": policy.can_refresh_priority(user),
        "weights": priority.WEIGHTS, "PARTS": priority.PARTS, "PART_LABELS": priority.PART_LABELS,
        "contributions": priority.contributions})


@router.post("/priorites/recalcul")
def priority_refresh(request: Request, form: FormDep, user: LoggedInDep, db: DbDep, region: str = "",
                     category: str = "") -> Response:
    count = priority.refresh(db, user)
    request.session["flash"] = f"Liste de priorité recalculée : {count} produits."
    kept = urlencode({"region": region if region in BY_CODE else "",  # back to the same filters
                      "category": "".join(c for c in category if c.isalnum())[:16]})
    return RedirectResponse(f"/priorites?{kept}", status_code=303)


@router.get("/priorites/{product_id}")
def priority_product(request: Request, product_id: int, user: LoggedInDep, db: DbDep) -> Response:
    """One product's rank, part by part, and what each part comes from."""
    found = priority.explain(db, user, product_id)
    criteria = supply.criteria(found.vulnerability.model if found.vulnerability else "medicine")
    return render(request, "priority_product.html", {"x": found, "PART_LABELS": priority.PART_LABELS,
                                                     "CRITERIA": criteria,
                                                     "inputs": declarations.inputs_of(db, user, found.product),
                                                     "union": criticality.of_product(db, found.product),
                                                     "confidential": () if policy.reads_inputs(user, found.product)
                                                     else supply.CONFIDENTIAL})


@router.get("/veille-saisonniere")
def watch_list(request: Request, user: LoggedInDep, db: DbDep) -> Response:
    """The seasonal watch list: each category's weekly demand, baseline, forecast and alerts."""
    with watch.order_lines(request.app.state.settings.detection_store()) as con:
        found = watch.outlook(db, user, con)
    return render(request, "watch.html", {"items": found, "version": watch.current(db), "store": con is not None,
                                          "WAVE_LABELS": WAVE_LABELS, "horizon": watch.HORIZON,
                                          "series": epidemic.latest(db)})


def _watch_lines(version_rows: list[tuple[Any, str | None]]) -> str:
    labels = {v: k for k, v in WAVE_KEYS.items()}
    return "\n".join(f"{c.emdn_code} ; {c.reason} ; {','.join(labels[w] for w in c.waves)} ; "
                     f"{c.demand_ratio:g} ; {c.coverage_days}" for c, _ in version_rows)


def _watch_versions(request: Request, db: Session, user: User, *, refusal: DomainError | None = None,
                    form: dict[str, str] | None = None, status_code: int = 200) -> Response:
    current = watch.current(db)
    return render(request, "watch_versions.html", {
        "versions": [(v, watch.categories(db, v)) for v in watch.versions(db)], "current": current,
        "can_publish": policy.can_publish_watch_list(user), "WAVE_LABELS": WAVE_LABELS,
        "form": form or {"lines": _watch_lines(watch.categories(db, current)), "retex": ""}, "refusal": refusal},
        status_code=status_code)


@router.get("/veille-saisonniere/versions")
def watch_versions(request: Request, user: LoggedInDep, db: DbDep) -> Response:
    require(user, policy.reads_watch_list(user), "vous n'avez pas accès à la liste de veille saisonnière")
    return _watch_versions(request, db, user)


# The waves as a person types them in the list's lines.
WAVE_KEYS = {"grippe": "flu", "bronchiolite": "bronchiolitis", "covid": "covid"}


def parse_watch_lines(text_: str) -> list[dict[str, Any]]:
    """« CODE ; raison ; grippe,bronchiolite,covid ; seuil ; jours », one category a line; a bad line
    refused naming its number."""
    rows = []
    for number, line in enumerate(text_.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split(";")]
        if len(cells) < 3:
            raise Invalid(f"ligne {number} : « code ; raison ; vagues » au moins", "lines")
        words = [w.strip().lower() for w in cells[2].split(",") if w.strip()]
        unknown = [w for w in words if w not in WAVE_KEYS]
        if not words or unknown:
            said = f"« {unknown[0][:20]} » n'est pas une vague ; " if unknown else ""
            raise Invalid(f"ligne {number} : {said}vagues parmi grippe, bronchiolite, covid", "lines")
        waves = [WAVE_KEYS[w] for w in words]
        try:
            ratio = float(cells[3].replace(",", ".")) if len(cells) > 3 and cells[3] else 1.5
            days = int(cells[4]) if len(cells) > 4 and cells[4] else 14
        except ValueError as exc:
            raise Invalid(f"ligne {number} : seuil (nombre décimal) et jours (entier) attendus", "lines") from exc
        rows.append({"emdn_code": cells[0], "reason": cells[1], "waves": waves, "demand_ratio": ratio,
                     "coverage_days": days})
    return rows


@router.post("/veille-saisonniere/versions")
def watch_publish(request: Request, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    typed: dict[str, str] = {}
    try:
        typed = {"lines": text(form, "lines", 50_000), "retex": text(form, "retex", 5000)}
        data = validated(WatchListIn, categories=parse_watch_lines(typed["lines"]), retex=typed["retex"])
        made = watch.publish(db, user, data)
    except DomainError as exc:
        redisplay(db, exc)
        return _watch_versions(request, db, user, refusal=exc, form=typed, status_code=exc.status)
    request.session["flash"] = (f"Version {made.version} de la liste de veille publiée : la veille suit désormais "
                                "ses catégories ; les versions précédentes restent consultables.")
    return RedirectResponse("/veille-saisonniere/versions", status_code=303)


@router.get("/anticiper")
def anticipate(request: Request, user: LoggedInDep) -> Response:
    """The anticipation pages a reader may open, in one place."""
    require(user, policy.reads_watch_list(user), "réservé aux établissements, acheteurs et agences")
    return render(request, "anticipate.html")


@router.get("/vulnerabilite")
def ranking(request: Request, user: UserDep, db: DbDep, atc: str = "", page: int = 1,
            produits: str = "medicaments") -> Response:
    """Medicines (or devices) by industrial vulnerability, and the map of where products are made
    (public once published)."""
    page = max(1, min(page, 100000))
    model = "device" if produits == "dispositifs" else "medicine"
    rows, total = vulnerability_ranking.page(db, user, atc=atc[:16], model=model, offset=(page - 1) * 50, limit=50)
    found = vulnerability_ranking.production_countries(db, user)
    most = max([c.products for c in found] + [1])
    return render(request, "ranking.html", {
        "rows": rows, "total": total, "page": page, "pages": max(1, (total + 49) // 50), "atc": atc[:16],
        "model": model, "countries": found, "most": most, "outlines": countries.outlines(),
        "shade": {c.code: min(4, 1 + (4 * c.products - 1) // most) for c in found},
        "counts": {c.code: c.products for c in found},
        "published": vulnerability_ranking.is_published(db), "can_publish": policy.can_publish_ranking(user),
        "reads_parts": policy.reads_priority(user)})


@router.post("/vulnerabilite/publication")
def ranking_publication(request: Request, form: FormDep, user: LoggedInDep, db: DbDep) -> Response:
    published = flag(form, "published")
    vulnerability_ranking.publish(db, user, published)
    request.session["flash"] = ("Le classement est public : chacun le lit sur cette page, sans les parts des critères."
                                if published else "Le classement n'est plus public : seules les agences le lisent.")
    return RedirectResponse("/vulnerabilite", status_code=303)
