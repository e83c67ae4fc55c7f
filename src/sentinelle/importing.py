"""What every file import reports: rows taken, rows rejected with line number and reason."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sentinelle.errors import Invalid

Progress = Callable[[int], None]


@dataclass
class Rejected:
    line: int
    field: str
    reason: str


@dataclass
class ImportReport:
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Records of earlier snapshots that this one no longer lists (noted once, never deleted).
    absent: int = 0
    absent_examples: list[str] = field(default_factory=list)
    # True when the file leaves out most of what is published: applying it asks for a confirmation.
    needs_confirmation: bool = False

    def reject(self, line: int, field_name: str, reason: str) -> None:
        self.rejected.append(Rejected(line, field_name, reason))

    def refuse_if_rejected(self) -> None:
        """For all-or-nothing imports: raise, naming the first rejections, before anything is written."""
        if self.rejected:
            first = "; ".join(f"ligne {r.line}, {r.field} : {r.reason}" for r in self.rejected[:5])
            more = f" (et {len(self.rejected) - 5} autres)" if len(self.rejected) > 5 else ""
            raise Invalid(f"{len(self.rejected)} ligne(s) rejetée(s), rien n'a été importé : {first}{more}", "file")


def read_text(path: Path) -> str:
    """A file's text, decoded as `decode` says."""
    return decode(path.read_bytes())


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252: the two encodings public French files come in;
    UTF-16 when its byte-order mark says so. Anything else is refused, naming the first bad byte."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise Invalid(f"fichier UTF-16 illisible à l'octet {exc.start}", "file") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise Invalid(f"encodage inconnu : ni UTF-8 ni Windows-1252 (ligne {line}, octet {exc.start}, "
                      f"0x{raw[exc.start]:02x})", "file") from exc


def csv_rows(text: str) -> csv.DictReader[str]:
    """A CSV's rows by its header, whichever of « ; », tab or « , » its header line uses most (a
    spreadsheet saved in French separates by « ; » and writes decimal commas); a leading BOM dropped."""
    body = text.lstrip("\ufeff")
    header = body.split("\n", 1)[0]
    delimiter = max((";", "\t", ","), key=header.count)
    return csv.DictReader(io.StringIO(body), delimiter=delimiter)
