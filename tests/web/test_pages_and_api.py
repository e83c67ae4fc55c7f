"""The web layer: log-in, CSRF, forms with French errors, limits, the open-data exports."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from sentinelle.signals.models import Signal
from tests.factories import PASSWORD, World, published_signal
from tests.web.conftest import bearer


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: TestClient, email: str) -> str:
    token = csrf_of(client.get("/connexion").text)
    response = client.post("/connexion", data={"email": email, "password": PASSWORD, "csrf_token": token,
                                               "next": "/"}, follow_redirects=False)
    assert response.status_code == 303, response.text[:300]
    return csrf_of(client.get("/").text)


def test_login_with_a_wrong_password_says_so_in_french(client: TestClient) -> None:
    token = csrf_of(client.get("/connexion").text)
    response = client.post("/connexion", data={"email": "lyon@test.fr", "password": "wrong", "csrf_token": token})
    assert response.status_code == 401
    assert "Adresse ou mot de passe incorrect" in response.text


def test_a_form_without_its_csrf_token_is_refused(client: TestClient, world: World) -> None:
    login(client, "lyon@test.fr")
    response = client.post("/declarer", data={"product_id": str(world.products[0].id), "kind": "tension"})
    assert response.status_code == 403
    assert "CSRF" in response.text


def test_api_calls_with_the_session_cookie_need_the_csrf_header(client: TestClient, world: World) -> None:
    token = login(client, "lyon@test.fr")
    body = {"product_id": world.products[0].id, "kind": "tension", "started_at": date.today().isoformat()}
    assert client.post("/api/v1/signals", json=body).status_code == 403
    assert client.post("/api/v1/signals", json=body, headers={"X-CSRF-Token": token}).status_code == 201


def test_declaring_through_the_form_and_a_french_error_naming_the_field(
        client: TestClient, session: Session, world: World) -> None:
    token = login(client, "lyon@test.fr")
    bad = client.post("/declarer", data={
        "csrf_token": token, "product_id": str(world.products[0].id), "kind": "tension",
        "started_at": "2026-03-10", "expected_end_at": "2026-03-01"})
    assert bad.status_code == 422
    assert "la fin prévue précède le début" in bad.text and "expected_end_at" in bad.text
    assert session.scalar(select(Signal.id)) is None  # nothing half-written
    good = client.post("/declarer", data={
        "csrf_token": token, "product_id": str(world.products[0].id), "kind": "rupture", "cause": "quality",
        "started_at": date.today().isoformat(), "stock_coverage_days": "5", "measures_taken": "Rationnement"},
        follow_redirects=True)
    assert good.status_code == 200
    assert "Déclaration enregistrée" in good.text and "Rationnement" in good.text


def test_product_search_by_name_without_accents_and_by_code(client: TestClient) -> None:
    by_name = client.get("/api/v1/products", params={"q": "SERINGUE"}).json()
    assert [p["name"] for p in by_name["items"]] == ["Seringue 10 mL Luer lock"]
    by_emdn = client.get("/api/v1/products", params={"q": "a01"}).json()
    assert {p["emdn_code"] for p in by_emdn["items"]} == {"A0101010101"}
    by_gtin = client.get("/api/v1/products", params={"q": "04012345000016"}).json()
    assert by_gtin["total"] == 1


def test_published_signal_reaches_the_public_page_and_every_export(
        client: TestClient, session: Session, world: World) -> None:
    signal = published_signal(session, world)
    page = client.get(f"/public/signaux/{signal.id}")
    assert page.status_code == 200 and "Tension sur les seringues" in page.text
    assert client.get("/api/v1/opendata/shortages.json").json()[0]["id"] == signal.id
    csv_text = client.get("/api/v1/opendata/shortages.csv").text
    assert csv_text.splitlines()[0].startswith("id,kind,status") and "Seringue 10 mL" in csv_text
    atom = client.get("/api/v1/opendata/shortages.atom")
    assert atom.headers["content-type"].startswith("application/atom+xml")
    assert f"/public/signaux/{signal.id}" in atom.text
    listing = client.get("/api/v1/signals").json()
    assert listing["total"] == 1 and listing["items"][0]["status"] == "published"


def test_stale_form_gets_409_and_a_message(client: TestClient, session: Session, world: World,
                                           tokens: dict[str, str]) -> None:
    created = client.post("/api/v1/signals", headers=bearer(tokens, "lyon"), json={
        "product_id": world.products[0].id, "kind": "tension", "started_at": date.today().isoformat()}).json()
    token = login(client, "national@test.fr")
    first = client.post(f"/signaux/{created['id']}/action", data={
        "csrf_token": token, "action": "qualify", "version": "1"}, follow_redirects=False)
    assert first.status_code == 303
    second = client.post(f"/signaux/{created['id']}/action", data={
        "csrf_token": token, "action": "reject", "version": "1", "reason": "doublon"})
    assert second.status_code == 409
    assert "modifié entre-temps" in second.text


def test_malformed_json_and_oversized_bodies_are_4xx(client: TestClient, tokens: dict[str, str]) -> None:
    headers = {**bearer(tokens, "lyon"), "Content-Type": "application/json"}
    bad = client.post("/api/v1/signals", content=b"{not json", headers=headers)
    assert bad.status_code == 422
    huge = client.post("/api/v1/signals", content=b"x" * 2_000_000, headers=headers)
    assert huge.status_code == 413 and "trop volumineuse" in huge.json()["detail"]


def test_upload_over_the_limit_is_refused(client: TestClient, tokens: dict[str, str]) -> None:
    login(client, "national@test.fr")
    token = csrf_of(client.get("/import").text)
    response = client.post("/import", data={"csrf_token": token},
                           files={"file": ("big.txt", b"0" * 25_000_000, "text/plain")})
    assert response.status_code == 413


def test_unknown_ids_and_paths_are_404_never_500(client: TestClient) -> None:
    for path in ("/api/v1/signals/99999", "/api/v1/signals/99999999999999", "/signaux/99999999999999",
                 "/api/v1/products/0", "/public/signaux/5", "/nowhere"):
        assert client.get(path).status_code == 404, path


def test_notice_form_flags_a_late_notice(client: TestClient, world: World) -> None:
    token = login(client, "maker_a@test.fr")
    response = client.post("/preavis", data={
        "csrf_token": token, "product_id": str(world.products[0].id), "kind": "discontinuation",
        "cause": "commercial", "interruption_at": (date.today() + timedelta(days=30)).isoformat()},
        follow_redirects=True)
    assert response.status_code == 200
    assert "Préavis tardif" in response.text and "Confidentiel" in response.text


def test_audit_log_is_for_the_national_agency(client: TestClient) -> None:
    login(client, "lyon@test.fr")
    assert client.get("/audit").status_code == 403
    client.cookies.clear()
    login(client, "national@test.fr")
    page = client.get("/audit")
    assert page.status_code == 200 and "user.login" in page.text


def test_ids_beyond_the_integer_range_are_refused_not_a_500(client: TestClient, tokens: dict[str, str]) -> None:
    # Found by Schemathesis: such a product_id once reached the SQLite driver and overflowed.
    response = client.post("/api/v1/signals", headers=bearer(tokens, "lyon"), json={
        "product_id": 2**63, "kind": "tension", "started_at": "2026-01-01"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "product_id"


def test_a_signal_raised_by_detection_shows_its_supply_chart(client: TestClient, session: Session,
                                                               world: World) -> None:
    from sentinelle.signals import service

    weeks = [date(2025, 1, 6) + timedelta(weeks=i) for i in range(8)]
    signal = service.declare_candidate(
        session, product=world.products[1], region_code="84", started_at=weeks[5],
        evidence="9 lignes anormales sur 12 en 14 j (habituel 2 %), 5 établissement(s)", external_ref="detection:t1",
        concerned=[world.orgs["lyon"]],
        series=[(w, 10, 1.0 if i < 5 else 0.4, 0.2 if i < 5 else 4.5) for i, w in enumerate(weeks)])
    session.commit()
    assert signal is not None
    login(client, "region84@test.fr")
    page = client.get(f"/signaux/{signal.id}")
    assert page.status_code == 200
    assert "Livraisons du produit, semaine par semaine" in page.text
    assert page.text.count("<polyline") == 2 and "40 %" in page.text and "4,5" in page.text  # decimal comma
    assert "janv. 2025" in page.text and "févr. 2025" in page.text  # the chart's date axis, by month
    # Lyon, a buyer concerned, got it in its inbox; Paris does not see it.
    login(client, "lyon@test.fr")
    assert "Signal faible" in client.get("/notifications").text
    login(client, "paris@test.fr")
    assert client.get(f"/signaux/{signal.id}").status_code == 404
