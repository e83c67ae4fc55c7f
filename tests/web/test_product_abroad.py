"""A medicine's page shows the shortages posted abroad on its substances."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from sentinelle.catalogue import substances
from sentinelle.catalogue.service import create_product
from sentinelle.interop import foreign
from tests.interop.test_foreign import _openfda


def test_a_medicine_page_shows_the_shortages_abroad_on_its_substances(client: TestClient, session: Session,
                                                                       tmp_path: Path) -> None:
    path = tmp_path / "fda.json"
    path.write_text(_openfda("2026-06-19", "Current"), encoding="utf-8")
    foreign.import_file(session, None, "fda-drugs", path)
    product = create_product(session, None, kind="medicine", name="ÉTOMIDATE LIPURO 2 mg/ml", cis="60000011")
    product.substances, product.substance_key = "ÉTOMIDATE", substances.key(["ÉTOMIDATE"])
    other = create_product(session, None, kind="medicine", name="MIDAZOLAM 5 mg/ml", cis="60000012")
    other.substances, other.substance_key = "MIDAZOLAM", substances.key(["MIDAZOLAM"])
    session.commit()
    page = client.get(f"/produits/{product.id}").text
    assert "Pénuries à l'étranger sur les mêmes substances" in page and '<span lang="en">Etomidate Injection</span>' in page
    assert "FDA (États-Unis), médicaments" in page and "05/10/2022" in page  # posted 10/05/2022, US order
    assert "Aucune pénurie déclarée à la FDA ou à l'EMA sur ces substances" in client.get(f"/produits/{other.id}").text
