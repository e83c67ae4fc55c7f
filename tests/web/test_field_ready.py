"""What a first real user meets (issue 16): open data typed and described, feed links to where the
service answers, the API's documentation offline, codes found in the signal lists, a bad value kept
on its form, a word after each action."""

from __future__ import annotations

import csv
import html
import io
from datetime import date, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import World, published_signal
from tests.web.conftest import bearer

CHECKS = {"integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
          "string": lambda v: isinstance(v, str),
          "date": lambda v: isinstance(v, str) and date.fromisoformat(v) is not None,
          "datetime": lambda v: isinstance(v, str) and datetime.fromisoformat(v) is not None}


def test_the_json_keeps_its_types_as_the_published_schema_says(client: TestClient, session: Session,
                                                               world: World) -> None:
    signal = published_signal(session, world)
    schema = client.get("/api/v1/opendata/schema.json").json()
    fields = {f["name"]: f["type"] for f in schema["fields"]}
    assert schema["primaryKey"] == ["id"] and fields["id"] == "integer" and fields["started_at"] == "date"
    rows = client.get("/api/v1/opendata/shortages.json").json()
    assert [r["id"] for r in rows] == [signal.id]
    row = rows[0]
    assert set(row) == set(fields)
    for name, kind in fields.items():
        assert row[name] is None or CHECKS[kind](row[name]), (name, kind, row[name])
    assert row["product_id"] == signal.product_id and row["cis"] is None  # a device has no CIS
    assert row["expected_end_at"] == (signal.expected_end_at.isoformat() if signal.expected_end_at else None)
    # The CSV has the same fields, in the schema's order, a missing value an empty cell.
    table = list(csv.DictReader(io.StringIO(client.get("/api/v1/opendata/shortages.csv").text)))
    assert list(table[0]) == list(fields) and table[0]["id"] == str(signal.id) and table[0]["cis"] == ""


def test_the_feed_links_to_the_address_it_was_asked_at(client: TestClient, session: Session, world: World) -> None:
    signal = published_signal(session, world)
    atom = client.get("/api/v1/opendata/shortages.atom", headers={"host": "sentinelle.example.fr"}).text
    assert f"http://sentinelle.example.fr/public/signaux/{signal.id}" in atom
    assert '<link rel="self" href="http://sentinelle.example.fr/api/v1/opendata/shortages.atom"/>' in atom
    assert "127.0.0.1" not in atom
    assert client.get("/api/v1/opendata/shortages.atom").status_code == 200  # the self link answers


def test_the_api_documentation_needs_no_cdn(client: TestClient) -> None:
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "cdn." not in page.text and "https://" not in page.text.split("<body>")[0]
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/static/api-docs/{asset}" in page.text
        assert client.get(f"/static/api-docs/{asset}").status_code == 200
    assert "cdn" not in page.headers["content-security-policy"]


def test_the_signal_lists_find_a_product_by_its_codes(client: TestClient, session: Session, world: World) -> None:
    """As the product search does: GTIN, an EMDN code's prefix, an ATC code, beside the name."""
    signal = published_signal(session, world)
    product = world.products[0]
    assert product.gtin and product.emdn_code
    for q in (product.gtin, product.emdn_code[:5], product.emdn_code.lower(), "seringue"):
        listing = client.get("/api/v1/signals", params={"q": q}).json()
        assert [s["id"] for s in listing["items"]] == [signal.id], q
        assert f"/public/signaux/{signal.id}" in client.get("/public", params={"q": q}).text, q
    assert client.get("/api/v1/signals", params={"q": world.products[1].gtin}).json()["total"] == 0


def test_a_bad_value_is_refused_on_its_form_never_on_a_dead_end_page(client: TestClient, session: Session,
                                                                       world: World) -> None:
    """A replacement product number of 30 digits, a description past its limit: the signal's page again,
    the field named, nothing written."""
    from tests.web.test_pages_and_api import login

    signal = published_signal(session, world)
    token = login(client, "national@test.fr")
    for data, field in (({"description": "Autre sonde", "product_id": "1" * 30}, "Produit : nombre entier attendu"),
                        ({"description": "x" * 5001, "product_id": ""}, "Description : 5001 caractères")):
        page = client.post(f"/signaux/{signal.id}/alternative", data={"csrf_token": token, **data})
        assert page.status_code == 422 and 'id="form-alternative"' in page.text, field
        assert field in page.text, field  # by its label, never its code
    assert client.get(f"/api/v1/signals/{signal.id}/alternatives").json() == []



def test_each_action_says_what_it_did_and_the_nation_hears_of_a_qualification(
        client: TestClient, session: Session, world: World, tokens: dict[str, str]) -> None:
    from sentinelle.notifications.service import inbox
    from tests.web.test_pages_and_api import login

    created = client.post("/api/v1/signals", headers=bearer(tokens, "lyon"), json={
        "product_id": world.products[0].id, "kind": "tension", "started_at": date.today().isoformat()}).json()
    token = login(client, "region84@test.fr")
    done = client.post(f"/signaux/{created['id']}/action", data={"csrf_token": token, "action": "qualify",
                                                                 "version": "1"})
    assert done.status_code == 200 and "Signal qualifié : l'agence nationale est prévenue" in html.unescape(done.text)
    told = [n.title for n in inbox(session, world.users["national"])]
    assert f"À valider : {world.products[0].name}" in told
    commented = client.post(f"/signaux/{created['id']}/commentaire", data={"csrf_token": token, "message": "Vu."})
    assert "Commentaire ajouté" in commented.text


def test_a_person_chooses_a_daily_digest_on_the_notifications_page(client: TestClient, session: Session,
                                                                  world: World) -> None:
    from tests.web.test_pages_and_api import login

    token = login(client, "region84@test.fr")
    page = client.post("/notifications/frequence", data={"csrf_token": token, "mail_frequency": "daily"},
                       follow_redirects=True)
    assert "un résumé par jour" in html.unescape(page.text)
    assert 'id="mail-daily" value="daily" checked' in page.text
    refused = client.post("/notifications/frequence", data={"csrf_token": token, "mail_frequency": "hourly"})
    assert refused.status_code == 422 and "Fréquence des e-mails : fréquence inconnue" in html.unescape(refused.text)
    assert client.post("/notifications/frequence", data={"mail_frequency": "none"}).status_code == 403  # no CSRF token
