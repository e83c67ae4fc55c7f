"""The concertation commands of `sentinelle concertation …`.

    sentinelle concertation opinion-groups --polis DIR --out groups.csv
    sentinelle concertation import-polis DIR --as EMAIL [--name NAME] [--theme THEME]
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

console = Console()
err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    concertation = typer.Typer(help="Concertation : questionnaires, idées, votes, assemblée, synthèse.",
                               no_args_is_help=True)
    app.add_typer(concertation, name="concertation")

    @concertation.command("opinion-groups")
    def opinion_groups(
        polis: Annotated[Path, typer.Option(help="folder of a Pol.is export: participants-votes.csv, comments.csv",
                                            file_okay=False)],
        out: Annotated[Path, typer.Option(help="CSV written: participant, group", dir_okay=False)] = Path(
            "groups.csv"),
        statements: Annotated[int, typer.Option(help="representative statements shown per group")] = 3,
    ) -> None:
        """Opinion groups of a conversation by the method of Pol.is (PCA of the vote matrix, k-means with
        k chosen by silhouette). A participant who never voted gets no group (empty cell); one who voted
        too little to be clustered gets the nearest group."""
        from sentinelle.concertation import opinion
        from sentinelle.concertation import polis as polis_export

        try:
            conversation = polis_export.read(polis)
        except polis_export.PolisError as exc:
            err.print(f"[red]Erreur[/red] : {exc}")
            raise typer.Exit(2) from exc
        result = opinion.groups(conversation.votes)
        with out.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["participant", "group"])
            for participant, group in zip(conversation.votes.participants, result.group):
                writer.writerow([participant, "" if group < 0 else int(group)])
        text = {s.id: s.text for s in conversation.statements}
        table = Table(title=f"{result.k} groupe(s) d'opinion — {polis.name}")
        for column in ("groupe", "participants", "affirmations représentatives"):
            table.add_column(column)
        for g, reps in opinion.representative(result, top=statements).items():
            lines = [f"{'pour' if r.stance == 'agree' else 'contre'} ({100 * r.share:.0f} %) : "
                     f"{text.get(r.statement, r.statement)[:100]}" for r in reps]
            table.add_row(str(g), str(int((result.group == g).sum())), "\n".join(lines))
        console.print(table)
        console.print(f"{len(conversation.votes.participants)} participant(s) → {out}")

    @concertation.command("import-polis")
    def import_polis(
        folder: Annotated[Path, typer.Argument(help="folder of a Pol.is export", file_okay=False)],
        actor: Annotated[str, typer.Option("--as", help="e-mail of the national account the import is done as")],
        name: Annotated[str | None, typer.Option(help="short name of the conversation (default: the folder's)")] = None,
        theme: Annotated[str, typer.Option(help="efficiency, territories or access")] = "efficiency",
    ) -> None:
        """Load a Pol.is conversation into the idea box: statements become ideas, participants' votes
        are kept (moderated-out statements come in hidden). Running it again adds nothing."""
        from sqlalchemy import select

        from sentinelle.accounts.models import User
        from sentinelle.concertation import ideas
        from sentinelle.concertation import polis as polis_export
        from sentinelle.errors import DomainError
        from sentinelle.store.db import default_engine, session_factory, upgrade

        try:
            conversation = polis_export.read(folder)
        except polis_export.PolisError as exc:
            err.print(f"[red]Erreur[/red] : {exc}")
            raise typer.Exit(2) from exc
        engine = default_engine()
        upgrade(engine)
        with session_factory(engine)() as session:
            user = session.scalar(select(User).where(User.email == actor.strip().lower()))
            if user is None:
                raise typer.BadParameter(f"aucun compte {actor}", param_hint="--as")
            try:
                report = ideas.import_polis(session, user, conversation, name or folder.name, theme)
            except DomainError as exc:
                err.print(f"[red]Erreur[/red] : {exc.message}")
                raise typer.Exit(2) from exc
            session.commit()
        console.print(f"{report.ideas_added} idée(s) ajoutée(s) ({report.hidden} masquée(s) comme dans Pol.is), "
                      f"{report.ideas_kept} déjà présente(s), {report.votes} vote(s) → boîte à idées")
