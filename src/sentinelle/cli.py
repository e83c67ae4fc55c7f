"""The `sentinelle` command."""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sentinelle import cli_concertation, cli_detection, cli_risk
from sentinelle.errors import DomainError

# The database layer (SQLAlchemy, settings) is imported by the commands that use it: the detection
# commands run without it, and a daily run should not pay its half-second import.
if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from sentinelle.accounts.models import User
    from sentinelle.importing import ImportReport

app = typer.Typer(help="Sentinelle : tensions et pénuries de produits de santé.", no_args_is_help=True)
db_app = typer.Typer(help="Base de données.")
users_app = typer.Typer(help="Comptes.")
tokens_app = typer.Typer(help="Jetons d'API : lister, créer, révoquer.")
import_app = typer.Typer(help="Imports de fichiers publics (EMDN, BDPM, liste ANSM).")
notify_app = typer.Typer(help="Notifications sortantes.")
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(tokens_app, name="tokens")
app.add_typer(import_app, name="import")
app.add_typer(notify_app, name="notify")
console = Console()
cli_detection.register(app)
cli_detection.register_alerts(app)
cli_concertation.register(app)
cli_risk.register(app)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations (creates the SQLite file on first use)."""
    from sentinelle.store.db import default_engine, upgrade

    upgrade(default_engine())
    console.print("[green]Base à jour.[/green]")


@db_app.command("check")
def db_check(against: Annotated[Path | None, typer.Option(
        help="an archive of `sentinelle backup`: compare every table's rows with its manifest")] = None) -> None:
    """Check the database: integrity (SQLite), and against an archive, every table's count and checksum."""
    from sentinelle.store import backup
    from sentinelle.store.db import default_engine

    try:
        if against is not None:
            with backup.opened(against) as (manifest, _):
                problems = backup.check(default_engine(), manifest)
        else:
            problems = backup.check(default_engine())
    except DomainError as exc:
        console.print(f"[red]Erreur[/red] ({exc.field}) : {exc.message}")
        raise typer.Exit(2) from exc
    for problem in problems:
        console.print(f"[red]✗[/red] {problem}")
    if problems:
        raise typer.Exit(1)
    console.print("[green]Base saine.[/green]" + (f" Toutes les tables conformes à {against.name}." if against else ""))


@app.command("backup")
def backup_cmd(out: Annotated[Path | None, typer.Option(
        help="the archive (default var/backups/sentinelle-AAAAMMJJ-HHMMSS.tar.gz)")] = None) -> None:
    """One archive of the running instance: database, detection store, secret key, manifest with checksums."""
    from datetime import datetime

    from sentinelle.config import get_settings
    from sentinelle.store import backup

    settings = get_settings()
    target = out or settings.var_dir / "backups" / f"sentinelle-{datetime.now():%Y%m%d-%H%M%S}.tar.gz"
    try:
        manifest = backup.backup(settings, target, progress=lambda step: console.print(f"  {step}…"))
    except DomainError as exc:
        console.print(f"[red]Sauvegarde impossible[/red] : {exc.message}")
        raise typer.Exit(2) from exc
    rows = sum(t.rows for t in manifest.tables.values())
    console.print(f"[green]Sauvegarde écrite[/green] : {target} ({target.stat().st_size / 1e6:.1f} Mo, "
                  f"{len(manifest.tables)} tables, {rows} lignes)")
    for note in manifest.notes:
        console.print(f"  [dim]{note}[/dim]")


@app.command("restore")
def restore_cmd(archive: Path,
                var_dir: Annotated[Path, typer.Option(help="the new instance's folder (must not hold a database)")],
                database_url: Annotated[str, typer.Option(help="an empty PostgreSQL database, for a PostgreSQL "
                                                          "archive; none for SQLite")] = "") -> None:
    """Restore an archive into a fresh instance, then check every table against its manifest."""
    from sentinelle.config import Settings
    from sentinelle.store import backup

    settings = Settings(var_dir=var_dir, database_url=database_url)
    try:
        manifest = backup.restore(archive, settings, progress=lambda step: console.print(f"  {step}…"))
    except DomainError as exc:
        console.print(f"[red]Restauration refusée[/red] : {exc.message}")
        raise typer.Exit(2) from exc
    console.print(f"[green]Restauré et vérifié[/green] : {len(manifest.tables)} tables, "
                  f"{sum(t.rows for t in manifest.tables.values())} lignes, sauvegarde du {manifest.created_at}. "
                  f"Servez-le avec SENTINELLE_VAR_DIR={var_dir}"
                  + (f" SENTINELLE_DATABASE_URL={database_url}" if database_url else "") + " sentinelle serve")


@users_app.command("create")
def users_create(
    email: str, role: str, name: Annotated[str, typer.Option()] = "",
    organisation_id: Annotated[int | None, typer.Option("--organisation")] = None,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)] = "",
) -> None:
    """Create an account (an operator on the server: no acting user)."""
    from sentinelle.accounts.service import create_user
    from sentinelle.cli_common import transaction
    from sentinelle.store.db import default_engine

    try:
        with transaction(default_engine()) as session:
            user = create_user(session, None, email=email, name=name or email, password=password, role=role,
                               organisation_id=organisation_id)
            console.print(f"Compte créé : n° {user.id} {user.email} ({user.role})")
    except DomainError as exc:
        console.print(f"[red]Erreur[/red] ({exc.field}) : {exc.message}")
        raise typer.Exit(2) from exc


def _user_by_email(session: Session, email: str) -> User:
    from sqlalchemy import select

    from sentinelle.accounts.models import User

    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        console.print(f"[red]Erreur[/red] (email) : aucun compte pour {email}")
        raise typer.Exit(2)
    return user


@tokens_app.command("list")
def tokens_list(email: str) -> None:
    """The API tokens of an account, with their expiry, last use and state."""
    from sentinelle.accounts.service import tokens
    from sentinelle.cli_common import transaction
    from sentinelle.store.base import utcnow
    from sentinelle.store.db import default_engine

    with transaction(default_engine()) as session:
        table = Table("n°", "nom", "créé", "expire", "dernier usage", "état")
        now = utcnow()
        for t in tokens(session, _user_by_email(session, email)):
            state = "révoqué" if t.revoked else "expiré" if t.expires_at and t.expires_at <= now else "actif"
            table.add_row(str(t.id), t.name, f"{t.created_at:%Y-%m-%d}",
                          f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "—",
                          f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "jamais", state)
        console.print(table)


@tokens_app.command("create")
def tokens_create(email: str, name: Annotated[str, typer.Option()] = "api",
                  days: Annotated[int, typer.Option(help="validité en jours (1 à 365)")] = 90) -> None:
    """A new API token for an account; printed once, never stored."""
    from sentinelle.accounts.service import issue_token
    from sentinelle.cli_common import transaction
    from sentinelle.store.db import default_engine

    try:
        with transaction(default_engine()) as session:
            row, token = issue_token(session, _user_by_email(session, email), name, days=days)
            console.print(f"Jeton n° {row.id} « {row.name} », valable jusqu'au {row.expires_at:%Y-%m-%d} :")
            print(token)
    except DomainError as exc:
        console.print(f"[red]Erreur[/red] ({exc.field}) : {exc.message}")
        raise typer.Exit(2) from exc


@tokens_app.command("revoke")
def tokens_revoke(token_id: int) -> None:
    """Revoke a token (an operator on the server: any account's)."""
    from sentinelle.accounts.service import revoke_token
    from sentinelle.cli_common import transaction
    from sentinelle.store.db import default_engine

    try:
        with transaction(default_engine()) as session:
            row = revoke_token(session, None, token_id)
            console.print(f"Jeton n° {row.id} « {row.name} » révoqué.")
    except DomainError as exc:
        console.print(f"[red]Erreur[/red] ({exc.field}) : {exc.message}")
        raise typer.Exit(2) from exc


def _progress(label: str, total: int | None) -> Progress:
    return Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                    transient=False)


def _print_report(report: ImportReport, *, quiet: bool = False) -> None:
    console.print(f"{Path(report.source).name} : {report.created} créés, {report.updated} mis à jour, "
                  f"{report.unchanged} inchangés, {len(report.rejected)} rejetés"
                  + (" (le détail : la même commande `sentinelle import`)" if quiet and report.rejected else ""))
    if quiet:
        return
    for r in report.rejected[:50]:
        console.print(f"  [red]ligne {r.line}[/red], {r.field} : {r.reason}")
    if len(report.rejected) > 50:
        console.print(f"  … et {len(report.rejected) - 50} autres rejets")
    for note in report.notes[:20]:
        console.print(f"  [dim]{note}[/dim]")


def _run_import(label: str, lines: int | None, fn: Callable[[Session, Callable[[int], None]], ImportReport], *,
                dry_run: bool = False, quiet: bool = False) -> ImportReport:
    from sentinelle.cli_common import transaction
    from sentinelle.store.db import default_engine, session_factory, upgrade

    engine = default_engine()
    upgrade(engine)
    with _progress(label, lines) as progress:
        task = progress.add_task(label, total=lines)
        if dry_run:  # the same import, rolled back: what it would change
            with session_factory(engine)() as session:
                report = fn(session, lambda n: progress.advance(task, n))
                session.rollback()
        else:
            with transaction(engine) as session:
                report = fn(session, lambda n: progress.advance(task, n))
    _print_report(report, quiet=quiet)
    if report.absent_examples and not quiet:
        console.print(f"  absentes de cette liste ({report.absent}) : {', '.join(report.absent_examples[:10])}")
    if dry_run:
        console.print("[yellow]Aperçu : rien n'a été écrit.[/yellow]")
    return report


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


@import_app.command("emdn")
def import_emdn(path: Path) -> None:
    """The EMDN nomenclature (EMDN_V2.txt)."""
    from sentinelle.catalogue.importers import import_emdn as run

    _run_import("EMDN", _count_lines(path), lambda s, p: run(s, path, p))


@import_app.command("bdpm")
def import_bdpm(folder: Path, observed_on: Annotated[str, typer.Option(
        help="YYYY-MM-DD: the day the files were taken (their prices' date; default today)")] = "") -> None:
    """The medicines database (folder with CIS_bdpm.txt, CIS_MITM.txt, CIS_CIP_bdpm.txt)."""
    from sentinelle.catalogue.importers import import_bdpm as run

    try:
        day = date.fromisoformat(observed_on) if observed_on else None
    except ValueError:
        raise typer.BadParameter("date attendue AAAA-MM-JJ", param_hint="--observed-on") from None
    _run_import("BDPM", _count_lines(folder / "CIS_bdpm.txt"), lambda s, p: run(s, folder, p, day))


@import_app.command("ansm")
def import_ansm(path: Path, reject_all_on_error: Annotated[bool, typer.Option()] = False,
                dry_run: Annotated[bool, typer.Option(help="show what it would change, write nothing")] = False,
                confirm_removals: Annotated[bool, typer.Option(
                    help="accept a list that no longer names most of the published shortages")] = False) -> None:
    """The ANSM availability list (CIS_CIP_Dispo_Spec.txt): published signals, history kept."""
    from sentinelle.interop.ansm import import_file

    try:
        _run_import("ANSM", _count_lines(path), lambda s, p: import_file(
            s, None, path, reject_all_on_error=reject_all_on_error, confirm_removals=confirm_removals,
            progress=p), dry_run=dry_run)
    except DomainError as exc:
        console.print(f"[red]Import refusé[/red] : {exc.message}")
        raise typer.Exit(2) from exc


def _import_foreign(source: str, path: Path) -> None:
    from sentinelle.interop.foreign import import_file

    try:
        _run_import(source, None, lambda s, p: import_file(s, None, source, path, progress=p))
    except DomainError as exc:
        console.print(f"[red]Import refusé[/red] : {exc.message}")
        raise typer.Exit(2) from exc


@import_app.command("fda-drugs")
def import_fda_drugs(path: Path) -> None:
    """The FDA's drug shortages (openFDA JSON or the FDA's CSV): a snapshot, history kept."""
    _import_foreign("fda-drugs", path)


@import_app.command("fda-devices")
def import_fda_devices(path: Path) -> None:
    """The FDA's medical device shortage list (CSV): a snapshot, history kept."""
    _import_foreign("fda-devices", path)


@import_app.command("ema")
def import_ema(path: Path) -> None:
    """The EMA's shortages catalogue (JSON): a snapshot, history kept."""
    _import_foreign("ema", path)


@import_app.command("union-list")
def import_union_list(path: Path) -> None:
    """The Union list's criticality ratings (CSV: substance, seriousness, alternatives[, union_list,
    source]): all or nothing, a substance rated again is updated."""
    from sentinelle.importing import read_text
    from sentinelle.risk.criticality import import_csv

    try:
        _run_import("liste de l'Union", None, lambda s, p: import_csv(s, None, read_text(path), path.name))
    except DomainError as exc:
        console.print(f"[red]Import refusé[/red] : {exc.message}")
        raise typer.Exit(2) from exc


@import_app.command("epidemic-series")
def import_epidemic_series(
    path: Path,
    wave: Annotated[str, typer.Option(help="flu, bronchiolitis or covid")],
    date_column: str = "date", value_column: str = "value",
) -> None:
    """A wave's weekly epidemic activity (CSV: a date in each week, a value): it guides the seasonal
    watch list's forecast. All or nothing; a week imported again takes its new value."""
    from sentinelle.importing import read_text
    from sentinelle.risk.epidemic import import_csv

    try:
        _run_import(f"activité épidémique ({wave})", None, lambda s, p: import_csv(
            s, None, read_text(path), wave, path.name, date_column=date_column, value_column=value_column))
    except DomainError as exc:
        console.print(f"[red]Import refusé[/red] : {exc.message}")
        raise typer.Exit(2) from exc


@notify_app.command("dispatch")
def notify_dispatch() -> None:
    """Send the pending e-mails and webhooks."""
    from sentinelle.cli_common import transaction
    from sentinelle.config import get_settings
    from sentinelle.notifications.service import dispatch
    from sentinelle.store.db import default_engine

    with transaction(default_engine()) as session:
        counts = dispatch(session, get_settings())
    console.print(counts)


@notify_app.command("digest")
def notify_digest() -> None:
    """Queue the daily digest of each person who chose it (run once a day, before `notify dispatch`)."""
    from sentinelle.cli_common import transaction
    from sentinelle.notifications.service import digest
    from sentinelle.store.db import default_engine

    with transaction(default_engine()) as session:
        queued = digest(session)
    console.print(f"{queued} résumé(s) du jour à envoyer.")


def _load_ansm_snapshot(path: Path, session: Session, progress: Callable[[int], None]) -> ImportReport:
    from sentinelle.interop.ansm import import_file

    return import_file(session, None, path, progress=progress)


def _seed_demo(data_dir: Path | None) -> None:
    from sqlalchemy import func, select

    from sentinelle import demo
    from sentinelle.catalogue.models import Organisation
    from sentinelle.cli_common import transaction
    from sentinelle.store.db import default_engine, upgrade

    engine = default_engine()
    upgrade(engine)
    with transaction(engine) as session:
        if session.scalar(select(func.count()).select_from(Organisation)):
            console.print("Données de démonstration déjà chargées.")
            return
    from sentinelle.catalogue.importers import import_bdpm as load_bdpm
    from sentinelle.catalogue.importers import import_emdn as load_emdn

    data_dir = data_dir if data_dir is not None else demo.find_data_dir()
    ansm_entries = 0
    if data_dir is not None and data_dir.is_dir():
        console.print(f"Données publiques : {data_dir}")
        emdn, bdpm = data_dir / "emdn" / "EMDN_V2.txt", data_dir / "bdpm"
        if emdn.exists():
            _run_import("EMDN", _count_lines(emdn), lambda s, p: load_emdn(s, emdn, p), quiet=True)
        if (bdpm / "CIS_bdpm.txt").exists():
            _run_import("BDPM", _count_lines(bdpm / "CIS_bdpm.txt"), lambda s, p: load_bdpm(s, bdpm, p), quiet=True)
        ansm_dir = data_dir / "ansm-disponibilite"
        for snapshot in ("CIS_CIP_Dispo_Spec_2025-12-29.txt", "CIS_CIP_Dispo_Spec_2026-01-26.txt"):
            path = ansm_dir / snapshot
            if path.exists():
                report = _run_import("ANSM", _count_lines(path), partial(_load_ansm_snapshot, path), quiet=True)
                ansm_entries += report.created
        # Shortages abroad, the latest snapshot of each list (one line on the first screen).
        from sentinelle.interop.foreign import import_file as load_foreign

        foreign = 0
        with console.status("Pénuries à l'étranger (FDA, EMA)…"), transaction(engine) as session:
            for source, path in (
                    ("fda-drugs", data_dir / "fda-drug-shortages" / "openfda_drug-shortages_2026-06-19.json"),
                    ("ema", data_dir / "ema-shortages" / "medicines_output_shortages_en.json"),
                    ("fda-devices", data_dir / "fda-device-shortages" / "fda_device_shortages_list_2026-05.csv")):
                if path.exists():
                    foreign += load_foreign(session, None, source, path).created
        console.print(f"Pénuries à l'étranger : {foreign} enregistrements (FDA, EMA).")
    else:
        console.print("[yellow]Données publiques introuvables (SENTINELLE_DATA_DIR) : démo sans EMDN, BDPM ni "
                      "liste ANSM.[/yellow]")
    with console.status("Démonstration : établissements, produits, signaux…"), transaction(engine) as session:
        summary = demo.load(session)
    # The medicines' industrial vulnerability, then the priority list over everything loaded.
    from sentinelle.risk import priority

    bdpm_dir = data_dir / "bdpm" if data_dir is not None else None
    snapshots = sorted((data_dir / "ansm-disponibilite").glob("CIS_CIP_Dispo_Spec_202*-[0-9][0-9].txt")) \
        if data_dir is not None and (data_dir / "ansm-disponibilite").is_dir() else []
    with console.status("Vulnérabilité industrielle et liste de priorité…"), transaction(engine) as session:
        medicines = None
        if bdpm_dir is not None and (bdpm_dir / "CIS_COMPO_bdpm.txt").exists() and snapshots:
            from sentinelle.interop.ansm import shortages
            from sentinelle.risk import vulnerability

            medicines = vulnerability.connect(bdpm_dir, shortages(snapshots))
        from sentinelle.config import get_settings
        from sentinelle.risk import supply, watch

        with watch.order_lines(get_settings().detection_store()) as lines:
            supply.refresh(session, lines, medicines)
        priority.refresh(session)
    table = Table(title=f"Comptes de démonstration (mot de passe de chacun : {demo.DEMO_PASSWORD})")
    for column in ("rôle", "e-mail", "organisation", "à essayer"):
        # The address is what one types to log in: never cut, whatever the terminal's width.
        table.add_column(column, no_wrap=column == "e-mail", min_width=22 if column == "e-mail" else None)
    for row in summary.logins:
        table.add_row(*row)
    console.print(table)
    real = (f", à côté de {ansm_entries} entrées réelles de la liste ANSM" if ansm_entries
            else " (sans la liste ANSM réelle : données publiques introuvables)")
    console.print(f"{summary.products} dispositifs, {summary.signals} signaux inventés (dont {summary.detected} "
                  f"levés par la détection sur un an de commandes simulées){real} ; "
                  f"{summary.answers} réponses au questionnaire de la concertation.")


@app.command()
def demo(
    data_dir: Annotated[Path | None, typer.Option(help="shared/data folder")] = None,
    host: str = "127.0.0.1", port: int = 8000, serve_it: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
) -> None:
    """Migrate, load the demo data (once) and serve it."""
    _seed_demo(data_dir)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(f"Par où commencer : ouvrez [bold]http://{shown}:{port}[/bold] et connectez-vous avec l'un de ces "
                  "comptes ; les agences, les établissements et les fabricants arrivent sur ce qui les attend (l'ARS : "
                  "les déclarations à qualifier), le citoyen trouve la concertation dans le menu.")
    if serve_it:
        serve(host=host, port=port)


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the web application and the API."""
    import uvicorn

    from sentinelle.cli_common import transaction
    from sentinelle.jobs.service import fail_interrupted
    from sentinelle.store.db import default_engine, upgrade

    upgrade(default_engine())
    with transaction(default_engine()) as session:
        if interrupted := fail_interrupted(session):
            console.print(f"[yellow]{interrupted} tâche(s) interrompue(s) par l'arrêt précédent, marquée(s) en échec.[/yellow]")
    console.print(f"Sentinelle sur http://{host}:{port}  (API : http://{host}:{port}/api/v1/docs)")
    if workers > 1:
        uvicorn.run("sentinelle.web.asgi:app", host=host, port=port, workers=workers, log_level="warning")
    else:
        from sentinelle.web.app import create_app

        uvicorn.run(create_app(), host=host, port=port, log_level="warning")


if __name__ == "__main__":
    app()
