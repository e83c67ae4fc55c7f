"""Imports that cannot do harm (issue "Trust first", §4 and §5): absences only from a complete
snapshot, a preview before anything is written, a confirmation before most of the published list is
noted absent, and the work done as a job off the request path."""

from __future__ import annotations

import html
import re
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sentinelle.errors import Invalid
from sentinelle.interop import ansm
from sentinelle.signals.models import Event, Signal
from tests.factories import World
from tests.web.test_pages_and_api import csrf_of, login

ROW = "{cis}\t\t2\tTension d'approvisionnement\t07/01/2026\t19/01/2026\t\thttps://ansm.sante.fr/p/{cis}\n"


def _snapshot(path: Path, first: int, count: int) -> Path:
    path.write_text("".join(ROW.format(cis=62110000 + i) for i in range(first, first + count)), encoding="utf-8")
    return path


def _absences(session: Session) -> int:
    return session.scalar(select(func.count(Event.id)).where(Event.message.like("Absent de la liste%"))) or 0


def test_a_file_in_which_no_row_parses_changes_nothing(session: Session, world: World, tmp_path: Path) -> None:
    ansm.import_file(session, None, _snapshot(tmp_path / "a.txt", 0, 20))
    session.commit()
    for content in (b"n'importe quoi\nsur deux lignes\n", "\t".join(["x"] * 8).encode("utf-16")):
        bad = tmp_path / "bad.txt"
        bad.write_bytes(content)
        with pytest.raises(Invalid) as err:
            ansm.import_file(session, None, bad)
        assert "aucune ligne lisible" in err.value.message
        session.rollback()
    assert _absences(session) == 0


def test_an_incomplete_snapshot_notes_no_absence(session: Session, world: World, tmp_path: Path) -> None:
    ansm.import_file(session, None, _snapshot(tmp_path / "a.txt", 0, 20))
    partial = _snapshot(tmp_path / "b.txt", 0, 15)
    partial.write_text(partial.read_text(encoding="utf-8") + "62119999\tcassée\n", encoding="utf-8")
    report = ansm.import_file(session, None, partial)
    assert report.absent == 0 and _absences(session) == 0 and report.rejected
    assert any("instantané incomplet" in n for n in report.notes)
    # The same list, complete: the five it no longer names are noted absent.
    report = ansm.import_file(session, None, _snapshot(tmp_path / "c.txt", 0, 15))
    assert report.absent == 5 and _absences(session) == 5


def test_a_list_that_drops_most_of_the_published_record_asks_for_confirmation(
        session: Session, world: World, tmp_path: Path) -> None:
    ansm.import_file(session, None, _snapshot(tmp_path / "a.txt", 0, 40))
    session.commit()
    four = _snapshot(tmp_path / "four.txt", 0, 4)  # the four-row test file
    with pytest.raises(Invalid) as err:
        ansm.import_file(session, None, four)
    assert err.value.field == "confirm_removals" and "36 des 40" in err.value.message
    session.rollback()
    assert _absences(session) == 0
    report = ansm.import_file(session, None, four, confirm_removals=True)
    assert report.absent == 36 and report.needs_confirmation


def _wait(client: TestClient, url: str) -> str:
    deadline = time.monotonic() + 30
    while True:
        page = client.get(url).text
        if "Terminé" in page or "Échec" in page:
            return page
        assert time.monotonic() < deadline, page[-500:]
        time.sleep(0.1)


def test_the_upload_previews_then_applies_as_jobs(client: TestClient, session: Session, world: World,
                                                  tmp_path: Path) -> None:
    ansm.import_file(session, None, _snapshot(tmp_path / "a.txt", 0, 10))
    session.commit()
    before = session.scalar(select(func.count(Signal.id)))
    token = login(client, "national@test.fr")
    upload = _snapshot(tmp_path / "up.txt", 8, 6).read_bytes()  # 2 known, 4 new, 8 left out of 10
    response = client.post("/import", data={"csrf_token": token}, files={"file": ("liste.txt", upload)},
                           follow_redirects=False)
    assert response.status_code == 303
    job_url = response.headers["location"]
    page = _wait(client, job_url)
    assert "Aperçu, rien n" in page and "4 créés" in page and "8 notés absents" in page
    session.expire_all()
    assert session.scalar(select(func.count(Signal.id))) == before and _absences(session) == 0  # a preview
    # Most of the list would go: the apply form asks for the confirmation.
    assert 'name="confirm_removals"' in page and "required" in page.split('name="confirm_removals"')[1][:80]
    refused = client.post(f"{job_url}/appliquer", data={"csrf_token": csrf_of(page)}, follow_redirects=True)
    failed = _wait(client, refused.url.path)
    assert "confirmez" in failed
    session.expire_all()
    assert _absences(session) == 0
    applied = client.post(f"{job_url}/appliquer", data={"csrf_token": csrf_of(page), "confirm_removals": "true"},
                          follow_redirects=True)
    done = _wait(client, applied.url.path)
    assert "Importé" in done and "8 notés absents" in done
    session.expire_all()
    assert session.scalar(select(func.count(Signal.id))) == before + 4 and _absences(session) == 8
    # The file is gone once applied: applying the preview again is refused, clearly.
    again = client.post(f"{job_url}/appliquer", data={"csrf_token": csrf_of(page), "confirm_removals": "true"})
    assert again.status_code == 409 and "n'est plus là" in html.unescape(again.text)


def test_someone_elses_job_is_not_found(client: TestClient, session: Session, world: World, tmp_path: Path) -> None:
    token = login(client, "national@test.fr")
    response = client.post("/import", data={"csrf_token": token},
                           files={"file": ("l.txt", _snapshot(tmp_path / "x.txt", 0, 3).read_bytes())},
                           follow_redirects=False)
    job_id = int(re.search(r"/(\d+)$", response.headers["location"]).group(1))  # type: ignore[union-attr]
    _wait(client, f"/import/taches/{job_id}")
    other = TestClient(client.app)
    login(other, "lyon@test.fr")
    assert other.get(f"/import/taches/{job_id}").status_code == 404
    assert other.post("/import", data={"csrf_token": csrf_of(other.get("/").text)},
                      files={"file": ("l.txt", b"x")}).status_code == 403
