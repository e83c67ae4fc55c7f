"""The seasonal watch list, « triple épidémie » (roadmap axis III.1): the device categories flu,
bronchiolitis and Covid waves strain, versioned (each year's RETEX makes the next version); for each,
the weekly demand from the hospitals' order lines against a seasonal baseline, a forecast of the next
four weeks with its intervals (risk/forecast.py), the declared stock coverage, and an alert when one
crosses its threshold."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.catalogue.models import EmdnCode, Product
from sentinelle.errors import Invalid, require
from sentinelle.risk import epidemic, forecast, policy
from sentinelle.risk.models import WAVES, WatchCategory, WatchListVersion
from sentinelle.risk.schemas import WatchListIn
from sentinelle.signals import policy as signal_policy
from sentinelle.signals.models import Signal
from sentinelle.signals.states import TERMINAL

# Version 1: the intensive-care devices of the 2020 Covid wave (ventilators and their circuits,
# intubation, syringe and infusion pumps, oxygen therapy, monitoring, tests and swabs), as EMDN codes.
DEFAULT_RETEX = ("Version 1 : les dispositifs de réanimation de la vague Covid de 2020 (ventilateurs et leurs "
                 "circuits, intubation, pousse-seringues et perfusion, oxygénothérapie, surveillance, tests et "
                 "écouvillons), étendus aux vagues de grippe et de bronchiolite. À réviser après chaque saison "
                 "par le retour d'expérience (RETEX).")
DEFAULT = [
    ("Z120301", "ventilateurs de réanimation et d'anesthésie", ["flu", "bronchiolitis", "covid"]),
    ("R02", "circuits respiratoires des ventilateurs", ["flu", "bronchiolitis", "covid"]),
    ("R0401", "filtres de ventilation", ["flu", "bronchiolitis", "covid"]),
    ("R0103", "sondes d'intubation", ["flu", "covid"]),
    ("R030102", "masques et lunettes à oxygène (oxygénothérapie)", ["flu", "bronchiolitis", "covid"]),
    ("A03010105", "pompes à perfusion et pousse-seringues", ["flu", "covid"]),
    ("A030401", "perfuseurs, y compris par pompe", ["flu", "covid"]),
    ("A02", "seringues", ["flu", "bronchiolitis", "covid"]),
    ("C900301", "capteurs d'oxymétrie de pouls (surveillance)", ["flu", "bronchiolitis", "covid"]),
    ("A1102", "écouvillons de prélèvement avec milieu de transport", ["flu", "bronchiolitis", "covid"]),
    ("W010504", "tests de virologie (grippe, VRS, SARS-CoV-2)", ["flu", "bronchiolitis", "covid"]),
]
HORIZON = 4  # weeks forecast ahead
BASELINE_WEEKS = 12  # without a year of history, the baseline is the median of the weeks before


def current(session: Session) -> WatchListVersion:
    """The latest version; version 1 is made on first use from the codes the nomenclature holds."""
    latest = session.scalar(select(WatchListVersion).order_by(WatchListVersion.version.desc()).limit(1))
    if latest is not None:
        return latest
    known = set(session.scalars(select(EmdnCode.code).where(EmdnCode.code.in_([c for c, _, _ in DEFAULT]))))
    try:
        with session.begin_nested():  # two first readers at once: the unique version decides
            made = WatchListVersion(version=1, retex=DEFAULT_RETEX)
            session.add(made)
            session.flush()
            session.add_all([WatchCategory(version_id=made.id, emdn_code=code, reason=reason, waves=waves)
                             for code, reason, waves in DEFAULT if code in known])
        return made
    except IntegrityError:
        return session.scalars(select(WatchListVersion).where(WatchListVersion.version == 1)).one()


def versions(session: Session) -> list[WatchListVersion]:
    return list(session.scalars(select(WatchListVersion).order_by(WatchListVersion.version.desc())))


def categories(session: Session, version: WatchListVersion) -> list[tuple[WatchCategory, str | None]]:
    return [(c, t) for c, t in session.execute(
        select(WatchCategory, EmdnCode.term).join(EmdnCode, EmdnCode.code == WatchCategory.emdn_code)
        .where(WatchCategory.version_id == version.id).order_by(WatchCategory.emdn_code))]


def publish(session: Session, user: User | None, data: WatchListIn) -> WatchListVersion:
    """The next version of the list, with the RETEX that made it (the national agency). The versions
    before stay as they were."""
    require(user, policy.can_publish_watch_list(user), "seule l'agence nationale publie la liste de veille")
    if len(data.retex.strip()) < 10:
        raise Invalid("le retour d'expérience dit ce qui change et pourquoi : quelques mots au moins", "retex")
    codes = [c.emdn_code.strip().upper() for c in data.categories]
    known = set(session.scalars(select(EmdnCode.code).where(EmdnCode.code.in_(codes))))
    for index, code in enumerate(codes):
        if code not in known:
            raise Invalid(f"catégorie {index + 1} : inconnue de la nomenclature EMDN : {code}", "categories")
        if codes.index(code) != index:
            raise Invalid(f"catégorie {index + 1} : {code} déjà sur la liste", "categories")
    for index, c in enumerate(data.categories):
        if any(w not in WAVES for w in c.waves) or not c.waves:
            raise Invalid(f"catégorie {index + 1} : vagues attendues parmi {', '.join(WAVES)}", "categories")
    before = current(session)
    number = (session.scalar(select(func.max(WatchListVersion.version))) or 0) + 1
    made = WatchListVersion(version=number, retex=data.retex.strip(), published_by_id=user.id if user else None)
    try:
        with session.begin_nested():
            session.add(made)
            session.flush()
    except IntegrityError as exc:
        raise Invalid("une autre version vient d'être publiée : rechargez la page", "retex") from exc
    session.add_all([WatchCategory(version_id=made.id, emdn_code=code, reason=c.reason.strip(), waves=list(c.waves),
                                   demand_ratio=c.demand_ratio, coverage_days=c.coverage_days)
                     for code, c in zip(codes, data.categories, strict=True)])
    session.flush()
    old = {c.emdn_code for c, _ in categories(session, before)}
    audit.record(session, user, audit.Action.RISK_WATCH_LIST, "watch_list", made.version,
                 before={"version": before.version}, after={"version": made.version,
                                                             "added": sorted(set(codes) - old),
                                                             "removed": sorted(old - set(codes))})
    return made


# The weekly picture -------------------------------------------------------------------------------

@contextmanager
def order_lines(store: Path) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The detection store opened for reading, or None when this instance keeps none or a daily run is
    writing it: the watch list is then shown without the demand, the devices scored without order
    lines (risk/supply.py's callers)."""
    try:
        con = duckdb.connect(str(store), read_only=True) if store.exists() else None
    except duckdb.Error:
        con = None
    try:
        yield con
    finally:
        if con is not None:
            con.close()


def weekly_demand(con: duckdb.DuckDBPyConnection, keys: list[str]) -> tuple[list[date], list[float]]:
    """Units ordered (not cancelled) of these products, week by week (weeks ending on Sunday), from the
    detection store's order lines; the week still under way is left out."""
    if not keys:
        return [], []
    rows = con.execute(
        "WITH lines AS (SELECT ordered_at, quantity_ordered FROM orders WHERE product_id IN (SELECT unnest($keys)) "
        "AND cancelled_at IS NULL), last AS (SELECT max(ordered_at) AS d FROM orders) "
        "SELECT CAST(date_trunc('week', ordered_at) AS DATE) + 6 AS week, sum(quantity_ordered) FROM lines, last "
        "GROUP BY week, last.d HAVING week <= last.d ORDER BY week", {"keys": keys}).fetchall()
    return [r[0] for r in rows], [float(r[1]) for r in rows]


def _a_year_before(earlier: date, week: date) -> bool:
    """The same week (± 1) of an earlier year."""
    gap = (week - earlier).days
    return gap >= 357 and min(gap % 364, 364 - gap % 364) <= 7


def baseline(weeks: list[date], values: list[float], week: date) -> tuple[float | None, str]:
    """The demand expected for `week` without an epidemic: the mean of the same week in the years
    before (± 1 week), or, with less than a year of history, the median of the 12 weeks before it."""
    same = [v for w, v in zip(weeks, values, strict=True) if _a_year_before(w, week)]
    if same:
        return statistics.mean(same), "même semaine des années précédentes"
    before = [v for w, v in zip(weeks, values, strict=True) if week - timedelta(weeks=BASELINE_WEEKS) <= w < week]
    if len(before) >= 4:
        return statistics.median(before), f"médiane des {BASELINE_WEEKS} semaines précédentes (moins d'un an d'historique)"
    return None, "historique insuffisant"


@dataclass
class Outlook:
    """A category's week: its demand, baseline, forecast and alerts."""

    category: WatchCategory
    term: str | None
    products: int
    weeks: list[date] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    baseline: float | None = None
    baseline_from: str = ""
    forecast: list[tuple[date, float, float, float]] = field(default_factory=list)  # (week, 2.5 %, median, 97.5 %)
    driver: str = ""  # the wave whose epidemic activity guided the forecast, or "" (ETS)
    low_coverage: list[Signal] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        return self.values[-1] / self.baseline if self.values and self.baseline else None


def outlook(session: Session, user: User | None, con: duckdb.DuckDBPyConnection | None) -> list[Outlook]:
    """Each category of the current list, this week: the weekly demand of its products (from the order
    lines of `con`, the detection store, when there is one), its baseline, a 4-week forecast, the open
    signals declaring little stock, and the alerts. The forecast is guided by a wave's epidemic
    activity series where one is imported and up to date (risk/epidemic.py), by ETS otherwise."""
    require(user, policy.reads_watch_list(user), "vous n'avez pas accès à la liste de veille saisonnière")
    version = current(session)
    found = []
    ids: dict[str, list[int]] = {}
    for category, term in categories(session, version):
        code = category.emdn_code
        products = list(session.execute(select(Product.id, Product.gtin).where(
            Product.emdn_code.between(code, code + "~"))))
        ids[code] = [pid for pid, _ in products]
        item = Outlook(category, term, len(products))
        if con is not None and products:
            keys = [k for pid, gtin in products for k in (gtin, str(pid)) if k]
            item.weeks, item.values = weekly_demand(con, keys)
        if item.values:
            item.baseline, item.baseline_from = baseline(item.weeks, item.values, item.weeks[-1])
        found.append(item)
    _forecasts(session, [o for o in found if o.values])
    for item in found:
        category = item.category
        if item.values:
            if item.ratio is not None and item.ratio >= category.demand_ratio:
                item.alerts.append(f"demande de la semaine à {item.ratio:.1f} fois la référence "
                                   f"(seuil {category.demand_ratio:.1f})")
            peak = max((m for _, _, m, _ in item.forecast), default=None)
            if peak is not None and item.baseline and peak >= category.demand_ratio * item.baseline:
                item.alerts.append(f"prévision à {peak / item.baseline:.1f} fois la référence d'ici "
                                   f"{HORIZON} semaines")
        if ids[category.emdn_code]:
            # Only the signals the reader may read: a hospital never learns of another's declaration here.
            item.low_coverage = list(session.scalars(select(Signal).where(
                Signal.product_id.in_(ids[category.emdn_code]), Signal.status.not_in(TERMINAL),
                Signal.stock_coverage_days.is_not(None), Signal.stock_coverage_days < category.coverage_days,
                signal_policy.visible_to(user)).order_by(Signal.stock_coverage_days)).unique())
            if item.low_coverage:
                n = len(item.low_coverage)
                item.alerts.append(f"{n} signal ouvert déclare moins de {category.coverage_days} jours de stock"
                                   if n == 1 else
                                   f"{n} signaux ouverts déclarent moins de {category.coverage_days} jours de stock")
    return sorted(found, key=lambda o: (not o.alerts, -(o.ratio or 0), o.category.emdn_code))


MIN_DRIVER_WEEKS = 26  # an activity series shorter than half a year guides nothing


def _by_week(forecasts: list[forecast.Forecast]) -> list[tuple[date, float, float, float]]:
    by_week: dict[date, dict[float, float]] = {}
    for f in forecasts:
        by_week.setdefault(f.target_end_date, {})[f.quantile] = f.value
    return [(w, q[0.025], q[0.5], q[0.975]) for w, q in sorted(by_week.items())]


def _forecasts(session: Session, items: list[Outlook]) -> None:
    """Each category's forecast: the pooled regression on its first wave's activity series (in the
    category's order of waves) when that series reaches the demand's last week, ETS otherwise."""
    drivers = {w: epidemic.series(session, w) for w in WAVES}
    guided: dict[str, tuple[str, tuple[list[date], list[float]]]] = {}
    for item in items:
        for wave in item.category.waves:
            weeks, values = drivers.get(wave, ([], []))
            if len(weeks) >= MIN_DRIVER_WEEKS and weeks[-1] >= item.weeks[-1]:
                guided[item.category.emdn_code] = (wave, (weeks, values))
                break
    pooled: list[forecast.Forecast] = []
    if guided:
        demand = {o.category.emdn_code: (o.weeks, o.values) for o in items if o.category.emdn_code in guided}
        origin = max(w[-1] for w, _ in demand.values())
        pooled = forecast.forecast_pooled(demand, origin, HORIZON, forecast.Method(name="driver"),
                                          {code: series for code, (_, series) in guided.items()})
    for item in items:
        code = item.category.emdn_code
        mine = [f for f in pooled if f.group == code]
        if mine and min(f.target_end_date for f in mine) == item.weeks[-1] + timedelta(weeks=1):
            item.forecast, item.driver = _by_week(mine), guided[code][0]
        else:
            item.forecast = _by_week(forecast.forecast_group(item.weeks, item.values, item.weeks[-1], HORIZON, code))
