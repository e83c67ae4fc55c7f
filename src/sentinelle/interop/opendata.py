"""Open-data exports of the published record: CSV, JSON and an Atom feed."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from sentinelle import csvsafe
from sentinelle.schemas_common import safe_url
from sentinelle.signals.models import Signal
from sentinelle.signals.states import KIND_LABELS, STATUS_LABELS

# The published record's fields as a Table Schema (frictionless, the convention of French open-data
# portals): name, type, description. CSV and JSON carry the same fields; in JSON a number is a number
# and a missing value is null, in CSV an empty cell.
FIELDS: tuple[tuple[str, str, str], ...] = (
    ("id", "integer", "numéro du signal"),
    ("kind", "string", "tension, rupture ou discontinuation (arrêt de commercialisation)"),
    ("status", "string", "published (publié) ou resolved (remis à disposition)"),
    ("product_id", "integer", "numéro du produit dans Sentinelle"),
    ("product_name", "string", "nom du produit"),
    ("emdn_code", "string", "code EMDN (dispositifs médicaux)"),
    ("gtin", "string", "GTIN / UDI-DI"),
    ("cis", "string", "code CIS (médicaments)"),
    ("cip13", "string", "code CIP13 (médicaments)"),
    ("atc_code", "string", "code ATC (médicaments)"),
    ("region_code", "string", "code INSEE de la région (vide : national)"),
    ("scope", "string", "national, ou regional pour une tension publiée par l'agence régionale seule"),
    ("started_at", "date", "début"),
    ("expected_end_at", "date", "fin prévue"),
    ("published_at", "datetime", "publication (UTC)"),
    ("resolved_at", "datetime", "remise à disposition (UTC)"),
    ("public_message", "string", "message public"),
    ("measures", "string", "mesures de gestion, « type: description » séparées par « | »"),
    ("source_url", "string", "page de la source (l'ANSM pour ce qui vient de sa liste)"),
)
COLUMNS = tuple(name for name, _, _ in FIELDS)


def table_schema() -> dict[str, Any]:
    return {"fields": [{"name": n, "type": t, "description": d} for n, t, d in FIELDS],
            "primaryKey": ["id"], "missingValues": [""]}


def record(signal: Signal) -> dict[str, Any]:
    """One published signal, its values typed (None when missing)."""
    p = signal.product
    return {
        "id": signal.id, "kind": signal.kind, "status": signal.status, "product_id": p.id,
        "product_name": p.name, "emdn_code": p.emdn_code, "gtin": p.gtin, "cis": p.cis,
        "cip13": p.cip13, "atc_code": p.atc_code, "region_code": signal.region_code,
        "scope": signal.scope,
        "started_at": signal.started_at.isoformat(),
        "expected_end_at": signal.expected_end_at.isoformat() if signal.expected_end_at else None,
        "published_at": signal.published_at.isoformat() if signal.published_at else None,
        "resolved_at": signal.resolved_at.isoformat() if signal.resolved_at else None,
        "public_message": signal.public_message,
        "measures": " | ".join(f"{m.kind}: {m.description}" for m in signal.measures) or None,
        "source_url": signal.external_url if signal.external_url and safe_url(signal.external_url) else None,
    }


def row(signal: Signal) -> dict[str, str]:
    """The same record as CSV cells: text, an empty cell when missing."""
    return {k: "" if v is None else str(v) for k, v in record(signal).items()}


def to_csv(signals: list[Signal]) -> str:
    out = io.StringIO()
    writer = csvsafe.dict_writer(out, COLUMNS)
    writer.writeheader()
    for s in signals:
        writer.writerow(row(s))
    return out.getvalue()


def to_json(signals: list[Signal]) -> list[dict[str, Any]]:
    return [record(s) for s in signals]


def to_atom(signals: list[Signal], base_url: str) -> str:
    updated = max((s.updated_at for s in signals), default=datetime.now(UTC).replace(tzinfo=None))
    entries = []
    for s in signals:
        title = f"{KIND_LABELS[s.kind]} — {s.product.name} ({STATUS_LABELS[s.status]})"
        link = f"{base_url}/public/signaux/{s.id}"
        entries.append(
            "<entry>"
            f"<id>{escape(link)}</id><title>{escape(title)}</title>"
            f"<updated>{s.updated_at.isoformat()}Z</updated>"
            f'<link rel="alternate" href="{escape(link)}"/>'
            f"<summary>{escape(s.public_message)}</summary>"
            "</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<id>{escape(base_url)}/api/v1/opendata/shortages.atom</id><title>Sentinelle — pénuries publiées</title>"
        f"<updated>{updated.isoformat()}Z</updated>"
        f'<link rel="self" href="{escape(base_url)}/api/v1/opendata/shortages.atom"/>'
        + "".join(entries) + "</feed>\n"
    )
