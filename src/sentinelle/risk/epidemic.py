"""Epidemic activity series for the seasonal watch list (roadmap axis III.1): one weekly series per
wave (flu, bronchiolitis, Covid), imported as a CSV — the share of emergency visits that French
syndromic surveillance publishes, say. Where a wave of a category has a series, the watch list's
forecast uses it as a driver (risk/forecast.py's `driver`, back-tested in bench/RESULTS.md)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from sentinelle.accounts.models import User
from sentinelle.errors import Invalid, require
from sentinelle.importing import ImportReport, csv_rows
from sentinelle.risk import policy
from sentinelle.risk.models import WAVES, EpidemicWeek
from sentinelle.store.base import utcnow
from sentinelle.store.db import upsert_rows


def week_ending(day: date) -> date:
    """The Sunday that ends the week of `day` (the watch list's weeks end on Sunday)."""
    return day + timedelta(days=6 - day.weekday())


def _day(text: str) -> date | None:
    """An ISO date or a French one (« 07/03/2026 »)."""
    for form in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    return None


def import_csv(session: Session, user: User | None, text: str, wave: str, source: str = "", *,
               date_column: str = "date", value_column: str = "value") -> ImportReport:
    """A wave's weekly series: a row per week (any day of it), a value of zero or more (a decimal
    comma is read). All or nothing: every bad row is named and nothing is written. A week imported
    again takes its new value. Audited once."""
    if user is not None:
        require(user, policy.can_publish_watch_list(user), "seule l'agence nationale importe les séries épidémiques")
    if wave not in WAVES:
        raise Invalid(f"vague inconnue « {wave} » (attendu : {', '.join(WAVES)})", "wave")
    report = ImportReport(source=source or wave)
    reader = csv_rows(text)
    columns = reader.fieldnames or []
    for needed in (date_column, value_column):
        if needed not in columns:
            raise Invalid(f"colonne « {needed} » absente (colonnes : {', '.join(columns) or 'aucune'})", "file")
    rows: dict[date, float] = {}
    for line, row in enumerate(reader, start=2):
        raw_day, raw_value = (row.get(date_column) or "").strip(), (row.get(value_column) or "").strip()
        day = _day(raw_day)
        if day is None:
            report.reject(line, date_column, f"date illisible « {raw_day} » (AAAA-MM-JJ ou JJ/MM/AAAA)")
            continue
        try:
            value = float(raw_value.replace(",", "."))
            if value < 0 or value != value:
                raise ValueError
        except ValueError:
            report.reject(line, value_column, f"valeur illisible ou négative « {raw_value} »")
            continue
        week = week_ending(day)
        if week in rows:
            report.reject(line, date_column, f"semaine du {week:%d/%m/%Y} déjà donnée plus haut")
            continue
        rows[week] = value
    if not rows and not report.rejected:
        raise Invalid("aucune semaine dans le fichier", "file")
    report.refuse_if_rejected()
    known = set(session.scalars(select(EpidemicWeek.week).where(EpidemicWeek.wave == wave,
                                                                EpidemicWeek.week.in_(list(rows)))))
    now = utcnow()
    values = [{"wave": wave, "week": w, "value": v, "source": report.source[:2000], "imported_at": now}
              for w, v in sorted(rows.items())]
    upsert_rows(session, EpidemicWeek, values, ["wave", "week"])
    report.created, report.updated = len(rows) - len(known), len(known)
    audit.record(session, user, audit.Action.RISK_WATCH_LIST, "epidemic_series", wave,
                 after={"weeks": len(rows), "from": min(rows).isoformat(), "to": max(rows).isoformat(),
                        "source": report.source})
    return report


def series(session: Session, wave: str) -> tuple[list[date], list[float]]:
    rows = session.execute(select(EpidemicWeek.week, EpidemicWeek.value).where(EpidemicWeek.wave == wave)
                           .order_by(EpidemicWeek.week)).all()
    return [r[0] for r in rows], [float(r[1]) for r in rows]


def latest(session: Session) -> dict[str, tuple[date, int]]:
    """Each wave with a series: its newest week and how many weeks it holds."""
    return {wave: (newest, count) for wave, newest, count in session.execute(
        select(EpidemicWeek.wave, func.max(EpidemicWeek.week), func.count()).group_by(EpidemicWeek.wave))}
