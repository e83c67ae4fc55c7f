"""FHIR R4 Bundles of SupplyRequest and SupplyDelivery: the same lines as the CSV files."""

from __future__ import annotations

import json
from pathlib import Path

from sentinelle.detection.fhir import ingest_bundle
from sentinelle.detection.ingest import connect, ingest

FINESS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.2"


def request(rid: str, line: str, product: str, ordered: str, promised: str | None, qty: object) -> dict:
    res = {"resourceType": "SupplyRequest", "id": rid, "status": "active",
           "identifier": [{"value": line}, {"use": "secondary", "value": "O-" + line}],
           "itemCodeableConcept": {"coding": [{"system": "https://www.gs1.org/gtin", "code": product}]},
           "quantity": {"value": qty}, "authoredOn": ordered,
           "requester": {"identifier": {"system": FINESS_SYSTEM, "value": "690781810"}},
           "supplier": [{"identifier": {"value": "S1"}}]}
    if promised:
        res["occurrenceDateTime"] = promised
    return {"fullUrl": f"urn:uuid:{rid}", "resource": res}


def delivery(did: str, based_on: str, day: str, qty: int) -> dict:
    return {"resource": {"resourceType": "SupplyDelivery", "id": did, "status": "completed",
                         "basedOn": [{"reference": based_on}], "occurrenceDateTime": day,
                         "suppliedItem": {"quantity": {"value": qty}}}}


def test_a_bundle_gives_the_same_lines_as_the_csv_files(tmp_path: Path) -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        request("r1", "L1", "03760123450010", "2025-03-03", "2025-03-06", 10),
        request("r2", "L2", "03760123450027", "2025-03-03T09:30:00+01:00", None, 5),
        delivery("d1", "SupplyRequest/r1", "2025-03-06", 10),
        delivery("d2", "urn:uuid:r2", "2025-03-07", 3),
        delivery("d3", "urn:uuid:r2", "2025-03-10", 2),
    ]}
    (tmp_path / "b.json").write_text(json.dumps(bundle))
    from_fhir = connect()
    report = ingest_bundle(from_fhir, tmp_path / "b.json")
    assert (report.orders_loaded, report.deliveries_loaded, report.rejected) == (2, 3, 0)
    (tmp_path / "o.csv").write_text(
        "establishment_id,order_id,line_id,product_id,supplier_id,ordered_at,promised_at,quantity_ordered\n"
        "690781810,O-L1,L1,03760123450010,S1,2025-03-03,2025-03-06,10\n"
        "690781810,O-L2,L2,03760123450027,S1,2025-03-03,,5\n")
    (tmp_path / "d.csv").write_text("establishment_id,line_id,delivered_at,quantity_delivered\n"
                                    "690781810,L1,2025-03-06,10\n690781810,L2,2025-03-07,3\n690781810,L2,2025-03-10,2\n")
    from_csv = connect()
    ingest(from_csv, tmp_path / "o.csv", tmp_path / "d.csv")
    for table in ("orders", "deliveries"):
        query = f"SELECT * FROM {table} ORDER BY ALL"
        assert from_fhir.execute(query).fetchall() == from_csv.execute(query).fetchall()


def test_unreadable_entries_are_named_by_their_number(tmp_path: Path) -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [
        request("r1", "L1", "03760123450010", "2025-03-03", None, 10),
        request("r2", "L2", "03760123450010", "yesterday", None, 4),  # entry 2: not a FHIR date
        request("r3", "L3", "03760123450010", "2025-03-03", None, -4),  # entry 3: negative quantity
        {"resource": {"resourceType": "Patient", "id": "p"}},  # entry 4: not ours
        delivery("d1", "SupplyRequest/nowhere", "2025-03-06", 1),  # entry 5: unknown request
        delivery("d2", "SupplyRequest/r1", "2025-03-01", 10),  # entry 6: before the order
    ]}
    (tmp_path / "b.json").write_text(json.dumps(bundle))
    con = connect()
    report = ingest_bundle(con, tmp_path / "b.json")
    got = {r.record: r.reason for r in report.rejections}
    assert sorted(got) == [2, 3, 4, 5, 6]
    assert "authoredOn" in got[2] and "quantity_ordered" in got[3] and "Patient" in got[4]
    assert "basedOn" in got[5] and "avant la commande" in got[6]
    assert report.orders_loaded == 1 and report.deliveries_loaded == 0
    nothing = connect()
    assert ingest_bundle(nothing, tmp_path / "b.json", reject_all_on_error=True).rejected == 5
    assert nothing.execute("SELECT count(*) FROM orders").fetchone()[0] == 0


def test_a_bundle_nested_too_deep_is_refused_not_a_crash(tmp_path: Path) -> None:
    import pytest

    from sentinelle.detection.ingest import IngestError

    deep = tmp_path / "deep.json"
    deep.write_text('{"resourceType": "Bundle", "entry": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(IngestError, match="imbriqué"):
        ingest_bundle(connect(), deep)
