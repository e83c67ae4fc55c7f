"""CSV files a spreadsheet opens without running a cell as a formula (OWASP, "CSV injection").

A text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is written behind a
single quote, which spreadsheets show and never evaluate; numbers (a negative delay, "-3.5") are left
as they are. Every CSV meant for people goes through `writer` or `dict_writer`; the intermediate files
that the detection pipeline writes for itself (simulated lines, a FHIR Bundle's lines) keep their
values byte for byte, since the next step reads them back."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import IO, Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    try:
        float(value)
        return value  # a number, not a formula
    except ValueError:
        return "'" + value


class _Writer:
    def __init__(self, f: IO[str]) -> None:
        self._w = csv.writer(f)

    def writerow(self, row: Iterable[Any]) -> None:
        self._w.writerow([cell(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class _DictWriter(csv.DictWriter):
    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: cell(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)


def writer(f: IO[str]) -> _Writer:
    return _Writer(f)


def dict_writer(f: IO[str], fieldnames: Iterable[str]) -> csv.DictWriter:
    return _DictWriter(f, fieldnames=list(fieldnames))
