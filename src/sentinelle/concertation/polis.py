"""Pol.is open-data exports (compdemocracy/openData): a conversation folder read into a vote matrix.

`participants-votes.csv` holds one row per participant — its id, the opinion group Pol.is put it in
(`group-id`, empty when it was not clustered), counts, then one column per statement id with 1 (agree),
-1 (disagree), 0 (pass) or nothing. `comments.csv` holds the statements, `moderated` -1 for those a
moderator took out. In these exports agree is +1 (Pol.is's own database stores agree as -1): the same
sign as `opinion.AGREE`, so the values are taken as they are.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sentinelle.concertation.opinion import Votes
from sentinelle.concertation.opinion_replay import Vote

# The columns that are not statements (`xid`, the participant's id on the host site, in recent exports).
FIXED_COLUMNS = ("participant", "xid", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree")


class PolisError(Exception):
    """The folder is not a readable Pol.is export (names the file and line)."""


@dataclass(frozen=True)
class Statement:
    id: str
    author: str
    text: str
    agrees: int
    disagrees: int
    moderated: int  # -1 taken out, 0 not moderated, 1 accepted


@dataclass(frozen=True)
class Conversation:
    votes: Votes
    polis_group: dict[str, str]  # participant -> the group Pol.is gave it (absent when none)
    statements: list[Statement]


def _int(value: str, path: Path, line: int, column: str) -> int:
    try:
        return int(float(value))
    except ValueError:
        raise PolisError(f"{path.name}, ligne {line}, colonne {column} : entier attendu, lu {value!r}") from None


def read_statements(folder: Path) -> list[Statement]:
    path = folder / "comments.csv"
    if not path.exists():
        raise PolisError(f"{folder} : comments.csv manquant")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"comment-id", "moderated", "comment-body"} - set(reader.fieldnames or ())
        if missing:
            raise PolisError(f"{path.name} : colonne(s) manquante(s) : {', '.join(sorted(missing))}")
        out = []
        for line, row in enumerate(reader, start=2):
            moderated = row["moderated"].strip().lower()
            # Some exports write the flag as true/false (accepted or not yet moderated).
            flag = {"true": 1, "false": 0}.get(moderated)
            out.append(Statement(row["comment-id"].strip(), (row.get("author-id") or "").strip(),
                                 row["comment-body"], _int(row.get("agrees") or "0", path, line, "agrees"),
                                 _int(row.get("disagrees") or "0", path, line, "disagrees"),
                                 flag if flag is not None else _int(moderated, path, line, "moderated")))
    return out


def read(folder: Path) -> Conversation:
    """The conversation of a Pol.is export folder: its vote matrix (moderated-out statements marked
    excluded), Pol.is's own groups, and its statements."""
    statements = read_statements(folder)
    path = folder / "participants-votes.csv"
    if not path.exists():
        raise PolisError(f"{folder} : participants-votes.csv manquant")
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header is None or not {"participant", "group-id"} <= set(header):
            raise PolisError(f"{path.name} : en-tête inattendu (participant, group-id, … attendus)")
        first = max(header.index(c) for c in FIXED_COLUMNS if c in header) + 1
        columns = header[first:]
        group_at = header.index("group-id")
        participants, groups, rows, cols, values = [], {}, [], [], []
        for line, row in enumerate(reader, start=2):
            pid = row[0].strip()
            participants.append(pid)
            if row[group_at].strip():
                groups[pid] = row[group_at].strip()
            for j, cell in enumerate(row[first:]):
                cell = cell.strip()
                if cell:
                    vote = _int(cell, path, line, columns[j])
                    if vote not in (-1, 0, 1):
                        raise PolisError(f"{path.name}, ligne {line}, colonne {columns[j]} : vote {vote} "
                                         "(1, -1 ou 0 attendu)")
                    rows.append(len(participants) - 1)
                    cols.append(j)
                    values.append(vote)
    excluded = frozenset(s.id for s in statements if s.moderated == -1) & set(columns)
    votes = Votes(participants, columns, np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64),
                  np.array(values, dtype=np.float64), excluded)
    return Conversation(votes, groups, statements)


def read_history(folder: Path) -> list[Vote] | None:
    """The time-stamped votes of `votes.csv` (None when the folder has none), for `opinion_replay`."""
    path = folder / "votes.csv"
    if not path.exists():
        return None
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"timestamp", "comment-id", "voter-id", "vote"} - set(reader.fieldnames or ())
        if missing:
            raise PolisError(f"{path.name} : colonne(s) manquante(s) : {', '.join(sorted(missing))}")
        history = []
        for line, row in enumerate(reader, start=2):
            vote = _int(row["vote"], path, line, "vote")
            if vote not in (-1, 0, 1):
                raise PolisError(f"{path.name}, ligne {line}, colonne vote : vote {vote} (1, -1 ou 0 attendu)")
            history.append(Vote(_int(row["timestamp"], path, line, "timestamp"), row["voter-id"].strip(),
                                row["comment-id"].strip(), float(vote)))
    return history
