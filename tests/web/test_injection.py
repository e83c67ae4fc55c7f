"""Injection (issue "Trust first", §2): links, CSV formulas, security headers, weak passwords, and
imported files that are not what they claim."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from sentinelle import csvsafe
from sentinelle.accounts import passwords
from sentinelle.accounts.service import create_user
from sentinelle.catalogue.importers import import_emdn
from sentinelle.concertation import questionnaires as qs
from sentinelle.concertation.default_questionnaire import QUESTIONS
from sentinelle.errors import Invalid
from sentinelle.importing import read_text
from sentinelle.interop import ansm
from sentinelle.signals.models import Signal
from tests.factories import World, published_signal
from tests.web.conftest import bearer

GOOD = "{cis}\t\t1\tRupture de stock\t01/02/2025\t03/02/2025\t\t{url}\n"


def _ansm_file(tmp_path: Path, *urls: str) -> Path:
    path = tmp_path / "CIS_CIP_Dispo_Spec.txt"
    lines = [GOOD.format(cis=62110690 + i, url=u) for i, u in enumerate(urls)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_a_javascript_link_is_refused_at_import_naming_the_line(tmp_path: Path, session: Session,
                                                                world: World) -> None:
    path = _ansm_file(tmp_path, "https://ansm.sante.fr/disponibilites/doliprane", "javascript:alert(document.cookie)",
                      "data:text/html,<script>alert(1)</script>", "https://x/" + "a" * 600)
    report = ansm.import_file(session, world.users["national"], path)
    assert report.created == 1
    assert [(r.line, r.field) for r in report.rejected] == [(2, "URL"), (3, "URL"), (4, "URL")]
    with pytest.raises(Invalid) as err:
        ansm.import_file(session, world.users["national"], path, reject_all_on_error=True)
    assert "ligne 2, URL" in err.value.message


def test_a_link_stored_before_the_check_is_never_rendered_nor_republished(
        client: TestClient, session: Session, world: World, tokens: dict[str, str]) -> None:
    signal = published_signal(session, world)
    signal.external_url = "javascript:alert(1)"
    session.commit()
    for path in (f"/public/signaux/{signal.id}", f"/signaux/{signal.id}", "/api/v1/opendata/shortages.json",
                 "/api/v1/opendata/shortages.csv", f"/api/v1/signals/{signal.id}"):
        text = client.get(path, headers=bearer(tokens, "national")).text
        assert "javascript:" not in text, path


def test_a_name_made_from_a_huge_line_is_bounded(tmp_path: Path, session: Session, world: World) -> None:
    path = _ansm_file(tmp_path, "https://ansm.sante.fr/d/" + "-".join(["paracetamol"] * 30))
    ansm.import_file(session, world.users["national"], path)
    names = [s.product.name for s in session.scalars(select(Signal).where(Signal.source == "ansm"))]
    assert names and all(len(n) <= ansm.MAX_NAME for n in names)


def test_an_emdn_term_longer_than_any_real_one_is_rejected(tmp_path: Path, session: Session) -> None:
    path = tmp_path / "emdn.txt"
    path.write_text("titre\nCATEGORY\tDESC\tCODE\tTERM\tLEVEL\tTERMINAL\n"
                    "A\td\tA01\tAiguilles\t2\tNO\n" + "A\td\tA02\t" + "x" * 5000 + "\t2\tNO\n", encoding="utf-8")
    report = import_emdn(session, path)
    assert report.created == 1 and [(r.line, r.field) for r in report.rejected] == [(4, "TERM")]


def test_bytes_in_no_known_encoding_are_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(b"61266250\tok\n\x81\x8d\x90 garbage\n")
    with pytest.raises(Invalid) as err:
        read_text(path)
    assert err.value.field == "file" and "ligne 2" in err.value.message
    utf16 = tmp_path / "utf16.txt"
    utf16.write_text("61266250\tDoliprane\n", encoding="utf-16")
    assert read_text(utf16) == "61266250\tDoliprane\n"


def test_the_ansm_upload_of_a_bad_encoding_fails_its_job_saying_why(client: TestClient) -> None:
    import time

    from tests.web.test_pages_and_api import login

    token = login(client, "national@test.fr")
    response = client.post("/import", data={"csrf_token": token},
                           files={"file": ("x.txt", b"\x81\x8d\x90\x9d" * 10, "text/plain")}, follow_redirects=False)
    assert response.status_code == 303
    deadline = time.monotonic() + 20
    while "Échec" not in (page := client.get(response.headers["location"]).text):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert "encodage inconnu" in page


@given(st.text(max_size=30))
def test_no_csv_cell_starts_a_formula(value: str) -> None:
    out = csvsafe.cell(value)
    if out != value:
        assert out == "'" + value
    if isinstance(out, str) and out.startswith(csvsafe.FORMULA_START):
        float(out)  # only a number may start so


FORMULAS = ["=HYPERLINK(\"http://evil\",\"clic\")", "+33 1 00", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def test_open_data_csv_neutralises_formulas_in_product_names(
        client: TestClient, session: Session, world: World) -> None:
    world.products[0].name = FORMULAS[0]
    session.commit()
    published_signal(session, world)
    cells = _cells(client.get("/api/v1/opendata/shortages.csv").text)
    assert "'" + FORMULAS[0] in cells
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r"))]


def test_questionnaire_export_neutralises_formulas_in_free_text(
        client: TestClient, session: Session, world: World, tokens: dict[str, str]) -> None:
    text_question = next(q for q in QUESTIONS if q["kind"] == "text")
    free = text_question["key"]
    qs.create(session, world.users["national"], "avis", "Avis", [*QUESTIONS[:3], text_question])
    qs.set_status(session, world.users["national"], "avis", "open")
    session.commit()
    for n, formula in enumerate(FORMULAS):
        user = create_user(session, None, email=f"r{n}@test.fr", name=f"R{n}", password="correct horse battery",
                           role="citizen")
        qs.answer(session, user, "avis", {"representation": "soin", "penurie_vecue": "non", free: formula},
                  profile="citizen")
    session.commit()
    response = client.get("/api/v1/questionnaires/avis/export.csv", headers=bearer(tokens, "national"))
    assert response.status_code == 200
    cells = _cells(response.text)
    for formula in FORMULAS[:4]:  # the answers are stripped: a leading tab or CR does not survive
        assert "'" + formula in cells, formula
    assert not [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r")) or re.match(r"-\D", c)]


def test_the_alerts_file_neutralises_formulas(tmp_path: Path) -> None:
    from sentinelle.cli_detection import write_alerts
    from sentinelle.detection.contract import ALERTS

    row = tuple("=cmd|' /C calc'!A0" if i == 1 else f"v{i}" for i in range(len(ALERTS)))
    write_alerts([row], tmp_path / "alerts.csv")
    assert "'=cmd|' /C calc'!A0" in _cells((tmp_path / "alerts.csv").read_text(encoding="utf-8"))


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/public", "/api/v1/signals", "/static/sentinelle.css", "/page-qui-n-existe-pas"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp, path
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "same-origin"
    # An oversized body, refused before the app, is covered too.
    big = client.post("/api/v1/ideas", content=b"x" * 2_000_000, headers={"content-type": "application/json"})
    assert big.status_code == 413 and "content-security-policy" in big.headers


def test_the_api_docs_allow_their_own_inline_script_by_hash_only(client: TestClient) -> None:
    import base64
    import hashlib

    response = client.get("/api/v1/docs")
    csp = response.headers["content-security-policy"]
    assert "unsafe-inline" not in csp
    for body in re.findall(r"<script>(.*?)</script>", response.text, flags=re.S):
        assert base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() in csp


def test_the_session_cookie_is_secure_when_served_over_https(engine, settings) -> None:  # type: ignore[no-untyped-def]
    from sentinelle.web.app import create_app

    secure = TestClient(create_app(engine, settings.model_copy(update={"base_url": "https://sentinelle.example"})),
                        base_url="https://testserver")
    assert "secure" in secure.get("/connexion").headers["set-cookie"].lower()
    plain = TestClient(create_app(engine, settings))
    assert "secure" not in plain.get("/connexion").headers["set-cookie"].lower()


@pytest.mark.parametrize("weak", ["aaaaaaaaaaaa", "1234567890ab", "azertyuiop12", "motdepasse2024",
                                  "sentinelle2026", "jeanjeanjean", "qwertyuiopas"])
def test_weak_passwords_are_refused_saying_why_in_french(weak: str) -> None:
    with pytest.raises(Invalid) as err:
        passwords.check(weak, email="jean.dupont@chu.fr", name="Jean Dupont")
    assert err.value.field == "password" and "facile à deviner" in err.value.message


def test_short_passwords_are_refused_and_passphrases_accepted() -> None:
    with pytest.raises(Invalid) as err:
        passwords.check("aaaaaaaaaa")
    assert "au moins 12 caractères" in err.value.message
    passwords.check("seringue-bleue-lyon")
    passwords.check("correct horse battery")


def test_more_codes_than_one_statement_may_carry_are_looked_up_by_chunks(session: Session) -> None:
    # 70,000 distinct CIS: one IN list would pass PostgreSQL's driver limit of 65,535 parameters.
    from sentinelle.catalogue.models import Product

    session.add(Product(kind="medicine", name="Doliprane", name_lower="doliprane", cis="60000001"))
    session.flush()
    found = ansm._products_by_cis(session, {f"{60000000 + i}" for i in range(70_000)})
    assert list(found) == ["60000001"]


def test_the_subscription_form_shows_the_webhook_secret_once_and_refuses_huge_ids(
        client: TestClient, session: Session, world: World, settings) -> None:  # type: ignore[no-untyped-def]
    from tests.web.test_pages_and_api import login

    token = login(client, "lyon@test.fr")
    huge = client.post("/abonnements", data={"csrf_token": token, "product_id": "9223372036854775808"})
    assert huge.status_code == 422 and "trop grand" in huge.text
    made = client.post("/abonnements", data={"csrf_token": token, "product_id": str(world.products[0].id),
                                              "webhook_url": "https://93.184.215.7/hook"}, follow_redirects=False)
    assert made.status_code == 303
    secret = re.search(r'id="new-secret" value="([^"]+)"', client.get("/notifications").text)
    assert secret and secret.group(1) not in client.get("/notifications").text
