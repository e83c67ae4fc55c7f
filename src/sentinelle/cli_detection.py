"""The detection commands of `sentinelle`: simulate, ingest, detect, evaluate.

The contract (issue 3; others build on it, keep it stable):

    sentinelle simulate --establishments N --products M --days D --seed S --out DIR
    sentinelle detect --orders O --deliveries D --out alerts.csv [--as-of YYYY-MM-DD]
    sentinelle evaluate --alerts alerts.csv --truth disruptions.csv [--json]
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from sentinelle import csvsafe
from sentinelle.detection.contract import ALERTS

if TYPE_CHECKING:
    import duckdb

    from sentinelle.detection.detect import Outside, Params
    from sentinelle.detection.ingest import Report

console = Console()
err = Console(stderr=True)


def _date(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"date AAAA-MM-JJ attendue, lu « {value} »", param_hint=name) from exc


# Past this share of rejected lines, `detect` and `features` stop rather than read what is left
# (docs/detection.md): a file whose FINESS numbers mostly fail their key is a wrong file, not a result.
MAX_REJECTED = 0.05
MaxRejectedOption = Annotated[float, typer.Option(
    min=0.0, max=1.0, help="stop when more than this share of the lines is rejected (1: go on whatever)")]


def _share(report: Report) -> str:
    return f"{100 * report.rejected_share:.1f} %".replace(".", ",")


def _report_rejections(report: Report, limit: int = 20) -> None:
    if not report.rejections:
        return
    err.print(f"[yellow]{report.rejected} ligne(s) rejetée(s) sur {report.read} lue(s), soit {_share(report)}"
              f"[/yellow]")
    for r in report.rejections[:limit]:
        err.print(f"  {Path(r.file).name}, enregistrement {r.record} : {r.reason}")
    if report.rejected > limit:
        err.print(f"  … et {report.rejected - limit} autre(s) (--rejects FICHIER pour la liste entière)")


def _refuse_if_mostly_rejected(report: Report, max_rejected: float, after: str) -> None:
    """Stop (status 3) when too many lines were rejected: the rejections listed first, then why."""
    if report.rejected_share <= max_rejected:
        return
    _report_rejections(report)
    err.print(f"[red]Arrêt[/red] : {_share(report)} des lignes lues sont rejetées (seuil "
              f"{100 * max_rejected:g} %) ; {after}. Corrigez les fichiers (--rejects FICHIER donne la liste "
              f"entière avec `sentinelle ingest`) ou relancez avec --max-rejected 1 pour passer outre.")
    raise typer.Exit(3)


def _write_rejections(report: Report, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csvsafe.writer(f)
        w.writerow(["file", "record", "reason"])
        for r in report.rejections:
            w.writerow([r.file, r.record, r.reason])


OrdersOption = Annotated[Path | None, typer.Option(exists=True, dir_okay=False)]
DeliveriesOption = Annotated[Path | None, typer.Option(exists=True, dir_okay=False)]
MemoryOption = Annotated[str, typer.Option(help="DuckDB's memory cap; beyond it, it spills to disk")]
SentinelsOption = Annotated[Path | None, typer.Option(
    exists=True, dir_okay=False, help="CSV of the sentinel hospitals' FINESS (establishment_id column)")]
NoticesOption = Annotated[Path | None, typer.Option(
    exists=True, dir_okay=False, help="CSV of manufacturers' interruption notices (product_id, supplier_id, "
                                      "published_at): an alarm needs less evidence where one is open")]
AbroadOption = Annotated[Path | None, typer.Option(
    exists=True, dir_okay=False, help="CSV of shortages abroad on each product's substance (product_id, started_at, "
                                      "ended_at): an alarm needs less evidence while one goes on")]
VulnerabilityOption = Annotated[Path | None, typer.Option(
    exists=True, dir_okay=False, help="CSV of vulnerability scores (product_id, score 0-100): the most vulnerable "
                                      "products alarm on less evidence")]
FhirOption = Annotated[Path | None, typer.Option("--fhir", exists=True, dir_okay=False,
                                                 help="a FHIR R4 Bundle of SupplyRequest and SupplyDelivery")]


def _bar(phases: tuple[str, ...]) -> tuple[Progress, Callable[[str], None]]:
    """A progress bar over named phases, and the callback that advances it."""
    bar = Progress(TextColumn("{task.description:<40}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err)
    task = bar.add_task(phases[0], total=len(phases))
    last = [time.perf_counter()]

    def done(name: str) -> None:
        # Each phase's time above the bar (standard error): where a long run spends it.
        now = time.perf_counter()
        bar.console.print(f"[dim]{name} : {now - last[0]:.1f} s[/dim]")
        last[0] = now
        following = phases.index(name) + 1 if name in phases else len(phases)
        bar.update(task, completed=following, description=phases[following] if following < len(phases) else "fini")

    return bar, done


def _load(con: duckdb.DuckDBPyConnection, orders: Path | None, deliveries: Path | None, fhir: Path | None, *,
          reject_all_on_error: bool = False, progress: Callable[[str], None] | None = None,
          key_hashes: bool = True, likely: str | None = None) -> Report:
    """Order and delivery lines from the two files, or from a FHIR Bundle; the ingestion report. A file
    that cannot be read at all (missing column, unknown format) ends the command with status 2.
    `key_hashes=False` for a throw-away store, `likely` where the named lines are looked for first
    (see `ingest`)."""
    from sentinelle.detection.fhir import ingest_bundle
    from sentinelle.detection.ingest import IngestError, ingest

    if fhir is not None:
        if orders is not None or deliveries is not None:
            raise typer.BadParameter("--fhir remplace --orders et --deliveries", param_hint="--fhir")
    elif orders is None and deliveries is None:
        raise typer.BadParameter("donnez --orders et --deliveries, ou --fhir", param_hint="--orders")
    try:
        if fhir is not None:
            return ingest_bundle(con, fhir, reject_all_on_error=reject_all_on_error, progress=progress,
                                 key_hashes=key_hashes, likely=likely)
        return ingest(con, orders, deliveries, reject_all_on_error=reject_all_on_error, progress=progress,
                      key_hashes=key_hashes, likely=likely)
    except IngestError as exc:
        err.print(f"[red]Erreur[/red] : {exc}")
        raise typer.Exit(2) from exc


def _outside(notices: Path | None, abroad: Path | None, vulnerability: Path | None) -> Outside:
    """The evidence from outside the lines (detect.Outside) from its three files, a bad row named."""
    from sentinelle.detection.detect import Outside
    from sentinelle.detection.ingest import IngestError, read_abroad, read_notices, read_vulnerability

    read: dict[str, tuple] = {}
    for option, path, reader in (("--notices", notices, read_notices), ("--abroad", abroad, read_abroad),
                                 ("--vulnerability", vulnerability, read_vulnerability)):
        try:
            read[option] = tuple(reader(path)) if path else ()
        except IngestError as exc:
            raise typer.BadParameter(str(exc), param_hint=option) from exc
    return Outside(read["--notices"], read["--abroad"], read["--vulnerability"])


def _sentinels(path: Path | None) -> list[str]:
    from sentinelle.detection.ingest import IngestError, read_sentinels

    try:
        return read_sentinels(path) if path else []
    except IngestError as exc:
        raise typer.BadParameter(str(exc), param_hint="--sentinels") from exc


@contextmanager
def _scratch_store(prefix: str, memory_limit: str | None = None) -> Iterator[tuple[Any, Path]]:
    """A throw-away DuckDB file and its folder, removed afterwards. A file rather than memory: at
    national volume DuckDB must be free to move its tables to disk to stay under its memory cap."""
    from sentinelle.detection.ingest import IngestError, connect

    work = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        try:
            con = connect(work / "lines.duckdb", memory_limit=memory_limit, temp_directory=work / "spill")
        except IngestError as exc:
            raise typer.BadParameter(str(exc), param_hint="--memory-limit") from exc
        try:
            yield con, work
        finally:
            con.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _open_store(path: Path, memory_limit: str) -> duckdb.DuckDBPyConnection:
    """The DuckDB store at `path`, spilling beside it past `memory_limit`."""
    from sentinelle.detection.ingest import IngestError, connect

    try:
        return connect(path, memory_limit=memory_limit, temp_directory=path.parent / f".{path.name}.spill")
    except (IngestError, OSError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--store") from exc


def register(app: typer.Typer) -> None:
    @app.command()
    def simulate(
        establishments: Annotated[int, typer.Option(min=2, max=100_000)] = 60,
        products: Annotated[int, typer.Option(min=1, max=1_000_000)] = 150,
        days: Annotated[int, typer.Option(min=261, max=3650)] = 730,
        seed: int = 1,
        out: Annotated[Path, typer.Option(help="folder for orders.csv, deliveries.csv, disruptions.csv")] = Path("sim"),
        start: Annotated[str, typer.Option(help="first day, AAAA-MM-JJ")] = "2024-01-01",
        world: Annotated[str, typer.Option(
            help="first (the detector's parameters were chosen on it) or second (built to disagree, never tuned on)"
        )] = "first",
    ) -> None:
        """Simulate order and delivery lines with injected disruptions (and their ground truth)."""
        from sentinelle.detection.simulate import Config
        from sentinelle.detection.simulate import simulate as run

        if world not in ("first", "second"):
            raise typer.BadParameter("first ou second", param_hint="--world")
        if world == "second":
            from sentinelle.detection.second_world import WorldConfig, generate

            made = generate(WorldConfig(hospitals=establishments, products=products, days=days, seed=seed,
                                        start=_date(start, "--start") or date(2024, 1, 1)), out)
            console.print(f"{made.orders} lignes de commande, {made.deliveries} livraisons, {len(made.truth)} "
                          f"perturbation(s), {len(made.traps)} piège(s) → {out}")
            return

        cfg = Config(establishments=establishments, products=products, days=days, seed=seed,
                     start=_date(start, "--start") or date(2024, 1, 1))
        with Progress(TextColumn("simulation"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console) as bar:
            task = bar.add_task("pairs", total=None)

            def progress(done: int, total: int) -> None:
                if done % 200 == 0 or done == total:
                    bar.update(task, completed=done, total=total)

            summary = run(cfg, out, progress)
        console.print(f"{summary.orders} lignes de commande, {summary.deliveries} livraisons, "
                      f"{len(summary.disruptions)} perturbation(s) → {out}")

    @app.command()
    def ingest(
        orders: OrdersOption = None,
        deliveries: DeliveriesOption = None,
        store: Annotated[Path | None, typer.Option(help="DuckDB file (default var/detection.duckdb)")] = None,
        reject_all_on_error: Annotated[bool, typer.Option("--reject-all-on-error")] = False,
        rejects: Annotated[Path | None, typer.Option(help="write every rejected row to this CSV")] = None,
        fhir: FhirOption = None,
        memory_limit: MemoryOption = "6GB",
    ) -> None:
        """Load order and delivery lines into the columnar store; re-loading the same lines changes nothing."""
        from sentinelle.config import get_settings
        from sentinelle.detection.ingest import PHASES

        path = store or get_settings().detection_store()
        path.parent.mkdir(parents=True, exist_ok=True)
        con = _open_store(path, memory_limit)
        try:
            bar, done = _bar(PHASES)
            with bar:
                report = _load(con, orders, deliveries, fhir, reject_all_on_error=reject_all_on_error, progress=done)
        finally:
            con.close()
        _report_rejections(report)
        if rejects is not None:
            _write_rejections(report, rejects)
        if report.rejections and reject_all_on_error:
            err.print("[red]Rien n'a été chargé[/red] (--reject-all-on-error).")
            raise typer.Exit(1)
        console.print(f"{report.orders_loaded} ligne(s) de commande et {report.deliveries_loaded} livraison(s) "
                      f"nouvelles dans {path}")

    @app.command()
    def detect(
        orders: OrdersOption = None,
        deliveries: DeliveriesOption = None,
        fhir: FhirOption = None,
        out: Annotated[Path, typer.Option(help="alerts CSV")] = Path("alerts.csv"),
        as_of: Annotated[str | None, typer.Option("--as-of", help="replay up to this day, AAAA-MM-JJ")] = None,
        threshold: Annotated[float | None, typer.Option(help="alarm score (-log10 of a tail probability)")] = None,
        memory_limit: MemoryOption = "6GB",
        engine_name: Annotated[str, typer.Option("--engine", help="duckdb (embedded) or spark")] = "duckdb",
        spark_master: Annotated[str, typer.Option(help="Spark master URL (--engine spark)")] = "local[2]",
        sentinels: SentinelsOption = None,
        notices: NoticesOption = None,
        abroad: AbroadOption = None,
        vulnerability: VulnerabilityOption = None,
        store: Annotated[Path | None, typer.Option(
            dir_okay=False, help="DuckDB file keeping the lines and what the next day needs: later runs compute "
                                 "only the new days")] = None,
        evidence: Annotated[Path | None, typer.Option(
            dir_okay=False, help="CSV of the abnormal lines behind each alert's first day")] = None,
        max_rejected: MaxRejectedOption = MAX_REJECTED,
    ) -> None:
        """Detect tensions from the files alone (no database, no server), replaying the history day by day.

        With --engine spark the lines are checked as by `ingest`, then the same detection runs on Spark.
        With --store the files (if any) are added to the store and only the days after its last run are
        computed; the alerts are those of a full replay."""
        from dataclasses import replace

        from sentinelle.detection import detect as engine
        from sentinelle.detection.ingest import PHASES

        day = _date(as_of, "--as-of")
        sentinel_ids = _sentinels(sentinels)
        outside = _outside(notices, abroad, vulnerability)
        if engine_name not in ("duckdb", "spark"):
            raise typer.BadParameter("duckdb ou spark", param_hint="--engine")
        if engine_name == "spark":
            from sentinelle.detection import spark as spark_engine

            if (missing := spark_engine.available()) is not None:
                raise typer.BadParameter(missing, param_hint="--engine")
        params = engine.Params() if threshold is None else replace(engine.Params(), threshold=threshold)
        if evidence is not None and (store is not None or engine_name != "duckdb"):
            raise typer.BadParameter("la preuve ligne à ligne se calcule sur les fichiers, sans --store ni Spark",
                                     param_hint="--evidence")
        if store is not None:
            if engine_name != "duckdb":
                raise typer.BadParameter("--store garde l'état dans DuckDB : sans --engine spark",
                                         param_hint="--store")
            alerts = _detect_in_store(store, orders, deliveries, fhir, day, params, sentinel_ids, memory_limit,
                                      max_rejected, outside)
            write_alerts(alerts, out)
            console.print(f"{len(alerts)} épisode(s) d'alerte → {out}")
            return
        with _scratch_store("sentinelle-detect-", memory_limit) as (con, work):
            bar, done = _bar(PHASES + engine.PHASES)
            with bar:
                report = _load(con, orders, deliveries, fhir, progress=done, key_hashes=False)
                _refuse_if_mostly_rejected(report, max_rejected, "aucune alerte n'est calculée sur le reste")
                if engine_name == "duckdb":
                    alerts = engine.detect(con, params, as_of=day, progress=done, sentinels=sentinel_ids,
                                           outside=outside)
                    if evidence is not None:
                        _write_rows(evidence, engine.EVIDENCE, engine.evidence(con, alerts, params))
                else:
                    alerts = _detect_on_spark(con, work, spark_master, params, day, done, sentinel_ids, outside)
            _report_rejections(report)
        write_alerts(alerts, out)
        console.print(f"{len(alerts)} épisode(s) d'alerte → {out}")

    @app.command()
    def features(
        orders: OrdersOption = None,
        deliveries: DeliveriesOption = None,
        fhir: FhirOption = None,
        out: Annotated[Path, typer.Option(help="features file: .csv or .parquet")] = Path("features.parquet"),
        as_of: Annotated[str | None, typer.Option("--as-of", help="as known on this day, AAAA-MM-JJ")] = None,
        scope: Annotated[list[str] | None, typer.Option(help="establishment, region, national (repeatable)")] = None,
        sentinels: SentinelsOption = None,
        max_rejected: MaxRejectedOption = MAX_REJECTED,
    ) -> None:
        """Daily features per product × supplier × establishment, region and nation: fill rate at the due
        date, delay, open and past-due lines, backorder age, breadth (docs/detection.md)."""
        from sentinelle.detection import features as feats
        from sentinelle.detection.ingest import PHASES

        day = _date(as_of, "--as-of")
        if out.suffix not in (".csv", ".parquet"):
            raise typer.BadParameter("un fichier .csv ou .parquet", param_hint="--out")
        try:
            scopes = feats.checked_scopes(scope or feats.SCOPES)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--scope") from exc
        sentinel_ids = _sentinels(sentinels)
        with _scratch_store("sentinelle-features-") as (con, _work):
            bar, done = _bar(PHASES + ("caractéristiques",))
            with bar:
                report = _load(con, orders, deliveries, fhir, progress=done, key_hashes=False)
                _refuse_if_mostly_rejected(report, max_rejected, "aucune caractéristique n'est calculée sur le reste")
                table = feats.compute(con, day, sentinel_ids, scopes=scopes)
                done("caractéristiques")
            _report_rejections(report)
            rows = feats.write(con, table, out)
        console.print(f"{rows} ligne(s) de caractéristiques → {out}")

    @app.command()
    def evaluate(
        alerts: Annotated[Path, typer.Option(exists=True, dir_okay=False)],
        truth: Annotated[Path, typer.Option(exists=True, dir_okay=False)],
        orders: Annotated[Path | None, typer.Option(help="default: orders.csv beside the truth")] = None,
        deliveries: Annotated[Path | None, typer.Option(help="default: deliveries.csv beside the truth")] = None,
        as_json: Annotated[bool, typer.Option("--json")] = False,
    ) -> None:
        """Precision, recall, lead time and false alerts of the alerts, beside two baselines on the same data."""
        from sentinelle.detection import detect as engine
        from sentinelle.detection import evaluate as ev
        from sentinelle.detection.ingest import connect
        from sentinelle.detection.ingest import ingest as run

        orders = orders or truth.parent / "orders.csv"
        deliveries = deliveries or truth.parent / "deliveries.csv"
        for path, name in ((orders, "--orders"), (deliveries, "--deliveries")):
            if not path.exists():
                raise typer.BadParameter(f"{path} introuvable : les lignes servent aux deux références",
                                         param_hint=name)
        disruptions = ev.read_truth(truth)
        con = connect()
        with console.status("Références : règle des 72 heures, taux de service < 80 %…"):
            run(con, orders, deliveries)
            months = ev.product_months(con)
            rows = {
                "alerts": ev.read_alerts(alerts),
                "baseline_72h": [(r[0], r[1], r[4], r[5]) for r in engine.baseline_72h(con)],
                "baseline_fill_rate_80": [(r[0], r[1], r[4], r[5]) for r in engine.baseline_fill_rate(con)],
            }
        scores = {name: ev.score(a, disruptions, product_months=months).as_dict() for name, a in rows.items()}
        if as_json:
            print(json.dumps({"product_months": round(months, 1), **scores}, ensure_ascii=False))
            return
        table = Table(title=f"Évaluation ({len(disruptions)} perturbations, {months:.0f} produit-mois)")
        for column in ("", "épisodes", "justes", "précision", "rappel", "avance médiane (j)", "fausses / 1000 p-m"):
            table.add_column(column)
        labels = {"alerts": "alertes", "baseline_72h": "règle 72 h", "baseline_fill_rate_80": "service < 80 % / 7 j"}
        for name, s in scores.items():
            table.add_row(labels[name], str(s["alarms"]), str(s["true_alarms"]), _fmt(s["precision"]), _fmt(s["recall"]),
                          _fmt(s["median_lead_days"]), _fmt(s["false_alerts_per_1000_product_months"]))
        console.print(table)


def _detect_in_store(store: Path, orders: Path | None, deliveries: Path | None, fhir: Path | None,
                     day: date | None, params: Any, sentinels: list[str], memory_limit: str,
                     max_rejected: float = MAX_REJECTED,
                     outside: Any = None) -> list[tuple[Any, ...]]:
    """New lines (if any) into the store, then the days after its last run."""
    from sentinelle.detection import daily
    from sentinelle.detection import detect as engine
    from sentinelle.detection.ingest import PHASES

    con = _open_store(store, memory_limit)
    loading = orders is not None or deliveries is not None or fhir is not None
    bar, done = _bar((PHASES if loading else ()) + engine.PHASES)
    try:
        with bar:
            report = None
            if loading:
                # The lines a day's files name are mostly those still open, kept by the last run.
                report = _load(con, orders, deliveries, fhir, progress=done, likely=daily.OPEN_ORDERS
                               if daily.last_run(con) is not None else None)
                _refuse_if_mostly_rejected(report, max_rejected, "les lignes valides sont gardées dans le "
                                                                 "magasin, mais aucune journée n'est calculée")
            try:
                run = daily.update(con, day, params, sentinels, progress=done, outside=outside or engine.Outside())
            except ValueError as exc:
                raise typer.BadParameter(str(exc), param_hint="--store") from exc
    finally:
        con.close()
    if report is not None:
        _report_rejections(report)
    if run.why_full:
        console.print(f"Historique entier recalculé jusqu'au {run.as_of} ({run.why_full}).")
    else:
        console.print(f"Jours du {run.since} (exclu) au {run.as_of} calculés ; le passé est repris du magasin.")
    return run.alerts


def _detect_on_spark(con: duckdb.DuckDBPyConnection, work: Path, master: str, params: Params, day: date | None,
                     progress: Callable[[str], None], sentinels: list[str],
                     outside: Any) -> list[tuple]:
    """The checked lines handed to Spark as Parquet, and the same pipeline run there."""
    from sentinelle.detection import spark as spark_engine

    orders, deliveries = spark_engine.hand_over(con, work)
    spark = spark_engine.session(master)
    try:
        return spark_engine.detect(spark, orders, deliveries, params, as_of=day, progress=progress,
                                   sentinels=sentinels, outside=outside)
    finally:
        spark.stop()


def register_alerts(app: typer.Typer) -> None:
    alerts_app = typer.Typer(help="Alertes de détection vers le système d'information.")
    app.add_typer(alerts_app, name="alerts")

    @alerts_app.command("declare")
    def declare(
        orders: Annotated[Path, typer.Option(exists=True, dir_okay=False)],
        deliveries: Annotated[Path, typer.Option(exists=True, dir_okay=False)],
        as_of: Annotated[str | None, typer.Option("--as-of")] = None,
    ) -> None:
        """Detect, then declare each alert episode as a candidate signal (once; product_id = GTIN, CIP13 or CIS)."""
        from sentinelle.cli_common import transaction
        from sentinelle.detection import detect as engine
        from sentinelle.detection.candidates import declare_alerts, sentinel_finess
        from sentinelle.detection.ingest import connect
        from sentinelle.detection.ingest import ingest as run
        from sentinelle.detection.outside import known
        from sentinelle.store.db import default_engine, upgrade

        db = default_engine()
        upgrade(db)
        with transaction(db) as session:
            sentinels = sentinel_finess(session)
            outside = known(session)
        con = connect()
        with console.status("Détection…"):
            report = run(con, orders, deliveries)
            alerts = engine.detect(con, as_of=_date(as_of, "--as-of"), sentinels=sentinels, outside=outside)
        _report_rejections(report)
        with transaction(db) as session:
            outcome = declare_alerts(session, con, alerts)
        console.print(f"{outcome.created} signal(s) créé(s), {outcome.updated} signal(s) suivi(s) complété(s), "
                      f"{outcome.known} épisode(s) déjà connu(s), "
                      f"{outcome.covered} régional(aux) couvert(s) par une alerte nationale.")
        if outcome.unknown_products:
            err.print(f"[yellow]{len(outcome.unknown_products)} produit(s) absent(s) du catalogue[/yellow] : "
                      + ", ".join(sorted(outcome.unknown_products)[:10]))


def _fmt(value: object) -> str:
    return "—" if value is None else f"{value:.3g}" if isinstance(value, float) else str(value)


def write_alerts(alerts: list[tuple], out: Path) -> None:
    _write_rows(out, ALERTS, alerts)


def _write_rows(out: Path, header: tuple[str, ...], rows: list[tuple]) -> None:
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csvsafe.writer(f)
        w.writerow(header)
        for row in rows:
            w.writerow([v.isoformat() if isinstance(v, (date, datetime)) else v for v in row])
