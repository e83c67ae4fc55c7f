"""The documentation keeps up with the code (as Datasette's tests/test_docs.py does): every detection
parameter, every setting and every command is written down where a reader looks for it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import click
import pytest
import typer

from sentinelle.cli import app
from sentinelle.concertation import opinion, opinion_replay, themes
from sentinelle.config import Settings
from sentinelle.detection.detect import Params
from sentinelle.risk import forecast, priority

ROOT = Path(__file__).resolve().parents[1]
DOCS = {path.name: path.read_text() for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]}
ALL = "\n".join(DOCS.values())


def _commands(group: click.Group, prefix: str = "sentinelle") -> list[str]:
    found = []
    for name, command in group.commands.items():
        if command.hidden:
            continue
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            found += _commands(command, path)
        else:
            found.append(path)
    return found


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(Params)])
def test_each_detection_parameter_is_documented(field: str) -> None:
    assert f"`{field}`" in DOCS["detection.md"], f"docs/detection.md does not describe Params.{field}"


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(forecast.Method)])
def test_each_forecast_parameter_is_documented(field: str) -> None:
    assert f"`{field}`" in DOCS["risk.md"], f"docs/risk.md does not describe forecast.Method.{field}"


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(priority.Weights)])
def test_each_priority_weight_is_documented(field: str) -> None:
    assert f"`{field}`" in DOCS["risk.md"], f"docs/risk.md does not describe priority.Weights.{field}"


CONCERTATION_PARAMETERS = [(cls, f.name) for cls in (opinion.Method, opinion_replay.Replay, themes.Method)
                           for f in dataclasses.fields(cls)]


@pytest.mark.parametrize(("cls", "field"), CONCERTATION_PARAMETERS,
                         ids=[f"{c.__module__.rsplit('.', 1)[1]}.{c.__name__}.{f}" for c, f in CONCERTATION_PARAMETERS])
def test_each_concertation_parameter_is_documented(cls: type, field: str) -> None:
    assert f"`{field}`" in DOCS["concertation.md"], f"docs/concertation.md does not describe {cls.__name__}.{field}"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_each_setting_is_documented(name: str) -> None:
    variable = f"SENTINELLE_{name.upper()}"
    assert variable in ALL, f"{variable} is in no document (README.md, docs/)"


COMMANDS = _commands(typer.main.get_command(app))  # type: ignore[arg-type]


def test_the_command_list_is_read() -> None:
    assert len(COMMANDS) > 15 and "sentinelle demo" in COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_is_documented(command: str) -> None:
    assert re.search(re.escape(command) + r"\b", ALL), f"`{command}` is in no document (README.md, docs/)"


# A domain's files, named in general: each exists in several packages.
GENERIC = {"models.py", "schemas.py", "policy.py", "service.py", "events.py"}


def test_architecture_names_existing_modules() -> None:
    """Every `src/sentinelle/...` path the architecture document names exists."""
    text = DOCS["ARCHITECTURE.md"]
    named = set(re.findall(r"`((?:[a-z_]+/)*[a-z_]+\.py)`", text)) - GENERIC
    missing = sorted(p for p in named if not _exists(p))
    assert len(named) > 20 and missing == []


def _exists(relative: str) -> bool:
    """A path from the repository's root or from the package; a bare file name only if one file bears it."""
    base = ROOT / "src" / "sentinelle"
    if (ROOT / relative).exists() or (base / relative).exists():
        return True
    return "/" not in relative and len([p for p in base.rglob(relative)]) == 1
