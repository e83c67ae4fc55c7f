"""The concertation commands of `sentinelle concertation …`.

    sentinelle concertation opinion-groups --polis DIR --out groups.csv
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
