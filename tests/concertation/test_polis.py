"""Pol.is open-data exports read into a vote matrix, and `sentinelle concertation opinion-groups`."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score
from typer.testing import CliRunner

from sentinelle.cli import app
from sentinelle.concertation import opinion, opinion_replay, polis

runner = CliRunner()

COMMENTS = """timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body
1,x,0,0,2,1,1,"Premier, avec une virgule"
2,x,1,0,1,1,-1,Retiré par la modération
3,x,2,1,1,0,0,Troisième
"""


def export(folder: Path, matrix: str, comments: str = COMMENTS) -> Path:
    folder.mkdir()
    (folder / "comments.csv").write_text(comments, encoding="utf-8")
    (folder / "participants-votes.csv").write_text(matrix, encoding="utf-8")
    return folder


def test_an_export_is_read_with_its_groups_and_moderation(tmp_path: Path) -> None:
    folder = export(tmp_path / "c", "participant,xid,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2\n"
                                    "0,a,0,1,3,2,1,1,-1,1\n1,b,,0,1,0,1,-1,,\n2,c,1,0,2,1,0,1,,0\n")
    conv = polis.read(folder)
    votes = conv.votes
    assert votes.participants == ["0", "1", "2"] and votes.statements == ["0", "1", "2"]
    assert sorted(zip(votes.rows.tolist(), votes.cols.tolist(), votes.values.tolist())) == [
        (0, 0, 1.0), (0, 1, -1.0), (0, 2, 1.0), (1, 0, -1.0), (2, 0, 1.0), (2, 2, 0.0)]
    assert votes.excluded == {"1"}
    assert conv.polis_group == {"0": "0", "2": "1"}
    assert next(s.text for s in conv.statements) == "Premier, avec une virgule"


@pytest.mark.parametrize(("matrix", "message"), [
    ("participant,group-id,0\n0,0,2\n", "participants-votes.csv, ligne 2, colonne 0 : vote 2"),
    ("participant,group-id,0\n0,0,oui\n", "participants-votes.csv, ligne 2, colonne 0 : entier attendu"),
    ("who,0\n0,1\n", "en-tête inattendu"),
])
def test_a_bad_export_is_named(tmp_path: Path, matrix: str, message: str) -> None:
    with pytest.raises(polis.PolisError, match=message):
        polis.read(export(tmp_path / "c", matrix))


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "c").mkdir()
    with pytest.raises(polis.PolisError, match=r"comments\.csv manquant"):
        polis.read(tmp_path / "c")


def test_a_real_conversation_matches_polis_groups(shared_data: Path) -> None:
    """scoop-hivemind.biodiversity (536 participants, 2019): our groups against the ones Pol.is wrote
    in the export, over the participants it grouped (bench/RESULTS.md has all eleven)."""
    conv = polis.read(shared_data / "polis" / "scoop-hivemind.biodiversity")
    result = opinion.groups(conv.votes)
    grouped = [i for i, p in enumerate(conv.votes.participants) if p in conv.polis_group]
    truth = [conv.polis_group[conv.votes.participants[i]] for i in grouped]
    assert adjusted_rand_score(truth, result.group[grouped]) > 0.9


def test_replaying_the_history_finds_polis_groups_where_one_computation_does_not(shared_data: Path) -> None:
    """canadian-electoral-reform (448 participants, 2016): computed once over the final votes, our
    groups barely agree with Pol.is's; replaying its updates over votes.csv, they do."""
    folder = shared_data / "polis" / "canadian-electoral-reform"
    conv = polis.read(folder)
    history = polis.read_history(folder)
    assert history is not None and len(history) == 12_018
    replayed = opinion_replay.replay(history, conv.votes.excluded)
    once = opinion.groups(conv.votes)

    def ari(participants: list[str], groups: np.ndarray) -> float:
        at = {p: i for i, p in enumerate(participants)}
        common = [p for p in conv.polis_group if p in at]
        return adjusted_rand_score([conv.polis_group[p] for p in common], [groups[at[p]] for p in common])

    assert ari(conv.votes.participants, once.group) < 0.5
    assert ari(replayed.votes.participants, replayed.group) > 0.85


def test_a_bad_vote_in_the_history_is_named(tmp_path: Path) -> None:
    (tmp_path / "votes.csv").write_text("timestamp,datetime,comment-id,voter-id,vote\n"
                                        "1000,x,0,1,1\n2000,x,0,2,2\n", encoding="utf-8")
    with pytest.raises(polis.PolisError, match=r"votes\.csv, ligne 3, colonne vote"):
        polis.read_history(tmp_path)
    (tmp_path / "votes.csv").write_text("timestamp,comment-id,vote\n", encoding="utf-8")
    with pytest.raises(polis.PolisError, match="voter-id"):
        polis.read_history(tmp_path)
    assert polis.read_history(tmp_path / "nope") is None


def test_opinion_groups_command(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "groups.csv"
    result = runner.invoke(app, ["concertation", "opinion-groups", "--polis", str(shared_data / "polis" / "brexit-consensus"),
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "groupe(s) d'opinion" in result.output
    with out.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 204 and set(rows[0]) == {"participant", "group"}
    assert {r["group"] for r in rows} <= {"", "0", "1", "2", "3", "4"}
    assert len({r["group"] for r in rows} - {""}) >= 2
    assert "mises à jour rejouées" in " ".join(result.output.split())  # rich wraps lines
    once = runner.invoke(app, ["concertation", "opinion-groups", "--polis", str(shared_data / "polis" / "brexit-consensus"),
                               "--out", str(out), "--no-history"])
    assert once.exit_code == 0 and "un calcul sur les votes finaux" in " ".join(once.output.split())


def test_opinion_groups_command_names_a_bad_folder(tmp_path: Path) -> None:
    result = runner.invoke(app, ["concertation", "opinion-groups", "--polis", str(tmp_path / "nope"),
                                 "--out", str(tmp_path / "g.csv")])
    assert result.exit_code == 2
    assert "comments.csv manquant" in result.output


def test_import_polis_command(shared_data: Path, tmp_path: Path) -> None:
    """`sentinelle concertation import-polis DIR --as EMAIL` into a fresh SQLite store, twice."""
    import os
    import subprocess
    import sys

    from sentinelle.accounts.service import create_user
    from sentinelle.catalogue.service import create_organisation
    from sentinelle.store.db import make_engine, session_factory, upgrade

    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_factory(engine)() as s:
        ansm = create_organisation(s, None, kind="national", name="ANSM")
        create_user(s, None, email="ansm@test.fr", name="ANSM", password="correct horse battery", role="national",
                    organisation_id=ansm.id)
        create_user(s, None, email="jean@test.fr", name="Jean", password="correct horse battery", role="citizen")
        s.commit()
    env = {**os.environ, "SENTINELLE_DATABASE_URL": url, "SENTINELLE_VAR_DIR": str(tmp_path),
           "SENTINELLE_SECRET_KEY": "k" * 32, "COLUMNS": "200"}
    command = [str(Path(sys.executable).parent / "sentinelle"), "concertation", "import-polis",
               str(shared_data / "polis" / "london.youth.policing"), "--theme", "access"]
    first = subprocess.run([*command, "--as", "ansm@test.fr"], env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    assert "39 idée(s) ajoutée(s) (3 masquée(s) comme dans Pol.is), 0 déjà présente(s), 638 vote(s)" in first.stdout
    again = subprocess.run([*command, "--as", "ansm@test.fr"], env=env, capture_output=True, text=True)
    assert "0 idée(s) ajoutée(s)" in again.stdout and "39 déjà présente(s)" in again.stdout
    refused = subprocess.run([*command, "--as", "jean@test.fr"], env=env, capture_output=True, text=True)
    assert refused.returncode == 2 and "réservé à l'agence nationale" in refused.stderr
