"""Product search: by name through the trigram index (FTS5 on SQLite, pg_trgm on PostgreSQL), or by code."""

from __future__ import annotations

from sqlalchemy.orm import Session

from sentinelle.catalogue.service import create_product, fold, search_products
from tests.factories import World


def names(found: list) -> list[str]:  # type: ignore[type-arg]
    return [p.name for p in found]


def test_a_name_is_found_by_any_part_whatever_its_accents_or_case(session: Session, world: World) -> None:
    assert names(search_products(session, "SERINGUE")[0]) == ["Seringue 10 mL Luer lock"]
    assert names(search_products(session, "luer LOCK")[0]) == ["Seringue 10 mL Luer lock"]
    assert names(search_products(session, "gravite")[0]) == ["Perfuseur par gravité"]
    assert names(search_products(session, "gravité")[0]) == ["Perfuseur par gravité"]
    # Under three characters the trigram index cannot serve: the plain scan must give the same answer.
    assert names(search_products(session, "21")[0]) == ["Aiguille hypodermique 21G"]
    assert search_products(session, "zzz-absent")[1] == 0


def test_wildcards_in_the_query_are_plain_characters(session: Session, world: World) -> None:
    create_product(session, None, kind="device", name="Compresse 100% coton")
    assert names(search_products(session, "100%")[0]) == ["Compresse 100% coton"]
    assert search_products(session, "10_")[1] == 0


def test_codes_find_their_product(session: Session, world: World) -> None:
    assert names(search_products(session, "03760123450027")[0]) == ["Aiguille hypodermique 21G"]
    # An EMDN code finds its whole branch.
    assert names(search_products(session, "A01")[0]) == ["Aiguille hypodermique 21G"]
    assert names(search_products(session, "a02")[0]) == ["Seringue 10 mL Luer lock"]
    assert names(search_products(session, "atc-absent")[0]) == []


def test_the_index_follows_renames_and_deletions(session: Session, world: World) -> None:
    product = world.products[2]
    product.name, product.name_lower = "Canule de Guedel", fold("Canule de Guedel")
    session.flush()
    assert search_products(session, "intubation")[1] == 0
    assert names(search_products(session, "guedel")[0]) == ["Canule de Guedel"]
    extra = create_product(session, None, kind="device", name="Canule nasale")
    assert search_products(session, "canule")[1] == 2
    session.delete(extra)
    session.flush()
    assert names(search_products(session, "canule")[0]) == ["Canule de Guedel"]


def test_pages_carry_the_total_of_all_matches(session: Session, world: World) -> None:
    for i in range(25):
        create_product(session, None, kind="medicine", name=f"Amoxicilline {i:02d} mg")
    first, total = search_products(session, "amoxicilline", limit=10)
    assert total == 25 and names(first)[0] == "Amoxicilline 00 mg"
    last, total = search_products(session, "amoxicilline", offset=20, limit=10)
    assert total == 25 and names(last) == [f"Amoxicilline {i:02d} mg" for i in range(20, 25)]
    beyond, total = search_products(session, "amoxicilline", offset=40, limit=10)
    assert beyond == [] and total == 25
    assert search_products(session, "amoxicilline", kind="device")[1] == 0
