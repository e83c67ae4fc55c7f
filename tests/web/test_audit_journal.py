"""The audit log as the national agency reads it: people by name, actions in French, each change as a
before / after in words, filters by person, object, action and period; and only the agency reads it."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sentinelle.accounts import audit
from tests.factories import World, published_signal
from tests.web.test_pages_and_api import login


def test_changes_read_as_words_not_json() -> None:
    rows = audit.changes({"status": "declared", "stock_coverage_days": 9, "public_message": ""},
                         {"status": "qualified", "stock_coverage_days": 9, "public_message": "Tension : commandes limitées"},
                         {"status": {"declared": "Déclaré", "qualified": "Qualifié (région)"}})
    assert rows == [("État", "Déclaré", "Qualifié (région)"), ("Message public", "—", "Tension : commandes limitées")]
    created = audit.changes(None, {"name": "Hélène", "active": True})
    assert created == [("Nom", "", "Hélène"), ("Active", "", "oui")]
    assert all(label in audit.ACTION_LABELS for label in audit.Action)


def _said(page: str) -> str:
    """What the journal's rows say (their text, not the markup nor the filters' options)."""
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    return html.unescape(re.sub(r"<[^>]*>", " ", body))


def test_the_journal_filters_and_names(client: TestClient, session: Session, world: World) -> None:
    signal = published_signal(session, world)
    token = login(client, "national@test.fr")
    page = _said(client.get("/audit").text)
    assert "user.login" not in page and "Connexion" in page and "Publication" in page
    assert "Region84" in page and "ARS ARA" in page  # a person, and the organisation behind them
    assert "\\u00e9" not in page and '{"' not in page  # no raw JSON
    # By person: the region's agent did the qualification, nothing else of this signal.
    by_region = _said(client.get("/audit", params={"personne": "RÉGION84", "objet": "signal"}).text)  # accents, case aside
    assert "Qualification" in by_region and "Publication" not in by_region
    # By action and object number.
    one = _said(client.get("/audit", params={"action": "signal.publish", "numero": str(signal.id)}).text)
    assert one.count("Publication") == 1
    assert "Validé (national)  →  Publié" in one  # the state before and after, by their labels
    # By period: nothing tomorrow; the system's entries (nobody typed them) apart.
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert "Aucune entrée pour ces critères." in client.get("/audit", params={"du": tomorrow}).text
    assert client.get("/audit", params={"du": "hier"}).status_code == 422
    assert "Du : date attendue" in html.unescape(client.get("/audit", params={"du": "hier"}).text)
    assert token


def test_only_the_national_agency_reads_the_journal(client: TestClient, session: Session, world: World) -> None:
    for who in ("region84@test.fr", "lyon@test.fr", "maker_a@test.fr", "citizen@test.fr"):
        client.cookies.clear()
        login(client, who)
        assert client.get("/audit").status_code == 403, who
    client.cookies.clear()
    assert client.get("/audit", follow_redirects=False).status_code in (303, 401)


def test_codes_in_entries_read_as_words() -> None:
    from sentinelle.web.templating import templates

    values = templates.env.globals["AUDIT_VALUES"]
    rows = audit.changes(None, {"kind": "allocation", "theme": "access", "status": "adopted", "role": "region",
                                "citations": ["réponse:18"], "tally": 3, "sitting_id": 2}, values)
    said = dict((field, new) for field, _, new in rows)
    assert said["Nature"] == "Répartition" and said["État"] == "adoptée" and said["Rôle"] == "ARS / OMEDIT"
    assert said["Thème"] != "access" and said["Sources"] == "réponse:18"
    assert {"Décompte", "Séance"} <= set(said)
