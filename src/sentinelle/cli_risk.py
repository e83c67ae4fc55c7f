"""The anticipation commands of `sentinelle forecast …` (issue 17).

    sentinelle forecast backtest --series FILE --date-column date --value-column value
        --group-column location --from YYYY-MM-DD --to YYYY-MM-DD --max-horizon 4 --out forecasts.csv
        [--method ets|flat|seasonal] [--score]
"""

from __future__ import annotations

import csv
import math
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sentinelle import csvsafe
from sentinelle.risk import forecast

console = Console()
err = Console(stderr=True)
COLUMNS = ("origin_date", "group", "horizon", "target_end_date", "quantile", "value")


def read_series(path: Path, date_column: str, value_column: str, group_column: str, *, file_option: str = "--series",
                value_option: str = "--value-column") -> forecast.Series:
    """Each group's (weeks, values), sorted by date; a missing value (empty, NA) is a gap. A bad file is
    refused naming the parameter or the row."""
    if not path.is_file():
        raise typer.BadParameter(f"fichier introuvable : {path}", param_hint=file_option)
    rows: dict[str, dict[date, float]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for option, column in (("--date-column", date_column), (value_option, value_column),
                               ("--group-column", group_column)):
            if column not in (reader.fieldnames or []):
                raise typer.BadParameter(f"colonne « {column} » absente (colonnes : {', '.join(reader.fieldnames or [])})",
                                         param_hint=option)
        for line, row in enumerate(reader, start=2):
            try:
                day = date.fromisoformat(row[date_column].strip())
            except ValueError:
                raise typer.BadParameter(f"ligne {line} : date illisible « {row[date_column]} » (AAAA-MM-JJ)",
                                         param_hint="--date-column") from None
            raw = (row[value_column] or "").strip()
            try:
                value = math.nan if raw in ("", "NA", "NaN") else float(raw)
            except ValueError:
                raise typer.BadParameter(f"{path.name}, ligne {line} : valeur illisible « {raw} »",
                                         param_hint=value_option) from None
            rows.setdefault(row[group_column].strip(), {})[day] = value
    return {g: (sorted(v), [v[d] for d in sorted(v)]) for g, v in rows.items()}


def register(app: typer.Typer) -> None:
    forecasting = typer.Typer(help="Prévision hebdomadaire avec intervalles (liste de veille saisonnière).",
                              no_args_is_help=True)
    app.add_typer(forecasting, name="forecast")

    @forecasting.command("backtest")
    def backtest(
        series: Annotated[Path, typer.Option(help="CSV of weekly values, one row per group and week")],
        out: Annotated[Path, typer.Option(help="the forecasts, as CSV (origin_date, group, horizon, "
                                               "target_end_date, quantile, value)")],
        start: Annotated[str, typer.Option("--from", help="first origin, YYYY-MM-DD")],
        end: Annotated[str, typer.Option("--to", help="last origin, YYYY-MM-DD")],
        date_column: str = "date", value_column: str = "value", group_column: str = "location",
        max_horizon: Annotated[int, typer.Option(min=1, max=12)] = 4,
        method: Annotated[str, typer.Option(help="ets, flat, seasonal, driver (needs --driver) or growth")] = "ets",
        driver: Annotated[Path | None, typer.Option(
            help="CSV of a weekly epidemic activity series by the same groups (same date and group columns)")] = None,
        driver_column: Annotated[str, typer.Option(help="the driver file's value column")] = "value",
        score: Annotated[bool, typer.Option(help="also score against the file's own values")] = False,
    ) -> None:
        """For every weekly origin, forecast each group 1 to --max-horizon weeks ahead from the rows
        dated up to the origin only, as 23 quantiles."""
        if method not in forecast.METHODS:
            raise typer.BadParameter(f"méthode inconnue « {method} » ({', '.join(forecast.METHODS)})",
                                     param_hint="--method")
        try:
            first, last = date.fromisoformat(start), date.fromisoformat(end)
        except ValueError:
            raise typer.BadParameter("date attendue AAAA-MM-JJ", param_hint="--from/--to") from None
        if last < first:
            raise typer.BadParameter("--to précède --from", param_hint="--to")
        if method == "driver" and driver is None:
            raise typer.BadParameter("la méthode « driver » demande une série d'activité épidémique",
                                     param_hint="--driver")
        data = read_series(series, date_column, value_column, group_column)
        activity = read_series(driver, date_column, driver_column, group_column, file_option="--driver",
                               value_option="--driver-column") if driver else None
        origins = forecast.backtest_origins(data, first, last)
        with Progress(TextColumn("Prévisions"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=True) as progress:
            task = progress.add_task("origins", total=len(origins) * len(data))
            written = list(forecast.backtest(data, first, last, max_horizon, forecast.Method(name=method),
                                             lambda: progress.advance(task), driver=activity))
        with out.open("w", encoding="utf-8", newline="") as handle:
            writer = csvsafe.writer(handle)  # a group named « =cmd… » is shown, never run, by a spreadsheet
            writer.writerow(COLUMNS)
            writer.writerows((f.origin_date.isoformat(), f.group, f.horizon, f.target_end_date.isoformat(),
                              f.quantile, round(f.value, 4)) for f in written)
        console.print(f"{len(written) // len(forecast.QUANTILES)} prévisions ({len(origins)} origines × "
                      f"{len(data)} groupes × {max_horizon} horizons au plus) écrites dans {out}.")
        if score:
            s = forecast.score(written, forecast.truth(data))
            console.print(f"WIS {s.wis:.2f} · erreur absolue de la médiane {s.mae:.2f} · couverture 50 % "
                          f"{s.coverage_50:.1%} · 95 % {s.coverage_95:.1%} ({s.forecasts} prévisions notées)")

    risk = typer.Typer(help="Vulnérabilité industrielle et liste de priorité nationale.", no_args_is_help=True)
    app.add_typer(risk, name="risk")

    @risk.command("vulnerability")
    def vulnerability_command(
        bdpm: Annotated[Path | None, typer.Option(
            help="the BDPM folder (CIS_bdpm.txt, CIS_CIP_bdpm.txt, CIS_COMPO_bdpm.txt…): scores the medicines")] = None,
        ansm: Annotated[list[Path] | None, typer.Option(
            help="a snapshot of the ANSM list (repeat for several); with --bdpm")] = None,
        orders: Annotated[Path | None, typer.Option(
            help="a DuckDB file of order lines (default: this instance's detection store, if any)")] = None,
        as_of: Annotated[str, typer.Option(
            help="YYYY-MM-DD (default: medicines, the newest start in the ANSM files; devices, the newest order line)")] = "",
    ) -> None:
        """Score the devices' industrial vulnerability (order lines, signals, declarations, the FDA's list)
        and, given the BDPM and the ANSM list, the medicines' (the back-test's weights, fitted on
        2024-01-01 and 2024-07-01); keep them for the pages and the priority list."""
        from sentinelle.cli_common import transaction
        from sentinelle.config import get_settings
        from sentinelle.interop.ansm import shortages
        from sentinelle.risk import supply, vulnerability, watch
        from sentinelle.store.db import default_engine, upgrade

        if bdpm is not None:
            for name in vulnerability.FILES.values():
                if not (bdpm / name[0]).is_file():
                    raise typer.BadParameter(f"fichier absent du dossier : {name[0]}", param_hint="--bdpm")
            if not ansm:
                raise typer.BadParameter("la liste de l'ANSM accompagne la BDPM", param_hint="--ansm")
        for path in ansm or []:
            if not path.is_file():
                raise typer.BadParameter(f"fichier introuvable : {path}", param_hint="--ansm")
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            raise typer.BadParameter("date attendue AAAA-MM-JJ", param_hint="--as-of") from None
        store = orders or get_settings().detection_store()
        if orders is not None and not orders.is_file():
            raise typer.BadParameter(f"fichier introuvable : {orders}", param_hint="--orders")
        engine = default_engine()
        upgrade(engine)
        medicines = vulnerability.connect(bdpm, shortages(ansm or [])) if bdpm is not None else None
        with watch.order_lines(store) as lines, transaction(engine) as session:
            done = supply.refresh(session, lines, medicines, day)
            without = "" if lines else " (sans lignes de commande)"
        console.print(f"Vulnérabilité des dispositifs au {done.devices_as_of:%d/%m/%Y} : {done.devices} notés de 0 à 100"
                      f"{without}.")
        if done.medicines_as_of:
            console.print(f"Vulnérabilité des médicaments au {done.medicines_as_of:%d/%m/%Y} : {done.medicines} "
                          "médicaments du catalogue notés de 0 à 100.")

    @risk.command("priority")
    def priority_command() -> None:
        """Recompute the national priority list (after imports, detection or a new vulnerability)."""
        from sentinelle.cli_common import transaction
        from sentinelle.risk import priority
        from sentinelle.store.db import default_engine, upgrade

        engine = default_engine()
        upgrade(engine)
        with transaction(engine) as session:
            count = priority.refresh(session)
        console.print(f"Liste de priorité recalculée : {count} produits.")
