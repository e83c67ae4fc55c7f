"""The risk mapping's pages and API: a hospital's journey (start, score, a refusal on its form, the
CSV import's preview then application, sharing), the region's view, and hostile tries."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sentinelle.risk import pieu
from sentinelle.risk.schemas import ScoreIn
from tests.factories import World
from tests.web.conftest import bearer
from tests.web.test_pages_and_api import login


def _mapping_id(html: str) -> int:
    found = re.search(r'action="/risques/cartographies/(\d+)/cotation"', html)
    assert found, "no scoring form on the page"
    return int(found.group(1))


def test_a_hospital_maps_its_risks_through_the_pages(client: TestClient) -> None:
    csrf = login(client, "lyon@test.fr")
    page = client.get("/risques")
    assert page.status_code == 200 and "Commencer une cartographie vide" in page.text
    started = client.post("/risques/commencer", data={"csrf_token": csrf}, follow_redirects=True)
    assert "Votre cartographie est ouverte" in started.text
    mapping = _mapping_id(started.text)
    # What Lyon buys and has not scored is offered, and the link fills the form's code.
    assert "/risques?code=A02#cotation" in started.text
    assert 'value="A02"' in client.get("/risques?code=A02").text
    done = client.post(f"/risques/cartographies/{mapping}/cotation", follow_redirects=True,
                       data={"csrf_token": csrf, "emdn_code": "A02", "p": "4", "i": "4", "e": "3", "u": "4",
                             "note": "néonatologie"})
    assert "A02 coté : criticité 192, risque critique." in done.text
    # « Modifier » fills the form with the category's score.
    edit = client.get("/risques?code=A02").text
    assert '<option value="3" selected>' in edit and ">néonatologie</textarea>" in edit
    # A level left unchosen is named as such.
    unchosen = client.post(f"/risques/cartographies/{mapping}/cotation",
                           data={"csrf_token": csrf, "emdn_code": "A01", "p": "", "i": "1", "e": "1", "u": "1"})
    assert unchosen.status_code == 422 and "choisissez un niveau" in unchosen.text
    assert '<span lang="en">syringes</span>' in done.text and "néonatologie" in done.text
    # A refusal stays on the form with what was typed, naming the field.
    refused = client.post(f"/risques/cartographies/{mapping}/cotation",
                          data={"csrf_token": csrf, "emdn_code": "Q99", "p": "1", "i": "1", "e": "1", "u": "1",
                                "note": "gardé"})
    assert refused.status_code == 422 and "inconnu de la nomenclature EMDN : Q99" in refused.text
    assert 'href="#emdn_code"' in refused.text and ">gardé</textarea>" in refused.text
    # The import: a preview, then the application.
    csv = b"emdn_code;p;i;e;u\nR01;2;4;1;3\nA02;4;4;3;4\n"
    preview = client.post(f"/risques/cartographies/{mapping}/import", data={"csrf_token": csrf},
                          files={"file": ("cotations.csv", csv, "text/csv")})
    assert preview.status_code == 200 and "Rien n'est encore enregistré" in preview.text
    token = re.search(r'name="token" value="([0-9a-f]{32})"', preview.text)
    assert token and "1 catégorie(s) ajoutée(s)" in preview.text
    assert "<td>R01</td><td>non cotée</td><td>2, 4, 1, 3</td>" in preview.text.replace("\n", "").replace("    ", "")
    assert "la cartographie du CHU de Lyon" in preview.text
    applied = client.post(f"/risques/cartographies/{mapping}/import/appliquer", follow_redirects=True,
                          data={"csrf_token": csrf, "token": token.group(1)})
    assert "Import appliqué : 1 catégorie(s) ajoutée(s), 0 modifiée(s), 1 inchangée(s)." in applied.text
    again = client.post(f"/risques/cartographies/{mapping}/import/appliquer",
                        data={"csrf_token": csrf, "token": token.group(1)})
    assert again.status_code == 404 and "déposez-le de nouveau" in again.text
    bad = client.post(f"/risques/cartographies/{mapping}/import", data={"csrf_token": csrf},
                      files={"file": ("c.csv", b"emdn_code,p,i,e,u\nA01,1,1,7,1\n", "text/csv")})
    assert "Une ligne refusée" in bad.text and "E = « 7 »" in bad.text and 'name="token"' not in bad.text
    shared = client.post(f"/risques/cartographies/{mapping}/partage", data={"csrf_token": csrf, "shared": "true"},
                         follow_redirects=True)
    assert "Votre cartographie est partagée" in shared.text and "Retirer le partage" in shared.text
    grid = client.get("/risques/grilles")
    assert "doi:10.34746/q1wm-2917" in grid.text and "critique" in grid.text
    assert "Publier une nouvelle version" not in grid.text  # the national agency's


def test_the_national_agency_publishes_a_grid_version_from_its_page(client: TestClient, session: Session,
                                                                    world: World) -> None:
    lyon_map = pieu.start(session, world.users["lyon"]).mapping
    pieu.set_score(session, world.users["lyon"], lyon_map.id, ScoreIn(emdn_code="A02", p=3, i=3, e=3, u=2))
    session.commit()
    csrf = login(client, "national@test.fr")
    page = client.get("/risques/grilles")
    assert "Publier la version 2" in page.text
    refused = client.post("/risques/grilles", data={"csrf_token": csrf, "name": "v2", "t1": "30", "t2": "20",
                                                    "t3": "90", "source": "révision"})
    assert refused.status_code == 422 and "strictement croissants" in refused.text and 'value="30"' in refused.text
    done = client.post("/risques/grilles", follow_redirects=True,
                       data={"csrf_token": csrf, "name": "P.I.E.U révisée", "t1": "8", "t2": "24", "t3": "48",
                             "source": "Retour des établissements pilotes"})
    assert "Version 2 publiée" in done.text and "Retour des établissements pilotes" in done.text
    session.expire_all()
    kept = pieu.rows(session, lyon_map)[0].score
    assert (kept.score, kept.risk_class) == (54, "high")  # its version 1 score, untouched
    # Lyon is offered to move to it, never moved without its act.
    login(client, "lyon@test.fr")
    assert "Reprendre mes cotations sur la nouvelle version" in client.get("/risques").text


def test_the_region_reads_its_hospitals_and_nothing_else(client: TestClient, session: Session, world: World) -> None:
    for who, values in (("lyon", (4, 4, 3, 4)), ("grenoble", (1, 2, 2, 2))):
        mapping = pieu.start(session, world.users[who]).mapping
        pieu.set_score(session, world.users[who], mapping.id, ScoreIn(emdn_code="A02", p=values[0], i=values[1],
                                                                      e=values[2], u=values[3]))
    session.commit()
    login(client, "region84@test.fr")
    home = client.get("/risques", follow_redirects=True)
    assert home.url.path == "/risques/regions/84"
    assert "2 établissement(s) sur 2 ont une cartographie." in home.text and "CHU de Grenoble" in home.text
    assert client.get("/risques/regions/11").status_code == 403
    assert client.get("/risques/regions/99").status_code == 404
    lyon_map = pieu.mine(session, world.users["lyon"])
    assert lyon_map is not None
    read = client.get(f"/risques/cartographies/{lyon_map.id}")
    assert read.status_code == 200 and "Coter une catégorie" not in read.text  # read, never written


def test_hostile_tries_on_another_hospitals_mapping(client: TestClient, session: Session, world: World,
                                                    tokens: dict[str, str]) -> None:
    lyon_map = pieu.start(session, world.users["lyon"]).mapping
    session.commit()
    # Paris (another region) does not learn that Lyon's mapping exists, by page or by API.
    csrf = login(client, "paris@test.fr")
    for path in (f"/risques/cartographies/{lyon_map.id}/cotation", f"/risques/cartographies/{lyon_map.id}/partage",
                 f"/risques/cartographies/{lyon_map.id}/retirer"):
        response = client.post(path, data={"csrf_token": csrf, "emdn_code": "A02", "p": "1", "i": "1", "e": "1",
                                           "u": "1", "shared": "true"})
        assert response.status_code == 404, path
    response = client.put(f"/api/v1/risk/mappings/{lyon_map.id}/scores", headers=bearer(tokens, "paris"),
                          json={"emdn_code": "A02", "p": 1, "i": 1, "e": 1, "u": 1})
    assert response.status_code == 404
    # Grenoble, same region, same: a hospital reads another's mapping only once it is shared.
    assert client.get(f"/api/v1/risk/mappings/{lyon_map.id}", headers=bearer(tokens, "grenoble")).status_code == 404
    # A manufacturer reads no mapping and no region.
    assert client.get("/api/v1/risk/regions/84", headers=bearer(tokens, "maker_a")).status_code == 403
    assert client.get("/api/v1/risk/references", headers=bearer(tokens, "maker_a")).status_code == 403


def test_the_api_imports_a_csv_body_and_names_each_rejected_row(client: TestClient, session: Session, world: World,
                                                                tokens: dict[str, str]) -> None:
    headers = bearer(tokens, "lyon") | {"Content-Type": "text/csv"}
    started = client.post("/api/v1/risk/mappings/mine", headers=bearer(tokens, "lyon"), json={})
    assert started.status_code == 201 and started.json()["grid"]["version"] == 1
    mapping = started.json()["id"]
    preview = client.post(f"/api/v1/risk/mappings/{mapping}/import", headers=headers,
                          content="emdn_code,p,i,e,u\nA02,4,4,3,4\nZZ,1,1,1,1\n")
    assert preview.status_code == 200
    assert preview.json()["rejected"] == [{"line": 3, "field": "emdn_code", "reason": "inconnu de la nomenclature EMDN : ZZ"}]
    refused = client.post(f"/api/v1/risk/mappings/{mapping}/import?apply=true", headers=headers,
                          content="emdn_code,p,i,e,u\nA02,4,4,3,4\nZZ,1,1,1,1\n")
    assert refused.status_code == 422 and "rien n'a été importé" in refused.json()["detail"][0]["msg"]
    applied = client.post(f"/api/v1/risk/mappings/{mapping}/import?apply=true", headers=headers,
                          content="emdn_code,p,i,e,u\nA02,4,4,3,4\n")
    assert applied.json()["created"] == 1
    mine = client.get("/api/v1/risk/mappings/mine", headers=bearer(tokens, "lyon")).json()
    assert [(s["emdn_code"], s["score"], s["risk_class"]) for s in mine["scores"]] == [("A02", 192, "critical")]
    out_of_scale = client.put(f"/api/v1/risk/mappings/{mapping}/scores", headers=bearer(tokens, "lyon"),
                              json={"emdn_code": "A01", "p": 11, "i": 1, "e": 1, "u": 1})
    assert out_of_scale.status_code == 422 and "p" in out_of_scale.text


def test_a_hospital_describes_the_impact_on_its_care_and_the_agency_reads_it(client: TestClient, session: Session,
                                                                            world: World) -> None:
    from tests.factories import published_signal

    signal = published_signal(session, world)
    csrf = login(client, "lyon@test.fr")
    page = client.get(f"/signaux/{signal.id}").text
    assert "Impact sur les soins de votre établissement" in page
    refused = client.post(f"/signaux/{signal.id}/impact", data={"csrf_token": csrf, "deprogrammed": "3",
                                                                "switch_training": "true", "description": "gardé"})
    assert refused.status_code == 422 and "cochez-le" in refused.text and ">gardé</textarea>" in refused.text
    assert 'value="3"' in refused.text
    done = client.post(f"/signaux/{signal.id}/impact", follow_redirects=True,
                       data={"csrf_token": csrf, "deprogrammed": "3", "switched": "true", "switch_training": "true",
                             "adverse_events": "1", "vigilance_refs": "R2601234\n", "description": "Bloc pédiatrique"})
    assert "impact sur vos soins est enregistré" in done.text and 'value="3"' in done.text
    client.post("/deconnexion", data={"csrf_token": csrf})
    login(client, "region84@test.fr")
    read = client.get(f"/signaux/{signal.id}").text
    assert "Impacts sur les soins décrits par les établissements" in read and "Bloc pédiatrique" in read
    stats = client.get("/impacts?by=category").text
    assert "A02" in stats and "Auvergne-Rhône-Alpes" in stats
    export = client.get("/api/v1/impacts/export.csv")
    assert export.status_code == 200 and export.text.startswith("signal_id,signal_kind")
    assert "CHU de Lyon" not in export.text and "Bloc pédiatrique" not in export.text and ",3," in export.text


def test_the_watch_list_page_its_versions_and_the_api(client: TestClient, session: Session, world: World,
                                                      settings: object, tokens: dict[str, str]) -> None:
    from datetime import timedelta

    from tests.risk.test_watch import SUNDAY, _store

    settings.var_dir.mkdir(parents=True, exist_ok=True)  # type: ignore[attr-defined]
    store = _store(settings.var_dir / "detection.duckdb",  # type: ignore[attr-defined]
                   {SUNDAY - timedelta(weeks=k): 300 if k == 0 else 100 for k in range(20)})
    store.close()
    login(client, "lyon@test.fr")
    page = client.get("/veille-saisonniere").text
    assert "A02 — seringues" in page and "alerte" in page and "3.0 fois la référence" in page
    assert "Intervalle à 95 %" in page and "Publier la version" not in client.get("/veille-saisonniere/versions").text
    api = client.get("/api/v1/watch-list", headers=bearer(tokens, "purchaser")).json()
    [a02] = api["categories"]
    assert (a02["last_week_demand"], a02["baseline"], len(a02["forecast"])) == (300, 100, 4)
    csrf = login(client, "national@test.fr")
    versions = client.get("/veille-saisonniere/versions").text
    assert "Publier la version 2" in versions and "A02 ; seringues ; grippe,bronchiolite,covid ; 1.5 ; 14" in versions
    refused = client.post("/veille-saisonniere/versions", data={
        "csrf_token": csrf, "lines": "A02 ; seringues ; grippe\nR01 ; sondes ; peste", "retex": "Saison 2026-27"})
    assert refused.status_code == 422 and "ligne 2" in refused.text and "Saison 2026-27" in refused.text
    assert "peste" in refused.text
    done = client.post("/veille-saisonniere/versions", follow_redirects=True, data={
        "csrf_token": csrf, "lines": "A02 ; seringues ; grippe\nR01 ; sondes d'intubation ; grippe,covid ; 1,3 ; 10",
        "retex": "Saison 2026-27 : les sondes ont manqué."})
    assert "Version 2 de la liste de veille publiée" in done.text and "les sondes ont manqué" in done.text


def test_the_public_reads_the_ranking_once_the_agency_publishes_it(client: TestClient, session: Session,
                                                                   world: World) -> None:
    from tests.risk.test_ranking import _scene

    _scene(session, world)
    assert client.get("/vulnerabilite", follow_redirects=False).status_code in (303, 307)  # to the log-in
    assert "vulnérabilité industrielle" not in client.get("/public").text
    csrf = login(client, "national@test.fr")
    page = client.get("/vulnerabilite").text
    assert "Médicament 0" in page and "Publier le classement" in page and "(hors UE)" in page
    done = client.post("/vulnerabilite/publication", data={"csrf_token": csrf, "published": "true"},
                       follow_redirects=True)
    assert "Le classement est public" in done.text
    client.post("/deconnexion", data={"csrf_token": csrf})
    public = client.get("/vulnerabilite")
    assert public.status_code == 200 and "Médicament 0" in public.text and "Publier le classement" not in public.text
    assert "/vulnerabilite" in client.get("/public").text
    assert client.get("/api/v1/vulnerability").json()["items"][0]["score"] == 90
