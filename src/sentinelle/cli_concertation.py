"""The concertation commands of `sentinelle concertation …`.

    sentinelle concertation opinion-groups --polis DIR --out groups.csv
    sentinelle concertation import-polis DIR --as EMAIL [--name NAME] [--theme THEME]
    sentinelle concertation themes --input contributions.csv|json --out themes.csv [--themes K]
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path
from typing import Annotated

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
        history: Annotated[bool, typer.Option(
            help="replay Pol.is's updates over votes.csv when the folder has it (--no-history: one "
                 "computation over the final votes)")] = True,
        window: Annotated[float | None, typer.Option(
            help="seconds of votes per replayed update (default: opinion_replay.Replay's)", min=1)] = None,
    ) -> None:
        """Opinion groups of a conversation by the method of Pol.is (PCA of the vote matrix, k-means with
        k chosen by silhouette), reached as Pol.is reaches them: by its updates replayed over the
        time-stamped votes (votes.csv), or computed once over the final votes when there are none. A
        participant who never voted gets no group (empty cell); one who voted too little to be
        clustered gets the nearest group."""
        from sentinelle.concertation import opinion, opinion_replay
        from sentinelle.concertation import polis as polis_export

        try:
            conversation = polis_export.read(polis)
            votes_history = polis_export.read_history(polis) if history else None
        except polis_export.PolisError as exc:
            err.print(f"[red]Erreur[/red] : {exc}")
            raise typer.Exit(2) from exc
        if votes_history:
            settings = opinion_replay.Replay()
            if window is not None:
                settings = replace(settings, window=window)
            with Progress(TextColumn("Rejeu des mises à jour"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn(), console=err) as bar:
                task = bar.add_task("votes", total=len(votes_history))
                result = opinion_replay.replay(votes_history, conversation.votes.excluded, replay=settings,
                                               progress=lambda n: bar.advance(task, n))
        else:
            result = opinion.groups(conversation.votes)
        of = dict(zip(result.votes.participants, result.group.tolist()))
        with out.open("w", newline="", encoding="utf-8") as f:
            writer = csvsafe.writer(f)
            writer.writerow(["participant", "group"])
            for participant in conversation.votes.participants:
                group = of.get(participant, -1)
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
        how = "mises à jour rejouées" if votes_history else "un calcul sur les votes finaux"
        console.print(f"{len(conversation.votes.participants)} participant(s) → {out} ({how})")

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
        from sentinelle.cli_common import transaction
        from sentinelle.concertation import ideas
        from sentinelle.concertation import polis as polis_export
        from sentinelle.errors import DomainError
        from sentinelle.store.db import default_engine, upgrade

        try:
            conversation = polis_export.read(folder)
        except polis_export.PolisError as exc:
            err.print(f"[red]Erreur[/red] : {exc}")
            raise typer.Exit(2) from exc
        engine = default_engine()
        upgrade(engine)
        with transaction(engine) as session:
            user = session.scalar(select(User).where(User.email == actor.strip().lower()))
            if user is None:
                raise typer.BadParameter(f"aucun compte {actor}", param_hint="--as")
            try:
                report = ideas.import_polis(session, user, conversation, name or folder.name, theme)
            except DomainError as exc:
                err.print(f"[red]Erreur[/red] : {exc.message}")
                raise typer.Exit(2) from exc
        console.print(f"{report.ideas_added} idée(s) ajoutée(s) ({report.hidden} masquée(s) comme dans Pol.is), "
                      f"{report.ideas_kept} déjà présente(s), {report.votes} vote(s) → boîte à idées")

    @concertation.command("themes")
    def themes_command(
        input: Annotated[Path, typer.Option("--input", help="CSV (columns id, text) or JSON list of objects",
                                            dir_okay=False, exists=True)],
        out: Annotated[Path, typer.Option(help="CSV written: id, theme", dir_okay=False)] = Path("themes.csv"),
        themes: Annotated[int, typer.Option(help="number of themes", min=1, max=200)] = 20,
        text_field: Annotated[str, typer.Option(help="the text's column or field")] = "text",
        id_field: Annotated[str, typer.Option(help="the id's column or field (default: the row number)")] = "id",
    ) -> None:
        """Themes of free-text contributions in French (TF-IDF and NMF): each theme's terms and
        representative quotes are printed; each contribution's theme written."""
        import json

        from sentinelle.concertation import themes as themes_module

        try:
            if input.suffix.lower() == ".json":
                rows = json.loads(input.read_text(encoding="utf-8"))
                if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                    raise ValueError("une liste d'objets JSON est attendue")
            else:
                with input.open(newline="", encoding="utf-8") as f:
                    rows = list(csv.DictReader(f))
            missing = [n for n, r in enumerate(rows, start=1) if not isinstance(r.get(text_field), str)]
            if missing:
                raise ValueError(f"champ « {text_field} » absent ou non textuel (enregistrement {missing[0]})")
        except (ValueError, UnicodeDecodeError) as exc:
            err.print(f"[red]Erreur[/red] : {input.name} : {exc}")
            raise typer.Exit(2) from exc
        texts = [r[text_field] for r in rows]
        ids = [str(r.get(id_field, n)) for n, r in enumerate(rows, start=1)]
        result = themes_module.find(texts, themes_module.Method(themes=themes))
        with out.open("w", newline="", encoding="utf-8") as f:
            writer = csvsafe.writer(f)
            writer.writerow(["id", "theme"])
            for i, t in zip(ids, result.assignment):
                writer.writerow([i, "" if t < 0 else int(t)])
        table = Table(title=f"{len(result.themes)} thème(s) — {len(texts)} contribution(s)")
        for column in ("thème", "contributions", "termes", "citation représentative"):
            table.add_column(column)
        for t in result.themes:
            quote = texts[t.quotes[0]][:160] if t.quotes else ""
            table.add_row(str(t.number), str(t.size), ", ".join(t.terms[:6]), f"« {quote} » ({ids[t.quotes[0]]})"
                          if t.quotes else "")
        console.print(table)
        console.print(f"{len(texts)} contribution(s) → {out}")
