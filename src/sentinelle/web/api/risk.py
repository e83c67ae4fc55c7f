"""JSON API for risk mapping: grids, a hospital's P.I.E.U mapping and its scores, the shared reference
mappings, the CSV import, a region's aggregated view."""

from __future__ import annotations

import io
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from sentinelle.accounts.models import User
from sentinelle.csvsafe import writer as csv_writer
from sentinelle.errors import NotAuthenticated, NotFound
from sentinelle.importing import decode
from sentinelle.risk import declarations, impacts, pieu, priority, ranking, schemas, watch
from sentinelle.risk.models import CareImpact, RiskMapping
from sentinelle.schemas_common import ERRORS
from sentinelle.signals import service as signals
from sentinelle.web.deps import ApiUserDep, DbDep

router = APIRouter(prefix="/risk", tags=["risk"], responses=ERRORS)

EmdnPath = Annotated[str, Path(max_length=16, pattern="^[A-Za-z0-9]+$")]


def _need(user: User | None) -> User:
    if user is None:
        raise NotAuthenticated("authentification requise (jeton d'API ou session)")
    return user


def _mapping_out(db: Session, mapping: RiskMapping) -> schemas.MappingOut:
    return schemas.MappingOut(
        id=mapping.id, organisation_id=mapping.organisation_id, organisation_name=mapping.organisation.name,
        region_code=mapping.organisation.region_code, grid=schemas.GridOut.model_validate(mapping.grid),
        shared=mapping.shared, shared_at=mapping.shared_at, based_on_id=mapping.based_on_id,
        updated_at=mapping.updated_at,
        scores=[schemas.ScoreOut.model_validate({**_score_fields(r.score), "term": r.term})
                for r in pieu.rows(db, mapping)])


def _score_fields(score: object) -> dict[str, object]:
    return {name: getattr(score, name) for name in ("emdn_code", "p", "i", "e", "u", "score", "level", "risk_class",
                                                     "note", "scored_at")}


@router.get("/grids", response_model=list[schemas.GridOut])
def list_grids(db: DbDep) -> list[schemas.GridOut]:
    """Every grid version, with its source: the method is public, the scores are not."""
    pieu.current_grid(db)
    return [schemas.GridOut.model_validate(g) for g in pieu.grids_of(db)]


@router.post("/grids", response_model=schemas.GridOut, status_code=201)
def publish_grid(data: schemas.GridIn, user: ApiUserDep, db: DbDep) -> schemas.GridOut:
    """A new grid or the next version of one (the national agency): mappings keep the version they use."""
    return schemas.GridOut.model_validate(pieu.publish_grid(db, _need(user), data))


@router.get("/mappings/mine", response_model=schemas.MappingOut)
def my_mapping(user: ApiUserDep, db: DbDep) -> schemas.MappingOut:
    mapping = pieu.mine(db, _need(user))
    if mapping is None:
        raise NotFound("votre établissement n'a pas encore de cartographie : POST /api/v1/risk/mappings/mine",
                       "mapping_id")
    return _mapping_out(db, mapping)


@router.post("/mappings/mine", response_model=schemas.MappingOut, status_code=201)
def start_mapping(data: schemas.StartIn, user: ApiUserDep, db: DbDep) -> schemas.MappingOut:
    """Start (or complete) one's mapping on the current grid, empty or from a reference mapping."""
    return _mapping_out(db, pieu.start(db, _need(user), data.reference_id).mapping)


@router.get("/mappings/{mapping_id}", response_model=schemas.MappingOut)
def get_mapping(mapping_id: int, user: ApiUserDep, db: DbDep) -> schemas.MappingOut:
    return _mapping_out(db, pieu.get(db, _need(user), mapping_id))


@router.put("/mappings/{mapping_id}/scores", response_model=schemas.ScoreOut)
def set_score(mapping_id: int, data: schemas.ScoreIn, user: ApiUserDep, db: DbDep) -> schemas.ScoreOut:
    """Score a category, or change its score (PUT is idempotent: one row per category)."""
    row = pieu.set_score(db, _need(user), mapping_id, data)
    db.refresh(row)
    return schemas.ScoreOut.model_validate({**_score_fields(row), "term": None})


@router.delete("/mappings/{mapping_id}/scores/{emdn_code}", status_code=204)
def remove_score(mapping_id: int, emdn_code: EmdnPath, user: ApiUserDep, db: DbDep) -> Response:
    pieu.remove_score(db, _need(user), mapping_id, emdn_code)
    return Response(status_code=204)


@router.put("/mappings/{mapping_id}/shared", response_model=schemas.MappingOut)
def share(mapping_id: int, data: schemas.ShareIn, user: ApiUserDep, db: DbDep) -> schemas.MappingOut:
    """Offer one's mapping to other hospitals as a reference, or withdraw it."""
    return _mapping_out(db, pieu.share(db, _need(user), mapping_id, data.shared))


@router.post("/mappings/{mapping_id}/import", response_model=schemas.ImportOut,
             openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}})
async def import_scores(mapping_id: int, request: Request, user: ApiUserDep, db: DbDep,
                        apply: Annotated[bool, Query()] = False) -> schemas.ImportOut:
    """A CSV of scores (emdn_code, p, i, e, u, note; comma or semicolon): previewed unless `apply=true`,
    then applied all or nothing; every rejected row named by its line and field."""
    # Rights first (pieu checks them before reading the file): an empty body is then refused as such.
    report = pieu.import_scores(db, _need(user), mapping_id, decode(await request.body()), apply=apply)
    return schemas.ImportOut(applied=apply, created=report.created, updated=report.updated,
                             unchanged=report.unchanged,
                             rejected=[schemas.ImportRejectedOut(line=r.line, field=r.field, reason=r.reason)
                                       for r in report.rejected])


@router.get("/references", response_model=list[schemas.ReferenceOut])
def references(user: ApiUserDep, db: DbDep) -> list[schemas.ReferenceOut]:
    """The mappings hospitals chose to share: who, when, on which grid."""
    return [schemas.ReferenceOut(id=r.mapping.id, organisation_name=r.mapping.organisation.name,
                                 region_code=r.mapping.organisation.region_code, grid_code=r.mapping.grid.code,
                                 grid_version=r.mapping.grid.version, shared_at=r.mapping.shared_at,
                                 categories=r.categories)
            for r in pieu.references(db, _need(user))]


@router.get("/regions/{region_code}", response_model=schemas.RegionMapOut)
def region_map(region_code: Annotated[str, Path(pattern="^[0-9]{2}$")], user: ApiUserDep,
               db: DbDep) -> schemas.RegionMapOut:
    """A region's hospitals' mappings put together (its agency, the national agency)."""
    found = pieu.region_map(db, _need(user), region_code)
    return schemas.RegionMapOut(
        region_code=found.region_code,
        hospitals=[schemas.RegionHospitalOut(organisation_id=h.organisation.id, organisation_name=h.organisation.name,
                                             mapping_id=h.mapping_id, categories=h.categories, classes=h.classes)
                   for h in found.hospitals],
        categories=[schemas.RegionCategoryOut(emdn_code=c.code, term=c.term, hospitals=c.hospitals, classes=c.classes,
                                              mean_level=c.mean_level, max_level=c.max_level)
                    for c in found.categories])


# Impacts on care ---------------------------------------------------------------------------------

impact_router = APIRouter(tags=["risk"], responses=ERRORS)


def _impact_out(impact: CareImpact) -> schemas.ImpactOut:
    return schemas.ImpactOut.model_validate({
        **{name: getattr(impact, name) for name in ("signal_id", "organisation_id", *impacts.FLAGS, *impacts.COUNTS,
                                                    "description", "updated_at")},
        "organisation_name": impact.organisation.name,
        "vigilance_refs": [r for r in impact.vigilance_refs.splitlines() if r.strip()]})


@impact_router.put("/signals/{signal_id}/impacts/mine", response_model=schemas.ImpactOut)
def record_impact(signal_id: int, data: schemas.ImpactIn, user: ApiUserDep, db: DbDep) -> schemas.ImpactOut:
    """What the shortage did to the hospital's care (PUT replaces the hospital's record)."""
    return _impact_out(impacts.record(db, _need(user), signal_id, data))


@impact_router.get("/signals/{signal_id}/impacts", response_model=list[schemas.ImpactOut])
def signal_impacts(signal_id: int, user: ApiUserDep, db: DbDep) -> list[schemas.ImpactOut]:
    """The hospitals' records on a signal that the reader may read (a hospital: its own)."""
    signal = signals.get(db, _need(user), signal_id)
    return [_impact_out(i) for i in impacts.of_signal(db, user, signal)]


@impact_router.get("/impacts/statistics", response_model=list[schemas.ImpactStatOut])
def impact_statistics(user: ApiUserDep, db: DbDep,
                      by: Annotated[str, Query(pattern="^(signal|category|region)$")] = "signal",
                      ) -> list[schemas.ImpactStatOut]:
    """Totals per shortage, category or region (the agencies; a region, its own hospitals)."""
    return impacts.statistics(db, _need(user), by)


@impact_router.get("/impacts/export.csv", response_class=StreamingResponse)
def impact_export(request: Request, user: ApiUserDep, db: DbDep) -> StreamingResponse:
    """The records for the retrospective study: establishments pseudonymised, columns in docs/risk.md."""
    rows = list(impacts.export(db, _need(user), request.app.state.settings.resolved_secret_key().encode()))
    return StreamingResponse(iter([_csv(rows)]), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="impacts-sur-les-soins.csv"'})


def _csv(rows: list[dict[str, object]]) -> str:
    out = io.StringIO()
    write = csv_writer(out)
    write.writerow(impacts.EXPORT_COLUMNS)
    for row in rows:
        write.writerow([row[c] for c in impacts.EXPORT_COLUMNS])
    return out.getvalue()


# The national priority list ----------------------------------------------------------------------

priority_router = APIRouter(prefix="/priority", tags=["risk"], responses=ERRORS)


def _line(line: priority.Line) -> schemas.PriorityLineOut:
    p = line.product
    return schemas.PriorityLineOut(
        rank=line.entry.rank, score=line.entry.score, product_id=p.id, product_name=p.name, product_kind=p.kind,
        category=(p.emdn_code or p.atc_code),
        parts=[schemas.PriorityPartOut(part=n, label=str(priority.PART_LABELS[n]), value=v, weight=w, contribution=c)
               for n, v, w, c in priority.contributions(line.entry)])


@priority_router.get("", response_model=schemas.PriorityPageOut)
def priority_list(
    *, user: ApiUserDep, db: DbDep,
    region: Annotated[str | None, Query(pattern="^[0-9]{2}$")] = None,
    category: Annotated[str | None, Query(max_length=16, pattern="^[A-Za-z0-9]+$")] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> schemas.PriorityPageOut:
    """Products by priority, each with its parts (the agencies; a region reads its own region's)."""
    lines, total = priority.page(db, _need(user), region=region, category=category, offset=(page - 1) * per_page,
                                 limit=per_page)
    return schemas.PriorityPageOut(items=[_line(x) for x in lines], total=total, page=page, per_page=per_page,
                                   computed_at=lines[0].entry.computed_at if lines else None)


@priority_router.get("/{product_id}", response_model=schemas.PriorityLineOut)
def priority_of(product_id: int, user: ApiUserDep, db: DbDep) -> schemas.PriorityLineOut:
    """One product's rank and its parts."""
    found = priority.explain(db, _need(user), product_id)
    return _line(priority.Line(found.entry, found.product))


# The seasonal watch list -------------------------------------------------------------------------

watch_router = APIRouter(tags=["risk"], responses=ERRORS)


@watch_router.get("/watch-list", response_model=schemas.WatchListOut)
def watch_list(request: Request, user: ApiUserDep, db: DbDep) -> schemas.WatchListOut:
    """The current version of the seasonal watch list, each category's week: demand, baseline,
    forecast with its 95 % interval, alerts (hospitals, purchasing groups, agencies)."""
    with watch.order_lines(request.app.state.settings.detection_store()) as con:
        found = watch.outlook(db, _need(user), con)
    version = watch.current(db)
    return schemas.WatchListOut(version=version.version, retex=version.retex, published_at=version.published_at,
                                categories=[schemas.WatchOutlookOut(
                                    emdn_code=o.category.emdn_code, term=o.term, reason=o.category.reason,
                                    waves=o.category.waves, demand_ratio=o.category.demand_ratio,
                                    coverage_days=o.category.coverage_days, products=o.products,
                                    last_week=o.weeks[-1] if o.weeks else None,
                                    last_week_demand=o.values[-1] if o.values else None, baseline=o.baseline,
                                    baseline_from=o.baseline_from,
                                    forecast=[schemas.WatchForecastOut(week_ending=w, low_95=lo, median=m, high_95=hi)
                                              for w, lo, m, hi in o.forecast],
                                    low_coverage_signal_ids=[s.id for s in o.low_coverage], alerts=o.alerts)
                                    for o in found])


# The vulnerability ranking ------------------------------------------------------------------------

ranking_router = APIRouter(prefix="/vulnerability", tags=["risk"], responses=ERRORS)


@ranking_router.get("", response_model=schemas.RankingPageOut)
def vulnerability_ranking(
    *, user: ApiUserDep, db: DbDep,
    atc: Annotated[str, Query(max_length=16, pattern="^[A-Za-z0-9]*$")] = "",
    model: Annotated[Literal["medicine", "device"], Query()] = "medicine",
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> schemas.RankingPageOut:
    """Medicines, or devices (`model`), by industrial vulnerability (the agencies; everyone once the
    national agency publishes it). `atc`: the start of an ATC class, or of an EMDN code for devices."""
    rows, total = ranking.page(db, user, atc=atc, model=model, offset=(page - 1) * per_page, limit=per_page)
    return schemas.RankingPageOut(
        items=[schemas.RankedOut(rank=r.rank, product_id=r.product.id, product_name=r.product.name,
                                 atc_code=r.product.atc_code, emdn_code=r.product.emdn_code, model=r.vulnerability.model,
                                 score=r.vulnerability.score, as_of=r.vulnerability.as_of)
               for r in rows], total=total, page=page, per_page=per_page, published=ranking.is_published(db))


@ranking_router.put("/publication", response_model=schemas.PublicationIn)
def publish_ranking(data: schemas.PublicationIn, user: ApiUserDep, db: DbDep) -> schemas.PublicationIn:
    """The national agency makes the ranking public, or withdraws it."""
    return schemas.PublicationIn(published=ranking.publish(db, _need(user), data.published).published)


# What a manufacturer declares of its supply chains ---------------------------------------------------

supply_router = APIRouter(prefix="/supply", tags=["risk"], responses=ERRORS)


@supply_router.get("", response_model=schemas.SupplyOut)
def my_supply(*, user: ApiUserDep, db: DbDep, page: Annotated[int, Query(ge=1, le=100000)] = 1,
              per_page: Annotated[int, Query(ge=1, le=200)] = 50) -> schemas.SupplyOut:
    """The manufacturer's sites, and its products (most vulnerable first) with their sites, inputs and
    vulnerability score and parts."""
    found = declarations.mine(db, _need(user), offset=(page - 1) * per_page, limit=per_page)
    return schemas.SupplyOut(
        sites=[schemas.SiteOut.model_validate(s) for s in found.sites], total=found.total, page=page,
        per_page=per_page,
        products=[schemas.SupplyProductOut(
            product_id=o.product.id, product_name=o.product.name, site_ids=o.site_ids,
            inputs=[schemas.InputOut.model_validate(i) for i in o.inputs],
            score=o.vulnerability.score if o.vulnerability else None,
            model=o.vulnerability.model if o.vulnerability else None,
            parts=o.vulnerability.parts if o.vulnerability else {}) for o in found.products])


@supply_router.post("/sites", response_model=schemas.SiteOut, status_code=201)
def add_site(data: schemas.SiteIn, user: ApiUserDep, db: DbDep) -> schemas.SiteOut:
    return schemas.SiteOut.model_validate(declarations.add_site(db, _need(user), data))


@supply_router.put("/products/{product_id}/sites", response_model=schemas.ProductSitesIn)
def product_sites(product_id: int, data: schemas.ProductSitesIn, user: ApiUserDep, db: DbDep) -> schemas.ProductSitesIn:
    """The whole set of sites one of the manufacturer's products is made at."""
    return schemas.ProductSitesIn(site_ids=declarations.set_product_sites(db, _need(user), product_id, data))


@supply_router.post("/products/{product_id}/inputs", response_model=schemas.InputOut, status_code=201)
def declare_input(product_id: int, data: schemas.InputIn, user: ApiUserDep, db: DbDep) -> schemas.InputOut:
    """Declare an input (the same name again replaces its declaration)."""
    return schemas.InputOut.model_validate(declarations.declare_input(db, _need(user), product_id, data))


@supply_router.delete("/inputs/{input_id}", status_code=204)
def remove_input(input_id: int, user: ApiUserDep, db: DbDep) -> Response:
    declarations.remove_input(db, _need(user), input_id)
    return Response(status_code=204)
