"""The house's rules, checked: lint and types at zero findings, domains below the web, no import
hidden in a function to dodge a loop (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "sentinelle"
DOMAINS = ("accounts", "alternatives", "catalogue", "concertation", "detection", "interop", "jobs", "notifications",
           "signals", "store")


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_finds_nothing() -> None:
    result = _run("ruff", "check", "src", "tests", "bench", "tools")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append(node.module)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


def test_no_domain_imports_the_web_layer() -> None:
    offenders = [f"{path.relative_to(SRC)} imports {module}"
                 for domain in DOMAINS for path in (SRC / domain).rglob("*.py")
                 for module in _imports(path) if module.startswith("sentinelle.web")]
    assert offenders == []


def test_signals_do_not_import_their_subscribers() -> None:
    """Side effects hang off events: the signals never call the notifications."""
    offenders = [f"{path.relative_to(SRC)} imports {module}" for path in (SRC / "signals").rglob("*.py")
                 for module in _imports(path) if module.startswith("sentinelle.notifications")]
    assert offenders == []


def test_views_never_commit() -> None:
    """The request's one commit is deps.unit_of_work's."""
    offenders = [str(path.relative_to(SRC)) for folder in ("web/api", "web/pages") for path in (SRC / folder).glob("*.py")
                 if ".commit()" in path.read_text()]
    assert offenders == []
