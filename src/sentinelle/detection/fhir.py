"""A FHIR R4 Bundle of SupplyRequest (order lines) and SupplyDelivery (deliveries) into the two CSV
files of the data contract, parsed and validated with fhir.resources (its R4B models, which match R4
for these two resources). Each entry that cannot be read is reported with its entry number.

Mapping (docs/detection.md):
- SupplyRequest: `identifier[0]` the line id (else the resource id), an identifier with `use`
  "secondary" the order id (else the line id), `requester` (else `deliverTo`) `.identifier.value` the
  establishment's FINESS, `itemCodeableConcept.coding[0].code` (else `itemReference.identifier.value`)
  the product, `supplier[0].identifier.value` the supplier, `authoredOn` the order date,
  `occurrenceDateTime` (else `occurrencePeriod.end`) the promised date, `quantity.value`.
- SupplyDelivery: `basedOn[0]` names its SupplyRequest (`SupplyRequest/<id>` or the entry's fullUrl),
  `occurrenceDateTime` the delivery date, `suppliedItem.quantity.value`.
"""

from __future__ import annotations

import csv
import json
import tempfile
from pathlib import Path
from typing import Any

from fhir.resources.R4B.supplydelivery import SupplyDelivery
from fhir.resources.R4B.supplyrequest import SupplyRequest
from pydantic import ValidationError

from sentinelle.detection.ingest import IngestError, Rejection, Report, ingest

# `entry`, beyond the contract (ignored by ingestion), carries the Bundle entry number back to the report.
ORDER_COLUMNS = ["establishment_id", "order_id", "line_id", "product_id", "supplier_id", "ordered_at", "promised_at",
                 "quantity_ordered", "entry"]
DELIVERY_COLUMNS = ["establishment_id", "line_id", "delivered_at", "quantity_delivered", "entry"]


def _day(value: Any) -> str:
    return "" if value is None else str(value)[:10]


def _identifier(ref: Any) -> str:
    return str(ref.identifier.value) if ref is not None and ref.identifier is not None and ref.identifier.value else ""


def _order_row(req: Any) -> dict[str, str]:
    ids = req.identifier or []
    line = str(ids[0].value) if ids and ids[0].value else str(req.id or "")
    order = next((str(i.value) for i in ids if i.use == "secondary" and i.value), line)
    product = ""
    if req.itemCodeableConcept is not None and req.itemCodeableConcept.coding:
        product = str(req.itemCodeableConcept.coding[0].code or "")
    elif req.itemReference is not None:
        product = _identifier(req.itemReference)
    promised = req.occurrenceDateTime or (req.occurrencePeriod.end if req.occurrencePeriod else None)
    quantity = req.quantity.value if req.quantity is not None else None
    return {"establishment_id": _identifier(req.requester) or _identifier(req.deliverTo), "order_id": order,
            "line_id": line, "product_id": product,
            "supplier_id": _identifier(req.supplier[0]) if req.supplier else "", "ordered_at": _day(req.authoredOn),
            "promised_at": _day(promised), "quantity_ordered": "" if quantity is None else str(quantity)}


def bundle_to_csv(bundle: Path, out: Path) -> tuple[Path, Path, list[Rejection]]:
    """orders.csv and deliveries.csv in `out` from the Bundle; the entries that could not be read."""

    try:
        data = json.loads(bundle.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IngestError(f"{bundle}: JSON illisible ({exc})") from exc
    except RecursionError as exc:  # a Bundle nested thousands of levels deep
        raise IngestError(f"{bundle}: JSON trop profondément imbriqué pour un Bundle FHIR") from exc
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        raise IngestError(f"{bundle}: un Bundle FHIR est attendu (resourceType)")
    rejections: list[Rejection] = []
    orders: dict[str, dict[str, str]] = {}  # by "SupplyRequest/<id>" and by fullUrl
    order_rows: list[dict[str, str]] = []
    deliveries: list[tuple[int, Any]] = []
    for n, entry in enumerate(data.get("entry") or [], start=1):
        resource = (entry or {}).get("resource") or {}
        kind = resource.get("resourceType")
        try:
            if kind == "SupplyRequest":
                row = {**_order_row(SupplyRequest.model_validate(resource)), "entry": str(n)}
                order_rows.append(row)
                for key in (f"SupplyRequest/{resource.get('id')}", entry.get("fullUrl")):
                    if key:
                        orders[key] = row
            elif kind == "SupplyDelivery":
                deliveries.append((n, SupplyDelivery.model_validate(resource)))
            else:
                rejections.append(Rejection(str(bundle), n, f"ressource {kind or '(sans type)'} ignorée : "
                                                            "SupplyRequest ou SupplyDelivery attendue"))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            rejections.append(Rejection(str(bundle), n, f"{kind} invalide : {where} {first.get('msg')}"))
    delivery_rows = []
    for n, delivery in deliveries:
        ref = delivery.basedOn[0].reference if delivery.basedOn else None
        order = orders.get(str(ref)) if ref else None
        if order is None:
            rejections.append(Rejection(str(bundle), n, f"SupplyDelivery : basedOn ne désigne aucune "
                                                        f"SupplyRequest du Bundle ({ref or 'absent'})"))
            continue
        quantity = delivery.suppliedItem.quantity.value if delivery.suppliedItem and delivery.suppliedItem.quantity \
            else None
        delivery_rows.append({"establishment_id": order["establishment_id"], "line_id": order["line_id"],
                              "delivered_at": _day(delivery.occurrenceDateTime),
                              "quantity_delivered": "" if quantity is None else str(quantity), "entry": str(n)})
    out.mkdir(parents=True, exist_ok=True)
    paths = (out / "orders.csv", out / "deliveries.csv")
    for path, columns, rows in ((paths[0], ORDER_COLUMNS, order_rows), (paths[1], DELIVERY_COLUMNS, delivery_rows)):
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
    return paths[0], paths[1], rejections


def ingest_bundle(con: Any, bundle: Path, *, reject_all_on_error: bool = False,
                  progress: Any = None, key_hashes: bool = True, likely: str | None = None) -> Report:
    """Ingest a Bundle like the two files: the report names Bundle entries."""

    with tempfile.TemporaryDirectory() as tmp:
        orders, deliveries, unreadable = bundle_to_csv(bundle, Path(tmp))
        report = ingest(con, orders, deliveries, reject_all_on_error=reject_all_on_error, earlier=unreadable,
                        progress=progress, key_hashes=key_hashes, likely=likely)
        entries = {}
        for path in (orders, deliveries):
            with path.open(encoding="utf-8") as f:
                entries[str(path)] = [int(r["entry"]) for r in csv.DictReader(f)]
    report.rejections = sorted(
        [r if r.file == str(bundle) else Rejection(str(bundle), entries[r.file][r.record - 1], r.reason)
         for r in report.rejections], key=lambda r: r.record)
    return report
