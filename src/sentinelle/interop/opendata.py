"""Open-data exports of the published record: CSV, JSON and an Atom feed."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from sentinelle import csvsafe
from sentinelle.schemas_common import safe_url
from sentinelle.signals.models import Signal
from sentinelle.signals.states import KIND_LABELS, STATUS_LABELS

# scope: "national", or "regional" for a tension its region's agency published alone.
COLUMNS = ("id", "kind", "status", "product_id", "product_name", "emdn_code", "gtin", "cis", "cip13", "atc_code",
           "region_code", "scope", "started_at", "expected_end_at", "published_at", "resolved_at", "public_message",
           "measures", "source_url")


def row(signal: Signal) -> dict[str, str]:
    p = signal.product
    return {
        "id": str(signal.id), "kind": signal.kind, "status": signal.status, "product_id": str(p.id),
        "product_name": p.name, "emdn_code": p.emdn_code or "", "gtin": p.gtin or "", "cis": p.cis or "",
        "cip13": p.cip13 or "", "atc_code": p.atc_code or "", "region_code": signal.region_code or "",
        "scope": signal.scope,
        "started_at": signal.started_at.isoformat(),
        "expected_end_at": signal.expected_end_at.isoformat() if signal.expected_end_at else "",
        "published_at": signal.published_at.isoformat() if signal.published_at else "",
        "resolved_at": signal.resolved_at.isoformat() if signal.resolved_at else "",
        "public_message": signal.public_message,
        "measures": " | ".join(f"{m.kind}: {m.description}" for m in signal.measures),
        "source_url": signal.external_url if signal.external_url and safe_url(signal.external_url) else "",
    }


def to_csv(signals: list[Signal]) -> str:
    out = io.StringIO()
    writer = csvsafe.dict_writer(out, COLUMNS)
    writer.writeheader()
    for s in signals:
        writer.writerow(row(s))
    return out.getvalue()


def to_json(signals: list[Signal]) -> list[dict[str, str]]:
    return [row(s) for s in signals]


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
