"""A manufacturer's supply page and API: it declares its sites and inputs and reads its products'
scores; others are refused; the ranking shows devices apart and draws the production countries."""

from __future__ import annotations

import re
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from sentinelle.catalogue.models import ProductionSite
from sentinelle.risk import priority
from sentinelle.risk.models import ProductVulnerability, SupplyInput
from tests.factories import World
from tests.web.conftest import bearer
from tests.web.test_pages_and_api import login


def test_a_manufacturer_declares_through_its_page(client: TestClient, session: Session, world: World) -> None:
    first = world.products[0]
    session.add(ProductVulnerability(product_id=first.id, model="device", score=35, as_of=date(2026, 11, 30),
                                     parts={"few_suppliers": 20.0, "concentration": 15.0},
                                     values={"few_suppliers": 1.0, "concentration": 1.0, "suppliers": 1}))
    session.commit()
    csrf = login(client, "maker_a@test.fr")
    page = client.get("/approvisionnement")
    assert page.status_code == 200 and first.name in page.text and "35/100" in page.text
    assert "peu de fournisseurs du produit" in page.text  # the score's parts, criterion by criterion
    # A device's points out of each criterion's maximum, and their total.
    assert "20,00 / 20" in page.text and "Score (somme, arrondie)" in page.text
    assert world.products[2].name not in page.text  # maker_b's product
    # A country that is none: refused on the form, what was typed kept.
    refused = client.post("/approvisionnement/sites", data={"csrf_token": csrf, "site_name": "Usine X",
                                                            "site_country": "ZZ"})
    assert refused.status_code == 422 and "pays inconnu" in refused.text and 'value="Usine X"' in refused.text
    done = client.post("/approvisionnement/sites", follow_redirects=True,
                       data={"csrf_token": csrf, "site_name": "Usine de Pune", "site_country": "IN"})
    assert "Site « Usine de Pune » (Inde) ajouté" in done.text and "hors UE" in done.text
    site = session.scalars(select(ProductionSite).where(ProductionSite.name == "Usine de Pune")).one()
    linked = client.post(f"/approvisionnement/produits/{first.id}/sites", follow_redirects=True,
                         data={"csrf_token": csrf, "site_ids": str(site.id), "page": "1"})
    # Said at the top and again in the product's card, where the page comes back to.
    assert linked.text.count(f"Sites de production de « {first.name} » enregistrés (1)") == 2
    assert linked.url.fragment == f"produit-{first.id}"
    assert re.search(rf'value="{site.id}" checked', linked.text)
    declared = client.post(f"/approvisionnement/produits/{first.id}/intrants", follow_redirects=True,
                           data={"csrf_token": csrf, "name": "Polycarbonate", "kind": "raw_material",
                                 "sources": "1", "origin_country": "CN", "page": "1"})
    assert "Intrant « Polycarbonate » déclaré (source unique)" in declared.text and "origine Chine" in declared.text
    # A country typed by its name is read as its code; a name that is none is refused, never cut short.
    named = client.post(f"/approvisionnement/produits/{first.id}/intrants", follow_redirects=True,
                        data={"csrf_token": csrf, "name": "Joint torique", "kind": "component", "sources": "2",
                              "origin_country": "Chine", "page": "1"})
    assert "Joint torique — composant ; 2 sources qualifiées ; origine Chine" in named.text
    unknown = client.post(f"/approvisionnement/produits/{first.id}/intrants",
                          data={"csrf_token": csrf, "name": "Joint", "kind": "component", "sources": "1",
                                "origin_country": "Chin"})
    assert unknown.status_code == 422 and "pays d&#39;origine inconnu : « Chin »" in unknown.text
    bad = client.post(f"/approvisionnement/produits/{first.id}/intrants",
                      data={"csrf_token": csrf, "name": "Joint", "kind": "raw_material", "sources": "0"})
    assert bad.status_code == 422 and 'value="Joint"' in bad.text
    # Another maker's product: not found, nothing written.
    other = client.post(f"/approvisionnement/produits/{world.products[2].id}/intrants",
                        data={"csrf_token": csrf, "name": "x", "kind": "component", "sources": "1"})
    assert other.status_code == 404
    assert session.scalar(select(SupplyInput).where(SupplyInput.name == "x")) is None
    # The public product page names the site; the inputs never.
    client.post("/deconnexion", data={"csrf_token": csrf})
    public = client.get(f"/produits/{first.id}").text
    assert "Usine de Pune" in public and "Polycarbonate" not in public


def test_others_may_not_declare_nor_read_inputs(client: TestClient, session: Session, world: World,
                                                tokens: dict[str, str]) -> None:
    assert client.get("/approvisionnement", follow_redirects=False).status_code in (303, 307)
    login(client, "lyon@test.fr")
    assert client.get("/approvisionnement").status_code == 403
    first = world.products[0].id
    made = client.post("/api/v1/supply/sites", json={"name": "Usine", "country": "fr"},
                       headers=bearer(tokens, "maker_a"))
    assert made.status_code == 201 and made.json()["country"] == "FR"
    added = client.post(f"/api/v1/supply/products/{first}/inputs", headers=bearer(tokens, "maker_a"),
                        json={"name": "Acier 316L", "kind": "raw_material", "sources": 1})
    assert added.status_code == 201
    mine = client.get("/api/v1/supply", headers=bearer(tokens, "maker_a")).json()
    assert mine["sites"][0]["name"] == "Usine" and any(p["inputs"] for p in mine["products"])
    theirs = client.get("/api/v1/supply", headers=bearer(tokens, "maker_b")).json()  # its own, none of maker_a's
    assert theirs["sites"] == [] and first not in [p["product_id"] for p in theirs["products"]]
    for who in ("region84", "national", "lyon", "citizen"):
        assert client.get("/api/v1/supply", headers=bearer(tokens, who)).status_code == 403
    client.cookies.clear()  # Lyon's session gone: nobody
    assert client.get("/api/v1/supply").status_code == 401
    # maker_b cannot touch maker_a's product, nor remove its input.
    assert client.put(f"/api/v1/supply/products/{first}/sites", json={"site_ids": []},
                      headers=bearer(tokens, "maker_b")).status_code == 404
    assert client.delete(f"/api/v1/supply/inputs/{added.json()['id']}",
                         headers=bearer(tokens, "maker_b")).status_code == 404
    bad = client.post(f"/api/v1/supply/products/{first}/inputs", headers=bearer(tokens, "maker_a"),
                      json={"name": "x", "kind": "alloy", "sources": 1})
    assert bad.status_code == 422 and "kind" in str(bad.json())
    # The national agency reads the inputs on the product's priority page; a region does not.
    session.add(ProductVulnerability(product_id=first, model="device", score=50, parts={}, values={},
                                     as_of=date(2026, 11, 30)))
    priority.refresh(session)
    session.commit()
    login(client, "national@test.fr")
    assert "Acier 316L" in client.get(f"/priorites/{first}").text
    login(client, "region84@test.fr")
    seen = client.get(f"/priorites/{first}").text
    assert "Acier 316L" not in seen
    # Not even how many single-source inputs there are: that criterion's value and points are withheld.
    assert "confidentiel (déclaration du fabricant" in seen


def test_the_ranking_keeps_devices_apart_and_maps_countries(client: TestClient, session: Session,
                                                           world: World) -> None:
    from tests.risk.test_ranking import _scene

    _scene(session, world)
    # Anonymous, before publication: the log-in form says why, and comes back to the devices' tab.
    asked = client.get("/vulnerabilite?produits=dispositifs", follow_redirects=False)
    assert asked.status_code == 303 and "produits%3Ddispositifs" in asked.headers["location"]
    assert "pas encore publié par l&#39;ANSM" in client.get(asked.headers["location"]).text
    session.add(ProductVulnerability(product_id=world.products[3].id, model="device", score=77, parts={},
                                     values={}, as_of=date(2026, 11, 30)))
    session.commit()
    login(client, "national@test.fr")
    medicines = client.get("/vulnerabilite").text
    assert "Médicament 0" in medicines and world.products[3].name not in medicines
    assert 'class="country heat-4 outside"' in medicines and "<title>Inde : 2 produits</title>" in medicines
    assert "<strong>Inde</strong> (hors UE)" in medicines
    devices = client.get("/vulnerabilite?produits=dispositifs").text
    assert world.products[3].name in devices and "Médicament 0" not in devices and "EMDN" in devices
