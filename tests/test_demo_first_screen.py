"""`make demo`'s first screen, as a newcomer reads it: a short summary, every demo account with its
role in French and what to try, where to click first; nothing claimed that was not loaded."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from sentinelle.accounts.roles import ROLE_LABELS


def _first_screen(tmp_path: Path, data_dir: Path) -> str:
    env = {**os.environ, "SENTINELLE_VAR_DIR": str(tmp_path), "COLUMNS": "320", "NO_COLOR": "1",
           "SENTINELLE_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    done = subprocess.run([sys.executable, "-m", "sentinelle.cli", "demo", "--no-serve", "--data-dir", str(data_dir),
                           "--port", "8123"], capture_output=True, text=True, env=env, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_the_first_screen_without_the_public_data(tmp_path: Path) -> None:
    screen = _first_screen(tmp_path, tmp_path / "nowhere")
    lines = [line for line in screen.splitlines() if line.strip()]
    table_at = next(i for i, line in enumerate(lines) if "Comptes de démonstration" in line)
    assert table_at <= 3, lines[:table_at]  # no pile of import warnings before the logins
    for email in ("pharmacie@chu-lyon.demo", "pharmacie@chu-paris.demo", "omedit@ars-ara.demo",
                  "omedit@ars-idf.demo", "penuries@ansm.demo", "qualite@medisud.demo", "supply@nordmed.demo",
                  "achats@uniha.demo", "citoyen@exemple.demo", "garant@cndp.demo"):
        assert email in screen, email
    roles = {label for label in ROLE_LABELS.values()}
    assert all(any(word in screen for word in label.split()) for label in roles)
    assert not re.search(r"\b(establishment|region|national|manufacturer|purchaser|citizen|guarantor)\b", screen)
    assert "Parlement Santé" in screen  # who sits in the assembly
    assert "sans la liste ANSM réelle" in screen and "entrées réelles" not in screen  # nothing claimed
    assert "http://127.0.0.1:8123" in screen and "Par où commencer" in screen


def test_the_first_screen_with_the_public_data(tmp_path: Path, shared_data: Path) -> None:
    screen = _first_screen(tmp_path, shared_data)
    assert re.search(r"à côté de \d{3,} entrées réelles de la liste ANSM", screen)
    lines = [line for line in screen.splitlines() if line.strip()]
    table_at = next(i for i, line in enumerate(lines) if "Comptes de démonstration" in line)
    assert table_at <= 12, lines[:table_at]  # one line per import, no warnings
